//! Turns [`RuleSyntax`] into matchers: the rule regex, its allowlist and its checks.
//!
//! Regexes are compiled for byte streams: ASCII classes (`\w`, `\s`, `\b` are ASCII, as in
//! gitleaks' Go regexes), any byte may match, `^`/`$` are line anchors (CRLF aware). Only the
//! one-pass DFA and the PikeVM are used: both work in memory sized when a [`crate::Scanner`]
//! is created, which is what makes feeding allocation-free (a lazy DFA allocates each state it
//! discovers; the bounded backtracker sizes its scratch per haystack), and both are cheap to
//! build, which keeps start-up fast.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
use regex_automata::meta;
use regex_automata::util::syntax;
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Hir, Look};

use crate::error::{BuildError, BuildErrorKind};
use crate::rule::{AllowTarget, Kind, RuleSyntax};
use crate::validate::Validator;

/// Limits that keep a user-supplied rule from costing unbounded time or memory.
pub(crate) const MAX_REGEX_LEN: usize = 16 * 1024;
const NFA_SIZE_LIMIT: usize = 4 << 20;

/// Public facts about a compiled rule, for listings and findings.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RuleInfo {
    /// Stable kebab-case id.
    pub id: String,
    /// One-sentence description.
    pub description: String,
    /// Normalised provider name.
    pub provider: String,
    /// Secret or publishable.
    pub kind: Kind,
    /// Labels from the rule file.
    pub tags: Vec<String>,
    /// Leading bytes of the secret that are a public prefix.
    pub keep_prefix: usize,
    /// Whether the rule is a generic (name-based) detector.
    pub generic: bool,
}

/// A rule ready to confirm candidates.
pub(crate) struct CompiledRule {
    pub info: RuleInfo,
    pub regex: meta::Regex,
    /// Capture group holding the secret.
    pub secret_group: usize,
    /// Longest match the regex can produce, capped by the engine's `max_match_len`. Bounds the
    /// window searched around a keyword hit.
    pub max_len: usize,
    /// Whether `max_len` bounds every match (the regex's own maximum is within the cap).
    pub bounded: bool,
    pub min_entropy: Option<f64>,
    pub validator: Option<Validator>,
    pub allow_regexes: Vec<meta::Regex>,
    pub allow_target: AllowTarget,
    /// Stopwords, ASCII case-insensitive.
    pub stopwords: Option<AhoCorasick>,
    pub check_placeholders: bool,
    pub keywords: Vec<String>,
    /// The rule's examples and counter-examples: run once when a scanner is created so the
    /// PikeVM's stack reaches working size then (counter-examples take the near-miss paths).
    pub warm_up: Vec<String>,
    /// `Some(flags)` when every match of the regex begins with one of the rule's keywords:
    /// then the regex runs anchored at the start of each occurrence of a flagged keyword
    /// (`flags[i]` for `keywords[i]`) instead of over the keyword's window.
    pub anchors: Option<Vec<bool>>,
}

pub(crate) fn syntax_config() -> syntax::Config {
    syntax::Config::new()
        .unicode(false)
        .utf8(false)
        .multi_line(true)
        .crlf(true)
}

fn meta_config() -> meta::Config {
    meta::Config::new()
        // Searches are anchored at a keyword or confined to its window: short, so the one-pass
        // DFA and the PikeVM suffice. Full DFAs made start-up 40x slower (seconds for the
        // default set, paid by every process and browser tab), and a literal prefilter cannot
        // help inside a window the keyword prefilter already chose.
        .dfa(false)
        .auto_prefilter(false)
        .utf8_empty(false)
        .hybrid(false)
        // The bounded backtracker grows its visited set with the haystack; the PikeVM (and the
        // one-pass DFA, where it applies) find capture groups in fixed memory instead.
        .backtrack(false)
        .nfa_size_limit(Some(NFA_SIZE_LIMIT))
}

/// Parses one regex of rule `id`, reporting problems against `field`.
pub(crate) fn parse_regex(id: &str, field: &str, pattern: &str) -> Result<Hir, BuildError> {
    let err = |msg: String| BuildError::rule(BuildErrorKind::Regex, id, field, msg);
    if pattern.len() > MAX_REGEX_LEN {
        return Err(BuildError::rule(
            BuildErrorKind::Limit,
            id,
            field,
            format!(
                "regex is {} bytes long; the limit is {MAX_REGEX_LEN}",
                pattern.len()
            ),
        ));
    }
    let mut parser = regex_syntax::ParserBuilder::new();
    let c = syntax_config();
    parser
        .unicode(c.get_unicode())
        .utf8(c.get_utf8())
        .multi_line(c.get_multi_line())
        .crlf(c.get_crlf())
        .nest_limit(100);
    let hir = parser
        .build()
        .parse(pattern)
        .map_err(|e| err(one_line(&e.to_string())))?;
    let looks = hir.properties().look_set();
    if looks.contains(Look::Start) || looks.contains(Look::End) {
        return Err(err(
            "`\\A` and `\\z` are not supported: input is a stream, so use `^`/`$` (line anchors) instead".into(),
        ));
    }
    Ok(hir)
}

/// Compiles a parsed regex of rule `id`.
pub(crate) fn build_regex(id: &str, field: &str, hir: &Hir) -> Result<meta::Regex, BuildError> {
    meta::Builder::new()
        .configure(meta_config())
        .build_from_hir(hir)
        .map_err(|e| {
            if e.size_limit().is_some() {
                BuildError::rule(
                    BuildErrorKind::Limit,
                    id,
                    field,
                    format!("regex is too large to compile: {e}"),
                )
            } else {
                BuildError::rule(BuildErrorKind::Regex, id, field, one_line(&e.to_string()))
            }
        })
}

