// Runs examples/worker.mjs in workerd (Cloudflare's edge runtime, from npm; runs offline) on
// 127.0.0.1, with an upstream worker that serves a body holding a fake key in small chunks.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { fakeAwsKeyId } from './fake.mjs';

const require = createRequire(import.meta.url);
const WASM = fileURLToPath(new URL('..', import.meta.url));
const key = fakeAwsKeyId();
const freePort = () => new Promise((res) => { const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); }); });
const port = await freePort();
const dir = mkdtempSync(join(tmpdir(), 'secretsift-workerd-'));

// The upstream streams a log whose key is split across chunks.
const upstream = `export default { fetch() {
  const enc = new TextEncoder();
  const text = 'GET /health 200\\n'.repeat(2000) + 'config: aws_access_key_id=${key}\\nbye\\n';
  const bytes = enc.encode(text);
  const body = new ReadableStream({ start(c) { for (let i = 0; i < bytes.length; i += 777) c.enqueue(bytes.slice(i, i + 777)); c.close(); } });
  return new Response(body, { headers: { 'content-type': 'text/plain', 'content-length': String(bytes.length) } });
} };`;
writeFileSync(join(dir, 'upstream.mjs'), upstream);
// capnp `embed` paths are relative to the config file.
const embed = (p) => JSON.stringify(relative(dir, p));
writeFileSync(join(dir, 'config.capnp'), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .mainWorker),
    (name = "upstream", worker = .upstreamWorker),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const mainWorker :Workerd.Worker = (
  modules = [
    (name = "examples/worker.mjs", esModule = embed ${embed(join(WASM, 'examples/worker.mjs'))}),
    (name = "js/web.mjs", esModule = embed ${embed(join(WASM, 'js/web.mjs'))}),
    (name = "js/redact-stream.mjs", esModule = embed ${embed(join(WASM, 'js/redact-stream.mjs'))}),
    (name = "pkg/web/secretsift_wasm.js", esModule = embed ${embed(join(WASM, 'pkg/web/secretsift_wasm.js'))}),
    (name = "pkg/web/secretsift_wasm_bg.wasm", wasm = embed ${embed(join(WASM, 'pkg/web/secretsift_wasm_bg.wasm'))}),
  ],
  bindings = [ (name = "UPSTREAM", service = "upstream") ],
  compatibilityDate = "2025-01-01",
);
const upstreamWorker :Workerd.Worker = (
  modules = [ (name = "upstream.mjs", esModule = embed "upstream.mjs") ],
  compatibilityDate = "2025-01-01",
);
`);

// bin/workerd is the native binary itself (or a node launcher, depending on the install):
// run it directly either way.
const bin = join(require.resolve('workerd/package.json'), '..', 'bin', 'workerd');
const child = spawn(bin, ['serve', join(dir, 'config.capnp')], { stdio: ['ignore', 'inherit', 'inherit'] });
let exited = null;
child.on('exit', (code, sig) => { exited = code ?? sig; });

let passed = 0, failed = 0;
async function check(name, fn) {
  try { await fn(); passed++; console.log(`ok - ${name}`); }
  catch (e) { failed++; console.error(`not ok - ${name}\n  ${e?.stack ?? e}`); }
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }
const base = `http://127.0.0.1:${port}`;

try {
  // Wait for the socket.
  for (let i = 0; ; i++) {
    if (exited !== null) throw new Error(`workerd exited: ${exited}`);
    try { await fetch(`${base}/redact`, { method: 'POST', body: '' }); break; } catch { /* not yet */ }
    if (i > 300) throw new Error('workerd did not start in 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  await check('workerd: POST /redact streams the request body back redacted', async () => {
    const body = `user=alice\nAWS_ACCESS_KEY_ID=${key}\n`;
    const res = await fetch(`${base}/redact`, { method: 'POST', body });
    const text = await res.text();
    assert(res.headers.get('x-secretsift') === 'redacted', 'header');
    assert(text === 'user=alice\nAWS_ACCESS_KEY_ID=[REDACTED:aws-access-key-id]\n', `body: ${JSON.stringify(text)}`);
  });
  await check('workerd: a proxied response body is redacted across chunk boundaries', async () => {
    const res = await fetch(`${base}/logs`);
    const text = await res.text();
    assert(res.status === 200, `status ${res.status}`);
    assert(!text.includes(key), 'the key went through');
    assert(text.endsWith('config: aws_access_key_id=[REDACTED:aws-access-key-id]\nbye\n'), `tail: ${JSON.stringify(text.slice(-80))}`);
    assert(text.startsWith('GET /health 200\n') && text.split('\n').length === 2003, 'the rest of the body is unchanged');
    assert(res.headers.get('content-length') === null || Number(res.headers.get('content-length')) === new TextEncoder().encode(text).length, 'stale content-length');
  });
  await check('workerd: POST /scan returns masked findings', async () => {
    const res = await fetch(`${base}/scan`, { method: 'POST', body: `k=${key}` });
    const { findings } = await res.json();
    assert(findings.length === 1 && findings[0].ruleId === 'aws-access-key-id' && findings[0].start === 2, JSON.stringify(findings));
    assert(!JSON.stringify(findings).includes(key), 'the raw key is in the response');
  });
} catch (e) {
  failed++;
  console.error(`not ok - workerd: ${e?.stack ?? e}`);
} finally {
  child.kill('SIGINT');
  await new Promise((r) => (exited !== null ? r() : child.on('exit', r)));
  rmSync(dir, { recursive: true, force: true });
}
console.log(`workerd: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
