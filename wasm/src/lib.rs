//! `secretsift-wasm`: the secretsift engine for browsers, edge workers and Node, through
//! wasm-bindgen.
//!
//! A thin adapter, like the other hosts: it converts JS inputs, calls one engine method, and
//! converts findings and errors back. The JS API mirrors the Node package:
//! `new Engine({ rules?, defaultRules?, genericEntropy?, disable?, only?, lazy? })`, `scan`, `redact`,
//! `stream()` (a streaming scanner) and `redactor()` (the streaming redactor behind the
//! `redactStream()` `TransformStream` in the JS glue, `js/`). Types are hand-written below.
#![forbid(unsafe_code)]

mod error;
mod utf16;

use std::cell::RefCell;

use js_sys::{Array, Object, Reflect, Uint8Array};
use secretsift::sink::Collect;
use secretsift::{FindingBuf, RedactOptions};
use wasm_bindgen::prelude::*;

use crate::error::{build_error, type_error};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** Options for `new Engine(options)`; the same object the Node package takes. */
export interface EngineOptions {
  /** Extra rules as secretsift TOML text (the `rulesets/*.toml` format). */
  rules?: string;
  /** Include the embedded default ruleset (default `true`). */
  defaultRules?: boolean;
  /** Minimum entropy (bits per byte) for values found by generic rules. */
  genericEntropy?: number;
  /** Rule ids to leave out. */
  disable?: string[];
  /** Keep only the rules with these ids. */
  only?: string[];
  /** Compile each rule's regex on its first keyword hit instead of in `new Engine` (default
   * `true` here: start-up is what a page or worker pays first). `false` compiles every rule up
   * front, so that later scans never compile or allocate. Results are the same. */
  lazy?: boolean;
}

/** Options for `engine.stream()`. */
export interface StreamOptions {
  /** Every newline ends a segment: no match crosses it, and findings before it are final. */
  lineMode?: boolean;
}

/** One secret. Offsets are UTF-16 code units for string input, bytes for `Uint8Array` input
 * and for streams; `line` and `column` are 1-based (`column` in the same unit). */
export interface Finding {
  ruleId: string;
  provider: string;
  /** Secret start (inclusive). */
  start: number;
  /** Secret end (exclusive). */
  end: number;
  /** Whole match (keyword and surroundings included). */
  matchStart: number;
  matchEnd: number;
  line: number;
  column: number;
  /** Masked, safe to print: the public prefix (e.g. `AKIA`) or a few bytes, then `*`s. */
  preview: string;
  /** The credential is meant to be public (publishable keys). */
  publishable: boolean;
}

/** Facts about a loaded rule. */
export interface RuleInfo {
  id: string;
  description: string;
  provider: string;
  kind: "secret" | "publishable";
  tags: string[];
  generic: boolean;
}

/** Options for `engine.redact` and `engine.redactor`. */
export interface RedactOptions {
  /** Replacement with `{rule}`, `{provider}`, `{prefix}`; default `[REDACTED:{rule}]`. */
  template?: string;
  /** Flush at every newline; no match crosses a line. */
  lineMode?: boolean;
}

/** Thrown by `new Engine` for a bad rule set: an `Error` with structured data. */
export interface SecretsiftError extends Error {
  /** `syntax`, `regex`, `no-keyword`, `duplicate-id`, `unknown-validator`, `invalid-value`,
   * `limit`, or `invalid-input` (a wrong argument type). */
  code: string;
  ruleId?: string;
  field?: string;
  origin?: string;
  line?: number;
}
"#;

/// Reads an optional property of the options object.
fn prop(obj: &JsValue, name: &str) -> Result<Option<JsValue>, JsValue> {
    if obj.is_undefined() || obj.is_null() {
        return Ok(None);
    }
    if !obj.is_object() {
        return Err(type_error("options must be an object"));
    }
    let v = Reflect::get(obj, &JsValue::from_str(name))?;
    Ok(if v.is_undefined() || v.is_null() {
        None
    } else {
        Some(v)
    })
}

fn string_array(v: &JsValue, name: &str) -> Result<Vec<String>, JsValue> {
    let msg = || type_error(&format!("{name} must be an array of rule ids"));
    if !Array::is_array(v) {
        return Err(msg());
    }
    Array::from(v)
        .iter()
        .map(|v| v.as_string().ok_or_else(msg))
        .collect()
}

fn set(obj: &Object, key: &str, value: JsValue) {
    // Setting a data property on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value);
}

