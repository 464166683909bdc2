// redactStream(): a TransformStream around the engine's streaming redactor.
// The same code, in CommonJS, is in node.cjs (Node 20 cannot require() an ES module).

/**
 * @param {() => import('./web.mjs').Engine} defaultEngine
 */
export function makeRedactStream(defaultEngine) {
  const encoder = new TextEncoder();
  return function redactStream(options = {}) {
    const engine = options.engine ?? defaultEngine();
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
  };
}

/** A lazily built default engine, shared by every redactStream() without `engine`. */
export function lazyEngine(Engine) {
  let engine;
  return () => (engine ??= new Engine());
}
