//! `secretsift` for Node.js: a thin napi-rs adapter over the `secretsift` engine.
//!
//! Each method converts its input, calls one engine method and converts the output; scanning
//! logic lives in the engine only. Offsets: for `Uint8Array`/`Buffer` input they are byte offsets;
//! for `string` input they are UTF-16 code-unit offsets (so `s.slice(start, end)` is the secret)
//! and columns count UTF-16 code units too. Streams always report byte offsets of the UTF-8
//! stream.

#![deny(clippy::all)]

mod error;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use secretsift::{sink::Collect, FindingBuf, Kind, RedactOptions};
use serde::Deserialize;
use std::sync::{Arc, Mutex};

/// Options of `new Engine(options)`. Unknown keys are an error, so a typo does not silently
/// fall back to a default.
#[napi(object)]
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EngineOptions {
    /// Extra rules, as the text of a secretsift rules TOML file.
    pub rules: Option<String>,
    /// Name of the extra rules in error messages (default `"rules"`).
    pub rules_origin: Option<String>,
    /// Include the built-in ruleset (default `true`).
    pub default_rules: Option<bool>,
    /// Minimum entropy (bits per byte) for values found by generic rules.
    pub generic_entropy: Option<f64>,
    /// Rule ids to leave out.
    pub disable: Option<Vec<String>>,
    /// Keep only these rule ids.
    pub only: Option<Vec<String>>,
    /// Compile each built-in rule's regex on its first keyword hit instead of up front (default
    /// `false`). Building the engine then takes a few milliseconds instead of tens; the first
    /// scans pay for the rules their input selects. The bundler plugin uses it. Results are
    /// the same.
    pub lazy: Option<bool>,
}

/// Options of `engine.redact(text, options)`.
#[napi(object, js_name = "RedactOptions")]
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RedactOptionsJs {
    /// Replacement with `{rule}`, `{provider}`, `{prefix}` placeholders; default `[REDACTED:{rule}]`.
    pub template: Option<String>,
    /// Decide each line at its newline (log streams); no match crosses a line.
    pub line_mode: Option<bool>,
}

/// Options of `engine.stream(options)`.
#[napi(object)]
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StreamOptions {
    /// Decide each line at its newline (log streams); no match crosses a line.
    pub line_mode: Option<bool>,
}

/// Reads an options object with serde; `undefined`/`null` mean all defaults.
fn read_options<T: serde::de::DeserializeOwned + Default>(
    env: &Env,
    options: Option<Unknown>,
    what: &str,
) -> Result<T> {
    match options {
        Some(o) if !matches!(o.get_type()?, ValueType::Undefined | ValueType::Null) => env
            .from_js_value(o)
            .map_err(|e| error::options_error(env, what, &e)),
        _ => Ok(T::default()),
    }
}

/// One secret found. Never holds the secret itself: `preview` is masked.
#[napi(object)]
pub struct Finding {
    /// Id of the rule that matched (`stripe-secret-key-live`, ...).
    pub rule_id: String,
    /// Provider name (`stripe`, `aws`, ...).
    pub provider: String,
    /// The credential is meant to be public (a publishable key, for example).
    pub publishable: bool,
    /// Start of the secret: a byte offset for `Uint8Array`/`Buffer` input and streams, a UTF-16
    /// code-unit offset for `string` input.
    pub start: i64,
    /// End of the secret (exclusive), in the same unit as `start`.
    pub end: i64,
    /// Start of the whole match (keyword and surroundings included).
    pub match_start: i64,
    /// End of the whole match (exclusive).
    pub match_end: i64,
    /// 1-based line of the secret's first character.
    pub line: i64,
    /// 1-based column of the secret's first character, in the unit of `start`.
    pub column: i64,
    /// Masked rendering that is safe to print.
    pub preview: String,
}

/// Facts about one loaded rule.
#[napi(object)]
pub struct RuleInfo {
    pub id: String,
    pub description: String,
    pub provider: String,
    /// `"secret"` or `"publishable"`.
    pub kind: String,
    pub tags: Vec<String>,
}

fn finding(f: &FindingBuf) -> Finding {
    Finding {
        rule_id: f.rule_id.clone(),
        provider: f.provider.clone(),
        publishable: f.publishable,
        start: f.start as i64,
        end: f.end as i64,
        match_start: f.match_start as i64,
        match_end: f.match_end as i64,
        line: f.line as i64,
        column: f.column as i64,
        preview: f.preview.clone(),
    }
}