#[wasm_bindgen]
extern "C" {
    /// The platform's `TextEncoder` (browsers, workers, Node, workerd).
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method)]
    fn encode(this: &TextEncoder, s: &JsValue) -> Uint8Array;
    /// Encodes into `dest` (wasm memory, no copy in between); reports what it read and wrote.
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(this: &TextEncoder, s: &JsValue, dest: &mut [u8]) -> EncodeIntoResult;

    type EncodeIntoResult;
    /// UTF-16 code units read.
    #[wasm_bindgen(method, getter)]
    fn read(this: &EncodeIntoResult) -> u32;
}

thread_local! {
    static ENCODER: TextEncoder = TextEncoder::new();
}

/// A JS string as UTF-8 (an ASCII string takes the `Ascii` form, with no UTF-8 check: its
/// byte offsets are its UTF-16 offsets). wasm-bindgen's own conversion copies ASCII one
/// character at a time in JS, which made scanning a 64 KiB string cost half again as much as
/// scanning its bytes; the platform encoder is native. Lone surrogates become U+FFFD, as with
/// wasm-bindgen's conversion (one UTF-16 unit either way, so offsets hold).
fn text_of_string(s: &JsValue) -> Text {
    // Most text is ASCII, one byte per UTF-16 unit: encode straight into wasm memory, and
    // only when that did not read the whole string (it is not ASCII), the general way.
    let units = s.unchecked_ref::<js_sys::JsString>().length() as usize;
    let mut ascii = vec![0u8; units];
    if ENCODER.with(|e| e.encode_into(s, &mut ascii)).read() as usize == units {
        return Text::Ascii(ascii); // every unit took one byte
    }
    let bytes = ENCODER.with(|e| e.encode(s)).to_vec();
    // `TextEncoder` output is UTF-8 by definition; the lossy path only guards that.
    Text::Str(
        String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
    )
}

/// Input to scan: bytes, or a string whose offsets are reported in UTF-16 code units.
enum Text {
    Bytes(Vec<u8>),
    Str(String),
    /// A string of ASCII characters only.
    Ascii(Vec<u8>),
}

impl Text {
    fn from_js(input: &JsValue) -> Result<Text, JsValue> {
        if input.is_string() {
            Ok(text_of_string(input))
        } else if let Some(a) = input.dyn_ref::<Uint8Array>() {
            Ok(Text::Bytes(a.to_vec()))
        } else if input.is_instance_of::<js_sys::ArrayBuffer>() {
            Ok(Text::Bytes(Uint8Array::new(input).to_vec()))
        } else {
            Err(type_error("expected a string or a Uint8Array"))
        }
    }
    fn bytes(&self) -> &[u8] {
        match self {
            Text::Bytes(b) | Text::Ascii(b) => b,
            Text::Str(s) => s.as_bytes(),
        }
    }
}

/// Converts findings to plain JS objects; for string input, maps byte offsets to UTF-16.
fn findings_to_js(findings: &[FindingBuf], text: Option<&str>) -> Array {
    // In ASCII text, byte offsets are UTF-16 offsets: skip the walk over the text (it doubled
    // the cost of scanning a 64 KiB log passed as a string).
    let text = text.filter(|s| !findings.is_empty() && !s.is_ascii());
    let map = text.map(|s| {
        let mut wanted = Vec::with_capacity(findings.len() * 5);
        for f in findings {
            wanted.extend([
                f.start,
                f.end,
                f.match_start,
                f.match_end,
                f.start - (f.column - 1),
            ]);
        }
        utf16::OffsetMap::new(s, wanted)
    });
    let out = Array::new_with_length(findings.len() as u32);
    for (i, f) in findings.iter().enumerate() {
        let o = Object::new();
        let conv = |b: u64| map.as_ref().map_or(b, |m| m.get(b)) as f64;
        let column = match &map {
            Some(m) => m.get(f.start) - m.get(f.start - (f.column - 1)) + 1,
            None => f.column,
        };
        set(&o, "ruleId", JsValue::from_str(&f.rule_id));
        set(&o, "provider", JsValue::from_str(&f.provider));
        set(&o, "start", conv(f.start).into());
        set(&o, "end", conv(f.end).into());
        set(&o, "matchStart", conv(f.match_start).into());
        set(&o, "matchEnd", conv(f.match_end).into());
        set(&o, "line", (f.line as f64).into());
        set(&o, "column", (column as f64).into());
        set(&o, "preview", JsValue::from_str(&f.preview));
        set(&o, "publishable", f.publishable.into());
        out.set(i as u32, o.into());
    }
    out
}

