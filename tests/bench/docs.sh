#!/usr/bin/env bash
# Benchmark: the full `portico build` (validation, entity pages, docs, search index) of the
# generated TechDocs corpus, timed as a whole process under /usr/bin/time -v.
#
#   tests/bench/docs.sh [REPOS [PAGES_PER_REPO]]     # default 100 × 20 = 2,000 pages
#   tests/bench/docs.sh 5000 20                      # 100,000 pages
#
# Settings (environment): SHARED (default ../shared), BENCH_DIR (default target/bench),
# RUNS (timed runs, default 3; the median wall time is reported), GIT=1 to generate the
# corpus as git repositories (3 commits each: "last updated" dates from history),
# PAGEFIND=path/to/pagefind-eval to time a Pagefind index of the same pages for comparison
# (a small program built outside the project; see the docs README section), FRESH=1 to give
# each run the machine a CI job meets (needs root): the previous run's output written back
# (`sync`), the page cache dropped so that memory is free, the corpus read back in, a 10 s
# pause. Without it, the pages of earlier runs fill the page cache and each run reclaims
# them as it writes (at 100,000 pages: 1-4 s more system time, and more spread).
#
# Goals (issue 5): 2,000 pages in about 0.6-1.0 s (>= 100x MkDocs+techdocs-core with 2 jobs,
# >= 3x Hugo: ../shared/bench/RESULTS.md), 100,000 pages in <= 20 s with <= 2 GiB peak
# memory, and the first search query transferring <= 300 KB at 100k pages (printed below from
# the index actually written: manifest + the largest shard + ten record chunks).
set -euo pipefail
cd "$(dirname "$0")/../.."

REPOS=${1:-${REPOS:-100}}
PAGES=${2:-${PAGES:-20}}
SHARED=${SHARED:-../shared}
BENCH_DIR=${BENCH_DIR:-target/bench}
RUNS=${RUNS:-3}
GIT=${GIT:-0}

gen="$SHARED/bench/gen-corpus.py"
if [ ! -f "$gen" ]; then
  echo "docs bench skipped: $gen not found (../shared is not part of the project)"
  exit 0
fi
if [ ! -x /usr/bin/time ]; then
  echo "docs bench needs /usr/bin/time (Debian package: time)" >&2
  exit 2
fi

suffix=""
gitflag=""
if [ "$GIT" = 1 ]; then suffix="-git"; gitflag="--git"; fi
corpus="$BENCH_DIR/docs-$REPOS-$PAGES$suffix"
if [ ! -f "$corpus/.complete" ]; then
  rm -rf "$corpus"
  mkdir -p "$corpus"
  echo "generating $REPOS repositories × $PAGES pages into $corpus"
  python3 "$gen" "$corpus" --repos "$REPOS" --pages-per-repo "$PAGES" $gitflag
  touch "$corpus/.complete"
fi

cargo build --release --locked --quiet
bin=target/release/portico
out="$BENCH_DIR/docs-site-$REPOS-$PAGES$suffix"
times="$BENCH_DIR/docs-$REPOS-$PAGES$suffix.times"
: > "$times"

# A fresh output directory per run, and the sites of earlier invocations moved aside (a
# rename), not deleted, until the timing is done: for up to five minutes after many files
# are deleted, ext4 checks the recently freed inodes on every file it creates (system time
# doubled and more). Everything but the last site is deleted after the last run.
trash="$BENCH_DIR/.trash-docs-$$"
mkdir -p "$trash"
for d in "$out" "$out"-run*; do
  if [ -e "$d" ]; then mv "$d" "$trash/"; fi
done
for run in $(seq 1 "$RUNS"); do
  if [ "${FRESH:-0}" = 1 ]; then
    sync
    echo 1 > /proc/sys/vm/drop_caches
    find "$corpus/repos" -type f -print0 | xargs -0 cat > /dev/null
    sleep 10
  fi
  status=0
  /usr/bin/time -v "$bin" build --format json --out "$out-run$run" "$corpus/repos" \
    > "$BENCH_DIR/docs-report.json" 2> "$BENCH_DIR/docs-time.txt" || status=$?
  if [ "$status" -gt 1 ]; then
    cat "$BENCH_DIR/docs-time.txt" >&2
    echo "portico build failed with exit code $status" >&2
    exit 1
  fi
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$BENCH_DIR/docs-time.txt")
  user=$(awk -F': ' '/User time/ {print $2}' "$BENCH_DIR/docs-time.txt")
  sys=$(awk -F': ' '/System time/ {print $2}' "$BENCH_DIR/docs-time.txt")
  rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$BENCH_DIR/docs-time.txt")
  echo "$wall $user $sys $rss" >> "$times"
  echo "run $run: wall ${wall}s  cpu $(awk "BEGIN { printf \"%.2f\", $user + $sys }")s (user ${user}, sys ${sys})  peak RSS $((rss / 1024)) MB"
