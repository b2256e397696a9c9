#!/usr/bin/env bash
# Benchmark: `portico validate` on 10,000 catalog files, and the same files through
# Backstage's own validator (../shared/tools/backstage-oracle) for a ratio.
#
#   tests/bench/validate.sh [REPOS]          # default 10000 repositories, one catalog file each
#
# Settings (environment): SHARED (default ../shared), BENCH_DIR (default target/bench),
# RUNS (timed runs of portico, default 5; the median is reported), JOBS (oracle processes at
# once, default: the number of cores), BATCH (files per oracle process, default: the files
# shared evenly among JOBS processes, the oracle's fastest form: each node process costs
# about 0.4 s to start), ORACLE=0 to leave the oracle out.
#
# Goal (issue 3): under 1 s for 10,000 files on 2 cores, at least 20x faster than the oracle.
# The last line sets that beside the floor: reading the files and saphyr's parse alone.
# The corpus is generated once by ../shared/bench/gen-corpus.py (same arguments, same bytes) and
# kept under BENCH_DIR. Timings are whole processes under /usr/bin/time: start-up, discovery,
# parsing, validation, the cross-file model and writing the JSON report.
set -euo pipefail
cd "$(dirname "$0")/../.."

REPOS=${1:-${REPOS:-10000}}
SHARED=${SHARED:-../shared}
BENCH_DIR=${BENCH_DIR:-target/bench}
RUNS=${RUNS:-5}
JOBS=${JOBS:-$(nproc)}
ORACLE=${ORACLE:-1}

gen="$SHARED/bench/gen-corpus.py"
if [ ! -f "$gen" ]; then
  echo "validate bench skipped: $gen not found (../shared is not part of the project)"
  exit 0
fi
if [ ! -x /usr/bin/time ]; then
  echo "validate bench needs /usr/bin/time (Debian package: time)" >&2
  exit 2
fi

corpus="$BENCH_DIR/validate-$REPOS"
if [ ! -f "$corpus/.complete" ]; then
  rm -rf "$corpus"
  mkdir -p "$corpus"
  echo "generating $REPOS repositories into $corpus"
  python3 "$gen" "$corpus" --repos "$REPOS" --pages-per-repo 1
  touch "$corpus/.complete"
fi
find "$corpus/repos" -name catalog-info.yaml | LC_ALL=C sort > "$corpus/files.txt"
nfiles=$(wc -l < "$corpus/files.txt")
BATCH=${BATCH:-$(( (nfiles + JOBS - 1) / JOBS ))}

cargo build --release --locked --quiet
bin=target/release/portico
report="$BENCH_DIR/validate-$REPOS.json"
times="$BENCH_DIR/validate-$REPOS.times"

# What portico says about the corpus (every file is valid and every reference resolves).
status=0
"$bin" validate --format json "$corpus/repos" > "$report" || status=$?
python3 - "$report" "$status" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["summary"]
rules = {}
for p in r["problems"]:
    rules[p["rule"]] = rules.get(p["rule"], 0) + 1
print(f"portico: exit {sys.argv[2]}, {s['files']} files, {s['entities']} entities, "
      f"{s['errors']} errors, {s['warnings']} warnings"
      + (f" {dict(sorted(rules.items()))}" if rules else ""))
EOF

# Timed runs: wall, user, system seconds and peak RSS of each.
: > "$times"
for _ in $(seq "$RUNS"); do
  /usr/bin/time -f "%e %U %S %M" -a -o "$times" \
    "$bin" validate --format json "$corpus/repos" > /dev/null || true
done
portico_wall=$(python3 - "$times" "$nfiles" <<'EOF'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
wall = statistics.median(r[0] for r in rows)
cpu = statistics.median(r[1] + r[2] for r in rows)
peak = max(r[3] for r in rows) / 1024
n = int(sys.argv[2])
print(f"portico validate --format json, {n} files, median of {len(rows)}: "
      f"{wall:.3f} s wall, {cpu:.3f} s cpu, peak {peak:.0f} MiB, {n / wall:,.0f} files/s",
      file=sys.stderr)
print(wall)
EOF
)

if [ "$ORACLE" = 0 ]; then
  exit 0
fi
oracle_dir="$SHARED/tools/backstage-oracle"
if [ ! -d "$oracle_dir/node_modules" ]; then
  echo "installing the oracle's dependencies (npm ci in $oracle_dir)"
  (cd "$oracle_dir" && npm ci --silent --no-audit --no-fund)
fi
oracle_out="$BENCH_DIR/validate-$REPOS.oracle.jsonl"
oracle_time="$BENCH_DIR/validate-$REPOS.oracle.time"
# One node process per BATCH files, JOBS at a time: the oracle gets the same cores portico
# uses. `-s` lets a command line hold a whole batch (xargs splits at 128 KiB by default).
/usr/bin/time -f "%e %U %S %M" -o "$oracle_time" \
  xargs -a "$corpus/files.txt" -d '\n' -n "$BATCH" -P "$JOBS" -s 2000000 \
  node "$oracle_dir/oracle.mjs" > "$oracle_out"
python3 - "$oracle_time" "$oracle_out" "$portico_wall" "$nfiles" "$JOBS" "$BATCH" <<'EOF'
import json, sys
wall, user, sys_, peak = map(float, open(sys.argv[1]).read().split())
verdicts = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
bad = [v for v in verdicts if not v.get("ok")]
portico = float(sys.argv[3])
print(f"oracle (node oracle.mjs, {sys.argv[6]} files per process, {sys.argv[5]} at once): "
      f"{wall:.2f} s wall, {user + sys_:.2f} s cpu, {len(verdicts)} documents, "
      f"{len(bad)} rejected")
print(f"ratio: portico is {wall / portico:.1f}x faster than the oracle (wall, median portico run)")
EOF

# The floor under any saphyr-based validator: reading the files and saphyr's event parse alone,
# on every core (benches/validate_floor.rs), beside what 20x the oracle allows.
floor=$(cargo bench --locked --quiet --bench validate_floor -- "$PWD/$corpus/files.txt" | tail -1)
python3 - "$oracle_time" "$portico_wall" $floor <<'EOF'
import sys
oracle = float(open(sys.argv[1]).read().split()[0])
portico = float(sys.argv[2])
read, parse = float(sys.argv[4]), float(sys.argv[6])
budget = oracle / 20
print(f"floor: read {read:.3f} s + saphyr events {parse:.3f} s = {read + parse:.3f} s; "
      f"20x the oracle allows {budget:.3f} s, leaving {budget - read - parse:.3f} s for everything "
      f"else (portico spends {portico - read - parse:.3f} s on it now)")
EOF
