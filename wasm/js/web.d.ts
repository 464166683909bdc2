import type { Engine, RedactOptions } from '../pkg/web/secretsift_wasm.js';
export * from '../pkg/web/secretsift_wasm.js';
export { default } from '../pkg/web/secretsift_wasm.js';

export interface RedactStreamOptions extends RedactOptions {
  /** The engine to use; default: one engine with the default ruleset, built on first use. */
  engine?: Engine;
}
/** A `TransformStream` that redacts what flows through it, with the core's chunk-boundary
 * guarantees: any chunking gives the output of one `engine.redact()` over the whole input.
 * `response.body.pipeThrough(redactStream())`. Call `init()` first. */
export function redactStream(options?: RedactStreamOptions): TransformStream<Uint8Array | ArrayBuffer | string, Uint8Array>;
