// secretsift-wasm for browsers, Web/Service Workers and edge runtimes (wasm-bindgen `web`
// target). Call `await init()` (or `initSync({ module })`) once before anything else.
import init, { initSync, Engine, ScanStream, RedactStream } from '../pkg/web/secretsift_wasm.js';
import { makeRedactStream, lazyEngine } from './redact-stream.mjs';

export default init;
export { init, initSync, Engine, ScanStream, RedactStream };
export const redactStream = makeRedactStream(lazyEngine(Engine));
