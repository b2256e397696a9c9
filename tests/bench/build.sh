#!/usr/bin/env bash
# Benchmark: `portico build` of a generated organisation (issue 4: 10,000 entities on 2 cores
# should take seconds, not minutes).
#
#   tests/bench/build.sh [REPOS]          # default 10000 repositories, one catalog file each
#
# Settings (environment): SHARED (default ../shared), BENCH_DIR (default target/bench),
# RUNS (timed builds, default 3; the median is reported).
#
# The corpus comes from ../shared/bench/gen-corpus.py (same arguments, same bytes) and is the
# one tests/bench/validate.sh uses, generated once under BENCH_DIR. Each timing is the whole
# process under /usr/bin/time: discovery, parsing, validation, the model, docs, search and
# every page and JSON file written to disk. Peak memory is the largest RSS of the runs.
set -euo pipefail
cd "$(dirname "$0")/../.."

REPOS=${1:-${REPOS:-10000}}
SHARED=${SHARED:-../shared}
BENCH_DIR=${BENCH_DIR:-target/bench}
RUNS=${RUNS:-3}

gen="$SHARED/bench/gen-corpus.py"
if [ ! -f "$gen" ]; then
  echo "build bench skipped: $gen not found (../shared is not part of the project)"
  exit 0
fi
if [ ! -x /usr/bin/time ]; then
  echo "build bench needs /usr/bin/time (Debian package: time)" >&2
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

cargo build --release --locked --quiet
bin=target/release/portico
out="$BENCH_DIR/build-$REPOS-site"
times="$BENCH_DIR/build-$REPOS.times"
: > "$times"
laps="$BENCH_DIR/build-$REPOS.laps"
: > "$laps"
# Sites of earlier invocations are moved aside (a rename), not deleted, until the timing is
# done: for up to five minutes after many files are deleted, ext4 checks the recently freed
# inodes on every file it creates.
trash="$BENCH_DIR/.trash-build-$$"
mkdir -p "$trash"
for d in "$out" "$out"-*; do
  if [ -e "$d" ]; then mv "$d" "$trash/"; fi
done
for i in $(seq "$RUNS"); do
  status=0
  # A fresh output directory per run: replacing the previous site deletes ~60,000 files, and
  # ext4 then spends seconds of system time skipping recently deleted inodes when it creates
  # the new ones (measured: 9 s -> 28 s of sys time). The old sites are removed at the end.
  PORTICO_TIMINGS=1 /usr/bin/time -f "%e %U %S %M" -a -o "$times" "$bin" build "$corpus/repos" \
    --out "$out-$i" --format json \
    > "$BENCH_DIR/build-$REPOS.report.json" 2> "$BENCH_DIR/build-$REPOS.stderr" || status=$?
  cat "$BENCH_DIR/build-$REPOS.stderr" >> "$laps"
  if [ "$status" -gt 1 ]; then
    echo "portico build failed (exit $status):" >&2
    cat "$BENCH_DIR/build-$REPOS.stderr" >&2
    exit 1
  fi
done
rm -rf "$out"
mv "$out-$RUNS" "$out"
for i in $(seq $((RUNS - 1))); do rm -rf "$out-$i"; done
rm -rf "$trash"

entities=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$out/api/entities.json")
pages=$(find "$out" -name '*.html' | wc -l)
files=$(find "$out" -type f | wc -l)
size=$(du -sh "$out" | cut -f1)
python3 - "$times" "$entities" "$pages" "$files" "$size" "$(nproc)" "$laps" <<'PY'
import re, statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
secs = sorted(float(r[0]) for r in rows)
cpu = statistics.median(float(r[1]) + float(r[2]) for r in rows)
user = statistics.median(float(r[1]) for r in rows)
sys_ = statistics.median(float(r[2]) for r in rows)
peak = max(int(r[3]) for r in rows) / 1024
entities, pages, files, size, cores, laps = sys.argv[2:]
print(f"portico build: {entities} entities -> {pages} HTML pages, {files} files, {size}")
print(f"  wall time median {statistics.median(secs):.2f} s (runs: {', '.join(f'{s:.2f}' for s in secs)}) on {cores} cores")
print(f"  cpu median {cpu:.2f} s (user {user:.2f} s, system {sys_:.2f} s)")
print(f"  peak memory {peak:.0f} MiB")
# Per stage (PORTICO_TIMINGS): median wall and CPU time, resident memory after the stage.
stages = {}
for line in open(laps):
    m = re.match(r"portico: (.+?): ([0-9.]+) ms(?: \(cpu ([0-9]+) ms\))?(?:, resident ([0-9]+) MiB)?", line.strip())
    if m and not m.group(1).startswith(("model: ", "score: ")):
        stages.setdefault(m.group(1), []).append(
            (float(m.group(2)), float(m.group(3) or 0), int(m.group(4) or 0)))
for name, v in stages.items():
    print(f"  {name:18s} {statistics.median(x[0] for x in v) / 1000:7.2f} s wall"
          f" {statistics.median(x[1] for x in v) / 1000:7.2f} s cpu, resident after {max(x[2] for x in v)} MiB")
PY