/// UTF-16 code units in a prefix of UTF-8 text: one per character, two for characters outside
/// the BMP (4-byte sequences). Counts bytes, so any byte position works.
fn utf16_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .map(|&b| usize::from(b & 0xC0 != 0x80) + usize::from(b >= 0xF0))
        .sum()
}

/// Findings over a JS string: byte offsets become UTF-16 offsets, in one pass over the text.
fn findings_utf16(text: &str, found: &[FindingBuf]) -> Vec<Finding> {
    let bytes = text.as_bytes();
    if bytes.is_ascii() {
        return found.iter().map(finding).collect();
    }
    // Every byte position needed, sorted; then one walk converts them all.
    let mut at: Vec<usize> = Vec::with_capacity(found.len() * 5);
    for f in found {
        let line_start = f.start - (f.column - 1);
        at.extend([line_start, f.start, f.end, f.match_start, f.match_end].map(|p| p as usize));
    }
    at.sort_unstable();
    at.dedup();
    let mut units = Vec::with_capacity(at.len());
    let (mut pos, mut n) = (0usize, 0usize);
    for &p in &at {
        n += utf16_len(&bytes[pos..p]);
        pos = p;
        units.push(n);
    }
    let conv = |p: u64| units[at.binary_search(&(p as usize)).expect("collected above")] as i64;
    found
        .iter()
        .map(|f| {
            let mut out = finding(f);
            let line_start = conv(f.start - (f.column - 1));
            out.start = conv(f.start);
            out.end = conv(f.end);
            out.match_start = conv(f.match_start);
            out.match_end = conv(f.match_end);
            out.column = out.start - line_start + 1;
            out
        })
        .collect()
}

/// A builder from the options; rule text is parsed here (syntax errors throw synchronously).
fn builder(env: &Env, opts: &EngineOptions) -> Result<secretsift::EngineBuilder> {
    let mut b = secretsift::Engine::builder();
    b.default_rules(opts.default_rules.unwrap_or(true));
    b.lazy(opts.lazy.unwrap_or(false));
    if let Some(text) = &opts.rules {
        b.add_toml(text, opts.rules_origin.as_deref().unwrap_or("rules"))
            .map_err(|e| error::build_error(env, &e))?;
    }
    if let Some(bits) = opts.generic_entropy {
        b.generic_entropy(bits);
    }
    if let Some(ids) = &opts.disable {
        b.disable(ids);
    }
    if let Some(ids) = &opts.only {
        b.only(ids);
    }
    Ok(b)
}

/// `Engine.create`: compiles on a worker thread; the error, if any, becomes a JS error (with its
/// code and rule id) back on the main thread.
pub struct BuildTask {
    builder: secretsift::EngineBuilder,
    error: Option<secretsift::BuildError>,
}

impl Task for BuildTask {
    type Output = secretsift::Engine;
    type JsValue = Engine;

    fn compute(&mut self) -> Result<Self::Output> {
        self.builder.build().map_err(|e| {
            let msg = e.to_string();
            self.error = Some(e);
            Error::new(Status::GenericFailure, msg)
        })
    }

    fn resolve(&mut self, _env: Env, inner: Self::Output) -> Result<Self::JsValue> {
        Ok(Engine::from_inner(inner))
    }

    fn reject(&mut self, env: Env, err: Error) -> Result<Self::JsValue> {
        Err(match &self.error {
            Some(e) => error::build_error(&env, e),
            None => err,
        })
    }
}

/// Input owned by Rust: what `scanAsync` hands to its worker thread.
enum Owned {
    Bytes(Vec<u8>),
    Text(String),
}

impl Owned {
    fn from_js(input: Either<Uint8Array, String>) -> Owned {
        match input {
            Either::A(b) => Owned::Bytes(b.to_vec()),
            Either::B(s) => Owned::Text(s),
        }
    }
}

/// Scanners kept for reuse. Creating one sizes all of its scratch (it runs every rule's examples
/// once), which costs milliseconds: far more than scanning a small file. `scan` takes one from
/// here and puts it back, so a build tool scanning thousands of small files pays that once.
#[derive(Clone)]
struct Scanners {
    engine: secretsift::Engine,
    idle: Arc<Mutex<Vec<secretsift::Scanner>>>,
}

