// The Node host's overhead over the Rust core: time per scan of one input (issue #8: under 10%
// for 64 KiB inputs).
//
//   cargo run --release -p secretsift --example scan_file_bench -- --write target/bench/logs-64k.log
//   node bench/scan-overhead.mjs [FILE]          (from bindings/node, after `npx napi build --release`)
//
// FILE defaults to <repo>/target/bench/logs-64k.log. Scans it with one engine as a Buffer and
// as a string, in batches after a warm-up; each figure is the median of 15 batches, and the
// table shows the median of three rounds. The Rust figure
// comes from <repo>/target/release/examples/scan_file_bench (built by the command above).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Engine } from 'secretsift';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const file = process.argv[2] ?? join(root, 'target/bench/logs-64k.log');
if (!existsSync(file)) {
  console.error(`${file} not found: make it with\n  cargo run --release -p secretsift --example scan_file_bench -- --write ${file}`);
  process.exit(2);
}
const buf = readFileSync(file);
const text = buf.toString('utf8');

// CPU time of this process (all its threads: scanAsync runs on libuv's), in ns: other
// processes on a shared machine do not count. The Rust example measures CPU time too.
const cpuNs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1e3;
};

async function measure(scan, input) {
  let n = 0;
  let found = 0;
  const t = performance.now();
  while (performance.now() - t < 300 || n < 3) {
    found = (await scan(input)).length;
    n++;
  }
  const batch = Math.max(1, n >> 2);
  const ns = [];
  for (let b = 0; b < 15; b++) {
    const t0 = cpuNs();
    for (let i = 0; i < batch; i++) await scan(input);
    ns.push((cpuNs() - t0) / batch);
  }
  ns.sort((a, b) => a - b);
  return { nsPerScan: ns[7], findings: found };
}

// Three rounds, each measuring every row in turn, so that load from other processes hits all
// rows alike; the table shows each row's median round.
const native = join(root, 'target/release/examples/scan_file_bench');
const hasNative = existsSync(native);
if (!hasNative) console.warn(`(no ${native}: cargo build --release -p secretsift --example scan_file_bench)`);
const engine = new Engine();
const calls = [
  ...(hasNative ? [['Rust core (scan_file_bench)', async () => {
    const m = /(\d+) findings, (\d+) ns\/scan/.exec(execFileSync(native, [file], { encoding: 'utf8' }));
    return { nsPerScan: Number(m[2]), findings: Number(m[1]) };
  }]] : []),
  ['engine.scan(Buffer)', () => measure((x) => engine.scan(x), buf)],
  ['engine.scan(string)', () => measure((x) => engine.scan(x), text)],
  ['await engine.scanAsync(Buffer)', () => measure((x) => engine.scanAsync(x), buf)],
];
const rounds = calls.map(() => []);
for (let r = 0; r < 3; r++) {
  for (const [i, [, f]] of calls.entries()) rounds[i].push(await f());
}
const rows = calls.map(([api], i) => {
  const sorted = [...rounds[i]].sort((a, b) => a.nsPerScan - b.nsPerScan);
  return { api, ...sorted[1] };
});
const rustNs = hasNative ? rows[0].nsPerScan : null;

console.log(`\n${buf.length} bytes from ${file}; node ${process.version}`);
console.log('| call | µs/scan | MiB/s | vs Rust core | findings |');
console.log('|---|---|---|---|---|');
for (const r of rows) {
  const vs = rustNs ? `${(((r.nsPerScan - rustNs) / rustNs) * 100).toFixed(1)}%` : '—';
  const mibs = buf.length / (r.nsPerScan / 1e9) / 2 ** 20;
  console.log(`| ${r.api} | ${(r.nsPerScan / 1e3).toFixed(0)} | ${mibs.toFixed(0)} | ${r.api.startsWith('Rust') ? '' : (vs.startsWith('-') ? vs : `+${vs}`)} | ${r.findings} |`);
}
