//! Shared test-vector runner.
//!
//! Loads the engine-independent cases in `tests/vectors/*.toml` (format: `tests/vectors/README.md`)
//! and runs each one through every code path the engine offers: [`Engine::scan`], a
//! [`Scanner`] fed at several chunk sizes, and the streaming [`secretsift::Redactor`] at the same
//! chunk sizes. One expectation, every path, as ripgrep's `SearcherTester` does.
//!
//! Other Rust runners (the bindings' own test suites, for example) can reuse [`load_dir`],
//! [`Case::input_bytes`] and [`run_case`].

use std::path::Path;

use secretsift::sink::Collect;
use secretsift::{BuildError, Engine, FindingBuf, RedactOptions};
use serde::Deserialize;

/// Chunk sizes every case is fed at, besides the whole input in one call.
pub const CHUNK_SIZES: &[usize] = &[1, 7, 4096];

/// One vector file: a list of `[[case]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorFile {
    /// The cases, in file order.
    #[serde(default)]
    pub case: Vec<Case>,
}

/// One piece of an input given as a list: literal text, or text repeated `count` times.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Part {
    /// Literal text (unescaped when the case says `unescape = true`).
    Text(String),
    /// `{ repeat = "ab", count = 3 }` is `ababab`.
    Repeat {
        /// The text to repeat.
        repeat: String,
        /// How many times.
        count: usize,
    },
}

/// The input text: a string, or a list of [`Part`]s concatenated.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Input {
    /// One string.
    Text(String),
    /// Parts, for very long inputs.
    Parts(Vec<Part>),
}

impl Default for Input {
    fn default() -> Self {
        Input::Text(String::new())
    }
}

/// Engine and scan options of a case.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// `EngineBuilder::generic_entropy`.
    pub generic_entropy: Option<f64>,
    /// Scanner and redactor line mode.
    #[serde(default)]
    pub line_mode: bool,
    /// `EngineBuilder::disable`.
    #[serde(default)]
    pub disable: Vec<String>,
    /// `EngineBuilder::only`.
    pub only: Option<Vec<String>>,
    /// Redaction template (default `[REDACTED:{rule}]`).
    pub template: Option<String>,
}

/// One expected finding.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// Rule id.
    pub rule: String,
    /// Secret byte span `[start, end)`, absolute.
    pub span: [u64; 2],
    /// 1-based line of the secret's first byte.
    pub line: u64,
    /// 1-based byte column of the secret's first byte.
    pub column: u64,
    /// Whether the rule is `kind = "publishable"`.
    #[serde(default)]
    pub publishable: bool,
}

/// An expected build failure.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedError {
    /// `BuildErrorKind::code()`: `syntax`, `regex`, `no-keyword`, `duplicate-id`,
    /// `unknown-validator`, `invalid-value`, `limit`.
    pub kind: String,
    /// The rule id the error must name (absent: not checked).
    pub rule: Option<String>,
    /// The field the error must name (absent: not checked).
    pub field: Option<String>,
}

/// One test vector.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Unique name across all files.
    pub name: String,
    /// `"default"`: the embedded default ruleset (the default when `rules_toml` is absent).
    pub rules: Option<String>,
    /// Inline rules in secretsift's TOML format; replaces the defaults unless `default = true`.
    pub rules_toml: Option<String>,
    /// With `rules_toml`: keep the default rules too.
    #[serde(default)]
    pub default: bool,
    /// The text to scan.
    #[serde(default)]
    pub input: Input,
    /// Decode `\xHH`, `\n`, `\r`, `\t`, `\\` in `input` and `redacted`.
    #[serde(default)]
    pub unescape: bool,
    /// Engine and scan options.
    #[serde(default)]
    pub options: Options,
    /// Every finding, sorted by start.
    #[serde(default)]
    pub findings: Vec<Expected>,
    /// The redacted output, when the case checks redaction.
    pub redacted: Option<Input>,
    /// The build must fail like this (then `findings` must be empty).
    pub build_error: Option<ExpectedError>,
    /// Free text for humans.
    pub note: Option<String>,
}

/// Decodes `\xHH`, `\n`, `\r`, `\t` and `\\`; any other backslash is kept as is.
pub fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            match b[i + 1] {
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b't' => out.push(b'\t'),
                b'\\' => out.push(b'\\'),
                b'x' if i + 3 < b.len() => match (hex(b[i + 2]), hex(b[i + 3])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 4;
                        continue;
                    }
                    _ => out.extend_from_slice(b"\\x"),
                },
                other => {
                    out.push(b'\\');
                    out.push(other);
                }
            }
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

