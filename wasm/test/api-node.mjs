// The JS API of the nodejs build: shapes, offsets, errors, streams, redactStream().
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Engine, redactStream } from 'secretsift-wasm'; // ESM entry (js/node.mjs)
import { fakeAwsKeyId } from './fake.mjs';

const require = createRequire(import.meta.url);
const engine = new Engine();
const key = fakeAwsKeyId();

test('CommonJS and ESM entries share one module', () => {
  assert.equal(require('secretsift-wasm').Engine, Engine);
});

test('scan(string) reports UTF-16 offsets and columns, scan(bytes) byte offsets', () => {
  const text = `é😀 first line\nhé 😀 aws=${key} done`;
  const [f] = engine.scan(text);
  assert.deepEqual(Object.keys(f).sort(), ['column', 'end', 'line', 'matchEnd', 'matchStart', 'preview', 'provider', 'publishable', 'ruleId', 'start'].sort());
  assert.equal(f.ruleId, 'aws-access-key-id');
  assert.equal(f.provider, 'aws');
  assert.equal(text.slice(f.start, f.end), key);
  assert.equal(f.line, 2);
  assert.equal(f.column, 'hé 😀 aws='.length + 1);
  assert.equal(f.preview, 'AKIA************');
  assert.equal(f.publishable, false);
  const bytes = new TextEncoder().encode(text);
  const [g] = engine.scan(bytes);
  assert.equal(new TextDecoder().decode(bytes.subarray(g.start, g.end)), key);
  assert.equal(g.column, new TextEncoder().encode('hé 😀 aws=').length + 1);
  assert.equal(engine.scan(bytes.buffer).length, 1, 'ArrayBuffer input');
});

test('redact keeps the type of its input and takes a template', () => {
  const text = `k=${key}\n`;
  assert.equal(engine.redact(text), 'k=[REDACTED:aws-access-key-id]\n');
  const out = engine.redact(new TextEncoder().encode(text));
  assert.ok(out instanceof Uint8Array);
  assert.equal(new TextDecoder().decode(out), 'k=[REDACTED:aws-access-key-id]\n');
  assert.equal(engine.redact(text, { template: '{prefix}…<{provider}>' }), 'k=AKIA…<aws>\n');
});

test('a stream reports a finding split across chunks once, with absolute offsets', () => {
  const text = `${'x'.repeat(100)} key=${key} and more text\n`;
  for (const size of [1, 3, 7, 64]) {
    const s = engine.stream();
    const got = [];
    for (let i = 0; i < text.length; i += size) got.push(...s.feed(text.slice(i, i + size)));
    got.push(...s.finish());
    assert.equal(got.length, 1, `chunk=${size}`);
    assert.equal(got[0].start, 105);
    s.free();
  }
});

test('build errors are Errors with code, ruleId and field', () => {
  const rules = '[[rules]]\nid = "bad-one"\ndescription = "d"\nprovider = "p"\nregex = \'\'\'((\'\'\'\nkeywords = ["abc"]\n';
  assert.throws(() => new Engine({ rules, defaultRules: false }), (e) => {
    assert.ok(e instanceof Error);
    assert.equal(e.code, 'regex');
    assert.equal(e.ruleId, 'bad-one');
    assert.equal(e.field, 'regex');
    return true;
  });
  assert.throws(() => new Engine({ rules: 'not toml [' }), (e) => e.code === 'syntax');
  assert.throws(() => new Engine({ disable: 'aws' }), (e) => e instanceof TypeError && e.code === 'invalid-input');
  assert.throws(() => engine.scan(42), (e) => e instanceof TypeError && e.code === 'invalid-input');
});

test('options: disable, only, defaultRules, custom rules', () => {
  assert.equal(new Engine({ disable: ['aws-access-key-id'] }).scan(`k=${key}`).length, 0);
  const only = new Engine({ only: ['aws-access-key-id'] });
  assert.equal(only.rules().length, 1);
  const custom = new Engine({
    defaultRules: false,
    rules: '[[rules]]\nid = "acme-token"\ndescription = "Acme token"\nprovider = "acme"\nregex = \'\'\'\\b(acme_[a-z0-9]{12})\\b\'\'\'\nkeywords = ["acme_"]\n',
  });
  const [r] = custom.rules();
  assert.equal(r.id, 'acme-token');
  assert.equal(r.kind, 'secret');
  assert.equal(custom.scan('t=acme_q8z3k1m0v7x2 ').length, 1);
  assert.ok(engine.rules().length > 100);
  assert.ok(engine.window > 0);
});

async function pipe(chunks, options) {
  const body = new ReadableStream({ start(c) { for (const ch of chunks) c.enqueue(ch); c.close(); } });
  return new Response(body.pipeThrough(redactStream(options))).text();
}

test('redactStream(): any chunking gives the one-shot redaction', async () => {
  const text = `line one\n${'filler '.repeat(3000)}key=${key}\nAWS again ${key} end\n`;
  const want = engine.redact(text);
  assert.ok(!want.includes(key));
  const bytes = new TextEncoder().encode(text);
  for (const size of [1, 5, 997, 65536]) {
    const chunks = [];
    for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
    assert.equal(await pipe(chunks), want, `chunk=${size}`);
  }
  assert.equal(await pipe([text.slice(0, 10), text.slice(10)]), want, 'string chunks');
  assert.equal(await pipe([bytes], { engine, lineMode: true }), want, 'line mode');
});

test('redactStream() in a fetch Response pipeline', async () => {
  const res = new Response(`{"token":"${key}"}`);
  const out = await new Response(res.body.pipeThrough(redactStream())).text();
  assert.equal(out, '{"token":"[REDACTED:aws-access-key-id]"}');
});
