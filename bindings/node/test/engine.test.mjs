// The Engine API: scan (Buffer and string offsets), scanAsync, streams, redact, rule listing,
// structured errors, and that both `import` and `require` load the same addon.
// Fake keys are assembled at run time so this file does not itself look like a leak.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Engine, Stream, version } from 'secretsift';

const require = createRequire(import.meta.url);
const AWS = 'AKIA' + 'Q3EGRT4WZYPLN5DX';
const STRIPE = 'sk_' + 'live_' + '51NvQpLKe8Tz3mWq9XbR7cYdF2hJ4kUs6';
const engine = new Engine();

test('scan(Buffer) reports byte offsets, line and column, and a masked preview', () => {
  const text = `deploy ok\naws_key=${AWS}\n`;
  const [f, ...rest] = engine.scan(Buffer.from(text));
  assert.equal(rest.length, 0);
  assert.equal(f.ruleId, 'aws-access-key-id');
  assert.equal(f.provider, 'aws');
  assert.equal(f.publishable, false);
  assert.equal(text.slice(f.start, f.end), AWS);
  assert.deepEqual([f.line, f.column], [2, 9]);
  assert.equal(f.preview, 'AKIA************');
  assert.ok(!JSON.stringify(f).includes(AWS), 'a finding never holds the secret');
  assert.deepEqual(Object.keys(f).sort(), ['column', 'end', 'line', 'matchEnd', 'matchStart', 'preview', 'provider', 'publishable', 'ruleId', 'start'].sort());
});

test('scan(string) reports UTF-16 offsets that index the JS string', () => {
  // 'é' is 2 bytes and 1 code unit; '😀' is 4 bytes and 2 code units.
  const text = `é😀 line one\n→ key=${STRIPE} ok`;
  const [f] = engine.scan(text);
  assert.equal(f.ruleId, 'stripe-secret-key-live');
  assert.equal(text.slice(f.start, f.end), STRIPE);
  assert.equal(f.line, 2);
  assert.equal(f.column, '→ key='.length + 1);
  const [b] = engine.scan(Buffer.from(text));
  assert.equal(Buffer.from(text).subarray(b.start, b.end).toString(), STRIPE);
  assert.ok(b.start > f.start, 'byte offsets differ from UTF-16 offsets here');
  // Uint8Array works like Buffer.
  assert.deepEqual(engine.scan(new Uint8Array(Buffer.from(text))), [b]);
});

test('scanAsync runs off the main thread and gives the same findings', async () => {
  const big = Buffer.concat([Buffer.alloc(3 << 20, 'lorem ipsum dolor '), Buffer.from(`\nkey=${AWS}\n`)]);
  const p = engine.scanAsync(big);
  big.fill(0); // the input was copied: changing it now does not change the result
  const got = await p;
  assert.equal(got.length, 1);
  assert.equal(got[0].ruleId, 'aws-access-key-id');
  assert.deepEqual(await engine.scanAsync(`x ${STRIPE}`), engine.scan(`x ${STRIPE}`));
});

test('a stream reports each finding once, whatever the chunking; finish() resets it', () => {
  const text = Buffer.from(`a=${AWS} b=${STRIPE}\n`.repeat(3));
  const whole = engine.scan(text);
  assert.equal(whole.length, 6);
  const s = engine.stream();
  assert.ok(s instanceof Stream);
  for (const size of [1, 5, 64, text.length]) {
    const got = [];
    for (let i = 0; i < text.length; i += size) got.push(...s.feed(text.subarray(i, i + size)));
    got.push(...s.finish());
    assert.deepEqual(got, whole, `chunk size ${size}`);
  }
  // String chunks are fed as UTF-8; offsets stay bytes.
  const got = [...s.feed(`a=${AWS.slice(0, 7)}`), ...s.feed(`${AWS.slice(7)}\n`), ...s.finish()];
  assert.deepEqual(got.map((f) => [f.ruleId, f.start, f.end]), [['aws-access-key-id', 2, 22]]);
});

test('redact replaces secrets and keeps everything else', () => {
  assert.equal(engine.redact(`k=${AWS} ok é`), 'k=[REDACTED:aws-access-key-id] ok é');
  assert.equal(engine.redact(`k=${AWS}`, { template: '{prefix}…' }), 'k=AKIA…');
  assert.deepEqual(engine.redactBuffer(Buffer.from(`k=${AWS}`)), Buffer.from('k=[REDACTED:aws-access-key-id]'));
  assert.throws(() => engine.redact('x', { templat: 'typo' }), { code: 'SECRETSIFT_INVALID_OPTIONS' });
});

