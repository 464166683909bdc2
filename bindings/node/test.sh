#!/usr/bin/env bash
# Installs, builds and tests the `secretsift` npm package (napi addon + bundler plugin) on a fresh
# machine. Exits non-zero on any failure. Called by scripts/test-all.sh.
set -euo pipefail
cd "$(dirname "$0")"

command -v node >/dev/null || { echo "node not found (Node >= 20.19 needed)" >&2; exit 2; }
echo "node $(node --version), npm $(npm --version)"

# Dependencies exactly as locked (the lockfile records only registry.npmjs.org).
npm ci --no-audit --no-fund

# The native addon: secretsift.linux-x64-gnu.node plus the generated index.js / index.d.ts.
npx napi build --platform --release

# The generated declarations type-check, with the plugin's (tsc over a small usage file).
npx tsc -p test/types/tsconfig.json

# Engine API, shared vectors (tests/vectors), and real bundler builds.
node --test --test-concurrency=1 test/*.test.mjs