impl Input {
    /// The bytes, unescaped when `unescape` is set.
    pub fn bytes(&self, unescape_it: bool) -> Vec<u8> {
        let dec = |s: &str| {
            if unescape_it {
                unescape(s)
            } else {
                s.as_bytes().to_vec()
            }
        };
        match self {
            Input::Text(s) => dec(s),
            Input::Parts(parts) => {
                let mut out = Vec::new();
                for p in parts {
                    match p {
                        Part::Text(s) => out.extend(dec(s)),
                        Part::Repeat { repeat, count } => {
                            let one = dec(repeat);
                            for _ in 0..*count {
                                out.extend_from_slice(&one);
                            }
                        }
                    }
                }
                out
            }
        }
    }
}

impl Case {
    /// The input bytes.
    pub fn input_bytes(&self) -> Vec<u8> {
        self.input.bytes(self.unescape)
    }

    /// Builds the engine this case asks for.
    ///
    /// # Errors
    /// The engine's build error (which some cases expect).
    pub fn build(&self) -> Result<Engine, BuildError> {
        let mut b = Engine::builder();
        match (&self.rules_toml, self.rules.as_deref()) {
            (Some(text), _) => {
                b.default_rules(self.default);
                b.add_toml(text, &self.name)?;
            }
            (None, None | Some("default")) => {
                b.default_rules(true);
            }
            (None, Some(other)) => panic!("case {}: unknown `rules = {other:?}`", self.name),
        }
        if let Some(e) = self.options.generic_entropy {
            b.generic_entropy(e);
        }
        if !self.options.disable.is_empty() {
            b.disable(self.options.disable.iter());
        }
        if let Some(only) = &self.options.only {
            b.only(only.iter());
        }
        b.build()
    }
}

/// Loads every `*.toml` file in `dir` (sorted by name). Returns `(file name, case)` pairs.
///
/// # Panics
/// On an unreadable or malformed file, or a duplicate case name: vectors are test data.
pub fn load_dir(dir: impl AsRef<Path>) -> Vec<(String, Case)> {
    let dir = dir.as_ref();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    let mut names = std::collections::HashSet::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let file: VectorFile =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let fname = f.file_name().unwrap().to_string_lossy().into_owned();
        for c in file.case {
            assert!(
                names.insert(c.name.clone()),
                "{fname}: duplicate case name {:?}",
                c.name
            );
            out.push((fname.clone(), c));
        }
    }
    out
}

/// Whether a case name passes a `SECRETSIFT_TEST`-style filter: comma-separated substrings;
/// a leading `-` excludes. With only exclusions, everything else is included.
pub fn filter_matches(filter: &str, name: &str) -> bool {
    let mut any_include = false;
    let mut included = false;
    for term in filter.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        if let Some(ex) = term.strip_prefix('-') {
            if name.contains(ex) {
                return false;
            }
        } else {
            any_include = true;
            included |= name.contains(term);
        }
    }
    included || !any_include
}

/// The comparable part of a finding.
fn actual(f: &FindingBuf) -> Expected {
    Expected {
        rule: f.rule_id.clone(),
        span: [f.start, f.end],
        line: f.line,
        column: f.column,
        publishable: f.publishable,
    }
}

