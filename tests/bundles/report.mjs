// Reads secretsift's JSON findings for the bundle scan and the fixture scan, checks the canaries,
// prints totals and findings per rule (masked previews only), and exits 1 on any false alarm that fails.
// usage: node report.mjs MODULES_DIR BUNDLE_JSON BUNDLE_SUMMARY FIXTURE_DIR FIXTURE_JSON FIXTURE_SUMMARY CANARY_NAME
import { readFileSync, readdirSync, lstatSync } from 'node:fs';
import { join, extname } from 'node:path';

const [modules, bundleJson, bundleSummary, fixtureDir, fixtureJson, fixtureSummary, canaryName] = process.argv.slice(2);
const BUILT = ['.js', '.mjs', '.cjs', '.css', '.map', '.json'];
const strict = process.env.BUNDLES_STRICT === '1';
const show = process.env.BUNDLES_SHOW === 'all' ? Infinity : Number(process.env.BUNDLES_SHOW || 5);
const read = (p) => readFileSync(p, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const mib = (b) => (b / 1048576).toFixed(1);
let failed = false;
const fail = (msg) => { console.log(`FAIL: ${msg}`); failed = true; };

// What is on disk (regular files, as the CLI walks them without -L), by extension.
const perExt = new Map();
let diskFiles = 0;
let diskBytes = 0;
(function walk(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.isFile()) {
      if (p.includes(canaryName)) continue;
      const size = lstatSync(p).size;
      const ext = extname(e.name).toLowerCase() || '(none)';
      const k = BUILT.includes(ext) ? ext : 'other';
      const v = perExt.get(k) || { files: 0, bytes: 0 };
      v.files++; v.bytes += size; perExt.set(k, v);
      diskFiles++; diskBytes += size;
    }
  }
})(modules);

const summaryOf = (p) => {
  const s = readFileSync(p, 'utf8');
  const m = s.match(/in (\d+) file\(s\), (\d+) bytes(?:; (\d+) binary)?/);
  return { text: s.trim().split('\n').pop(), files: m ? +m[1] : NaN, bytes: m ? +m[2] : NaN, binary: m && m[3] ? +m[3] : 0 };
};
const bs = summaryOf(bundleSummary);
const fs_ = summaryOf(fixtureSummary);
const pkgs = readdirSync(modules).filter((d) => !d.startsWith('.') && d !== canaryName).length;

console.log(`\n== bundles: ${modules}`);
console.log(bs.text);
console.log(`scanned ${bs.files} files, ${mib(bs.bytes)} MiB (${bs.binary} binary files skipped); on disk ${diskFiles} files, ${mib(diskBytes)} MiB, ${pkgs} top-level package dirs`);
console.log('built files (gated):');
let builtFiles = 0;
let builtBytes = 0;
for (const ext of BUILT) {
  const v = perExt.get(ext) || { files: 0, bytes: 0 };
  builtFiles += v.files; builtBytes += v.bytes;
  console.log(`  ${ext.padEnd(6)} ${String(v.files).padStart(6)} files ${mib(v.bytes).padStart(7)} MiB`);
}
console.log(`  total  ${String(builtFiles).padStart(6)} files ${mib(builtBytes).padStart(7)} MiB`);
const o = perExt.get('other') || { files: 0, bytes: 0 };
console.log(`other files (.ts/.d.ts/.md/.svg/...; ${strict ? 'gated: BUNDLES_STRICT=1' : 'reported, not gated'}): ${o.files} files, ${mib(o.bytes)} MiB`);

// Canaries: one synthetic AWS key id per built extension, planted by run.sh, proves those files are scanned.
const split = (rows, canaryRoot) => {
  const canary = rows.filter((r) => r.path.includes(canaryRoot));
  return [canary, rows.filter((r) => !r.path.includes(canaryRoot))];
};
const [bCanary, bRows] = split(read(bundleJson), canaryName);
for (const ext of BUILT) {
  if (!bCanary.some((r) => r.path.endsWith(`canary${ext}`) && r.rule_id === 'aws-access-key-id'))
    fail(`canary in ${canaryName}/canary${ext} was not found: ${ext} files are not being scanned`);
}
if (Number.isFinite(bs.files) && bs.files + bs.binary < diskFiles) fail(`the CLI scanned ${bs.files + bs.binary} files but ${diskFiles} are on disk`);

const gated = (r) => strict || BUILT.includes(extname(r.path).toLowerCase());
const pkgOf = (p) => {
  const rel = p.slice(p.indexOf('node_modules/') + 13);
  const parts = rel.split('/');
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
};
const printGroup = (rows, label, withPkg) => {
  const byRule = new Map();
  for (const r of rows) { if (!byRule.has(r.rule_id)) byRule.set(r.rule_id, []); byRule.get(r.rule_id).push(r); }
  const sorted = [...byRule.entries()].sort((a, b) => b[1].length - a[1].length);
  console.log(`\n${label}: ${rows.length} finding(s)${rows.length ? ', by rule:' : ''}`);
  for (const [rule, rs] of sorted) {
    const pub = rs.every((r) => r.publishable) ? 'publishable' : rs.some((r) => r.publishable) ? 'mixed' : 'secret';
    const g = rs.filter(gated).length;
    console.log(`  ${rule} (${rs[0].provider}, ${pub}): ${rs.length} finding(s), ${g} in gated files`);
    if (withPkg) {
      const byPkg = new Map();
      rs.forEach((r) => byPkg.set(pkgOf(r.path), (byPkg.get(pkgOf(r.path)) || 0) + 1));
      console.log(`    packages: ${[...byPkg.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    }
    rs.sort((a, b) => gated(b) - gated(a));
    for (const r of rs.slice(0, show)) console.log(`    ${r.path}:${r.line}:${r.column}  ${r.preview}${r.publishable ? ' [publishable]' : ''}`);
    if (rs.length > show) console.log(`    ... ${rs.length - show} more (BUNDLES_SHOW=all lists them)`);
  }
};
printGroup(bRows, 'bundle findings', true);
const bad = bRows.filter((r) => gated(r) && !r.publishable);
if (bad.length) fail(`${bad.length} non-publishable finding(s) in gated bundle files`);

console.log(`\n== fixtures (lockfiles, git SHAs, UUIDs, placeholders): ${fixtureDir}`);
console.log(fs_.text);
const [fCanary, fRows] = split(read(fixtureJson), canaryName);
if (!fCanary.some((r) => r.rule_id === 'aws-access-key-id')) fail('fixture canary was not found: the fixture scan is not working');
printGroup(fRows, 'fixture findings', false);
// Fixtures hold no credential of any kind, so even a publishable finding there is a false alarm.
if (fRows.length) fail(`${fRows.length} finding(s) in the lockfile/SHA/UUID/placeholder fixtures`);

console.log(failed ? '\nRESULT: FAIL' : '\nRESULT: PASS (no false alarm that fails; publishable findings, if any, are listed above)');
process.exit(failed ? 1 : 0);
