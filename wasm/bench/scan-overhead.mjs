// Time per scan of one input through the wasm build, in Node and in headless Chromium, next to
// the Rust core's time on the same file (issue #8: wasm within 2x of native).
//
//   cargo run --release -p secretsift --example scan_file_bench -- --write target/bench/logs-64k.log
//   bash wasm/build.sh
//   node wasm/bench/scan-overhead.mjs [FILE]
//
// FILE defaults to target/bench/logs-64k.log. Each host scans it as bytes (Uint8Array) and as
// a string, in batches, after a warm-up; figures are medians of 15 batches. The Rust figure
// comes from target/release/examples/scan_file_bench when it has been built.
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
const bytes = new Uint8Array(readFileSync(file));
const text = new TextDecoder().decode(bytes);

// The same measuring loop runs in Node and in the page (passed as source text).
const measure = `(scan, input) => {
  let n = 0;
  const t = performance.now();
  let found = 0;
  while (performance.now() - t < 300 || n < 3) { found = scan(input).length; n++; }
  const batch = Math.max(1, n >> 2);
  const ns = [];
  for (let b = 0; b < 15; b++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) scan(input);
    ns.push(((performance.now() - t0) * 1e6) / batch);
  }
  ns.sort((a, b) => a - b);
  return { nsPerScan: ns[7], findings: found, batch };
}`;
const run = (0, eval)(measure);

const rows = [];
const row = (host, input, r) => rows.push({ host, input, ...r });

// Rust core.
const native = join(root, 'target/release/examples/scan_file_bench');
let rustNs = null;
if (existsSync(native)) {
  const out = execFileSync(native, [file], { encoding: 'utf8' });
  const m = /(\d+) findings, (\d+) ns\/scan/.exec(out);
  if (m) {
    rustNs = Number(m[2]);
    row('rust core', 'bytes', { nsPerScan: rustNs, findings: Number(m[1]) });
  }
} else {
  console.warn(`(no ${native}: build it with cargo build --release -p secretsift --example scan_file_bench)`);
}

// wasm in Node (nodejs target).
{
  const require = createRequire(import.meta.url);
  const { Engine } = require('../pkg/node/secretsift_wasm.js');
  const engine = new Engine();
  row('wasm, Node', 'bytes', run((x) => engine.scan(x), bytes));
  row('wasm, Node', 'string', run((x) => engine.scan(x), text));
  engine.free();
}

// wasm in headless Chromium (web target).
{
  const server = await startServer();
  const profile = mkdtempSync(join(tmpdir(), 'secretsift-bench-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  try {
    const page = await context.newPage();
    await page.goto(`${server.origin}/test/blank.html`);
    const res = await page.evaluate(async ({ text, measure }) => {
      const m = await import('/js/web.mjs');
      await m.default();
      const engine = new m.Engine();
      const run = (0, eval)(measure);
      const bytes = new TextEncoder().encode(text);
      return { bytes: run((x) => engine.scan(x), bytes), string: run((x) => engine.scan(x), text) };
    }, { text, measure });
    row('wasm, Chromium', 'bytes', res.bytes);
    row('wasm, Chromium', 'string', res.string);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    await server.close?.();
  }
}

console.log(`\n${bytes.length} bytes from ${file}`);
console.log('| host | input | µs/scan | MiB/s | vs Rust core | findings |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  const ratio = rustNs ? `${(r.nsPerScan / rustNs).toFixed(2)}x` : '—';
  const mibs = bytes.length / (r.nsPerScan / 1e9) / 2 ** 20;
  console.log(`| ${r.host} | ${r.input} | ${(r.nsPerScan / 1e3).toFixed(0)} | ${mibs.toFixed(0)} | ${ratio} | ${r.findings} |`);
}
process.exit(0);