fn describe(fs: &[Expected]) -> String {
    if fs.is_empty() {
        return "(none)".into();
    }
    fs.iter()
        .map(|f| {
            format!(
                "{}@{}..{} {}:{}{}",
                f.rule,
                f.span[0],
                f.span[1],
                f.line,
                f.column,
                if f.publishable { " publishable" } else { "" }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Inputs longer than this skip chunk size 1 (a byte at a time over 100 KiB costs minutes in
/// debug builds); they still run at every other size.
pub const BYTEWISE_LIMIT: usize = 16 * 1024;

fn chunked(data: &[u8], size: Option<usize>) -> Vec<&[u8]> {
    match size {
        Some(1) if data.len() > BYTEWISE_LIMIT => data.chunks(7).collect(),
        Some(n) if !data.is_empty() => data.chunks(n).collect(),
        _ => vec![data],
    }
}

fn label(size: Option<usize>) -> String {
    size.map_or_else(|| "whole".to_string(), |n| format!("chunk={n}"))
}

/// Runs one case through every path. Returns one message per disagreement.
pub fn run_case(case: &Case) -> Vec<String> {
    let mut problems = Vec::new();
    let built = case.build();
    if let Some(want) = &case.build_error {
        match built {
            Ok(_) => problems.push(format!(
                "expected build error {want:?}, but the engine built"
            )),
            Err(e) => {
                let got = (e.kind().code(), e.rule_id(), e.field());
                let ok = got.0 == want.kind
                    && want.rule.as_deref().is_none_or(|r| got.1 == Some(r))
                    && want.field.as_deref().is_none_or(|f| got.2 == Some(f));
                if !ok {
                    problems.push(format!(
                        "build error: want kind={} rule={:?} field={:?}, got kind={} rule={:?} field={:?} ({e})",
                        want.kind, want.rule, want.field, got.0, got.1, got.2
                    ));
                }
            }
        }
        return problems;
    }
    let engine = match built {
        Ok(e) => e,
        Err(e) => {
            problems.push(format!("build failed: {e}"));
            return problems;
        }
    };
    let data = case.input_bytes();
    let want = &case.findings;
    let line_mode = case.options.line_mode;

    // Path 1: the one-shot API.
    let got: Vec<Expected> = if line_mode {
        let mut sink = Collect::default();
        let mut sc = engine.scanner();
        sc.set_line_mode(true);
        let Ok(()) = sc.scan(&data, &mut sink);
        sink.findings.iter().map(actual).collect()
    } else {
        engine.scan(&data).iter().map(actual).collect()
    };
    if &got != want {
        problems.push(format!(
            "scan(): want [{}]\n      got [{}]",
            describe(want),
            describe(&got)
        ));
    }

    // Path 2: a scanner fed in chunks; one scanner reused across runs (finish resets it).
    let mut sc = engine.scanner();
    sc.set_line_mode(line_mode);
    for size in CHUNK_SIZES.iter().copied().map(Some).chain([None]) {
        let mut sink = Collect::default();
        for chunk in chunked(&data, size) {
            let Ok(()) = sc.feed(chunk, &mut sink);
        }
        let Ok(()) = sc.finish(&mut sink);
        let got: Vec<Expected> = sink.findings.iter().map(actual).collect();
        if &got != want {
            problems.push(format!(
                "feed({}): want [{}]\n      got [{}]",
                label(size),
                describe(want),
                describe(&got)
            ));
        }
    }

    // Path 3: redaction.
    if let Some(expected) = &case.redacted {
        let expected = expected.bytes(case.unescape);
        let template = case
            .options
            .template
            .clone()
            .unwrap_or_else(|| RedactOptions::default().template);
        if case.options.template.is_none() && !line_mode {
            let got = engine.redact(&data);
            if got != expected {
                problems.push(format!(
                    "redact(): want {:?}\n      got {:?}",
                    String::from_utf8_lossy(&expected),
                    String::from_utf8_lossy(&got)
                ));
            }
        }
        let mut r = engine.redactor(RedactOptions {
            template,
            line_mode,
        });
        for size in CHUNK_SIZES.iter().copied().map(Some).chain([None]) {
            let mut out = Vec::new();
            let res = chunked(&data, size)
                .into_iter()
                .try_for_each(|c| r.feed(c, &mut out))
                .and_then(|_| r.finish(&mut out));
            if let Err(e) = res {
                problems.push(format!("redactor({}): io error {e}", label(size)));
            } else if out != expected {
                problems.push(format!(
                    "redactor({}): want {:?}\n      got {:?}",
                    label(size),
                    String::from_utf8_lossy(&expected),
                    String::from_utf8_lossy(&out)
                ));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescapes() {
        assert_eq!(
            unescape(r"a\x00b\n\r\t\\\xff\q"),
            b"a\x00b\n\r\t\\\xff\\q".to_vec()
        );
        assert_eq!(unescape(r"end\x4"), b"end\\x4".to_vec());
        assert_eq!(unescape(r"\x41"), b"A".to_vec());
    }

    #[test]
    fn a_wrong_expectation_is_reported() {
        let case: Case = toml::from_str(
            r#"
name = "self-test"
rules_toml = '''
[[rules]]
id = "t"
provider = "t"
regex = 'tok_[a-z]{8}'
keywords = ["tok_"]
'''
input = "xx tok_abcdefgh"
findings = [ { rule = "t", span = [3, 15], line = 1, column = 4 } ]
redacted = "xx [REDACTED:t]"
"#,
        )
        .unwrap();
        assert_eq!(run_case(&case), Vec::<String>::new());
        let mut wrong = case.clone();
        wrong.findings[0].span = [2, 15];
        wrong.redacted = Some(Input::Text("xx".into()));
        let problems = run_case(&wrong);
        // scan() + 4 feeds + redact() + 4 redactor runs.
        assert_eq!(problems.len(), 10, "{problems:#?}");
    }

    #[test]
    fn filters() {
        assert!(filter_matches("", "x"));
        assert!(filter_matches("aws", "aws-key"));
        assert!(!filter_matches("aws", "github"));
        assert!(!filter_matches("-aws", "aws-key"));
        assert!(filter_matches("-aws", "github"));
        assert!(!filter_matches("key,-aws", "aws-key"));
    }
}
