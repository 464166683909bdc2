// Reliability (issue 9): bad input throws a JS exception instead of crashing the process, and
// memory stays flat over a million calls.
// Fake keys are assembled at run time so this file does not itself look like a leak.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Engine } from 'secretsift';

const AWS = 'AKIA' + 'Q3EGRT4WZYPLN5DX';
const engine = new Engine();

test('wrong argument types throw TypeErrors or coded errors', () => {
  for (const bad of [undefined, null, 3, {}, [1, 2], Symbol('x'), () => 1]) {
    assert.throws(() => engine.scan(bad), Error, String(typeof bad));
    assert.throws(() => engine.redact(bad), Error, String(typeof bad));
    assert.throws(() => engine.stream().feed(bad), Error, String(typeof bad));
  }
  for (const opts of [{ rules: 5 }, { defaultRules: 'no' }, { genericEntropy: 'high' }, { disable: 'aws' }, 7]) {
    assert.throws(() => new Engine(opts), Error, JSON.stringify(opts));
  }
});

test('bad rules throw errors naming what is wrong', () => {
  const cases = [
    ['[[rules]]\nid = ', 'SECRETSIFT_RULESET_SYNTAX', /end of file/],
    ["[[rules]]\nid='big'\nprovider='p'\nregex='''ab(\\w{1000}){1000}'''\nkeywords=['ab']\n", 'SECRETSIFT_RULESET_LIMIT', /big/],
    [`[[rules]]\nid='long'\nprovider='p'\nregex='''${'ab'.repeat(8193)}'''\nkeywords=['ab']\n`, 'SECRETSIFT_RULESET_LIMIT', /16384/],
  ];
  for (const [rules, code, says] of cases) {
    assert.throws(() => new Engine({ rules, defaultRules: false }), (e) => {
      assert.equal(e.code, code);
      assert.match(e.message, says);
      return true;
    });
  }
});

test('huge inputs, invalid UTF-8 and lone surrogates are scanned, not fatal', () => {
  const big = Buffer.concat([Buffer.alloc(32 << 20, 0xff), Buffer.from(` key=${AWS} `), Buffer.from([0x80, 0, 0xc3])]);
  const [f] = engine.scan(big);
  assert.equal(big.subarray(f.start, f.end).toString(), AWS);
  const text = `a\ud800b key=${AWS}`;
  const got = engine.scan(text);
  assert.equal(got.length, 1);
  assert.equal(text.slice(got[0].start, got[0].end), AWS);
});

test('bad calls in a child process throw; the process exits normally', () => {
  const code = `
    const { Engine } = require('secretsift');
    const e = new Engine();
    const bad = [() => e.scan(null), () => e.redact(3), () => e.stream().feed({}),
                 () => new Engine({ rules: '[[rules]]\\nid = ' }), () => new Engine({ rules: 5 })];
    for (const call of bad) {
      let threw = false;
      try { call(); } catch { threw = true; }
      if (!threw) { console.log('no exception'); process.exit(3); }
    }
    console.log('alive');
  `;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', cwd: new URL('..', import.meta.url) });
  assert.equal(r.signal, null, r.stderr);
  assert.deepEqual([r.status, r.stdout.trim()], [0, 'alive'], r.stderr);
});

test('memory is flat over a million calls', async (t) => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  // A small engine keeps the million calls quick; the binding's per-call work (argument
  // conversion, finding objects, the scanner pool) is what could leak, and it is the same.
  const small = new Engine({
    defaultRules: false,
    rules: "[[rules]]\nid = 'tok'\nprovider = 't'\nregex = '''\\b(tok_[a-z0-9]{20})\\b'''\nkeywords = ['tok_']\n",
  });
  const text = 'user login tok_' + 'k3j4h5g6f7d8s9a0q1w2' + ' ok';
  const bytes = Buffer.from(text);
  const calls = (n) => {
    for (let i = 0; i < n; i++) {
      switch (i % 3) {
        case 0: assert.equal(small.scan(text).length, 1); break;
        case 1: small.scan(bytes); break;
        default: small.redact(text);
      }
      // Streams cost a scanner each (~10x a scan call): one in a thousand calls.
      if (i % 1000 === 0) { const s = small.stream(); s.feed(bytes); s.finish(); }
    }
  };
  // Native objects (a stream's scanner, ~90 KB) are freed by finalizers that run after a
  // collection, on later turns of the event loop: collect, then let them run.
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      gc();
      await new Promise((r) => setImmediate(r));
    }
  };
  calls(50_000); // warm-up
  await settle();
  const before = process.memoryUsage();
  calls(1_000_000);
  await settle();
  const after = process.memoryUsage();
  const rss = after.rss - before.rss;
  const heap = after.heapUsed - before.heapUsed;
  t.diagnostic(`over 1,000,000 calls: RSS ${rss >= 0 ? '+' : ''}${rss} bytes, JS heap ${heap >= 0 ? '+' : ''}${heap} bytes`);
  // A leak of 16 bytes per call would be 16 MB here.
  assert.ok(rss < 8 << 20, `RSS grew by ${rss} bytes over 1,000,000 calls`);
  assert.ok(heap < 4 << 20, `JS heap grew by ${heap} bytes over 1,000,000 calls`);
});
