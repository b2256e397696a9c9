#!/usr/bin/env bash
# Conformance: portico's verdict per YAML document against Backstage's own validator, over
# the shared Backstage corpus and thousands of mutations of it. Needs ../shared (the corpus
# and tools/backstage-oracle) and Node.js; skipped with a message when ../shared is absent.
#
#   tests/conformance/run.sh            # from the repository root
#   PORTICO_SHARED=/path/to/shared PORTICO_BIN=target/debug/portico tests/conformance/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

shared="${PORTICO_SHARED:-../shared}"
if [ ! -d "$shared/corpus/backstage" ] || [ ! -d "$shared/tools/backstage-oracle" ]; then
  echo "conformance skipped: $shared/corpus/backstage or $shared/tools/backstage-oracle is absent"
  exit 0
fi
if ! command -v node >/dev/null; then
  echo "conformance skipped: node is not installed"
  exit 0
fi
oracle="$shared/tools/backstage-oracle"
if [ ! -d "$oracle/node_modules/@backstage/catalog-model" ]; then
  (cd "$oracle" && npm ci --no-audit --no-fund --loglevel=error)
fi

bin="${PORTICO_BIN:-}"
if [ -z "$bin" ]; then
  cargo build --release --quiet
  bin=target/release/portico
fi

node tests/conformance/conformance.mjs --shared "$shared" --portico "$bin" "$@"
