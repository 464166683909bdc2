// Runs the shared vectors (tests/vectors/*.toml, format in tests/vectors/README.md) against a
// secretsift-wasm build. The same file runs in Node (nodejs target) and in Chromium (web
// target): it takes the module and the parsed cases, and returns one message per
// disagreement, like tests/harness's run_case. Every case goes through every path the JS API
// offers: scan(bytes), scan(string) (offsets mapped to UTF-16), stream() fed at several chunk
// sizes, redact(), and the streaming redactor behind redactStream().

export const CHUNK_SIZES = [1, 7, 4096];

const enc = new TextEncoder();

/** `\xHH`, `\n`, `\r`, `\t`, `\\`; any other backslash is kept (tests/harness `unescape`). */
export function unescape(s) {
  const b = enc.encode(s);
  const out = [];
  const hex = (c) => {
    const ch = String.fromCharCode(c);
    return /[0-9a-fA-F]/.test(ch) ? parseInt(ch, 16) : null;
  };
  let i = 0;
  while (i < b.length) {
    if (b[i] === 0x5c && i + 1 < b.length) {
      const n = b[i + 1];
      if (n === 0x6e) out.push(10);
      else if (n === 0x72) out.push(13);
      else if (n === 0x74) out.push(9);
      else if (n === 0x5c) out.push(0x5c);
      else if (n === 0x78 && i + 3 < b.length) {
        const h = hex(b[i + 2]), l = hex(b[i + 3]);
        if (h !== null && l !== null) { out.push(h * 16 + l); i += 4; continue; }
        out.push(0x5c, 0x78);
      } else out.push(0x5c, n);
      i += 2;
    } else { out.push(b[i]); i += 1; }
  }
  return Uint8Array.from(out);
}

