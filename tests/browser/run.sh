#!/usr/bin/env bash
# Browser tests of the site portico builds: headless Debian Chromium driven by playwright-core,
# axe-core for accessibility, node's built-in test runner.
#
#   tests/browser/run.sh                       # builds portico (release), the site, runs every test
#   PORTICO_BIN=target/release/portico tests/browser/run.sh   # reuse a binary
#   SCREENSHOT_DIR=/tmp/shots tests/browser/run.sh            # keep the screenshots there
#   PORTICO_INPUT=path/to/repos tests/browser/run.sh          # another input than example-repo
#   KEEP_SITE=1 tests/browser/run.sh                          # keep the built site and its input
#   tests/browser/run.sh --test-name-pattern=catalog          # extra arguments go to `node --test`
#
# Installs Chromium (apt) and the npm packages when missing; never downloads a browser of its own.
# The site is built from a temporary copy of example-repo plus tests/browser/fixtures/markup
# (entity text that looks like HTML), opened from file:// and served by `portico serve`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

say() { printf 'browser: %s\n' "$*"; }

# 1. Chromium from Debian (as root on CI's fresh machine).
if [ ! -x "$CHROMIUM" ]; then
  say "installing chromium (apt)"
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { say "chromium is missing and I am not root: apt-get install chromium"; exit 2; }
    sudo="sudo"
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
"$CHROMIUM" --version 2>/dev/null | head -1 || true

# 2. playwright-core and axe-core, exactly as locked. No browser download.
command -v node >/dev/null || { say "node is missing (needs Node.js >= 20 with npm)"; exit 2; }
if ! (cd "$here" && [ -d node_modules/playwright-core ] && [ -d node_modules/axe-core ] \
      && [ node_modules/.package-lock.json -nt package-lock.json ]); then
  (cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi

# 3. portico.
if [ -z "${PORTICO_BIN:-}" ]; then
  (cd "$root" && cargo build --release --locked --quiet)
  PORTICO_BIN="${CARGO_TARGET_DIR:-$root/target}/release/portico"
fi
PORTICO_BIN="$(cd "$(dirname "$PORTICO_BIN")" && pwd)/$(basename "$PORTICO_BIN")"
export PORTICO_BIN
[ -x "$PORTICO_BIN" ] || { say "no portico binary at $PORTICO_BIN"; exit 2; }

# 4. The site: example-repo plus the markup fixture, in a temporary directory.
work="$(mktemp -d "${TMPDIR:-/tmp}/portico-browser.XXXXXX")"
cleanup() { [ -n "${KEEP_SITE:-}" ] && say "kept $work" || rm -rf "$work"; }
trap cleanup EXIT
cp -R "${PORTICO_INPUT:-$root/example-repo}" "$work/input"
cp -R "$here/fixtures/markup" "$work/input/browser-fixture-markup"
# A git work tree, as a real checkout is: "last updated" and git facts (scorecards) then apply.
git -C "$work/input" init -q
git -C "$work/input" add -A
git -C "$work/input" -c user.name="portico browser tests" -c user.email="browser-tests@portico.invalid" \
  commit -q -m "browser-test input" --date="2026-01-01T00:00:00Z"
export SITE_INPUT="$work/input" SITE_DIR="$work/site"
say "building the site: portico build input --out site (in $work)"
# Relative paths, as a CI job passes them: the site shows source paths relative to its input.
(cd "$work" && "$PORTICO_BIN" build input --out site) >"$work/build.log" 2>&1 || {
  status=$?
  cat "$work/build.log"
  say "portico build exited $status"
  exit 1
}

export SCREENSHOT_DIR="${SCREENSHOT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/portico-screenshots.XXXXXX")}"
mkdir -p "$SCREENSHOT_DIR"

# 5. The tests, one file at a time (2 cores: one Chromium at a time is faster and steadier).
cd "$here"
set +e
node --test --test-concurrency=1 --test-timeout=120000 "$@" ./*.test.mjs
status=$?
set -e
say "screenshots in $SCREENSHOT_DIR"
exit $status
