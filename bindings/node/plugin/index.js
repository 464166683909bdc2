'use strict';
// The secretsift bundler plugin: after the bundle is generated, scan every emitted text file and
// fail the build when a secret is found. One implementation on unplugin; each bundler's own
// output hook hands over the emitted files (unplugin has no generic "emitted files" hook):
//   Rollup / Vite / Rolldown: generateBundle      webpack / Rspack: processAssets (REPORT stage)
//   esbuild: onEnd (outputFiles with write: false, else the files listed in the metafile)

const path = require('node:path');
const fs = require('node:fs');
const crypto = require('node:crypto');
const { fileURLToPath } = require('node:url');
const { createUnplugin } = require('unplugin');
const picomatch = require('picomatch');
const { Engine } = require('../index.js');

const NAME = 'secretsift';
/** Emitted files scanned by default: JS, CSS, HTML, JSON, source maps and other text. */
const DEFAULT_INCLUDE = /\.(?:[cm]?js|jsx|css|html?|json|map|txt|svg|xml|webmanifest)$/i;
/** Variables inlined into client code by Vite, Next.js and Create React App. */
const CLIENT_ENV_PREFIXES = ['VITE_', 'NEXT_PUBLIC_', 'REACT_APP_'];

/**
 * The fingerprint the secretsift CLI writes to baselines: the first 128 bits of SHA-256 over a
 * domain tag, the rule id, the path and the secret (never stored). The plugin uses the original
 * source path when the source map names it, else the output file name.
 */
function fingerprint(ruleId, file, secret) {
  const h = crypto.createHash('sha256');
  h.update('secretsift-fingerprint-v1\0');
  h.update(ruleId);
  h.update('\0');
  h.update(file);
  h.update('\0');
  h.update(secret);
  return h.digest('hex').slice(0, 32);
}

const toPosix = (p) => p.split(path.sep).join('/');

/** Parses `options.allow` into rule ids, fingerprints and path globs. */
function parseAllow(allow, ruleIds) {
  const rules = new Set();
  const fingerprints = new Set();
  const globs = [];
  for (const a of allow || []) {
    if (typeof a !== 'string') throw new TypeError(`secretsift: allow entries are strings, got ${typeof a}`);
    if (ruleIds.has(a)) rules.add(a);
    else if (/^[0-9a-f]{32}$/.test(a)) fingerprints.add(a);
    else globs.push(a);
  }
  const isMatch = globs.length ? picomatch(globs, { dot: true }) : () => false;
  return { rules, fingerprints, isPathAllowed: (p) => p != null && isMatch(p) };
}

/** Reads a source map given as an object, JSON text, or a rollup SourceMap. */
function rawMap(map) {
  if (map == null) return null;
  if (typeof map === 'string') return JSON.parse(map);
  if (Buffer.isBuffer(map)) return JSON.parse(map.toString('utf8'));
  if (typeof map.mappings === 'string') return { ...map };
  return null;
}

