// secretsift-wasm for bundlers that load `.wasm` as ES modules (webpack 5 asyncWebAssembly,
// Vite with a wasm plugin): no init call needed.
import { Engine, ScanStream, RedactStream } from '../pkg/bundler/secretsift_wasm.js';
import { makeRedactStream, lazyEngine } from './redact-stream.mjs';

export { Engine, ScanStream, RedactStream };
export const redactStream = makeRedactStream(lazyEngine(Engine));