/// Idle scanners kept at most (one per thread that scans at the same time is enough).
const MAX_IDLE: usize = 8;

impl Scanners {
    fn new(engine: secretsift::Engine) -> Scanners {
        Scanners {
            engine,
            idle: Arc::new(Mutex::new(Vec::new())),
        }
    }

    fn scan(&self, data: &[u8]) -> Vec<FindingBuf> {
        let taken = self.idle.lock().ok().and_then(|mut v| v.pop());
        let mut scanner = taken.unwrap_or_else(|| self.engine.scanner());
        let mut sink = Collect::default();
        // `scan` resets the scanner first and `finish` leaves it reset: no state carries over.
        let Ok(()) = scanner.scan(data, &mut sink);
        if let Ok(mut v) = self.idle.lock() {
            if v.len() < MAX_IDLE {
                v.push(scanner);
            }
        }
        sink.findings
    }

    fn scan_input(&self, input: &Owned) -> Vec<Finding> {
        match input {
            Owned::Bytes(b) => self.scan(b).iter().map(finding).collect(),
            Owned::Text(s) => findings_utf16(s, &self.scan(s.as_bytes())),
        }
    }
}

/// A compiled set of rules. Build once (it compiles every rule), then scan any number of inputs;
/// scanning never changes it.
#[napi]
pub struct Engine {
    inner: secretsift::Engine,
    scanners: Scanners,
}

impl Engine {
    fn from_inner(inner: secretsift::Engine) -> Engine {
        Engine {
            scanners: Scanners::new(inner.clone()),
            inner,
        }
    }
}

#[napi]
impl Engine {
    /// Compiles the built-in rules plus `options.rules`.
    ///
    /// Throws an `Error` with `code` `SECRETSIFT_RULESET_<KIND>` (and `ruleId`, `field`, `origin`,
    /// `line` where known) when a rule is invalid, or `SECRETSIFT_INVALID_OPTIONS`.
    #[napi(constructor, ts_args_type = "options?: EngineOptions")]
    pub fn new(env: Env, options: Option<Unknown>) -> Result<Self> {
        let opts: EngineOptions = read_options(&env, options, "Engine options")?;
        let b = builder(&env, &opts)?;
        let inner = b.build().map_err(|e| error::build_error(&env, &e))?;
        Ok(Engine::from_inner(inner))
    }

