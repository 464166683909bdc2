// An edge worker that redacts secrets from request and response bodies, streaming: bytes flow
// through redactStream() (the core's streaming redactor), so a body of any size is redacted in
// bounded memory, and a secret split across network chunks is still caught.
//
//   POST /redact    → the request body, redacted (e.g. a log shipper in front of a log store)
//   POST /scan      → JSON findings for the request body (masked previews only)
//   anything else   → proxied to the UPSTREAM service, the response body redacted
//
// Module layout mirrors the secretsift-wasm package (see test/workerd.mjs for the workerd
// config). With wrangler: `import { initSync, Engine, redactStream } from 'secretsift-wasm'` and
// `import wasm from 'secretsift-wasm/secretsift_wasm_bg.wasm'`.
import { initSync, Engine, redactStream } from '../js/web.mjs';
import wasm from '../pkg/web/secretsift_wasm_bg.wasm';

initSync({ module: wasm });

// Built on first use, then reused by every request this isolate serves (building compiles
// every rule, so keep it out of the per-request path).
let engine;
const getEngine = () => (engine ??= new Engine());

function redacted(body, init = {}) {
  const headers = new Headers(init.headers);
  headers.delete('content-length'); // the length changes
  headers.set('x-secretsift', 'redacted');
  const stream = body ? body.pipeThrough(redactStream({ engine: getEngine() })) : null;
  return new Response(stream, { status: init.status ?? 200, statusText: init.statusText, headers });
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (request.method === 'POST' && url.pathname === '/redact') {
      return redacted(request.body, { headers: { 'content-type': request.headers.get('content-type') ?? 'text/plain' } });
    }
    if (request.method === 'POST' && url.pathname === '/scan') {
      const s = getEngine().stream();
      const findings = [];
      const reader = request.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        findings.push(...s.feed(value));
      }
      findings.push(...s.finish());
      s.free();
      return Response.json({ findings });
    }
    if (!env.UPSTREAM) return new Response('no upstream configured\n', { status: 502 });
    const res = await env.UPSTREAM.fetch(request);
    return redacted(res.body, res);
  },
};
