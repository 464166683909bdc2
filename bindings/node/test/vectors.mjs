// Runner over the shared test vectors in tests/vectors/*.toml (format: tests/vectors/README.md and
// tests/harness/src/lib.rs). It takes the Engine class as a parameter, so every JS host runs the
// same suite: the native addon (this package) and the wasm package (`secretsift-wasm`), like
// lightningcss runs one suite against native and wasm with TEST_WASM.
//
//   import { runVectors } from '<path>/bindings/node/test/vectors.mjs';
//   runVectors({ Engine, test, label: 'wasm' });
//
// Each case runs through `scan()` on a Buffer (byte offsets, as in the Rust core), a stream fed at
// several chunk sizes, and, when the case checks redaction, `redactBuffer()`/`redact()`.
// SECRETSIFT_TEST=substr,-skip filters cases by name, as in the Rust runner.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { parse } from 'smol-toml';

export const VECTORS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../tests/vectors');
export const CHUNK_SIZES = [1, 7, 4096];

/** Decodes `\xHH`, `\n`, `\r`, `\t` and `\\` (any other backslash is kept), like the Rust harness. */
export function unescape(s) {
  const b = Buffer.from(s, 'utf8');
  const out = [];
  const hex = (c) => {
    const v = parseInt(String.fromCharCode(c), 16);
    return Number.isNaN(v) ? null : v;
  };
  for (let i = 0; i < b.length; ) {
    if (b[i] === 0x5c && i + 1 < b.length) {
      const c = b[i + 1];
      if (c === 0x6e) out.push(0x0a);
      else if (c === 0x72) out.push(0x0d);
      else if (c === 0x74) out.push(0x09);
      else if (c === 0x5c) out.push(0x5c);
      else if (c === 0x78 && i + 3 < b.length && hex(b[i + 2]) !== null && hex(b[i + 3]) !== null) {
        out.push(hex(b[i + 2]) * 16 + hex(b[i + 3]));
        i += 4;
        continue;
      } else out.push(0x5c, c);
      i += 2;
    } else {
      out.push(b[i]);
      i += 1;
    }
  }
  return Buffer.from(out);
}

/** Input given as a string or a list of parts (`"text"` or `{ repeat, count }`). */
export function inputBytes(input, unesc) {
  const dec = (s) => (unesc ? unescape(s) : Buffer.from(s, 'utf8'));
  if (input == null) return Buffer.alloc(0);
  if (typeof input === 'string') return dec(input);
  return Buffer.concat(input.map((p) => (typeof p === 'string' ? dec(p) : Buffer.concat(Array(p.count).fill(dec(p.repeat))))));
}

export function filterMatches(filter, name) {
  let anyInclude = false;
  let included = false;
  for (const term of (filter || '').split(',').map((t) => t.trim()).filter(Boolean)) {
    if (term.startsWith('-')) {
      if (name.includes(term.slice(1))) return false;
    } else {
      anyInclude = true;
      included ||= name.includes(term);
    }
  }
  return included || !anyInclude;
}

/** Loads every case: [{ file, case }], files sorted by name. */
export function loadVectors(dir = VECTORS_DIR) {
  if (!fs.existsSync(dir)) return [];
  const out = [];
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.toml')).sort()) {
    const doc = parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    for (const c of doc.case || []) out.push({ file: f, case: c });
  }
  return out;
}

/** The Engine options a case asks for. */
export function engineOptions(c) {
  const o = {};
  if (c.rules_toml != null) {
    o.rules = c.rules_toml;
    o.rulesOrigin = c.name;
    o.defaultRules = !!c.default;
  } else if (c.rules != null && c.rules !== 'default') {
    throw new Error(`case ${c.name}: unknown rules = ${JSON.stringify(c.rules)}`);
  }
  const opt = c.options || {};
  if (opt.generic_entropy != null) o.genericEntropy = opt.generic_entropy;
  if (opt.disable && opt.disable.length) o.disable = opt.disable;
  if (opt.only) o.only = opt.only;
  return o;
}

const comparable = (f) => ({ rule: f.ruleId, span: [Number(f.start), Number(f.end)], line: Number(f.line), column: Number(f.column), publishable: !!f.publishable });
const expected = (f) => ({ rule: f.rule, span: f.span.map(Number), line: Number(f.line), column: Number(f.column), publishable: !!f.publishable });

function chunks(data, size) {
  if (size == null || data.length === 0) return [data];
  const out = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}

/** Runs one case through every path of `Engine`; throws an AssertionError on a difference. */
export function runCase(Engine, c) {
  if (c.build_error) {
    const want = c.build_error;
    assert.throws(
      () => new Engine(engineOptions(c)),
      (e) => {
        assert.equal(e.code, `SECRETSIFT_RULESET_${want.kind.toUpperCase().replace(/-/g, '_')}`, e.message);
        if (want.rule != null) assert.equal(e.ruleId, want.rule, e.message);
        if (want.field != null) assert.equal(e.field, want.field, e.message);
        return true;
      },
    );
    return;
  }
  const engine = new Engine(engineOptions(c));
  const data = inputBytes(c.input, c.unescape);
  const want = (c.findings || []).map(expected);
  const lineMode = !!(c.options && c.options.line_mode);

  // Path 1: one call over the whole input (line mode only exists on streams).
  if (!lineMode) assert.deepEqual(engine.scan(data).map(comparable), want, 'scan(Buffer)');

  // Path 2: one stream, reused across chunk sizes (finish resets it).
  const stream = engine.stream({ lineMode });
  for (const size of [...CHUNK_SIZES, null]) {
    const got = [];
    for (const ch of chunks(data, size)) got.push(...stream.feed(ch));
    got.push(...stream.finish());
    assert.deepEqual(got.map(comparable), want, `stream feed(chunk=${size ?? 'whole'})`);
  }

  // Path 3: redaction.
  if (c.redacted != null) {
    const wantOut = inputBytes(c.redacted, c.unescape);
    const opts = { lineMode };
    if (c.options && c.options.template != null) opts.template = c.options.template;
    if (typeof engine.redactBuffer === 'function') {
      assert.deepEqual(Buffer.from(engine.redactBuffer(data, opts)), wantOut, 'redactBuffer()');
    } else {
      assert.equal(engine.redact(data.toString('utf8'), opts), wantOut.toString('utf8'), 'redact()');
    }
  }
}

/**
 * Registers one node:test test per vector. `Engine`: the implementation's Engine class; `test`:
 * node:test's `test`; `label`: prefix of the test names.
 */
export function runVectors({ Engine, test, label = 'native', dir = VECTORS_DIR, filter = process.env.SECRETSIFT_TEST }) {
  const cases = loadVectors(dir).filter(({ case: c }) => filterMatches(filter, c.name));
  if (cases.length === 0) {
    test(`${label}: shared vectors`, { skip: `no vectors in ${dir}` }, () => {});
    return 0;
  }
  for (const { file, case: c } of cases) {
    test(`${label}: ${file}: ${c.name}`, () => runCase(Engine, c));
  }
  return cases.length;
}
