'use strict';
// secretsift-wasm for Node (wasm-bindgen `nodejs` target: loads the .wasm synchronously).
const wasm = require('../pkg/node/secretsift_wasm.js');

let defaultEngine;
const encoder = new TextEncoder();

// Same as redact-stream.mjs (Node 20 cannot require() an ES module).
function redactStream(options = {}) {
  const engine = options.engine ?? (defaultEngine ??= new wasm.Engine());
  const redactor = engine.redactor({ template: options.template, lineMode: options.lineMode });
  const done = () => { try { redactor.free(); } catch { /* already freed */ } };
  return new TransformStream({
    transform(chunk, controller) {
      const bytes = typeof chunk === 'string' ? encoder.encode(chunk)
        : chunk instanceof Uint8Array ? chunk
        : ArrayBuffer.isView(chunk) ? new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)
        : new Uint8Array(chunk);
      const out = redactor.feed(bytes);
      if (out.length) controller.enqueue(out);
    },
    flush(controller) {
      const out = redactor.finish();
      done();
      if (out.length) controller.enqueue(out);
    },
    cancel: done,
  });
}

exports.Engine = wasm.Engine;
exports.ScanStream = wasm.ScanStream;
exports.RedactStream = wasm.RedactStream;
exports.redactStream = redactStream;
