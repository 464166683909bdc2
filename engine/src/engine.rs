//! The compiled, immutable engine and its builder.

use std::sync::Arc;

use crate::compile::{compile_rule, CompiledRule, RuleInfo};
use crate::error::{BuildError, BuildErrorKind};
use crate::finding::FindingBuf;
use crate::prefilter::Prefilter;
use crate::redact::{RedactOptions, Redactor};
use crate::rule::{parse_toml, RuleSyntax};
use crate::scanner::Scanner;
use crate::sink;

include!(concat!(env!("OUT_DIR"), "/default_rules.rs"));

/// Bytes a match may start before, or end after, the window its keyword opens (see
/// [`Engine`]'s "Windows" section).
pub const NEAR: usize = 32;
/// Default cap on the length of one match.
pub const DEFAULT_MAX_MATCH_LEN: usize = 8 * 1024;
/// Caps on untrusted rulesets.
pub const MAX_RULES: usize = 10_000;
/// Cap on distinct keywords across all rules.
pub const MAX_KEYWORDS: usize = 50_000;

/// The default rule files, as embedded at compile time: `(file name, TOML text)`.
pub fn default_rule_files() -> &'static [(&'static str, &'static str)] {
    DEFAULT_RULE_FILES
}

/// Parses the embedded default ruleset.
///
/// # Panics
/// Never in a released build: the test suite parses every embedded file.
pub fn default_rules() -> Vec<RuleSyntax> {
    DEFAULT_RULE_FILES
        .iter()
        .flat_map(|(name, text)| {
            parse_toml(text, name).unwrap_or_else(|e| panic!("embedded ruleset: {e}"))
        })
        .collect()
}

/// A compiled set of rules: immutable, `Send + Sync`, cheap to clone (one `Arc`).
///
/// Build it once with [`Engine::builder`], share it across threads, and create one
/// [`Scanner`] (or [`Redactor`]) per stream.
///
/// # Windows
/// A keyword hit ending at byte `e` opens the window `[e - L, e + L)` with
/// `L = min(max match length of the rule's regex, max_match_len) + NEAR`. The rule's regex is
/// searched inside the window only, so a finding contains its keyword or lies within `NEAR`
/// bytes of it. Because windows depend only on absolute positions, results do not depend on how
/// the input is split into chunks.
#[derive(Clone)]
pub struct Engine(pub(crate) Arc<Inner>);

pub(crate) struct Inner {
    pub rules: Vec<CompiledRule>,
    /// Finds all distinct keywords, ASCII case-insensitive, overlapping (see
    /// [`crate::prefilter`]).
    pub prefilter: Prefilter,
    /// For each prefilter pattern, the rules that keyword selects.
    pub keyword_rules: Vec<Vec<u32>>,
    /// Longest keyword, in bytes.
    pub max_keyword_len: usize,
    /// Largest window reach `L` over all rules.
    pub reach: usize,
    /// Also scan decoded views of base64 runs and escaped text.
    pub decode: bool,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("rules", &self.0.rules.len())
            .field("reach", &self.0.reach)
            .finish()
    }
}

impl Engine {
    /// A builder, starting from the embedded default ruleset.
    pub fn builder() -> EngineBuilder {
        EngineBuilder::new()
    }

    /// The engine with the embedded default ruleset.
    ///
    /// # Errors
    /// Only if the embedded rules fail to compile, which the test suite rules out.
    pub fn with_default_rules() -> Result<Engine, BuildError> {
        EngineBuilder::new().build()
    }

    /// Facts about every loaded rule, in load order. A finding's rule index points here.
    pub fn rules(&self) -> impl ExactSizeIterator<Item = &RuleInfo> {
        self.0.rules.iter().map(|r| &r.info)
    }

    /// The rule with index `i`.
    pub fn rule(&self, i: usize) -> Option<&RuleInfo> {
        self.0.rules.get(i).map(|r| &r.info)
    }

    /// A new per-stream scanner; sizes all of its scratch now.
    pub fn scanner(&self) -> Scanner {
        Scanner::new(self.clone())
    }

    /// A new streaming redactor.
    pub fn redactor(&self, options: RedactOptions) -> Redactor {
        Redactor::new(self.clone(), options)
    }

    /// Convenience: scans a whole buffer and returns owned findings in input order.
    pub fn scan(&self, data: &[u8]) -> Vec<FindingBuf> {
        let mut out = sink::Collect::default();
        let mut sc = self.scanner();
        let Ok(()) = sc.scan(data, &mut out);
        out.findings
    }

    /// Convenience: redacts a whole buffer with default options.
    pub fn redact(&self, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(data.len());
        let mut r = self.redactor(RedactOptions::default());
        // Writing to a Vec cannot fail.
        let _ = r.feed(data, &mut out).and_then(|_| r.finish(&mut out));
        out
    }

    /// How many bytes a stream may hold back before its findings are final (the window):
    /// a finding is reported, and redacted output released, at most this many bytes after the
    /// input that decides it has been fed.
    pub fn window(&self) -> usize {
        2 * self.0.reach + 8
    }
}

/// Collects rules and options, then compiles an [`Engine`].
#[derive(Clone, Debug)]
pub struct EngineBuilder {
    default_rules: bool,
    extra: Vec<RuleSyntax>,
    disabled: Vec<String>,
    only: Option<Vec<String>>,
    generic_entropy: Option<f64>,
    max_match_len: usize,
    decode: bool,
}

