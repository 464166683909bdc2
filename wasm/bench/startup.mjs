// Start-up of the wasm build in headless Chromium, phase by phase (issue #7: instantiate and
// build the default engine in at most 50 ms).
//
//   bash wasm/build.sh && node wasm/bench/startup.mjs [--runs N] [--compare DIR]
//
// Each run opens a fresh page and times: importing the JS glue, fetching the .wasm, compiling
// it (WebAssembly.compile), instantiating it (initSync), `new Engine()` (lazy, the default
// here), a first small scan (which compiles the few rules its keywords select), and, for
// reference, `new Engine({ lazy: false })`. Prints medians. `--compare DIR` also measures
// another build of the package (a `wasm/` folder with js/ and pkg/web/, e.g. an older commit's),
// alternating runs between the two so that machine load hits both alike.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../test/server.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const runs = Number(opt('--runs', 9));
const compare = opt('--compare', null);

const variants = [{ name: 'this build', server: await startServer() }];
if (compare) variants.push({ name: compare, server: await startServer({ root: resolve(compare) + '/' }) });

const profile = mkdtempSync(join(tmpdir(), 'secretsift-startup-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
});

async function once(origin) {
  const page = await context.newPage();
  await page.goto(`${origin}/test/blank.html`);
  const r = await page.evaluate(async () => {
    const t = [performance.now()];
    const m = await import('/js/web.mjs');
    t.push(performance.now());
    const bytes = await (await fetch('/pkg/web/secretsift_wasm_bg.wasm')).arrayBuffer();
    t.push(performance.now());
    const module = await WebAssembly.compile(bytes);
    t.push(performance.now());
    m.initSync({ module });
    t.push(performance.now());
    const e = new m.Engine();
    t.push(performance.now());
    e.scan('deploy ok, token=none, password: see vault, api_key: (unset)\n');
    t.push(performance.now());
    e.free();
    new m.Engine({ lazy: false }).free();
    t.push(performance.now());
    const d = (i) => t[i + 1] - t[i];
    return {
      importMs: d(0), fetchMs: d(1), compileMs: d(2), instantiateMs: d(3), buildMs: d(4),
      firstScanMs: d(5), eagerBuildMs: d(6), startupMs: t[5] - t[0],
    };
  });
  await page.close();
  return r;
}

const results = variants.map(() => []);
for (let i = 0; i < runs; i++) {
  const order = i % 2 ? [...variants.keys()].reverse() : [...variants.keys()];
  for (const v of order) results[v].push(await once(variants[v].server.origin));
}
await context.close();
rmSync(profile, { recursive: true, force: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];
const keys = ['importMs', 'fetchMs', 'compileMs', 'instantiateMs', 'buildMs', 'startupMs', 'firstScanMs', 'eagerBuildMs'];
console.log(`median of ${runs} fresh pages (ms)`);
console.log(`| build | ${keys.map((k) => k.replace(/Ms$/, '')).join(' | ')} |`);
console.log(`|---|${keys.map(() => '---').join('|')}|`);
variants.forEach((v, i) => {
  console.log(`| ${v.name} | ${keys.map((k) => median(results[i].map((r) => r[k])).toFixed(1)).join(' | ')} |`);
});
console.log('startup = import + fetch + compile + instantiate + build (what a page pays before its first scan)');
process.exit(0);
