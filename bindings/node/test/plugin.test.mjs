// Real builds of test/fixtures/app with Vite, Rollup (+terser), webpack, esbuild and Rspack, through
// each bundler's own CLI (esbuild and Rspack: a build script), so exit codes and messages are the ones users see.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = path.resolve(here, '..');
const app = path.join(here, 'fixtures/app');
const bin = (p) => path.join(pkg, 'node_modules', p);

const BUNDLERS = {
  vite: [bin('vite/bin/vite.js'), 'build', '--config', 'vite.config.mjs'],
  rollup: [bin('rollup/dist/bin/rollup'), '-c', 'rollup.config.mjs'],
  webpack: [bin('webpack-cli/bin/cli.js'), '--config', 'webpack.config.cjs'],
  esbuild: ['esbuild.build.mjs'],
  rspack: ['rspack.build.cjs'],
};

function build(bundler, variant, { options, env = {} } = {}) {
  const r = spawnSync(process.execPath, BUNDLERS[bundler], {
    cwd: app,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', APP_VARIANT: variant, SECRETSIFT_OPTIONS: JSON.stringify(options || {}), ...env },
    timeout: 120_000,
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}`, error: r.error };
}

/** The 1-based line of the fixture source that contains `needle`. */
function lineOf(file, needle) {
  const lines = fs.readFileSync(path.join(app, file), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} in ${file}`);
  return i + 1;
}

/** The secrets of the fixture, read from the fixture itself (it is allowlisted). */
function fixtureSecrets() {
  const text = fs.readFileSync(path.join(app, 'src/config-secrets.js'), 'utf8');
  return text.match(/sk_live_\w+|sk-proj-[\w-]+|AKIA\w+/g);
}

const SRC = 'src/config-secrets.js';

for (const bundler of Object.keys(BUNDLERS)) {
  test(`${bundler}: a bundle holding secret keys fails the build, naming file, position, rule, preview and original source line`, () => {
    const { status, out, error } = build(bundler, 'secrets');
    assert.ifError(error);
    assert.notEqual(status, 0, `${bundler} must exit non-zero\n${out}`);
    assert.match(out, /secretsift: \d+ secrets? found in the build output/, out);
    const expectHit = (rule, preview, needle) => {
      const line = lineOf(SRC, needle);
      // `<output file>:<line>:<column>  <rule>  <preview>  (from <original source>:<line>)`
      const re = new RegExp(`\\S+\\.m?js:\\d+:\\d+  ${rule}  ${preview.replace(/[*]/g, '\\*')}  \\(from ${SRC}:${line}\\)`);
      assert.match(out, re, `${bundler}: ${rule} from ${SRC}:${line}\n${out}`);
    };
    expectHit('stripe-secret-key-live', 'sk_live_************', 'stripeKey:');
    expectHit('openai-proj-key', 'sk-proj-************', 'openaiKey:');
    expectHit('aws-access-key-id', 'AKIA************', 'awsAccessKeyId:');
    // Minification folded `'sk_live_' + '…'` into one literal: caught in the output.
    expectHit('stripe-secret-key-live', 'sk_live_************', 'joinedKey:');
    // `'\u0073k_live_…'` is printed as plain text by the minifier: caught too.
    expectHit('stripe-secret-key-live', 'sk_live_************', 'escapedKey:');
    // The source map's sourcesContent ships the original source: reported as well.
    assert.match(out, new RegExp(`\\.map:\\d+:\\d+  stripe-secret-key-live  .*\\(from ${SRC}:${lineOf(SRC, 'stripeKey:')} via sourcesContent\\)`), out);
    for (const s of fixtureSecrets()) assert.ok(!out.includes(s), `${bundler}: the message must not print a secret`);
  });

  test(`${bundler}: the same app without keys builds clean`, () => {
    const { status, out } = build(bundler, 'clean');
    assert.equal(status, 0, out);
    assert.doesNotMatch(out, /secretsift/, out);
  });

  test(`${bundler}: a publishable key warns and the build succeeds`, () => {
    const { status, out } = build(bundler, 'publishable');
    assert.equal(status, 0, out);
    assert.match(out, /secretsift: \d+ publishable keys? found in the build output/, out);
    assert.match(out, new RegExp(`stripe-publishable-key  pk_live_\\*+  \\(from src/config-publishable.js:${lineOf('src/config-publishable.js', 'pk_live_')}\\)`), out);
  });
}

test('vite: mode "warn" reports the secrets and lets the build succeed', () => {
  const { status, out } = build('vite', 'secrets', { options: { mode: 'warn' } });
  assert.equal(status, 0, out);
  assert.match(out, /secretsift is in warn mode/, out);
});

test('webpack: allow by rule id, by fingerprint and by path glob', () => {
  const first = build('webpack', 'secrets');
  const fps = [...first.out.matchAll(/\[fingerprint ([0-9a-f]{32})\]/g)].map((m) => m[1]);
  assert.ok(fps.length >= 5, first.out);
  // Every fingerprint allowed: clean.
  assert.equal(build('webpack', 'secrets', { options: { allow: fps } }).status, 0);
  // Rule ids and a glob over the original source path.
  const byRule = build('webpack', 'secrets', { options: { allow: ['stripe-secret-key-live', 'openai-proj-key', 'aws-access-key-id'] } });
  assert.equal(byRule.status, 0, byRule.out);
  const byPath = build('webpack', 'secrets', { options: { allow: ['src/config-secrets.js'] } });
  assert.equal(byPath.status, 0, byPath.out);
  // A partial allowlist still fails on the rest.
  const partial = build('webpack', 'secrets', { options: { allow: ['stripe-secret-key-live'] } });
  assert.notEqual(partial.status, 0);
  assert.doesNotMatch(partial.out, /stripe-secret-key-live  /);
  assert.match(partial.out, /aws-access-key-id/);
});

test('rollup: extra rules (TOML text) apply to the bundle', () => {
  const rules = `
[[rules]]
id = "fixture-build-token"
description = "test rule: the fixture's build token"
provider = "fixture"
regex = '''\\b(bld_[A-Za-z0-9]{16})\\b'''
keywords = ["bld_"]
`;
  const { status, out } = build('rollup', 'clean', { options: { rules } });
  assert.notEqual(status, 0, out);
  assert.match(out, /fixture-build-token  bl\*+  \(from src\/config-clean.js:\d+\)/, out);
});

for (const bundler of ['vite', 'esbuild', 'webpack']) {
  test(`${bundler}: a secret in a client-exposed environment variable fails the build`, () => {
    const name = bundler === 'vite' ? 'VITE_STRIPE_KEY' : 'REACT_APP_STRIPE_KEY';
    const key = 'sk_' + 'live_' + '51Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh';
    const { status, out } = build(bundler, 'clean', { env: { [name]: key } });
    assert.notEqual(status, 0, out);
    assert.match(out, new RegExp(`environment variable ${name} \\(inlined into client code\\)  stripe-secret-key-live`), out);
    assert.ok(!out.includes(key));
  });
}