    /// `new Engine(options)` with the rules compiled on a libuv worker thread: a build tool can
    /// start it early and await it when needed (compiling the default rules takes a while).
    #[napi(
        ts_args_type = "options?: EngineOptions",
        ts_return_type = "Promise<Engine>"
    )]
    pub fn create(env: Env, options: Option<Unknown>) -> Result<AsyncTask<BuildTask>> {
        let opts: EngineOptions = read_options(&env, options, "Engine options")?;
        let b = builder(&env, &opts)?;
        Ok(AsyncTask::new(BuildTask {
            builder: b,
            error: None,
        }))
    }

    /// Scans a whole input. Offsets are bytes for a `Uint8Array`/`Buffer`, UTF-16 code units for
    /// a `string`.
    #[napi]
    pub fn scan(&self, input: Either<Uint8Array, String>) -> Vec<Finding> {
        match input {
            Either::A(b) => self.scanners.scan(&b).iter().map(finding).collect(),
            Either::B(s) => findings_utf16(&s, &self.scanners.scan(s.as_bytes())),
        }
    }

    /// `scan` on a libuv worker thread, for large inputs. The input is copied first, so it may
    /// change while the scan runs.
    #[napi(ts_return_type = "Promise<Array<Finding>>")]
    pub fn scan_async(
        &self,
        input: Either<Uint8Array, String>,
        signal: Option<AbortSignal>,
    ) -> AsyncTask<ScanTask> {
        AsyncTask::with_optional_signal(
            ScanTask {
                scanners: self.scanners.clone(),
                input: Some(Owned::from_js(input)),
            },
            signal,
        )
    }

    /// The text with every secret replaced (default `[REDACTED:<rule id>]`).
    #[napi(ts_args_type = "text: string, options?: RedactOptions")]
    pub fn redact(&self, env: Env, text: String, options: Option<Unknown>) -> Result<String> {
        let out = self.redact_bytes(&env, text.as_bytes(), options)?;
        // Only whole secrets are replaced by template text; other bytes are copied unchanged. A
        // secret boundary inside a multi-byte character is the one way to get invalid UTF-8.
        Ok(String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
    }

    /// `redact` for bytes: returns a new `Buffer`.
    #[napi(ts_args_type = "data: Uint8Array, options?: RedactOptions")]
    pub fn redact_buffer(
        &self,
        env: Env,
        data: Uint8Array,
        options: Option<Unknown>,
    ) -> Result<Buffer> {
        Ok(self.redact_bytes(&env, &data, options)?.into())
    }

    fn redact_bytes(&self, env: &Env, data: &[u8], options: Option<Unknown>) -> Result<Vec<u8>> {
        let opts: RedactOptionsJs = read_options(env, options, "redact options")?;
        let mut ro = RedactOptions::default();
        if let Some(t) = opts.template {
            ro.template = t;
        }
        ro.line_mode = opts.line_mode.unwrap_or(false);
        let mut out = Vec::with_capacity(data.len());
        let mut r = self.inner.redactor(ro);
        r.feed(data, &mut out)
            .and_then(|_| r.finish(&mut out))
            .expect("writing to a Vec cannot fail");
        Ok(out)
    }

    /// A streaming scanner: `feed` chunks, then `finish`. Offsets are absolute byte offsets in
    /// the UTF-8 stream. `lineMode`: decide each line at its newline; no match crosses a line.
    #[napi(ts_args_type = "options?: StreamOptions")]
    pub fn stream(&self, env: Env, options: Option<Unknown>) -> Result<Stream> {
        let opts: StreamOptions = read_options(&env, options, "stream options")?;
        let mut scanner = self.inner.scanner();
        scanner.set_line_mode(opts.line_mode.unwrap_or(false));
        Ok(Stream { scanner })
    }

    /// Every loaded rule, in load order.
    #[napi]
    pub fn rules(&self) -> Vec<RuleInfo> {
        self.inner
            .rules()
            .map(|r| RuleInfo {
                id: r.id.clone(),
                description: r.description.clone(),
                provider: r.provider.clone(),
                kind: if r.kind == Kind::Publishable {
                    "publishable"
                } else {
                    "secret"
                }
                .to_string(),
                tags: r.tags.clone(),
            })
            .collect()
    }

    /// Bytes a stream may hold back before its findings are final.
    #[napi(getter)]
    pub fn window(&self) -> u32 {
        self.inner.window() as u32
    }
}

/// The state of one stream. Findings that straddle chunks are reported once, by the `feed` (or
/// `finish`) call that completes them.
#[napi]
pub struct Stream {
    scanner: secretsift::Scanner,
}

#[napi]
impl Stream {
    /// Feeds a chunk (a string is fed as UTF-8); returns the findings it completed.
    #[napi]
    pub fn feed(&mut self, chunk: Either<Uint8Array, String>) -> Vec<Finding> {
        let mut sink = Collect::default();
        let Ok(()) = match &chunk {
            Either::A(b) => self.scanner.feed(b, &mut sink),
            Either::B(s) => self.scanner.feed(s.as_bytes(), &mut sink),
        };
        sink.findings.iter().map(finding).collect()
    }

    /// Ends the stream: returns the findings held back, then resets for a new stream.
    #[napi]
    pub fn finish(&mut self) -> Vec<Finding> {
        let mut sink = Collect::default();
        let Ok(()) = self.scanner.finish(&mut sink);
        sink.findings.iter().map(finding).collect()
    }
}

/// `Engine.scanAsync`: owns a handle on the engine's scanners (an `Arc`) and a copy of the input, so
/// `compute` runs on a worker thread without touching any JS value.
pub struct ScanTask {
    scanners: Scanners,
    input: Option<Owned>,
}

impl Task for ScanTask {
    type Output = Vec<Finding>;
    type JsValue = Vec<Finding>;

    fn compute(&mut self) -> Result<Self::Output> {
        let input = self.input.take().expect("compute runs once");
        Ok(self.scanners.scan_input(&input))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> Result<Self::JsValue> {
        Ok(output)
    }
}

/// The engine crate's version.
#[napi]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
