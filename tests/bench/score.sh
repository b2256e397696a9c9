#!/usr/bin/env bash
# Benchmark: scoring 10,000 repositories' entities against a 20-check scorecard.
#
#   tests/bench/score.sh [REPOS]        # default 10000 repositories (~20,000 entities)
#
# Settings (environment): SHARED (default ../shared), BENCH_DIR (default target/bench),
# RUNS (default 5; the median is reported), CORPUS (an existing gen-corpus.py output to reuse,
# e.g. the one tests/bench/validate.sh made).
#
# Goal (issue 6): scoring 10,000 entities x 20 checks well under a second on 2 cores. The
# figure is the `score: evaluate` stage printed by PORTICO_TIMINGS (rules, file reads, facts,
# levels and scores, every entity x check); whole-process times are printed beside it.
# The scorecard mixes every rule type: fields, annotations, labels, relations, files (read
# once per repository however many entities and checks look at them), CODEOWNERS, docs page
# counts, facts and all/any/not.
set -euo pipefail
cd "$(dirname "$0")/../.."

REPOS=${1:-${REPOS:-10000}}
SHARED=${SHARED:-../shared}
BENCH_DIR=${BENCH_DIR:-target/bench}
RUNS=${RUNS:-5}

gen="$SHARED/bench/gen-corpus.py"
if [ ! -f "$gen" ]; then
  echo "score bench skipped: $gen not found (../shared is not part of the project)"
  exit 0
fi

corpus="${CORPUS:-$BENCH_DIR/score-$REPOS}"
if [ ! -d "$corpus/repos" ] || { [ -z "${CORPUS:-}" ] && [ ! -f "$corpus/.complete" ]; }; then
  rm -rf "$corpus"
  mkdir -p "$corpus"
  echo "generating $REPOS repositories into $corpus"
  python3 "$gen" "$corpus" --repos "$REPOS" --pages-per-repo 1
  touch "$corpus/.complete"
fi

# Config, a 20-check scorecard and a facts file for every component, beside the corpus.
cfg="$BENCH_DIR/score-$REPOS-config"
rm -rf "$cfg"
mkdir -p "$cfg/scorecards" "$cfg/facts"
cat > "$cfg/portico.yaml" <<'YAML'
scorecards: [scorecards/*.yaml]
facts: [facts/*.json]
YAML
cat > "$cfg/scorecards/bench.yaml" <<'YAML'
id: bench
title: Benchmark (20 checks, every rule type)
levels: [Bronze, Silver, Gold]
checks:
  - {id: c01, title: owner, level: Bronze, rule: {relation: ownedBy, targetKind: Group}}
  - {id: c02, title: system, level: Bronze, rule: {relation: partOf}}
  - {id: c03, title: description, level: Bronze, rule: {field: metadata.description, minLength: 20}}
  - {id: c04, title: title, level: Bronze, rule: {field: metadata.title}}
  - {id: c05, title: slug, level: Bronze, rule: {annotation: github.com/project-slug, matches: "^acme/"}}
  - {id: c06, title: techdocs, level: Silver, rule: {annotation: backstage.io/techdocs-ref}}
  - {id: c07, title: lifecycle, level: Silver, rule: {field: spec.lifecycle, in: [production, experimental]}}
  - {id: c08, title: tags, level: Silver, rule: {field: metadata.tags, minLength: 1}}
  - {id: c09, title: tier, level: Gold, severity: warning, rule: {label: tier}}
  - {id: c10, title: links, level: Gold, rule: {field: metadata.links, minLength: 1}}
  - {id: c11, title: mkdocs, level: Silver, rule: {file: mkdocs.yml}}
  - {id: c12, title: readme, level: Silver, rule: {file: [README.md, docs/index.md]}}
  - {id: c13, title: nav, level: Gold, rule: {file: mkdocs.yml, matches: "^nav:"}}
  - {id: c14, title: codeowners, level: Gold, severity: warning, rule: {codeowners: owner}}
  - {id: c15, title: docs, level: Gold, rule: {docs: {minPages: 1}}}
  - {id: c16, title: coverage, level: Gold, rule: {fact: coverage.lines, gte: 70}}
  - {id: c17, title: vulns, level: Silver, rule: {fact: coverage.critical, lte: 0, ifMissing: pass}}
  - {id: c18, title: not deprecated, level: Silver, rule: {not: {field: spec.lifecycle, equals: deprecated}}}
  - {id: c19, title: api, level: Gold, enforceFrom: "2099-01-01", rule: {relation: providesApi}}
  - id: c20
    title: any
    level: Gold
    rule:
      any:
        - all: [{field: spec.type, equals: service}, {relation: dependsOn}]
        - {field: spec.type, in: [website, library]}
YAML
python3 - "$corpus/repos" "$cfg/facts/coverage.json" <<'PY'
import json, os, re, sys
repos, out = sys.argv[1], sys.argv[2]
facts = {}
for i, name in enumerate(sorted(os.listdir(repos))):
    if name != "org":
        facts[f"component:default/{name}"] = {"lines": (i * 37) % 100, "critical": i % 7 == 0 and 1 or 0}
json.dump(facts, open(out, "w"), indent=0)
PY

cargo build --release --locked --quiet
bin=target/release/portico
day=2026-11-23

"$bin" score "$corpus/repos" --config "$cfg/portico.yaml" --today "$day" --format json \
  -o "$BENCH_DIR/score-$REPOS.json" || true
python3 - "$BENCH_DIR/score-$REPOS.json" <<'PY'
import collections, json, sys
r = json.load(open(sys.argv[1]))
res = r["results"]
checks = sum(len(x["checks"]) for x in res)
levels = collections.Counter(x["level"] or "none" for x in res)
outcomes = collections.Counter(c["outcome"] for x in res for c in x["checks"])
print(f"scored {len(res)} entities x {len(r['scorecards'][0]['checks'])} checks = {checks} check results; "
      f"levels {dict(sorted(levels.items()))}; outcomes {dict(sorted(outcomes.items()))}; "
      f"{len(r['problems'])} problems")
PY

times="$BENCH_DIR/score-$REPOS.times"
laps="$BENCH_DIR/score-$REPOS.laps"
: > "$times"
: > "$laps"
for _ in $(seq "$RUNS"); do
  PORTICO_TIMINGS=1 /usr/bin/time -f "%e %U %S %M" -a -o "$times" \
    "$bin" score "$corpus/repos" --config "$cfg/portico.yaml" --today "$day" --format json \
    -o /dev/null 2>> "$laps" || true
done
python3 - "$times" "$laps" <<'PY'
import re, statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
laps = {}
for l in open(sys.argv[2]):
    m = re.match(r"portico: (.+): ([0-9.]+) ms", l.strip())
    if m:
        laps.setdefault(m.group(1), []).append(float(m.group(2)))
print("median of", len(rows), "runs:")
for k, v in laps.items():
    print(f"  {k:40s} {statistics.median(v):8.1f} ms")
print(f"  whole process: {statistics.median(r[0] for r in rows):.3f} s wall, "
      f"{statistics.median(r[1] + r[2] for r in rows):.3f} s cpu, peak {max(r[3] for r in rows) / 1024:.0f} MiB")
PY
