// The shared vectors against this package's native addon, or against the wasm package when
// TEST_WASM is set (TEST_WASM=node; SECRETSIFT_WASM_MODULE overrides the module to import,
// default `secretsift-wasm`). The wasm package must export an `Engine` with the same API.
import { test } from 'node:test';
import { runVectors } from './vectors.mjs';

let Engine;
let label = 'native';
if (process.env.TEST_WASM) {
  const mod = await import(process.env.SECRETSIFT_WASM_MODULE || 'secretsift-wasm');
  if (typeof mod.default === 'function' && !mod.Engine) await mod.default(); // web-style init
  Engine = mod.Engine || (mod.default && mod.default.Engine);
  label = `wasm (${process.env.TEST_WASM})`;
} else {
  ({ Engine } = await import('secretsift'));
}
runVectors({ Engine, test, label });