/** The map a `sourceMappingURL` comment points to: an inline data URL or an emitted file. */
function mapFromComment(text, fileName, readOutput) {
  const m = /\/[*/][#@]\s*sourceMappingURL=([^\s*'"]+)\s*(?:\*\/\s*)?$/.exec(text.slice(-4096));
  if (!m) return null;
  const url = m[1];
  const data = /^data:application\/json(?:;charset=[^;,]+)?;base64,(.*)$/.exec(url);
  if (data) return Buffer.from(data[1], 'base64').toString('utf8');
  if (/^[a-z]+:/i.test(url)) return null;
  return readOutput(toPosix(path.posix.join(path.posix.dirname(fileName), url)));
}

/**
 * Everything a bundler hook needs: the engine, the options, and how to turn findings into one
 * report. Bundler-independent.
 */
class Checker {
  constructor(options = {}) {
    const known = new Set(['mode', 'allow', 'rules', 'engine', 'include', 'exclude', 'publishable', 'generic', 'env', 'envPrefixes', 'root']);
    for (const k of Object.keys(options)) {
      if (!known.has(k)) throw new TypeError(`secretsift: unknown plugin option \`${k}\``);
    }
    if (options.mode != null && options.mode !== 'error' && options.mode !== 'warn') {
      throw new TypeError(`secretsift: \`mode\` is 'error' or 'warn', got ${JSON.stringify(options.mode)}`);
    }
    this.mode = options.mode || 'error';
    this.publishable = options.publishable || 'warn'; // 'warn' | 'error' | 'off'
    // The engine is built on a worker thread while the bundler works, and only the output
    // hooks await it. Lazily: each built-in rule's regex compiles on its first keyword hit in
    // the emitted files, so the build pays for the few rules a bundle selects, not all of them.
    // Rule syntax errors in `rules` still throw here, when the config is loaded.
    const engineOptions = { lazy: true, ...(options.rules ? { rules: options.rules, rulesOrigin: 'secretsift plugin `rules`' } : {}) };
    // What the plugin costs, self-timed (ms): building the engine (worker thread, overlaps the
    // bundler's work), how long the output hook then still waited for it, and the output
    // hook's own time (scanning included). Vite exposes it as `plugin.api.checker.timings`.
    const created = performance.now();
    this.timings = { engineMs: null, waitMs: 0, hookMs: 0 };
    this.ready = (options.engine ? Promise.resolve(options.engine) : Engine.create(engineOptions)).then(async (engine) => {
      this.engine = engine;
      const rules = engine.rules();
      this.ruleIds = new Set(rules.map((r) => r.id));
      // Name-based ("generic") rules read `password: x` / `apiKey === this.apiKey` shapes; in
      // minified third-party code they fire on identifiers (measured on firebase), so bundle
      // scans leave them out unless `generic: true`. The environment check keeps them.
      this.genericIds = new Set(options.generic ? [] : rules.filter((r) => r.tags.includes('generic')).map((r) => r.id));
      // Bundles are scanned by an engine without those rules: their keywords (`key`, `token`,
      // `password`) occur all over minified code, so running them and then dropping their
      // findings was most of the scan (and, lazily, of the rules compiled). Leaving out generic
      // rules changes no other finding: a generic finding yields to a provider one, never the
      // reverse. Building it lazily takes a few ms, on a worker thread.
      this.bundleEngine = this.genericIds.size && !options.engine
        ? await Engine.create({ ...engineOptions, disable: [...this.genericIds] })
        : engine;
      this.allow = parseAllow(options.allow, this.ruleIds);
      this.timings.engineMs = performance.now() - created;
      return engine;
    });
    this.ready.catch(() => {}); // reported by the hook that awaits it
    this.allowRaw = options.allow;
    this.include = options.include || DEFAULT_INCLUDE;
    this.exclude = options.exclude ? picomatch(options.exclude, { dot: true }) : () => false;
    this.env = options.env !== false;
    this.envPrefixes = options.envPrefixes || CLIENT_ENV_PREFIXES;
    this.root = options.root || process.cwd();
  }

  wants(fileName) {
    const inc = this.include;
    const ok = inc instanceof RegExp ? inc.test(fileName) : typeof inc === 'function' ? inc(fileName) : picomatch(inc, { dot: true })(fileName);
    return ok && !this.exclude(fileName);
  }

  /**
   * Scans emitted files. `files`: [{ fileName (relative to outDir, posix), text, map? }], where
   * `map` is a source map (object/JSON) or a function returning one, only called for files with
   * findings. `outDir` is absolute; `readOutput(fileName)` returns another emitted file's text.
   * `context` resolves `webpack://` source paths. Returns { errors: [], warnings: [] } of hits.
   */
  async scanOutputs(files, { outDir, readOutput = () => null, context = this.root }) {
    await this.ready;
    const hits = [];
    await Promise.all(
      files.map(async (file) => {
        if (!this.wants(file.fileName)) return;
        if (file.fileName.endsWith('.map')) return this.scanMap(file, { outDir, context }, hits);
        const text = typeof file.text === 'string' ? file.text : Buffer.from(file.text).toString('utf8');
        const found = (await this.bundleEngine.scanAsync(text)).filter((f) => !this.genericIds.has(f.ruleId));
        if (!found.length) return;
        let consumer = null;
        try {
          for (const f of found) {
            const hit = this.hit(f, file.fileName, text.slice(f.start, f.end));
            if (consumer === null) consumer = await this.consumer(file, text, readOutput);
            if (consumer) hit.original = originalPosition(consumer, f, { outDir, fileName: file.fileName, context, root: this.root });
            hits.push(hit);
          }
        } finally {
          if (consumer && consumer.destroy) consumer.destroy();
        }
      }),
    );
    return this.classify(hits);
  }

  /** A source map's `sourcesContent` holds the original sources: scan each as its own file. */
  async scanMap(file, { outDir, context }, hits) {
    const text = typeof file.text === 'string' ? file.text : Buffer.from(file.text).toString('utf8');
    let map;
    try {
      map = JSON.parse(text);
    } catch {
      map = null;
    }
    if (!map || !Array.isArray(map.sourcesContent)) {
      for (const f of (await this.bundleEngine.scanAsync(text)).filter((f) => !this.genericIds.has(f.ruleId))) hits.push(this.hit(f, file.fileName, text.slice(f.start, f.end)));
      return;
    }
    await Promise.all(
      map.sourcesContent.map(async (content, i) => {
        if (typeof content !== 'string') return;
        const found = (await this.bundleEngine.scanAsync(content)).filter((f) => !this.genericIds.has(f.ruleId));
        for (const f of found) {
          const hit = this.hit(f, file.fileName, content.slice(f.start, f.end));
          const source = resolveSource(map.sources[i], { outDir, mapFile: file.fileName, sourceRoot: map.sourceRoot, context, root: this.root });
          hit.original = { source, line: f.line, column: f.column };
          hit.inMap = true;
          hits.push(hit);
        }
      }),
    );
  }

  async consumer(file, text, readOutput) {
    let map = typeof file.map === 'function' ? file.map() : file.map;
    if (map == null) map = readOutput(`${file.fileName}.map`);
    if (map == null) map = mapFromComment(text, file.fileName, readOutput);
    let raw;
    try {
      raw = rawMap(map);
    } catch {
      raw = null;
    }
    if (!raw || !raw.mappings) return false;
    const { SourceMapConsumer } = require('source-map');
    try {
      return await new SourceMapConsumer(raw);
    } catch {
      return false;
    }
  }

  hit(f, fileName, secret) {
    return { ...f, file: fileName, secret, original: null };
  }

  /** Splits hits into errors and warnings, after the allowlist. */
  classify(hits) {
    const errors = [];
    const warnings = [];
    for (const h of hits) {
      const where = h.original && h.original.source ? h.original.source : h.file;
      h.fingerprint = fingerprint(h.ruleId, where, h.secret);
      delete h.secret; // nothing below may print it
      if (this.allow.rules.has(h.ruleId) || this.allow.fingerprints.has(h.fingerprint)) continue;
      if (this.allow.isPathAllowed(h.file) || (h.original && this.allow.isPathAllowed(h.original.source))) continue;
      if (h.publishable) {
        if (this.publishable === 'off') continue;
        (this.publishable === 'error' && this.mode === 'error' ? errors : warnings).push(h);
      } else {
        (this.mode === 'error' ? errors : warnings).push(h);
      }
    }
    const order = (a, b) => a.file.localeCompare(b.file) || a.start - b.start;
    return { errors: errors.sort(order), warnings: warnings.sort(order) };
  }

  /** Client-exposed environment variables holding a secret: hits with `env` set. */
  async checkEnv(env = process.env, prefixes = this.envPrefixes) {
    if (!this.env) return { errors: [], warnings: [] };
    await this.ready;
    const hits = [];
    for (const [name, value] of Object.entries(env)) {
      if (typeof value !== 'string' || !prefixes.some((p) => name.startsWith(p))) continue;
      // `NAME=value`, so rules keyed on the variable name apply too.
      const line = `${name}=${value}`;
      for (const f of this.engine.scan(line)) {
        if (f.start < name.length + 1) continue;
        hits.push({ ...f, file: `env ${name}`, env: name, secret: line.slice(f.start, f.end), original: null });
      }
    }
    return this.classify(hits);
  }
}

/** A source path from a map, relative to the project root (posix). */
function resolveSource(source, { outDir, mapFile, sourceRoot, context, root }) {
  if (source == null) return null;
  let s = String(source);
  let abs;
  const wp = /^webpack:\/\/[^/]*\/(.*)$/.exec(s);
  if (wp) {
    s = wp[1].replace(/\?.*$/, '');
    abs = path.resolve(context, s);
  } else if (s.startsWith('file://')) {
    abs = fileURLToPath(s);
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(s)) {
    return s;
  } else {
    abs = path.resolve(outDir || root, path.dirname(mapFile || ''), sourceRoot || '', s);
  }
  const rel = path.relative(root, abs);
  return toPosix(rel.startsWith('..') ? abs : rel);
}

function originalPosition(consumer, f, where) {
  const { SourceMapConsumer } = require('source-map');
  const q = { line: f.line, column: f.column - 1 };
  let pos = consumer.originalPositionFor({ ...q, bias: SourceMapConsumer.GREATEST_LOWER_BOUND });
  if (pos.source == null) pos = consumer.originalPositionFor({ ...q, bias: SourceMapConsumer.LEAST_UPPER_BOUND });
  if (pos.source == null) return null;
  return { source: resolveSource(pos.source, { ...where, mapFile: where.fileName }), line: pos.line, column: pos.column + 1 };
}

/** One line per hit; never contains the secret. */
function formatHit(h) {
  const from = h.original && h.original.source ? `  (from ${h.original.source}:${h.original.line}${h.inMap ? ' via sourcesContent' : ''})` : '';
  const at = h.env ? `environment variable ${h.env} (inlined into client code)` : `${h.file}:${h.line}:${h.column}`;
  return `  ${at}  ${h.ruleId}  ${h.preview}${from}  [fingerprint ${h.fingerprint}]`;
}

function formatReport(list, { warning = false } = {}) {
  const pub = list.every((h) => h.publishable);
  const what = pub ? `publishable key${list.length === 1 ? '' : 's'}` : `secret${list.length === 1 ? '' : 's'}`;
  const head = `${list.length} ${what} found in the build output`;
  const tail = warning
    ? pub
      ? 'Publishable keys are meant to be public; check that each is the one you intend to ship.'
      : 'secretsift is in warn mode; these would fail the build in error mode.'
    : 'Keep secrets on a server, not in client code. To accept a finding, add its rule id, fingerprint or file glob to the plugin\'s `allow` option.';
  return `secretsift: ${head}:\n${list.map(formatHit).join('\n')}\n${tail}`;
}

// ---------------------------------------------------------------------------------------------
// Bundler adapters.

function rollupHooks(checker, getOutDir) {
  let env = null;
  return {
    configResolved(config) {
      // Vite: `config.env` holds the variables (from .env files too) that reach `import.meta.env`.
      env = { ...config.env };
      const prefixes = [].concat(config.envPrefix || 'VITE_');
      checker.viteEnvPrefixes = Array.from(new Set([...checker.envPrefixes, ...prefixes]));
      if (!checker.rootSet && config.root) checker.root = config.root;
    },
    async generateBundle(outputOptions, bundle) {
      const started = performance.now();
      if (!checker.engine) {
        await checker.ready.catch(() => {}); // a rule error is reported by scanOutputs below
        checker.timings.waitMs += performance.now() - started;
      }
      const outDir = path.resolve(outputOptions.dir || (outputOptions.file ? path.dirname(outputOptions.file) : getOutDir() || 'dist'));
      const files = [];
      const byName = new Map();
      for (const item of Object.values(bundle)) {
        const text = item.type === 'chunk' ? item.code : item.source;
        byName.set(item.fileName, text);
        files.push({ fileName: item.fileName, text, map: item.type === 'chunk' ? item.map : undefined });
        // Rollup writes chunk maps after this hook: scan their sourcesContent here.
        if (item.type === 'chunk' && item.map && !bundle[`${item.fileName}.map`]) {
          files.push({ fileName: `${item.fileName}.map`, text: JSON.stringify(item.map) });
        }
      }
      const readOutput = (name) => {
        const t = byName.get(name);
        return t == null ? null : typeof t === 'string' ? t : Buffer.from(t).toString('utf8');
      };
      // Client-exposed variables are checked here too, not in buildStart, so that the rules
      // compile while the bundler works.
      const [a, b] = await Promise.all([
        checker.checkEnv({ ...process.env, ...(env || {}) }, checker.viteEnvPrefixes || checker.envPrefixes),
        checker.scanOutputs(files, { outDir, readOutput }),
      ]);
      checker.timings.hookMs += performance.now() - started;
      report(this, merge(a, b));
    },
  };
}

const merge = (a, b) => ({ errors: [...a.errors, ...b.errors], warnings: [...a.warnings, ...b.warnings] });

/** Rollup-style reporting: `this.warn` for warnings, `this.error` (throws) for errors. */
function report(ctx, { errors, warnings }) {
  if (warnings.length) ctx.warn(formatReport(warnings, { warning: true }));
  if (errors.length) ctx.error(formatReport(errors));
}

function webpackLike(checker, compiler) {
  const wp = compiler.webpack || require('webpack');
  const Compilation = wp.Compilation;
  const WebpackError = wp.WebpackError;
  const makeError = (msg) => {
    const e = new WebpackError(msg);
    e.name = 'SecretsiftError';
    e.hideStack = true;
    return e;
  };
  const push = (compilation, { errors, warnings }) => {
    if (warnings.length) compilation.warnings.push(makeError(formatReport(warnings, { warning: true })));
    if (errors.length) compilation.errors.push(makeError(formatReport(errors)));
  };
  if (!checker.rootSet) checker.root = compiler.context || checker.root;
  compiler.hooks.thisCompilation.tap(NAME, (compilation) => {
    compilation.hooks.processAssets.tapPromise({ name: NAME, stage: Compilation.PROCESS_ASSETS_STAGE_REPORT }, async () => {
      const outDir = compilation.outputOptions.path || path.resolve('dist');
      const text = (name) => {
        const a = compilation.getAsset(name);
        if (!a) return null;
        const s = a.source.source();
        return typeof s === 'string' ? s : Buffer.from(s).toString('utf8');
      };
      const files = compilation.getAssets().filter((a) => checker.wants(a.name)).map((a) => ({
        fileName: a.name,
        text: text(a.name),
        // The related .map asset when devtool emits one; else the source's own map (computed
        // only for files with findings).
        map: () => {
          const related = a.info && a.info.related && a.info.related.sourceMap;
          const name = Array.isArray(related) ? related[0] : related;
          const t = name ? text(name) : null;
          if (t) return t;
          try {
            return a.source.map ? a.source.map() : null;
          } catch {
            return null;
          }
        },
      }));
      const [a, b] = await Promise.all([checker.checkEnv(), checker.scanOutputs(files, { outDir, readOutput: text, context: compiler.context })]);
      push(compilation, merge(a, b));
    });
  });
}

function esbuildSetup(checker, build) {
  const opts = build.initialOptions;
  // Without `write: false`, the metafile is how onEnd learns which files were written.
  if (opts.write !== false) opts.metafile = true;
  const cwd = opts.absWorkingDir || process.cwd();
  if (!checker.rootSet) checker.root = cwd;
  // esbuild logs messages from onStart, but not those returned by onEnd (its log is flushed by
  // then): print those with esbuild's own formatter, honouring `logLevel`, and return them so
  // the build fails (`build()` rejects, the CLI script exits non-zero).
  const level = opts.logLevel || 'warning';
  const shows = (kind) => level !== 'silent' && !(kind === 'warning' && level === 'error');
  const messages = ({ errors, warnings }, print = false) => {
    const out = {
      errors: errors.length ? [{ text: formatReport(errors), pluginName: NAME }] : [],
      warnings: warnings.length ? [{ text: formatReport(warnings, { warning: true }), pluginName: NAME }] : [],
    };
    if (print && build.esbuild && build.esbuild.formatMessagesSync) {
      const color = opts.color != null ? opts.color : process.stderr.isTTY && !process.env.NO_COLOR;
      for (const [kind, list] of [['warning', out.warnings], ['error', out.errors]]) {
        if (list.length && shows(kind)) process.stderr.write(build.esbuild.formatMessagesSync(list, { kind, color }).join(''));
      }
    }
    return out;
  };
  build.onEnd(async (result) => {
    if (result.errors.length) return;
    const outDir = path.resolve(cwd, opts.outdir || (opts.outfile ? path.dirname(opts.outfile) : '.'));
    const byName = new Map();
    if (result.outputFiles) {
      for (const f of result.outputFiles) byName.set(toPosix(path.relative(outDir, f.path)), () => f.text);
    } else if (result.metafile) {
      for (const out of Object.keys(result.metafile.outputs)) {
        const abs = path.resolve(cwd, out);
        byName.set(toPosix(path.relative(outDir, abs)), () => fs.readFileSync(abs, 'utf8'));
      }
    }
    const readOutput = (name) => {
      const get = byName.get(name);
      return get ? get() : null;
    };
    const files = [...byName.keys()].filter((n) => checker.wants(n)).map((fileName) => ({ fileName, text: readOutput(fileName) }));
    const [a, b] = await Promise.all([checker.checkEnv(), checker.scanOutputs(files, { outDir, readOutput })]);
    return messages(merge(a, b), true);
  });
}

const unplugin = createUnplugin((options = {}) => {
  const checker = new Checker(options);
  checker.rootSet = options.root != null;
  const hooks = rollupHooks(checker, () => null);
  // `api`: Vite's convention for what a plugin exposes to others (and to benchmarks).
  hooks.api = { checker };
  const { configResolved, ...rollupOnly } = hooks;
  return {
    name: NAME,
    enforce: 'post',
    rollup: rollupOnly,
    rolldown: rollupOnly,
    vite: { ...hooks, apply: 'build' },
    webpack(compiler) {
      webpackLike(checker, compiler);
    },
    rspack(compiler) {
      webpackLike(checker, compiler);
    },
    esbuild: {
      setup(build) {
        esbuildSetup(checker, build);
      },
    },
  };
});

module.exports = {
  unplugin,
  Checker,
  fingerprint,
  formatReport,
  CLIENT_ENV_PREFIXES,
  DEFAULT_INCLUDE,
  vite: unplugin.vite,
  rollup: unplugin.rollup,
  rolldown: unplugin.rolldown,
  webpack: unplugin.webpack,
  rspack: unplugin.rspack,
  esbuild: unplugin.esbuild,
};
