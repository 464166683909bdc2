// The time the secretsift plugin adds to a real Vite production build.
//
//   node bench/vite-overhead.mjs [--runs N] [--sourcemap]
//
// Builds bench/app (three, lodash-es, chart.js, firebase: several MB of bundled code) with and
// without the plugin, alternating, in one process, after one warm-up build of each; prints the
// median wall time of each and the overhead. Installs bench/app's dependencies on first use
// (`npm ci`, registry.npmjs.org only). Vite comes from this package's devDependencies.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { build } from 'vite';
import secretsift from 'secretsift/vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, 'app');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const sourcemap = args.includes('--sourcemap');

if (!fs.existsSync(path.join(root, 'node_modules'))) {
  execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
}

// The plugin's self-timed phases in each build with it (see `api.checker.timings`).
const timings = [];
async function once(withPlugin) {
  const outDir = path.join(root, withPlugin ? 'dist-plugin' : 'dist-plain');
  const plugins = withPlugin ? [secretsift()].flat() : [];
  const t0 = performance.now();
  await build({
    configFile: false,
    root,
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true, sourcemap, chunkSizeWarningLimit: 1e6 },
    plugins,
  });
  const ms = performance.now() - t0;
  if (withPlugin) timings.push({ ...plugins[0].api.checker.timings });
  return ms;
}

function outputSize(dir) {
  let total = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else total += fs.statSync(p).size;
    }
  };
  walk(dir);
  return total;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// Warm-up: first builds pay for module loading and JIT.
await once(false);
await once(true);
timings.length = 0;
const plain = [];
const plugin = [];
for (let i = 0; i < runs; i++) {
  // Alternate which goes first, so drift (thermal, caches) hits both equally.
  if (i % 2 === 0) {
    plain.push(await once(false));
    plugin.push(await once(true));
  } else {
    plugin.push(await once(true));
    plain.push(await once(false));
  }
}

// The plugin's own share, measured directly: building the engine (lazily: no regex compiled
// yet), a fresh engine's first scan of the emitted files (which compiles the rules they
// select), and later scans.
const { Checker } = await import('secretsift/plugin');
const compileTimes = [];
const firstScanTimes = [];
const files = [];
const walk = (d, rel = '') => {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) walk(p, r);
    else files.push({ fileName: r, text: fs.readFileSync(p, 'utf8') });
  }
};
const outDir = path.join(root, 'dist-plugin');
walk(outDir);
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const fresh = new Checker();
  await fresh.ready;
  compileTimes.push(performance.now() - t0);
  const t1 = performance.now();
  await fresh.scanOutputs(files, { outDir });
  firstScanTimes.push(performance.now() - t1);
}
const checker = new Checker();
const scanTimes = [];
let hits;
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  hits = await checker.scanOutputs(files, { outDir });
  scanTimes.push(performance.now() - t0);
}

const mPlain = median(plain);
const mPlugin = median(plugin);
const result = {
  vite: (await import('vite/package.json', { with: { type: 'json' } })).default.version,
  node: process.version,
  cpus: (await import('node:os')).cpus().length,
  sourcemap,
  runs,
  outputBytes: outputSize(outDir),
  outputFiles: files.length,
  plainMs: plain.map(Math.round),
  pluginMs: plugin.map(Math.round),
  medianPlainMs: Math.round(mPlain),
  medianPluginMs: Math.round(mPlugin),
  overheadPct: Number((((mPlugin - mPlain) / mPlain) * 100).toFixed(2)),
  scanOnlyMs: Math.round(median(scanTimes)),
  scanOnlyPct: Number(((median(scanTimes) / mPlain) * 100).toFixed(2)),
  compileMs: Math.round(median(compileTimes)),
  firstScanMs: Math.round(median(firstScanTimes)),
  plugin: Object.fromEntries(['engineMs', 'waitMs', 'hookMs'].map((k) => [k, Number(median(timings.map((t) => t[k])).toFixed(1))])),
  findings: hits.errors.length + hits.warnings.length,
};
console.log(JSON.stringify(result, null, 2));
console.log(
  `\nVite build, ${(result.outputBytes / 1e6).toFixed(2)} MB output (${files.length} files${sourcemap ? ', with source maps' : ''}): ` +
    `median ${result.medianPlainMs} ms without, ${result.medianPluginMs} ms with the plugin ` +
    `(${result.overheadPct >= 0 ? '+' : ''}${result.overheadPct}%; scanning alone ${result.scanOnlyMs} ms = ${result.scanOnlyPct}%; ` +
    `building the engine alone ${result.compileMs} ms, on a worker thread during the build; a fresh engine's first scan ${result.firstScanMs} ms)\n` +
    `plugin self-timed, median over the builds with it: engine ready ${result.plugin.engineMs} ms after plugin creation, ` +
    `output hook waited ${result.plugin.waitMs} ms for it, output hook total ${result.plugin.hookMs} ms`,
);