done

# What creating files costs this machine now, printed beside the runs: the same binary's
# 100,000-page time has moved from 18 to 26 s between days and its system time from 9 to 21 s,
# while Hugo's CPU time on the anchors' 10,000 pages stayed within 10%. 20,000 files of 16 KB
# (a doc page's size) in directories of 100, written before the runs' sites are deleted
# (deletions slow the creates that follow them).
python3 - "$out-calibrate" <<'PY'
import os, resource, sys, time
base, data = sys.argv[1], b"x" * 16000
before, t = resource.getrusage(resource.RUSAGE_SELF), time.time()
for d in range(200):
    os.makedirs(os.path.join(base, str(d)))
    for f in range(100):
        with open(os.path.join(base, str(d), f"{f}.html"), "wb") as fh:
            fh.write(data)
kernel = resource.getrusage(resource.RUSAGE_SELF).ru_stime - before.ru_stime
print(f"machine: 20,000 files of 16 KB written in {time.time() - t:.2f} s, {kernel:.2f} s of it "
      f"in the kernel ({kernel / 20000 * 1e6:.0f} us a file)")
PY
mv "$out-run$RUNS" "$out"
rm -rf "$out-calibrate"
for run in $(seq 1 $((RUNS - 1))); do rm -rf "$out-run$run"; done
rm -rf "$trash"

python3 - "$times" "$out" "$BENCH_DIR/docs-report.json" "$REPOS" "$PAGES" <<'EOF'
import json, os, sys
times, out, report, repos, pages = sys.argv[1:6]
rows = sorted((list(map(float, l.split())) for l in open(times)), key=lambda r: r[0])
wall, user, sys_, rss = rows[len(rows) // 2]
npages = sum(1 for root, _, files in os.walk(os.path.join(out, "docs")) for f in files if f == "index.html")
r = json.load(open(report))
rules = {}
for p in r["problems"]:
    rules[p["rule"]] = rules.get(p["rule"], 0) + 1
search = os.path.join(out, "search")
manifest = os.path.getsize(os.path.join(search, "index.js"))
shards = [os.path.getsize(os.path.join(search, "t", f)) for f in os.listdir(os.path.join(search, "t"))]
chunks = sorted((os.path.getsize(os.path.join(search, "r", f)) for f in os.listdir(os.path.join(search, "r"))), reverse=True)
total = sum(os.path.getsize(os.path.join(root, f)) for root, _, files in os.walk(search) for f in files)
first = manifest + max(shards) + sum(chunks[:10])
print(f"corpus: {repos} repos × {pages} pages; doc pages written: {npages}")
print(f"median of {len(rows)}: wall {wall:.2f} s, cpu {user + sys_:.2f} s (user {user:.2f}, sys {sys_:.2f}), peak RSS {rss / 1024:.0f} MB, {npages / wall:.0f} pages/s")
print(f"problems: {json.dumps(rules, sort_keys=True)}")
print(f"search index: {total / 1e6:.1f} MB in {len(shards)} shards + {len(chunks)} record chunks; "
      f"manifest {manifest / 1e3:.1f} KB, largest shard {max(shards) / 1e3:.1f} KB; "
      f"worst-case first one-word query {first / 1e3:.0f} KB")
EOF

if [ -n "${PAGEFIND:-}" ]; then
  rm -rf "$BENCH_DIR/pagefind-out"
  /usr/bin/time -v "$PAGEFIND" "$corpus/repos" "$BENCH_DIR/pagefind-out" 2> "$BENCH_DIR/pagefind-time.txt" || true
  grep -E "Elapsed|Maximum resident|User time|System time" "$BENCH_DIR/pagefind-time.txt"
fi