impl Default for EngineBuilder {
    fn default() -> Self {
        EngineBuilder::new()
    }
}

impl EngineBuilder {
    /// Starts with the default ruleset enabled and default options.
    pub fn new() -> EngineBuilder {
        EngineBuilder {
            default_rules: true,
            extra: Vec::new(),
            disabled: Vec::new(),
            only: None,
            generic_entropy: None,
            max_match_len: DEFAULT_MAX_MATCH_LEN,
            decode: true,
        }
    }

    /// Whether to include the embedded default ruleset (on by default).
    pub fn default_rules(&mut self, yes: bool) -> &mut Self {
        self.default_rules = yes;
        self
    }

    /// Adds rules from a secretsift TOML text; `origin` names it in errors.
    ///
    /// # Errors
    /// A syntax error in the text (the rules are compiled, and checked further, in
    /// [`build`](Self::build)).
    pub fn add_toml(&mut self, text: &str, origin: &str) -> Result<&mut Self, BuildError> {
        self.extra.extend(parse_toml(text, origin)?);
        Ok(self)
    }

    /// Adds rules already parsed.
    pub fn add_rules(&mut self, rules: impl IntoIterator<Item = RuleSyntax>) -> &mut Self {
        self.extra.extend(rules);
        self
    }

    /// Leaves out the rules with these ids.
    pub fn disable<S: AsRef<str>>(&mut self, ids: impl IntoIterator<Item = S>) -> &mut Self {
        self.disabled
            .extend(ids.into_iter().map(|s| s.as_ref().to_string()));
        self
    }

    /// Keeps only the rules with these ids.
    pub fn only<S: AsRef<str>>(&mut self, ids: impl IntoIterator<Item = S>) -> &mut Self {
        self.only = Some(ids.into_iter().map(|s| s.as_ref().to_string()).collect());
        self
    }

    /// Minimum entropy (bits per byte) for values found by generic rules, replacing each
    /// generic rule's own threshold. Higher means fewer, surer findings.
    pub fn generic_entropy(&mut self, bits: f64) -> &mut Self {
        self.generic_entropy = Some(bits);
        self
    }

    /// Whether to look inside base64 runs, JSON/JavaScript string escapes and percent-encoding
    /// (on by default). Findings there report the encoded span.
    pub fn decode(&mut self, yes: bool) -> &mut Self {
        self.decode = yes;
        self
    }

    /// Longest match any rule may produce (default 8 KiB). Bounds memory per stream.
    pub fn max_match_len(&mut self, len: usize) -> &mut Self {
        self.max_match_len = len.clamp(64, 1 << 20);
        self
    }

    /// Compiles the rules.
    ///
    /// # Errors
    /// A bad rule (regex, keyword, validator, field value), a duplicate id, or a limit; the
    /// error names the rule id and field.
    pub fn build(&self) -> Result<Engine, BuildError> {
        let mut syntax: Vec<RuleSyntax> = if self.default_rules {
            default_rules()
        } else {
            Vec::new()
        };
        syntax.extend(self.extra.iter().cloned());
        syntax.retain(|r| !self.disabled.contains(&r.id));
        if let Some(only) = &self.only {
            syntax.retain(|r| only.contains(&r.id));
        }
        if syntax.len() > MAX_RULES {
            return Err(BuildError::new(
                BuildErrorKind::Limit,
                format!("{} rules loaded; the limit is {MAX_RULES}", syntax.len()),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for r in &syntax {
            if !seen.insert(r.id.as_str()) {
                return Err(BuildError::rule(
                    BuildErrorKind::DuplicateId,
                    &r.id,
                    "id",
                    "another rule has the same id",
                ));
            }
        }
        let rules = syntax
            .iter()
            .map(|r| compile_rule(r, self.max_match_len, self.generic_entropy))
            .collect::<Result<Vec<_>, _>>()?;

        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<u32>> = Vec::new();
        let mut index = std::collections::HashMap::new();
        for (ri, r) in rules.iter().enumerate() {
            for (ki, k) in r.keywords.iter().enumerate() {
                // An anchored rule only needs the keywords its matches can start with.
                if r.anchors.as_ref().is_some_and(|a| !a[ki]) {
                    continue;
                }
                let pid = *index.entry(k.clone()).or_insert_with(|| {
                    keywords.push(k.clone());
                    keyword_rules.push(Vec::new());
                    keywords.len() - 1
                });
                if keyword_rules[pid].last() != Some(&(ri as u32)) {
                    keyword_rules[pid].push(ri as u32);
                }
            }
        }
        if keywords.len() > MAX_KEYWORDS {
            return Err(BuildError::new(
                BuildErrorKind::Limit,
                format!(
                    "{} distinct keywords; the limit is {MAX_KEYWORDS}",
                    keywords.len()
                ),
            ));
        }
        let prefilter = Prefilter::new(&keywords);
        let max_keyword_len = keywords.iter().map(String::len).max().unwrap_or(0);
        let reach = rules
            .iter()
            .map(|r| r.max_len + NEAR)
            .max()
            .unwrap_or(NEAR)
            .max(max_keyword_len + NEAR);
        Ok(Engine(Arc::new(Inner {
            rules,
            prefilter,
            keyword_rules,
            max_keyword_len,
            reach,
            decode: self.decode,
        })))
    }
}