test('options: extra rules, disable, only, defaultRules', () => {
  const rules = `
[[rules]]
id = "acme-token"
description = "Acme API token"
provider = "acme"
regex = '''\\b(acme_[a-z0-9]{20})\\b'''
keywords = ["acme_"]
`;
  const token = 'acme_' + 'q8w7e6r5t4y3u2i1o0p9';
  const e = new Engine({ rules, defaultRules: false });
  assert.deepEqual(e.rules().map((r) => r.id), ['acme-token']);
  assert.deepEqual(e.scan(`t=${token} ${AWS}`).map((f) => f.ruleId), ['acme-token']);
  const both = new Engine({ rules, disable: ['aws-access-key-id'] });
  assert.deepEqual(both.scan(`t=${token} ${AWS}`).map((f) => f.ruleId), ['acme-token']);
  const only = new Engine({ only: ['aws-access-key-id'] });
  assert.deepEqual(only.rules().map((r) => r.id), ['aws-access-key-id']);
  const info = engine.rules().find((r) => r.id === 'stripe-publishable-key');
  assert.equal(info.kind, 'publishable');
  assert.equal(info.provider, 'stripe');
  assert.ok(engine.window > 0);
  assert.equal(typeof version(), 'string');
});

test('rule errors are JS Errors with a code, the rule id and the field', () => {
  const bad = `
[[rules]]
id = "broken"
description = "unclosed group"
provider = "x"
regex = '''(abc'''
keywords = ["abc"]
`;
  assert.throws(
    () => new Engine({ rules: bad, rulesOrigin: 'my-rules.toml' }),
    (e) => {
      assert.ok(e instanceof Error);
      assert.equal(e.code, 'SECRETSIFT_RULESET_REGEX');
      assert.equal(e.kind, 'regex');
      assert.equal(e.ruleId, 'broken');
      assert.equal(e.field, 'regex');
      assert.match(e.message, /broken/);
      return true;
    },
  );
  assert.throws(() => new Engine({ rules: '\n[[rules]]\nid = [', rulesOrigin: 'my-rules.toml' }), (e) => {
    assert.equal(e.code, 'SECRETSIFT_RULESET_SYNTAX');
    assert.equal(e.origin, 'my-rules.toml');
    assert.equal(typeof e.line, 'number');
    return true;
  });
  const dup = `
[[rules]]
id = "aws-access-key-id"
description = "dup"
provider = "x"
regex = '''(abc)'''
keywords = ["abc"]
`;
  assert.throws(() => new Engine({ rules: dup }), { code: 'SECRETSIFT_RULESET_DUPLICATE_ID', ruleId: 'aws-access-key-id' });
  assert.throws(() => new Engine({ defaultRule: false }), (e) => e.code === 'SECRETSIFT_INVALID_OPTIONS' && /defaultRule/.test(e.message));
  assert.throws(() => new Engine({ genericEntropy: 'high' }), { code: 'SECRETSIFT_INVALID_OPTIONS' });
});

test('CommonJS require and ESM import load the same addon; plugin entry points load both ways', async () => {
  const cjs = require('secretsift');
  assert.equal(cjs.Engine, Engine);
  for (const b of ['vite', 'rollup', 'webpack', 'esbuild', 'rspack']) {
    const viaRequire = require(`secretsift/${b}`);
    const viaImport = (await import(`secretsift/${b}`)).default;
    assert.equal(typeof viaRequire, 'function', b);
    assert.equal(viaImport, viaRequire, b);
  }
});

test('Engine.create compiles on a worker thread; its errors carry the same code', async () => {
  const e = await Engine.create({ only: ['aws-access-key-id'] });
  assert.ok(e instanceof Engine);
  assert.deepEqual(e.scan(`k=${AWS}`).map((f) => f.ruleId), ['aws-access-key-id']);
  const bad = `
[[rules]]
id = "broken"
description = "unclosed group"
provider = "x"
regex = '''(abc'''
keywords = ["abc"]
`;
  await assert.rejects(Engine.create({ rules: bad }), { code: 'SECRETSIFT_RULESET_REGEX', ruleId: 'broken', field: 'regex' });
  assert.throws(() => Engine.create({ rules: 'x = [' }), { code: 'SECRETSIFT_RULESET_SYNTAX' });
});
