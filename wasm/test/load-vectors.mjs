// Loads tests/vectors/*.toml (sorted by name) with the SECRETSIFT_TEST filter of the Rust
// harness: comma-separated substrings, a leading `-` excludes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';

export function filterMatches(filter, name) {
  let anyInclude = false, included = false;
  for (const term of filter.split(',').map((t) => t.trim()).filter(Boolean)) {
    if (term.startsWith('-')) { if (name.includes(term.slice(1))) return false; }
    else { anyInclude = true; included ||= name.includes(term); }
  }
  return included || !anyInclude;
}

export function loadVectors(dir) {
  let files = [];
  try { files = readdirSync(dir).filter((f) => f.endsWith('.toml')).sort(); } catch { /* none yet */ }
  const filter = process.env.SECRETSIFT_TEST ?? '';
  const cases = [];
  const names = new Set();
  for (const file of files) {
    const doc = parse(readFileSync(join(dir, file), 'utf8'));
    for (const c of doc.case ?? []) {
      if (names.has(c.name)) throw new Error(`${file}: duplicate case name ${c.name}`);
      names.add(c.name);
      if (filterMatches(filter, c.name)) cases.push({ file, case: c });
    }
  }
  return { files, cases };
}

export function report(where, { passed, failed }) {
  for (const f of failed) console.error(`FAIL [${where}] ${f.file}: ${f.name}\n  ${f.problems.join('\n  ')}`);
  console.log(`vectors [${where}]: ${passed} passed, ${failed.length} failed`);
  return failed.length === 0;
}
