// The shared vectors through the `nodejs` build, via the package's own `node` export.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { loadVectors, report } from './load-vectors.mjs';
import { runAll } from './vector-cases.mjs';

const require = createRequire(import.meta.url);
const mod = require('secretsift-wasm'); // self-reference: package.json "exports" → js/node.cjs
const dir = process.env.SECRETSIFT_VECTORS ?? fileURLToPath(new URL('../../tests/vectors/', import.meta.url));
const { files, cases } = loadVectors(dir);
if (cases.length === 0) {
  console.warn(`vectors [node]: no cases in ${dir} (${files.length} files)`);
  process.exit(process.env.SECRETSIFT_REQUIRE_VECTORS ? 1 : 0);
}
const t0 = performance.now();
const ok = report('node', runAll(mod, cases));
console.log(`  ${cases.length} cases from ${files.length} files in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
process.exit(ok ? 0 : 1);
