#!/usr/bin/env bash
# Tests for secretsift-wasm. Works on a fresh machine: installs the wasm32 target, the
# wasm-bindgen CLI matching Cargo.lock, Chromium and the npm dev dependencies, then builds the
# package and runs: the JS API in Node, the shared vectors in Node and in Chromium, the paste
# checker and guard end to end in headless Chromium, and the edge worker in workerd.
# Exits non-zero on any failure. Screenshots: wasm/artifacts/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$here"
step() { printf '\n--> wasm: %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

step "toolchain"
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$root/Cargo.lock")
[ -n "$want" ] || { echo "wasm-bindgen not found in Cargo.lock" >&2; exit 1; }
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
    echo "installing wasm-bindgen-cli $want (found: ${have:-none}); takes a few minutes"
    # Not --locked: a locked transitive version is missing from the registry (TOOLCHAIN.md).
    cargo install wasm-bindgen-cli --version "$want"
fi
if [ ! -x /usr/bin/chromium ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y chromium || { apt-get update && apt-get install -y chromium; }
fi
if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/workerd ] || [ ! -d node_modules/smol-toml ] \
    || [ ! -d node_modules/typescript ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
fi

step "build (cargo wasm32 + wasm-bindgen web/bundler/nodejs → wasm/pkg/)"
bash build.sh

status=0
run() {
    local name=$1; shift
    step "$name"
    if ! "$@"; then echo "FAILED: $name" >&2; status=1; fi
}
run "TypeScript declarations (tsc --noEmit on test/types.ts)" \
    node_modules/.bin/tsc --noEmit --strict --target es2022 --module nodenext --moduleResolution nodenext \
    --lib esnext,dom,dom.iterable test/types.ts
run "JS API (nodejs target)" node --test test/api-node.mjs
run "shared vectors (nodejs target)" node test/vectors-node.mjs
run "reliability: bad input throws, memory flat over 1M calls (nodejs target)" node --test test/reliability-node.mjs
run "headless Chromium (web target): vectors, redactStream, paste checker, guard" node test/browser.mjs
run "edge worker in workerd" node test/workerd.mjs

if [ $status -ne 0 ]; then echo "wasm: FAILED" >&2; exit 1; fi
echo "wasm: all tests passed"