fn redact_options(options: &JsValue) -> Result<RedactOptions, JsValue> {
    let mut o = RedactOptions::default();
    if let Some(t) = prop(options, "template")? {
        o.template = t
            .as_string()
            .ok_or_else(|| type_error("template must be a string"))?;
    }
    if let Some(l) = prop(options, "lineMode")? {
        o.line_mode = l
            .as_bool()
            .ok_or_else(|| type_error("lineMode must be a boolean"))?;
    }
    Ok(o)
}

/// The compiled rules. Build once, scan many times.
#[wasm_bindgen(js_name = Engine)]
pub struct JsEngine {
    inner: secretsift::Engine,
    /// Reused by `scan`: creating a scanner sizes its buffers (and, for an eager engine, every
    /// rule's scratch), which costs more than scanning a small input.
    scanner: RefCell<Option<secretsift::Scanner>>,
}

#[wasm_bindgen(js_class = Engine)]
impl JsEngine {
    /// Compiles the default ruleset plus `options.rules`. Throws a `SecretsiftError`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "EngineOptions")] options: Option<JsValue>,
    ) -> Result<JsEngine, JsValue> {
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let mut b = secretsift::Engine::builder();
        b.lazy(true);
        if let Some(l) = prop(&options, "lazy")? {
            b.lazy(
                l.as_bool()
                    .ok_or_else(|| type_error("lazy must be a boolean"))?,
            );
        }
        if let Some(d) = prop(&options, "defaultRules")? {
            b.default_rules(
                d.as_bool()
                    .ok_or_else(|| type_error("defaultRules must be a boolean"))?,
            );
        }
        if let Some(r) = prop(&options, "rules")? {
            let text = r
                .as_string()
                .ok_or_else(|| type_error("rules must be a string of TOML"))?;
            b.add_toml(&text, "rules").map_err(|e| build_error(&e))?;
        }
        if let Some(e) = prop(&options, "genericEntropy")? {
            b.generic_entropy(
                e.as_f64()
                    .ok_or_else(|| type_error("genericEntropy must be a number"))?,
            );
        }
        if let Some(d) = prop(&options, "disable")? {
            b.disable(string_array(&d, "disable")?);
        }
        if let Some(d) = prop(&options, "only")? {
            b.only(string_array(&d, "only")?);
        }
        let inner = b.build().map_err(|e| build_error(&e))?;
        Ok(JsEngine {
            inner,
            scanner: RefCell::new(None),
        })
    }

    /// Scans a whole input. Offsets are UTF-16 code units for a string, bytes for bytes.
    #[wasm_bindgen(unchecked_return_type = "Finding[]")]
    pub fn scan(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] input: JsValue,
    ) -> Result<Array, JsValue> {
        let text = Text::from_js(&input)?;
        let mut sink = Collect::default();
        {
            let mut slot = self.scanner.borrow_mut();
            let scanner = slot.get_or_insert_with(|| self.inner.scanner());
            // `scan` resets the scanner first and `finish` leaves it reset.
            let Ok(()) = scanner.scan(text.bytes(), &mut sink);
        }
        let findings = sink.findings;
        Ok(match &text {
            Text::Str(s) => findings_to_js(&findings, Some(s)),
            Text::Bytes(_) | Text::Ascii(_) => findings_to_js(&findings, None),
        })
    }

    /// Returns the input with every secret replaced (a string for a string, bytes for bytes).
    #[wasm_bindgen(unchecked_return_type = "any")]
    pub fn redact(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] input: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RedactOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let text = Text::from_js(&input)?;
        let opts = redact_options(&options.unwrap_or(JsValue::UNDEFINED))?;
        let mut r = self.inner.redactor(opts);
        let mut out = Vec::with_capacity(text.bytes().len());
        // Writing to a Vec cannot fail.
        let _ = r
            .feed(text.bytes(), &mut out)
            .and_then(|_| r.finish(&mut out));
        Ok(match text {
            // Secrets are replaced whole, at match boundaries that the regexes place on
            // characters; `from_utf8_lossy` only guards the impossible case.
            Text::Str(_) | Text::Ascii(_) => JsValue::from_str(&String::from_utf8_lossy(&out)),
            Text::Bytes(_) => Uint8Array::from(&out[..]).into(),
        })
    }

    /// A streaming scanner: `feed(chunk)` and `finish()` return the findings they complete,
    /// with absolute byte offsets over the whole stream (strings are fed as UTF-8).
    pub fn stream(
        &self,
        #[wasm_bindgen(unchecked_param_type = "StreamOptions")] options: Option<JsValue>,
    ) -> Result<ScanStream, JsValue> {
        let mut scanner = self.inner.scanner();
        if let Some(l) = prop(&options.unwrap_or(JsValue::UNDEFINED), "lineMode")? {
            scanner.set_line_mode(
                l.as_bool()
                    .ok_or_else(|| type_error("lineMode must be a boolean"))?,
            );
        }
        Ok(ScanStream { scanner })
    }

    /// A streaming redactor: `feed(chunk)` and `finish()` return the redacted bytes they
    /// release. `redactStream()` wraps one in a `TransformStream`.
    pub fn redactor(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RedactOptions")] options: Option<JsValue>,
    ) -> Result<RedactStream, JsValue> {
        let opts = redact_options(&options.unwrap_or(JsValue::UNDEFINED))?;
        Ok(RedactStream {
            redactor: self.inner.redactor(opts),
            out: Vec::new(),
        })
    }

    /// Facts about every loaded rule.
    #[wasm_bindgen(unchecked_return_type = "RuleInfo[]")]
    pub fn rules(&self) -> Array {
        self.inner
            .rules()
            .map(|r| {
                let o = Object::new();
                set(&o, "id", JsValue::from_str(&r.id));
                set(&o, "description", JsValue::from_str(&r.description));
                set(&o, "provider", JsValue::from_str(&r.provider));
                let kind = if r.kind == secretsift::Kind::Publishable {
                    "publishable"
                } else {
                    "secret"
                };
                set(&o, "kind", JsValue::from_str(kind));
                set(
                    &o,
                    "tags",
                    r.tags
                        .iter()
                        .map(|t| JsValue::from_str(t))
                        .collect::<Array>()
                        .into(),
                );
                set(&o, "generic", r.generic.into());
                JsValue::from(o)
            })
            .collect()
    }

    /// Bytes a stream may hold back before its findings (and redacted output) are final.
    #[wasm_bindgen(getter)]
    pub fn window(&self) -> f64 {
        self.inner.window() as f64
    }
}

