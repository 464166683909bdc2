// Leak audit (issue 9), Node host: everything the addon hands to JS over inputs with fake
// secrets (findings, streams, engines, errors) shows no full secret through util.inspect,
// JSON.stringify, String() or an error's stack, while scanning itself does find each secret
// (its span in the input holds it), so the audit looks at outputs that had them to hand.
// Fake keys are assembled at run time so this file does not itself look like a leak.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import util from 'node:util';
import { Engine } from 'secretsift';

const SECRETS = [
  'AKIA' + 'Q3EGRT4WZYPLN5DX',
  'ghp_' + 'T7kun60ePONxZti3ElM6fuVCUHNjcr4TTydK',
  'sk_' + 'live_' + '51NvQpLKe8Tz3mWq9XbR7cYdF2hJ4kUs6',
];
const DOC = `aws_access_key_id = ${SECRETS[0]}\nGITHUB_TOKEN=${SECRETS[1]}\nstripe: "${SECRETS[2]}"\n`;

function shown(v) {
  const parts = [util.inspect(v, { depth: 10, showHidden: true, getters: true })];
  try { parts.push(JSON.stringify(v)); } catch { /* not serialisable */ }
  try { parts.push(String(v)); } catch { /* no string form */ }
  if (v instanceof Error) parts.push(v.stack ?? '', JSON.stringify(Object.entries(v)));
  return parts.join('\n');
}

function assertClean(what, text) {
  for (const s of SECRETS) assert.ok(!text.includes(s), `${what}: a full secret appears in:\n${text}`);
}

test('findings, streams and engines never show a secret', async () => {
  const engine = new Engine();
  const out = [];
  for (const input of [DOC, Buffer.from(DOC)]) {
    const found = engine.scan(input);
    assert.equal(found.length, 3);
    // The spans hold the secrets: the findings had them to hand.
    const spans = found.map((f) => input.slice(f.start, f.end).toString()).sort();
    assert.deepEqual(spans, [...SECRETS].sort());
    out.push(shown(found), ...found.map(shown));
  }
  out.push(shown(await engine.scanAsync(DOC)));
  const s = engine.stream();
  out.push(shown(s.feed(Buffer.from(DOC))), shown(s.finish()), shown(s), shown(engine));
  out.push(engine.redact(DOC));
  const text = out.join('\n');
  assert.match(text, /AKIA\*{12}/);
  assertClean('findings', text);
});

test('errors never show a secret', async () => {
  const bad = [
    `[[rules]]\nid = "x"\nregex = ${SECRETS[0]}\n`,
    `[[rules]]\nid = "x"\nprovider = "p"\nregex = '''(ab'''\nkeywords = ["ab"]\nallowlist = { stopwords = ["${SECRETS[1]}"] }\n`,
  ];
  for (const rules of bad) {
    let caught;
    try { new Engine({ rules, defaultRules: false }); } catch (e) { caught = e; }
    assert.ok(caught instanceof Error);
    assertClean('rule error', shown(caught));
    // Engine.create: a syntax error throws at once, a compile error rejects.
    let asyncErr;
    try { await Engine.create({ rules, defaultRules: false }); } catch (e) { asyncErr = e; }
    assert.ok(asyncErr instanceof Error);
    assertClean('Engine.create error', shown(asyncErr));
  }
  let typeErr;
  try { new Engine().scan([SECRETS[2]]); } catch (e) { typeErr = e; }
  assert.ok(typeErr instanceof Error);
  assertClean('type error', shown(typeErr));
});
