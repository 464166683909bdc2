#!/usr/bin/env bash
# False-alarm check on real frontend code (issue 4): scan the installed files of widely used npm
# packages, plus generated lockfile / git SHA / UUID / documentation-placeholder fixtures, with the
# default ruleset. Exit 0: no false alarm that fails; 1: at least one (or a canary was missed);
# 2: setup error. See README.md.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$HERE"

# 1. Install the pinned packages (package-lock.json) unless node_modules already matches the lockfile.
stamp=node_modules/.secretsift-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "${BUNDLES_SKIP_INSTALL:-0}" != 1 ] && { [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; }; then
  echo "bundles: npm ci --ignore-scripts (pinned in package-lock.json)" >&2
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2 || exit 2
  echo "$want" > "$stamp"
fi

# 2. Build the CLI.
(cd "$ROOT" && cargo build --release -p secretsift-cli --quiet) || exit 2
# Where cargo put it: CARGO_TARGET_DIR if set (relative to the root, where cargo ran).
TARGET=${CARGO_TARGET_DIR:-target}
case $TARGET in /*) ;; *) TARGET="$ROOT/$TARGET" ;; esac
BIN="$TARGET/release/secretsift"

TMP=$(mktemp -d)
CANARY=zz-secretsift-canary
cleanup() { rm -rf "$TMP" "$HERE/node_modules/$CANARY"; }
trap cleanup EXIT

# 3. Canaries: a synthetic AWS access key id (random, shaped like one) in a file of each built
#    extension, so a scan that silently skips node_modules or an extension fails loudly.
key="AKIA$(head -c 64 /dev/urandom | base32 | tr -dc 'A-Z2-7' | head -c 16)"
mkdir -p "node_modules/$CANARY"
for ext in js mjs cjs css map json; do
  case $ext in
    css) printf '/* build */\n.a{--k:"%s"}\n' "$key" ;;
    json|map) printf '{"aws_access_key_id": "%s"}\n' "$key" ;;
    *) printf 'const aws_access_key_id = "%s";\n' "$key" ;;
  esac > "node_modules/$CANARY/canary.$ext"
done

# 4. Fixtures.
node "$HERE/fixtures.mjs" "$TMP/fixtures" >&2
printf 'aws_access_key_id = "%s"\n' "$key" > "$TMP/fixtures/$CANARY.env"

# 5. Scan. --no-ignore: node_modules/ is gitignored (root and tests/bundles/.gitignore);
#    --no-config: the default ruleset, whatever .secretsift.toml may exist in a parent directory.
#    Exit code 1 (findings) is expected and judged by report.mjs; 2 is an error.
start=$(date +%s.%N)
rc=0
"$BIN" scan --no-ignore --no-config --format json -o "$TMP/bundles.json" node_modules 2> "$TMP/bundles.err" || rc=$?
if [ "$rc" -gt 1 ]; then cat "$TMP/bundles.err" >&2; exit 2; fi
mid=$(date +%s.%N)
rc=0
"$BIN" scan --no-ignore --no-config --format json -o "$TMP/fixtures.json" "$TMP/fixtures" 2> "$TMP/fixtures.err" || rc=$?
if [ "$rc" -gt 1 ]; then cat "$TMP/fixtures.err" >&2; exit 2; fi
end=$(date +%s.%N)
awk -v a="$start" -v b="$mid" -v c="$end" 'BEGIN { printf "scan time: bundles %.1f s, fixtures %.1f s\n", b - a, c - b }'

node "$HERE/report.mjs" "$HERE/node_modules" "$TMP/bundles.json" "$TMP/bundles.err" \
  "$TMP/fixtures" "$TMP/fixtures.json" "$TMP/fixtures.err" "$CANARY"