/// Which keywords can start a match, if every match starts with one of them.
///
/// Uses the regex's prefix literals: when each (lowercased) begins with a keyword, every match
/// begins at an occurrence of that keyword. Case-insensitive prefixes expand to many literals,
/// hence the generous total (classes beyond a case pair end a literal: only the part before
/// them matters here); when the set would be larger, the answer is `None` and the rule
/// falls back to searching the keyword's window.
fn anchor_keywords(hir: &Hir, keywords: &[String]) -> Option<Vec<bool>> {
    let mut ex = Extractor::new();
    ex.kind(ExtractKind::Prefix)
        .limit_class(2)
        .limit_repeat(8)
        .limit_literal_len(64)
        .limit_total(4096);
    let seq = ex.extract(hir);
    let lits = seq.literals()?;
    if lits.is_empty() {
        return None;
    }
    let mut flags = vec![false; keywords.len()];
    for lit in lits {
        let lower = lit.as_bytes().to_ascii_lowercase();
        let mut any = false;
        for (i, k) in keywords.iter().enumerate() {
            if lower.starts_with(k.as_bytes()) {
                flags[i] = true;
                any = true;
            }
        }
        if !any {
            return None;
        }
    }
    Some(flags)
}

fn one_line(s: &str) -> String {
    s.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Compiles one rule. `generic_entropy` overrides the entropy of generic rules when set.
pub(crate) fn compile_rule(
    r: &RuleSyntax,
    max_match_len: usize,
    generic_entropy: Option<f64>,
) -> Result<CompiledRule, BuildError> {
    let id = r.id.as_str();
    let bad =
        |field: &str, msg: String| BuildError::rule(BuildErrorKind::InvalidValue, id, field, msg);
    if !is_kebab(id) {
        return Err(bad(
            "id",
            format!("`{id}` is not a kebab-case id (lowercase letters, digits, `-` or `.`)"),
        ));
    }
    if r.provider.trim().is_empty() {
        return Err(bad("provider", "is empty".into()));
    }
    let keywords: Vec<String> = r.keywords.iter().map(|k| k.to_ascii_lowercase()).collect();
    if keywords.is_empty() {
        return Err(BuildError::rule(
            BuildErrorKind::NoKeyword,
            id,
            "keywords",
            "a rule needs at least one keyword: keywords select which rules run where",
        ));
    }
    if let Some(k) = keywords.iter().find(|k| k.len() < 2 || k.len() > 64) {
        return Err(bad(
            "keywords",
            format!("keyword `{k}` must be 2 to 64 bytes long"),
        ));
    }
    let hir = parse_regex(id, "regex", &r.regex)?;
    let anchors = anchor_keywords(&hir, &keywords);
    let regex = build_regex(id, "regex", &hir)?;
    let groups = regex
        .group_info()
        .group_len(regex_automata::PatternID::ZERO);
    let secret_group = match r.secret_group {
        Some(g) => g as usize,
        None if groups > 1 => 1,
        None => 0,
    };
    if secret_group >= groups {
        return Err(bad(
            "secret_group",
            format!(
                "group {secret_group} does not exist: the regex has {} capture group(s)",
                groups - 1
            ),
        ));
    }
    let max_len = hir
        .properties()
        .maximum_len()
        .unwrap_or(usize::MAX)
        .min(max_match_len);
    let bounded = hir
        .properties()
        .maximum_len()
        .is_some_and(|m| m <= max_match_len);
    let validator = match &r.validator {
        None => None,
        Some(name) => Some(Validator::from_name(name).ok_or_else(|| {
            let known: Vec<&str> = Validator::ALL.iter().map(|(n, _)| *n).collect();
            BuildError::rule(
                BuildErrorKind::UnknownValidator,
                id,
                "validator",
                format!("unknown validator `{name}`; known: {}", known.join(", ")),
            )
        })?),
    };
    let generic = r.is_generic();
    let min_entropy = match (generic, generic_entropy) {
        (true, Some(e)) => Some(e),
        _ => r.entropy,
    };
    if let Some(e) = min_entropy {
        if !(0.0..=8.0).contains(&e) {
            return Err(bad(
                "entropy",
                format!("{e} is outside 0.0..=8.0 bits per byte"),
            ));
        }
    }
    let allow_regexes = r
        .allowlist
        .regexes
        .iter()
        .map(|p| {
            parse_regex(id, "allowlist.regexes", p)
                .and_then(|h| build_regex(id, "allowlist.regexes", &h))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let stopwords = if r.allowlist.stopwords.is_empty() {
        None
    } else {
        Some(
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .build(&r.allowlist.stopwords)
                .map_err(|e| bad("allowlist.stopwords", e.to_string()))?,
        )
    };
    Ok(CompiledRule {
        info: RuleInfo {
            id: r.id.clone(),
            description: r.description.clone(),
            provider: r.provider.clone(),
            kind: r.kind,
            tags: r.tags.clone(),
            keep_prefix: r.keep_prefix as usize,
            generic,
        },
        regex,
        secret_group,
        max_len,
        bounded,
        min_entropy,
        validator,
        allow_regexes,
        allow_target: r.allowlist.target,
        stopwords,
        check_placeholders: !r.allow_placeholders,
        keywords,
        warm_up: r
            .examples
            .iter()
            .chain(&r.negative_examples)
            .cloned()
            .collect(),
        anchors,
    })
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && id.as_bytes()[0].is_ascii_alphanumeric()
}
