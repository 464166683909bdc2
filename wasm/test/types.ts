// Compile-only check of the published declarations (tsc --noEmit, run by test.sh).
import init, { Engine, redactStream, type Finding, type EngineOptions, type SecretsiftError } from '../js/web.js';
import { Engine as NodeEngine } from '../js/node.js';

export async function demo(body: ReadableStream<Uint8Array>): Promise<string> {
  await init();
  const opts: EngineOptions = { disable: ['generic-api-key'], genericEntropy: 4.0 };
  const e = new Engine(opts);
  const fs: Finding[] = e.scan('text');
  const s: string = e.redact('text');
  const b: Uint8Array = e.redact(new Uint8Array(4), { template: '[{rule}]' });
  const st = e.stream({ lineMode: true });
  const more: Finding[] = [...st.feed('a'), ...st.finish()];
  const err = new Error('x') as SecretsiftError;
  void [fs, s, b, more, err.code, new NodeEngine().window];
  return new Response(body.pipeThrough(redactStream({ engine: e }))).text();
}
