// Reliability (issue 9), nodejs build: bad input throws a JS exception (a Rust panic would
// trap and leave the module unusable), and memory stays flat over a million calls.
import test from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Engine } from 'secretsift-wasm';
import { fakeAwsKeyId } from './fake.mjs';

const engine = new Engine();
const key = fakeAwsKeyId();

test('bad input throws, and the engine keeps working afterwards', () => {
  for (const bad of [undefined, null, 42, {}, [1], Symbol('s'), () => 1, new Float32Array(2)]) {
    assert.throws(() => engine.scan(bad), Error);
    assert.throws(() => engine.redact(bad), Error);
  }
  assert.throws(() => engine.redact('x', { template: 5 }), Error);
  for (const opts of [{ rules: 5 }, { defaultRules: 'no' }, { genericEntropy: 'high' }, { disable: 'aws' }]) {
    assert.throws(() => new Engine(opts), Error, JSON.stringify(opts));
  }
  for (const [rules, code] of [
    ['[[rules]]\nid = ', 'syntax'],
    ["[[rules]]\nid='big'\nprovider='p'\nregex='''ab(\\w{1000}){1000}'''\nkeywords=['ab']\n", 'limit'],
    [`[[rules]]\nid='long'\nprovider='p'\nregex='''${'ab'.repeat(8193)}'''\nkeywords=['ab']\n`, 'limit'],
  ]) {
    assert.throws(() => new Engine({ rules, defaultRules: false }), (e) => e.code === code && e.message.length > 0);
  }
  // Still alive: no trap poisoned the instance.
  assert.equal(engine.scan(`aws=${key}`).length, 1);
});

test('large, invalid UTF-8 and lone-surrogate inputs are scanned', () => {
  const big = new Uint8Array((16 << 20) + 64).fill(0xff);
  big.set(new TextEncoder().encode(` k=${key} `), 16 << 20);
  const [f] = engine.scan(big);
  assert.equal(new TextDecoder().decode(big.subarray(f.start, f.end)), key);
  const text = `a\ud800b aws=${key}`;
  const [g] = engine.scan(text);
  assert.equal(text.slice(g.start, g.end), key);
  assert.equal(engine.scan(`aws=${key}`).length, 1);
});

test('memory is flat over a million calls', (t) => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  // A small engine keeps each call cheap (this binding creates a scanner per call); the
  // glue's per-call work (strings and arrays crossing into wasm and back) is what could leak.
  const small = new Engine({
    defaultRules: false,
    rules: "[[rules]]\nid = 'tok'\nprovider = 't'\nregex = '''\\b(tok_[a-z0-9]{20})\\b'''\nkeywords = ['tok_']\n",
  });
  const text = 'user login tok_' + 'k3j4h5g6f7d8s9a0q1w2' + ' ok';
  const bytes = new TextEncoder().encode(text);
  const calls = (n) => {
    for (let i = 0; i < n; i++) {
      switch (i % 3) {
        case 0: assert.equal(small.scan(text).length, 1); break;
        case 1: small.scan(bytes); break;
        default: small.redact(text);
      }
    }
  };
  calls(50_000); // warm-up: the wasm memory reaches its working size
  gc(); gc();
  const before = process.memoryUsage();
  calls(1_000_000);
  gc(); gc();
  const after = process.memoryUsage();
  const rss = after.rss - before.rss;
  const heap = after.heapUsed - before.heapUsed;
  t.diagnostic(`over 1,000,000 calls: RSS ${rss >= 0 ? '+' : ''}${rss} bytes, JS heap ${heap >= 0 ? '+' : ''}${heap} bytes`);
  // wasm memory never shrinks: a leak would show as growth here (16 bytes a call: 16 MB).
  assert.ok(rss < 8 << 20, `RSS grew by ${rss} bytes over 1,000,000 calls`);
  assert.ok(heap < 4 << 20, `JS heap grew by ${heap} bytes over 1,000,000 calls`);
});

test('leak audit: findings, streams and errors never show a secret', async () => {
  const util = await import('node:util');
  const doc = `aws_access_key_id = ${key}\n`;
  const shown = (v) => [util.inspect(v, { depth: 10, showHidden: true }), JSON.stringify(v), String(v), v?.stack ?? ''].join('\n');
  const out = [];
  const found = engine.scan(doc);
  assert.equal(doc.slice(found[0].start, found[0].end), key, 'the finding had the secret to hand');
  out.push(shown(found), shown(engine.scan(new TextEncoder().encode(doc))), engine.redact(doc));
  const s = engine.stream();
  out.push(shown(s.feed(doc)), shown(s.finish()), shown(s), shown(engine));
  for (const rules of [`[[rules]]\nid = "x"\nregex = ${key}\n`,
    `[[rules]]\nid = "x"\nprovider = "p"\nregex = '''(ab'''\nkeywords = ["ab"]\nallowlist = { stopwords = ["${key}"] }\n`]) {
    try { new Engine({ rules, defaultRules: false }); } catch (e) { out.push(shown(e), JSON.stringify(Object.entries(e))); }
  }
  try { engine.scan([key]); } catch (e) { out.push(shown(e)); }
  const text = out.join('\n');
  assert.match(text, /AKIA\*{12}/);
  assert.ok(!text.includes(key), `a full secret appears in:\n${text}`);
});