/** The bytes of an `input` (string or list of parts). */
export function inputBytes(input, unesc) {
  const dec = (s) => (unesc ? unescape(s) : enc.encode(s));
  if (input === undefined) return new Uint8Array();
  if (typeof input === 'string') return dec(input);
  const parts = [];
  for (const p of input) {
    if (typeof p === 'string') parts.push(dec(p));
    else { const one = dec(p.repeat); for (let i = 0; i < p.count; i++) parts.push(one); }
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function engineOptions(c) {
  const o = c.options ?? {};
  const opts = {};
  if (c.rules_toml !== undefined) { opts.rules = c.rules_toml; opts.defaultRules = !!c.default; }
  else if (c.rules !== undefined && c.rules !== 'default') throw new Error(`unknown rules = ${c.rules}`);
  if (o.generic_entropy !== undefined) opts.genericEntropy = o.generic_entropy;
  if (o.disable?.length) opts.disable = o.disable;
  if (o.only !== undefined) opts.only = o.only;
  return opts;
}

const describe = (fs) => fs.length === 0 ? '(none)'
  : fs.map((f) => `${f.rule}@${f.span[0]}..${f.span[1]} ${f.line}:${f.column}${f.publishable ? ' publishable' : ''}`).join(', ');
const comparable = (f) => ({ rule: f.ruleId, span: [f.start, f.end], line: f.line, column: f.column, publishable: f.publishable });
const norm = (f) => ({ rule: f.rule, span: f.span, line: f.line, column: f.column, publishable: !!f.publishable });
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const sameBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const show = (b) => JSON.stringify(new TextDecoder().decode(b));

function chunked(data, size) {
  if (size === null || data.length === 0) return [data];
  const out = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}
const label = (size) => (size === null ? 'whole' : `chunk=${size}`);

/** Byte offsets to UTF-16 offsets for valid UTF-8 (for the string-input path). */
function utf16Map(bytes) {
  const map = new Uint32Array(bytes.length + 1);
  let units = 0, i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const n = b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
    for (let k = 0; k < n; k++) map[i + k] = units;
    units += n === 4 ? 2 : 1;
    i += n;
  }
  map[bytes.length] = units;
  return map;
}

/**
 * Runs one case. `mod` is the package module ({ Engine }), `cache` a Map reused across cases
 * (building the default ruleset is the slow part).
 */
export function runCase(mod, c, cache) {
  const problems = [];
  const key = JSON.stringify(engineOptions(c));
  let engine;
  try {
    engine = cache.get(key) ?? new mod.Engine(engineOptions(c));
    cache.set(key, engine);
  } catch (e) {
    if (!c.build_error) return [`build failed: ${e.code} ${e.message}`];
    const w = c.build_error;
    const ok = e.code === w.kind && (w.rule === undefined || e.ruleId === w.rule) && (w.field === undefined || e.field === w.field);
    if (!ok || !(e instanceof Error)) {
      problems.push(`build error: want kind=${w.kind} rule=${w.rule} field=${w.field}, got kind=${e.code} rule=${e.ruleId} field=${e.field} (${e.message})`);
    }
    return problems;
  }
  if (c.build_error) return [`expected build error ${JSON.stringify(c.build_error)}, but the engine built`];

  const data = inputBytes(c.input, c.unescape);
  const want = (c.findings ?? []).map(norm);
  const lineMode = !!c.options?.line_mode;

  // Path 1: scan() over bytes (line mode has no one-shot form: a stream fed once).
  let got;
  if (lineMode) {
    const s = engine.stream({ lineMode: true });
    got = [...s.feed(data), ...s.finish()].map(comparable);
    s.free();
  } else {
    got = engine.scan(data).map(comparable);
  }
  if (!same(got, want)) problems.push(`scan(bytes): want [${describe(want)}]\n      got [${describe(got)}]`);

  // Path 2: scan() over a JS string: offsets and columns in UTF-16 code units.
  let text = null;
  try { text = new TextDecoder('utf-8', { fatal: true }).decode(data); } catch { /* not UTF-8 */ }
  if (text !== null && !lineMode) {
    const m = utf16Map(data);
    const wantU = want.map((f) => {
      const lineStart = f.span[0] - (f.column - 1);
      return { ...f, span: [m[f.span[0]], m[f.span[1]]], column: m[f.span[0]] - m[lineStart] + 1 };
    });
    const gotU = engine.scan(text).map(comparable);
    if (!same(gotU, wantU)) problems.push(`scan(string): want [${describe(wantU)}]\n      got [${describe(gotU)}]`);
  }

  // Path 3: one stream reused across chunkings (finish() resets it).
  const s = engine.stream({ lineMode });
  for (const size of [...CHUNK_SIZES, null]) {
    const fs = [];
    for (const chunk of chunked(data, size)) fs.push(...s.feed(chunk));
    fs.push(...s.finish());
    const g = fs.map(comparable);
    if (!same(g, want)) problems.push(`stream feed(${label(size)}): want [${describe(want)}]\n      got [${describe(g)}]`);
  }
  s.free();

  // Path 4: redaction, one-shot and streamed.
  if (c.redacted !== undefined) {
    const expected = inputBytes(c.redacted, c.unescape);
    const template = c.options?.template;
    if (template === undefined && !lineMode) {
      const out = engine.redact(data);
      if (!sameBytes(out, expected)) problems.push(`redact(bytes): want ${show(expected)}\n      got ${show(out)}`);
      if (text !== null) {
        const outS = engine.redact(text);
        const expS = new TextDecoder().decode(expected);
        if (outS !== expS) problems.push(`redact(string): want ${JSON.stringify(expS)}\n      got ${JSON.stringify(outS)}`);
      }
    }
    const r = engine.redactor({ template, lineMode });
    for (const size of [...CHUNK_SIZES, null]) {
      const parts = [];
      for (const chunk of chunked(data, size)) parts.push(r.feed(chunk));
      parts.push(r.finish());
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) { all.set(p, at); at += p.length; }
      if (!sameBytes(all, expected)) problems.push(`redactor(${label(size)}): want ${show(expected)}\n      got ${show(all)}`);
    }
    r.free();
  }
  return problems;
}

/** Runs every case; returns `{ passed, failed: [{ name, file, problems }] }`. */
export function runAll(mod, cases) {
  const cache = new Map();
  const failed = [];
  let passed = 0;
  for (const { file, case: c } of cases) {
    let problems;
    try { problems = runCase(mod, c, cache); } catch (e) { problems = [`threw: ${e?.stack ?? e}`]; }
    if (problems.length) failed.push({ name: c.name, file, problems });
    else passed += 1;
  }
  for (const e of cache.values()) e.free();
  return { passed, failed };
}