fn chunk_bytes(chunk: &JsValue) -> Result<Vec<u8>, JsValue> {
    Text::from_js(chunk).map(|t| match t {
        Text::Bytes(b) | Text::Ascii(b) => b,
        Text::Str(s) => s.into_bytes(),
    })
}

/// The state of one scanned stream. Findings crossing chunk boundaries are reported once.
#[wasm_bindgen]
pub struct ScanStream {
    scanner: secretsift::Scanner,
}

#[wasm_bindgen]
impl ScanStream {
    /// Feeds a chunk; returns the findings it completes (byte offsets).
    #[wasm_bindgen(unchecked_return_type = "Finding[]")]
    pub fn feed(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] chunk: JsValue,
    ) -> Result<Array, JsValue> {
        let bytes = chunk_bytes(&chunk)?;
        let mut sink = Collect::default();
        let Ok(()) = self.scanner.feed(&bytes, &mut sink);
        Ok(findings_to_js(&sink.findings, None))
    }

    /// Ends the stream: returns the remaining findings and resets for the next stream.
    #[wasm_bindgen(unchecked_return_type = "Finding[]")]
    pub fn finish(&mut self) -> Array {
        let mut sink = Collect::default();
        let Ok(()) = self.scanner.finish(&mut sink);
        findings_to_js(&sink.findings, None)
    }

    /// Bytes fed so far (absolute offset of the next byte).
    #[wasm_bindgen(getter)]
    pub fn position(&self) -> f64 {
        self.scanner.position() as f64
    }
}

/// One redacted stream: bytes in, the same bytes out with secrets replaced.
#[wasm_bindgen]
pub struct RedactStream {
    redactor: secretsift::Redactor,
    /// Output scratch, reused between calls.
    out: Vec<u8>,
}

#[wasm_bindgen]
impl RedactStream {
    /// Feeds a chunk; returns the output bytes now decided (possibly empty).
    pub fn feed(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] chunk: JsValue,
    ) -> Result<Uint8Array, JsValue> {
        let bytes = chunk_bytes(&chunk)?;
        self.out.clear();
        let _ = self.redactor.feed(&bytes, &mut self.out);
        Ok(Uint8Array::from(&self.out[..]))
    }

    /// Ends the stream: returns the rest of the output and resets for the next stream.
    pub fn finish(&mut self) -> Uint8Array {
        self.out.clear();
        let _ = self.redactor.finish(&mut self.out);
        Uint8Array::from(&self.out[..])
    }
}
