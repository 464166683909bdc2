// End-to-end tests in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core): start-up time, the shared vectors through the web build, redactStream(),
// the paste checker (warning, highlight, redacted copy, no request leaving the page) and the
// drop-in guard (blocks a form submit and a chat Enter; the override lets it through).
// Screenshots go to wasm/artifacts/.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';
import { loadVectors, report } from './load-vectors.mjs';
import { fakeAwsKeyId } from './fake.mjs';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
mkdirSync(ARTIFACTS, { recursive: true });
const server = await startServer();
const { origin } = server;
const profile = mkdtempSync(join(tmpdir(), 'secretsift-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });

// Every request any page makes, with the page it came from.
const requests = [];
context.on('request', (r) => requests.push({ url: r.url(), page: r.frame()?.url?.() ?? '' }));

let passed = 0, failed = 0;
const results = {};
async function check(name, fn) {
  try { await fn(); passed++; console.log(`ok - ${name}`); }
  catch (e) { failed++; console.error(`not ok - ${name}\n  ${String(e?.stack ?? e).split('\n').join('\n  ')}`); }
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }
const key = fakeAwsKeyId();

try {
  await check('start-up: instantiate and build the default engine', async () => {
    const page = await context.newPage();
    await page.goto(`${origin}/test/blank.html`);
    const runs = [];
    for (let i = 0; i < 5; i++) {
      // A fresh document each run: fetch, compile and instantiate the module, build the rules
      // (lazily, the default: regexes compile on first use), scan a first small text (which
      // compiles the rules its keywords select), then for reference build an eager engine.
      if (i) await page.reload();
      runs.push(await page.evaluate(async () => {
        const t0 = performance.now();
        const m = await import('/js/web.mjs');
        await m.default();
        const t1 = performance.now();
        const e = new m.Engine();
        const t2 = performance.now();
        const n = e.rules().length;
        const t3 = performance.now();
        e.scan('deploy ok, token=none, password: see vault, api_key: (unset)\n');
        const firstScanMs = performance.now() - t3;
        e.free();
        const t4 = performance.now();
        new m.Engine({ lazy: false }).free();
        const eagerBuildMs = performance.now() - t4;
        return { instantiateMs: t1 - t0, buildMs: t2 - t1, totalMs: t2 - t0, firstScanMs, eagerBuildMs, rules: n };
      }));
    }
    const med = (k) => runs.map((r) => r[k]).sort((a, b) => a - b)[(runs.length - 1) >> 1];
    results.startup = Object.fromEntries(['instantiateMs', 'buildMs', 'totalMs', 'firstScanMs', 'eagerBuildMs'].map((k) => [k, med(k)]));
    Object.assign(results.startup, { rules: runs[0].rules, runs });
    const f = (k) => med(k).toFixed(1);
    console.log(`  start-up (median of ${runs.length}): instantiate ${f('instantiateMs')} ms + build ${f('buildMs')} ms (lazy) `
      + `= ${f('totalMs')} ms for ${runs[0].rules} rules (budget 50 ms${med('totalMs') > 50 ? ': OVER' : ''}); `
      + `first small scan ${f('firstScanMs')} ms; eager build ${f('eagerBuildMs')} ms`);
    const budget = Number(process.env.SECRETSIFT_STARTUP_BUDGET_MS ?? 0);
    if (budget) assert(med('totalMs') <= budget, `start-up ${med('totalMs').toFixed(1)} ms > ${budget} ms`);
    await page.close();
  });

  await check('shared vectors through the web build', async () => {
    const dir = process.env.SECRETSIFT_VECTORS ?? fileURLToPath(new URL('../../tests/vectors/', import.meta.url));
    const { files, cases } = loadVectors(dir);
    if (cases.length === 0) {
      console.warn(`  no cases in ${dir} (${files.length} files)`);
      assert(!process.env.SECRETSIFT_REQUIRE_VECTORS, 'vectors required');
      return;
    }
    const page = await context.newPage();
    await page.goto(`${origin}/test/blank.html`);
    const res = await page.evaluate(async (cases) => {
      const m = await import('/js/web.mjs');
      await m.default();
      const { runAll } = await import('/test/vector-cases.mjs');
      return runAll(m, cases);
    }, cases);
    await page.close();
    results.vectors = { passed: res.passed, failed: res.failed.length };
    assert(report('browser', res), `${res.failed.length} vector cases failed in Chromium`);
  });

  await check('redactStream() over a fetch body in the browser', async () => {
    const page = await context.newPage();
    await page.goto(`${origin}/test/blank.html`);
    const r = await page.evaluate(async (key) => {
      const m = await import('/js/web.mjs');
      await m.default();
      const text = `${'log line\n'.repeat(5000)}token=${key}\nend`;
      const want = new m.Engine().redact(text);
      const enc = new TextEncoder().encode(text);
      const outs = [];
      for (const size of [1, 13, 4096]) {
        const body = new ReadableStream({ start(c) { for (let i = 0; i < enc.length; i += size) c.enqueue(enc.slice(i, i + size)); c.close(); } });
        outs.push(await new Response(new Response(body).body.pipeThrough(m.redactStream())).text());
      }
      return { ok: outs.every((o) => o === want), redacted: !want.includes(key) && want.includes('[REDACTED:aws-access-key-id]') };
    }, key);
    await page.close();
    assert(r.redacted, 'the one-shot redaction misses the key');
    assert(r.ok, 'streamed redaction differs from the one-shot redaction');
  });

  await check('paste checker: paste a key, warning, highlight, redacted copy, no request leaves the page', async () => {
    const page = await context.newPage();
    const pageRequests = [];
    page.on('request', (r) => pageRequests.push(r.url()));
    await page.goto(`${origin}/www/index.html`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
    results.pasteCheckerStartup = await page.evaluate(() => window.secretsiftStartup);
    const pasted = `deploy log 12:00 ok\nexport AWS_ACCESS_KEY_ID=${key}\nnext step`;
    // A real paste: put the text on the clipboard, then Ctrl+V into the text area.
    await page.evaluate((t) => navigator.clipboard.writeText(t), pasted);
    await page.click('#input');
    await page.keyboard.press('Control+V');
    await page.waitForSelector('#status[data-state="secret"]', { timeout: 5000 });
    assert((await page.inputValue('#input')) === pasted, 'the paste did not land in the text area');
    const status = await page.textContent('#status');
    assert(/Warning: what you pasted holds 1 secret \(aws\)/.test(status), `warning text: ${status}`);
    const marks = await page.$$eval('#highlight mark.secret', (ms) => ms.map((m) => ({ text: m.textContent, provider: m.dataset.provider, rule: m.dataset.rule })));
    assert(marks.length === 1 && marks[0].text === key && marks[0].provider === 'aws' && marks[0].rule === 'aws-access-key-id', `highlight: ${JSON.stringify(marks)}`);
    const item = await page.textContent('#findings li');
    assert(item.includes('aws') && item.includes('AKIA****') && /Anyone who sees this aws credential/.test(item), `finding: ${item}`);
    await page.screenshot({ path: join(ARTIFACTS, 'paste-checker.png'), fullPage: true });
    await page.click('#copy-redacted');
    await page.waitForFunction(() => document.getElementById('copy-status').textContent === 'Copied.');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    const want = `deploy log 12:00 ok\nexport AWS_ACCESS_KEY_ID=[REDACTED:aws-access-key-id]\nnext step`;
    assert(copied === want, `clipboard: ${JSON.stringify(copied)}`);
    assert((await page.textContent('#redacted')) === want, 'redacted text in the page');
    // Typing (input events) clears the warning once the key is gone.
    await page.fill('#input', 'nothing secret here');
    await page.waitForSelector('#status[data-state="clean"]');
    await page.screenshot({ path: join(ARTIFACTS, 'paste-checker-clean.png') });
    const allowed = /^\/(www|js|pkg\/web)\//;
    const foreign = pageRequests.filter((u) => { const p = new URL(u); return p.origin !== origin || !allowed.test(p.pathname); });
    results.pasteCheckerRequests = pageRequests.map((u) => new URL(u).pathname);
    assert(foreign.length === 0, `requests beyond the page's own assets: ${foreign.join(', ')}`);
    const after = pageRequests.length;
    await page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
    assert(pageRequests.length === after, 'requests were made after the page loaded');
    await page.close();
  });

  await check('guard: blocks a form submit and a chat Enter while a secret is present; override sends', async () => {
    const page = await context.newPage();
    await page.goto(`${origin}/www/guard-demo.html`);
    await page.waitForFunction(() => window.secretsiftGuard);
    await page.evaluate(() => window.secretsiftGuard.ready);
    const sent = () => page.$$eval('#sent li', (ls) => ls.map((l) => l.textContent));

    // A clean submit goes straight through.
    await page.fill('#subject', 'printer on fire');
    await page.fill('#body', 'hello');
    await page.click('#send');
    assert((await sent()).length === 1, 'a clean form was not sent');

    // Paste a key: warning on paste.
    await page.fill('#body', '');
    await page.evaluate((t) => navigator.clipboard.writeText(t), `here is my key ${key} thanks`);
    await page.click('#body');
    await page.keyboard.press('Control+V');
    await page.waitForSelector('.secretsift-warning', { timeout: 5000 });
    const warning = await page.textContent('.secretsift-warning');
    assert(/holds a secret \(aws: AKIA\*+\)/.test(warning), `paste warning: ${warning}`);
    assert((await page.getAttribute('#body', 'aria-invalid')) === 'true', 'field not marked');

    // Submit is blocked, with an explicit override.
    await page.click('#send');
    await page.waitForSelector('.secretsift-override');
    assert((await sent()).length === 1, 'the form was sent with a secret in it');
    assert(/^Not sent/.test(await page.textContent('.secretsift-warning')), 'no blocked message');
    await page.screenshot({ path: join(ARTIFACTS, 'guard-blocked.png'), fullPage: true });
    await page.click('.secretsift-override');
    await page.waitForFunction(() => document.querySelectorAll('#sent li').length === 2);

    // A contenteditable chat box that sends on Enter.
    await page.click('#chat');
    await page.keyboard.type(`key ${key}`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('.secretsift-override');
    assert((await sent()).length === 2, 'the chat message was sent with a secret in it');
    await page.screenshot({ path: join(ARTIFACTS, 'guard-chat-blocked.png'), fullPage: true });
    await page.click('.secretsift-override');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('#sent li').length === 3);
    const s = await sent();
    assert(s[2].startsWith('chat:'), `chat not sent after override: ${s}`);
    await page.close();
  });

  await check('no request went anywhere but the test server', async () => {
    const foreign = requests.filter((r) => !r.url.startsWith(origin + '/') && !r.url.startsWith('data:'));
    assert(foreign.length === 0, `foreign requests: ${foreign.map((r) => r.url).join(', ')}`);
  });
} finally {
  await context.close();
  await server.close();
  rmSync(profile, { recursive: true, force: true });
}
writeFileSync(join(ARTIFACTS, 'browser-results.json'), JSON.stringify(results, null, 2));
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
