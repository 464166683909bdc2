//! Turns [`RuleSyntax`] into matchers: the rule regex, its allowlist and its checks.
//!
//! Regexes are compiled for byte streams: ASCII classes (`\w`, `\s`, `\b` are ASCII, as in
//! gitleaks' Go regexes), any byte may match, `^`/`$` are line anchors (CRLF aware), and the
//! lazy DFA is off. The last point is what makes feeding allocation-free: a lazy DFA allocates
//! each state it discovers, while a full DFA (built here, when it fits the size limit), the
//! one-pass DFA and the PikeVM work in memory sized when a [`crate::Scanner`] is created
//! (the bounded backtracker is off for the same reason: it sizes its scratch per haystack).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
use regex_automata::meta;
use regex_automata::util::syntax;
use regex_syntax::hir::{Hir, Look};

use crate::error::{BuildError, BuildErrorKind};
use crate::rule::{AllowTarget, Kind, RuleSyntax};
use crate::validate::Validator;

/// Limits that keep a user-supplied rule from costing unbounded time or memory.
pub(crate) const MAX_REGEX_LEN: usize = 16 * 1024;
const NFA_SIZE_LIMIT: usize = 4 << 20;
const DFA_SIZE_LIMIT: usize = 1 << 20;
const DFA_STATE_LIMIT: usize = 2_000;

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
    pub min_entropy: Option<f64>,
    pub validator: Option<Validator>,
    pub allow_regexes: Vec<meta::Regex>,
    pub allow_target: AllowTarget,
    /// Stopwords, ASCII case-insensitive.
    pub stopwords: Option<AhoCorasick>,
    pub check_placeholders: bool,
    pub keywords: Vec<String>,
    /// The rule's examples: run once when a scanner is created to size regex scratch.
    pub warm_up: Vec<String>,
}

pub(crate) fn syntax_config() -> syntax::Config {
    syntax::Config::new().unicode(false).utf8(false).multi_line(true).crlf(true)
}

fn meta_config() -> meta::Config {
    meta::Config::new()
        .utf8_empty(false)
        .hybrid(false)
        // The bounded backtracker grows its visited set with the haystack; the PikeVM (and the
        // one-pass DFA, where it applies) find capture groups in fixed memory instead.
        .backtrack(false)
        .dfa(true)
        .dfa_size_limit(Some(DFA_SIZE_LIMIT))
        .dfa_state_limit(Some(DFA_STATE_LIMIT))
        .nfa_size_limit(Some(NFA_SIZE_LIMIT))
}

/// Parses and compiles one regex of rule `id`, reporting problems against `field`.
pub(crate) fn compile_regex(id: &str, field: &str, pattern: &str) -> Result<(meta::Regex, Hir), BuildError> {
    let err = |msg: String| BuildError::rule(BuildErrorKind::Regex, id, field, msg);
    if pattern.len() > MAX_REGEX_LEN {
        return Err(BuildError::rule(
            BuildErrorKind::Limit,
            id,
            field,
            format!("regex is {} bytes long; the limit is {MAX_REGEX_LEN}", pattern.len()),
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
    let hir = parser.build().parse(pattern).map_err(|e| err(one_line(&e.to_string())))?;
    let looks = hir.properties().look_set();
    if looks.contains(Look::Start) || looks.contains(Look::End) {
        return Err(err(
            "`\\A` and `\\z` are not supported: input is a stream, so use `^`/`$` (line anchors) instead".into(),
        ));
    }
    let regex = meta::Builder::new().configure(meta_config()).build_from_hir(&hir).map_err(|e| {
        if e.size_limit().is_some() {
            BuildError::rule(BuildErrorKind::Limit, id, field, format!("regex is too large to compile: {e}"))
        } else {
            err(one_line(&e.to_string()))
        }
    })?;
    Ok((regex, hir))
}

fn one_line(s: &str) -> String {
    s.lines().map(str::trim_end).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" | ")
}

/// Compiles one rule. `generic_entropy` overrides the entropy of generic rules when set.
pub(crate) fn compile_rule(
    r: &RuleSyntax,
    max_match_len: usize,
    generic_entropy: Option<f64>,
) -> Result<CompiledRule, BuildError> {
    let id = r.id.as_str();
    let bad = |field: &str, msg: String| BuildError::rule(BuildErrorKind::InvalidValue, id, field, msg);
    if !is_kebab(id) {
        return Err(bad("id", format!("`{id}` is not a kebab-case id (lowercase letters, digits, `-` or `.`)")));
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
        return Err(bad("keywords", format!("keyword `{k}` must be 2 to 64 bytes long")));
    }
    let (regex, hir) = compile_regex(id, "regex", &r.regex)?;
    let groups = regex.group_info().group_len(regex_automata::PatternID::ZERO);
    let secret_group = match r.secret_group {
        Some(g) => g as usize,
        None if groups > 1 => 1,
        None => 0,
    };
    if secret_group >= groups {
        return Err(bad(
            "secret_group",
            format!("group {secret_group} does not exist: the regex has {} capture group(s)", groups - 1),
        ));
    }
    let max_len = hir.properties().maximum_len().unwrap_or(usize::MAX).min(max_match_len);
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
            return Err(bad("entropy", format!("{e} is outside 0.0..=8.0 bits per byte")));
        }
    }
    let allow_regexes = r
        .allowlist
        .regexes
        .iter()
        .map(|p| compile_regex(id, "allowlist.regexes", p).map(|(re, _)| re))
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
        min_entropy,
        validator,
        allow_regexes,
        allow_target: r.allowlist.target,
        stopwords,
        check_placeholders: !r.allow_placeholders,
        keywords,
        warm_up: r.examples.clone(),
    })
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && id.as_bytes()[0].is_ascii_alphanumeric()
}
