// ES module entry for Node: re-exports the CommonJS build (one wasm instance either way).
export { Engine, ScanStream, RedactStream, redactStream } from './node.cjs';
