// Time per scan of one input through the wasm build, in Node and in headless Chromium, next to
// the Rust core's time on the same file (issue #8: wasm within 2x of native).
//
//   cargo run --release -p secretsift --example scan_file_bench -- --write target/bench/logs-64k.log
//   bash wasm/build.sh
//   node wasm/bench/scan-overhead.mjs [FILE]
//
// FILE defaults to target/bench/logs-64k.log. Each host scans it as bytes (Uint8Array) and as
// a string, in batches after a warm-up; a figure is the median of 15 batches, and the table
// shows the median of three rounds (each round measures every row in turn, so that load from
// other processes hits all rows alike). Node rows are CPU time of the process and compare with
// the Rust core's CPU time; Chromium rows are wall time (all a page can see) and compare with
// the Rust core's wall time. The Rust figures come from target/release/examples/scan_file_bench.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../test/server.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const file = process.argv[2] ?? join(root, 'target/bench/logs-64k.log');
if (!existsSync(file)) {
  console.error(`${file} not found: make it with\n  cargo run --release -p secretsift --example scan_file_bench -- --write ${file}`);
  process.exit(2);
}
const native = join(root, 'target/release/examples/scan_file_bench');
if (!existsSync(native)) {
  console.error(`no ${native}: cargo build --release -p secretsift --example scan_file_bench`);
  process.exit(2);
}
const bytes = new Uint8Array(readFileSync(file));
const text = new TextDecoder().decode(bytes);

// The same measuring loop runs in Node and in the page (passed as source text); `clock()`
// returns nanoseconds.
const measure = `(scan, input, clock) => {
  let n = 0;
  const t = performance.now();
  let found = 0;
  while (performance.now() - t < 300 || n < 3) { found = scan(input).length; n++; }
  const batch = Math.max(1, n >> 2);
  const ns = [];
  for (let b = 0; b < 15; b++) {
    const t0 = clock();
    for (let i = 0; i < batch; i++) scan(input);
    ns.push((clock() - t0) / batch);
  }
  ns.sort((a, b) => a - b);
  return { nsPerScan: ns[7], findings: found };
}`;
const run = (0, eval)(measure);
const cpuNs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1e3;
};
const rust = (wall) => {
  const out = execFileSync(native, wall ? [file, '--wall'] : [file], { encoding: 'utf8' });
  const m = /(\d+) findings, (\d+) ns\/scan/.exec(out);
  return { nsPerScan: Number(m[2]), findings: Number(m[1]) };
};

const require = createRequire(import.meta.url);
const { Engine } = require('../pkg/node/secretsift_wasm.js');
const engine = new Engine();

const server = await startServer();
const profile = mkdtempSync(join(tmpdir(), 'secretsift-bench-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
});
const page = await context.newPage();
await page.goto(`${server.origin}/test/blank.html`);
await page.evaluate(async ({ text, measure }) => {
  const m = await import('/js/web.mjs');
  await m.default();
  const engine = new m.Engine();
  const run = (0, eval)(measure);
  const bytes = new TextEncoder().encode(text);
  const clock = () => performance.now() * 1e6;
  window.bench = (kind) => (kind === 'bytes' ? run((x) => engine.scan(x), bytes, clock) : run((x) => engine.scan(x), text, clock));
}, { text, measure });

const rows = [
  ['Rust core', 'bytes', 'CPU', () => rust(false)],
  ['wasm, Node', 'bytes', 'CPU', () => run((x) => engine.scan(x), bytes, cpuNs)],
  ['wasm, Node', 'string', 'CPU', () => run((x) => engine.scan(x), text, cpuNs)],
  ['Rust core', 'bytes', 'wall', () => rust(true)],
  ['wasm, Chromium', 'bytes', 'wall', () => page.evaluate(() => window.bench('bytes'))],
  ['wasm, Chromium', 'string', 'wall', () => page.evaluate(() => window.bench('string'))],
];
const rounds = rows.map(() => []);
for (let r = 0; r < 3; r++) {
  for (const [i, row] of rows.entries()) rounds[i].push(await row[3]());
}
await context.close();
rmSync(profile, { recursive: true, force: true });
await server.close();

const med = (i) => [...rounds[i]].sort((a, b) => a.nsPerScan - b.nsPerScan)[1];
console.log(`\n${bytes.length} bytes from ${file}`);
console.log('| host | input | time | µs/scan | MiB/s | vs Rust core | findings |');
console.log('|---|---|---|---|---|---|---|');
rows.forEach(([host, input, clock], i) => {
  const r = med(i);
  const base = med(clock === 'CPU' ? 0 : 3).nsPerScan;
  const mibs = bytes.length / (r.nsPerScan / 1e9) / 2 ** 20;
  console.log(`| ${host} | ${input} | ${clock} | ${(r.nsPerScan / 1e3).toFixed(0)} | ${mibs.toFixed(0)} | ${(r.nsPerScan / base).toFixed(2)}x | ${r.findings} |`);
});
process.exit(0);
