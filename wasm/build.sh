#!/usr/bin/env bash
# Builds wasm/pkg/{web,bundler,node}: cargo for wasm32-unknown-unknown, then wasm-bindgen.
# Needs the wasm32 target and wasm-bindgen-cli at the crate's version (test.sh installs both).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

cargo build --locked --profile wasm-release --target wasm32-unknown-unknown -p secretsift-wasm
wasm="${CARGO_TARGET_DIR:-$root/target}/wasm32-unknown-unknown/wasm-release/secretsift_wasm.wasm"

for t in web bundler nodejs; do
    dir="$here/pkg/${t/nodejs/node}"
    rm -rf "$dir"
    wasm-bindgen --target "$t" --out-dir "$dir" --remove-name-section --remove-producers-section "$wasm"
    # Optional option bags, and redact's overloads: wasm-bindgen writes every parameter as
    # required and cannot express overloads.
    sed -i -E \
        -e 's/\((options): (EngineOptions|RedactOptions|StreamOptions)\)/(\1?: \2)/' \
        -e 's/^( *)redact\(input: string \| Uint8Array, options: RedactOptions\): any;/\1redact(input: string, options?: RedactOptions): string;\n\1redact(input: Uint8Array, options?: RedactOptions): Uint8Array;/' \
        "$dir/secretsift_wasm.d.ts"
done
# wasm/package.json says "type": "module"; the nodejs glue is CommonJS.
echo '{ "type": "commonjs" }' > "$here/pkg/node/package.json"
# The web build is also what guard.js and the paste checker load.
raw=$(stat -c %s "$here/pkg/web/secretsift_wasm_bg.wasm")
gz=$(gzip -9 -c "$here/pkg/web/secretsift_wasm_bg.wasm" | wc -c)
echo "secretsift_wasm_bg.wasm: $raw bytes raw, $gz bytes gzip -9"
