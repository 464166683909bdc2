//! Turns [`RuleSyntax`] into matchers: the rule regex, its allowlist and its checks.
//!
//! Regexes are compiled for byte streams: ASCII classes (`\w`, `\s`, `\b` are ASCII, as in
//! gitleaks' Go regexes), any byte may match, `^`/`$` are line anchors (CRLF aware). Only the
//! PikeVM is used: it works in memory sized when a [`crate::Scanner`] is created, which is
//! what makes feeding allocation-free (a lazy DFA allocates each state it discovers; the
//! bounded backtracker sizes its scratch per haystack), and it is cheap to build, which keeps
//! start-up fast. Rules whose keywords are common also get a
//! [`crate::gate::Gate`]: a small dense DFA (no scratch memory at all) that rejects most
//! keyword occurrences before the PikeVM runs.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
use regex_automata::meta;
use regex_automata::util::syntax;
use regex_syntax::hir::Hir;

use crate::error::{BuildError, BuildErrorKind};
use crate::gate::{wants_gate, Gate, GateKind, KeywordGates};
use crate::regex_facts::{self, ByteSet, Facts, ParseError};
use crate::required::{required_bytes, RequiredBytes};
use crate::rule::{AllowTarget, Kind, RuleSyntax};
use crate::validate::Validator;

/// Limit that keeps a user-supplied rule from costing unbounded memory.
pub(crate) const NFA_SIZE_LIMIT: usize = 4 << 20;

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
    /// Capture group holding the secret.
    pub secret_group: usize,
    /// Longest match the regex can produce, capped by the engine's `max_match_len`. Bounds the
    /// window searched around a keyword hit.
    pub max_len: usize,
    /// Whether `max_len` bounds every match (the regex's own maximum is within the cap).
    pub bounded: bool,
    pub min_entropy: Option<f64>,
    pub validator: Option<Validator>,
    pub allow_target: AllowTarget,
    pub check_placeholders: bool,
    pub keywords: Vec<String>,
    /// The rule's examples and counter-examples: run once when a scanner is created so the
    /// PikeVM's stack reaches working size then (counter-examples take the near-miss paths).
    /// Empty in a lazy engine, which gives up that guarantee anyway.
    pub warm_up: Vec<String>,
    /// `Some(flags)` when every match of the regex begins with one of the rule's keywords:
    /// then the regex runs anchored at the start of each occurrence of a flagged keyword
    /// (`flags[i]` for `keywords[i]`) instead of over the keyword's window.
    pub anchors: Option<Vec<bool>>,
    /// For each keyword, the bytes a match can have right after it (see
    /// [`regex_facts::follow_bytes`]); `None`: any.
    pub follow: Option<Vec<ByteSet>>,
    /// The bytes that may come right before a flagged keyword's occurrence, besides a line
    /// start, when the regex opens with such a guard (see [`regex_facts::split_guard`]): the
    /// compiled regex is then the rest, run anchored at the keyword.
    pub guard: Option<ByteSet>,
    /// Which [`Gate`] the matcher gets (see [`wants_gate`]).
    gated: GateKind,
    /// The compiled regexes: set at build in an eager engine, else on first use.
    matcher: OnceLock<Matcher>,
    /// What `matcher` is compiled from, while it may still be needed.
    patterns: Option<Patterns>,
}

/// The parts of a rule that take time to compile: its regex and allowlist.
pub(crate) struct Matcher {
    pub regex: meta::Regex,
    /// A small DFA for a prefix of the regex (see [`crate::gate::gate_hir`]): when it finds no
    /// match, the regex has none either, and the PikeVM need not run. Built with the matcher
    /// in an eager engine, after the rule's first PikeVM runs in a lazy one (see [`RuleGate`]);
    /// none when too large.
    pub gate: RuleGate,
    /// For a generic window rule: gates run at each keyword occurrence before its window is
    /// searched (see [`KeywordGates`]).
    pub keyword_gates: KeywordGates,
    pub allow_regexes: Vec<meta::Regex>,
    /// Stopwords, ASCII case-insensitive.
    pub stopwords: Option<AhoCorasick>,
    /// For a window rule: rare bytes one of which every match holds (a window without any has
    /// no match).
    pub required: Option<RequiredBytes>,
}

/// A rule's gate, which an eager engine builds with the rule and a lazy engine only once the
/// rule has run the PikeVM [`LATE_AFTER`] times ([`LATE_AFTER_FULL`] for anchored full
/// gates), in any stream (and a shared gate, once its keywords have occurred
/// [`LATE_AFTER_FULL`] times: see [`crate::shared_gate`]). A lazy engine is for
/// start-up-bound hosts (the CLI on a few files, a commit hook, a browser tab), where building
/// the gates of every rule the input selects cost more than it saved: the generic rules' gates
/// take 3-4 ms each, and the CLI spent 45 of its 50 ms on the demo folder building them for a
/// handful of `password`s. Rules that need one (`token` all over minified code, `zoom` in real
/// bundles) get it within a few MiB. Gates never change results, so neither does when they
/// are built.
pub(crate) struct RuleGate {
    /// What a lazy engine builds it from; `None` once built up front.
    source: Option<(Hir, GateKind, usize)>,
    runs: AtomicU32,
    gate: OnceLock<Option<Gate>>,
}

/// PikeVM runs after which a lazy engine builds a rule's light gate: one costs about as much
/// to build as 50-100 anchored PikeVM runs of its rule.
pub(crate) const LATE_AFTER: u32 = 64;

/// The same for full anchored gates (generic rules, and rules that share their keywords) and
/// shared gates: these take 1-15 ms each to build, while their rules' anchored PikeVM runs on
/// the common keywords (`token`, `key`, `secret` in code) mostly end a few bytes in. Waiting
/// for 64 runs built them for inputs that never repaid them: on 4 MiB of real npm bundles the
/// CLI spent 570M of its 880M instructions on gates; with 1,024, 279M in all. Window rules
/// keep 64: each of their runs searches a whole window (hundreds of bytes at every `eaa` of
/// Facebook's rule in logs), and waiting for 1,024 of those cost 128 MiB of logs 20% more.
pub(crate) const LATE_AFTER_FULL: u32 = 1024;

impl RuleGate {
    /// Built now (an eager engine), or later (`late`: see [`RuleGate::get`]).
    fn new(hir: &Hir, kind: GateKind, secret_group: usize, late: bool) -> RuleGate {
        let gate = OnceLock::new();
        let source = match late {
            true => Some((hir.clone(), kind, secret_group)),
            false => {
                let _ = gate.set(Gate::build(hir, kind, secret_group));
                None
            }
        };
        RuleGate {
            source,
            runs: AtomicU32::new(0),
            gate,
        }
    }

    /// Whether it has been built (for tests).
    #[cfg(test)]
    pub fn is_built(&self) -> bool {
        self.gate.get().is_some()
    }

    /// The gate, once built. Until then each call counts a PikeVM run about to happen, and the
    /// [`LATE_AFTER`]-th ([`LATE_AFTER_FULL`]-th for anchored full gates) builds it
    /// (thread-safe: concurrent calls build it once).
    pub fn get(&self) -> Option<&Gate> {
        if let Some(gate) = self.gate.get() {
            return gate.as_ref();
        }
        // Not built, so built late: `source` is kept until then.
        let late_after = match self.source {
            Some((_, GateKind::Anchored { .. }, _)) => LATE_AFTER_FULL,
            _ => LATE_AFTER,
        };
        if self.runs.fetch_add(1, Ordering::Relaxed) + 1 < late_after {
            return None;
        }
        self.build()
    }

    /// The gate, built now if it is not yet (for a shared gate that needs its members').
    pub fn build(&self) -> Option<&Gate> {
        self.gate
            .get_or_init(|| {
                let (hir, kind, secret_group) =
                    self.source.as_ref().expect("kept until the gate is built");
                Gate::build(hir, *kind, *secret_group)
            })
            .as_ref()
    }
}

/// One scanner's scratch for one rule's [`Matcher`].
pub(crate) struct MatcherCache {
    pub regex: meta::Cache,
    pub allow: Vec<meta::Cache>,
}

/// The texts a [`Matcher`] is compiled from.
struct Patterns {
    regex: String,
    allow_regexes: Vec<String>,
    stopwords: Vec<String>,
}

impl CompiledRule {
    /// Whether the regexes are compiled yet.
    #[cfg(test)]
    pub fn is_compiled(&self) -> bool {
        self.matcher.get().is_some()
    }

    /// Whether the rule's regex runs anchored at its keywords with an anchored gate (once
    /// compiled, if the gate's DFA fits its limits). The kind says both: [`wants_gate`] makes
    /// it `Anchored` only for rules with anchors.
    pub fn has_anchored_gate_kind(&self) -> bool {
        matches!(self.gated, GateKind::Anchored { .. })
    }

    /// Heap bytes of the compiled regexes, or 0 while they are not compiled yet.
    pub fn compiled_memory(&self) -> usize {
        self.matcher.get().map_or(0, |m| {
            m.regex.memory_usage()
                + m.allow_regexes
                    .iter()
                    .map(|a| a.memory_usage())
                    .sum::<usize>()
        })
    }

    /// The rule's compiled regexes, compiling them now if this is their first use (lazy
    /// engines; thread-safe: concurrent first uses compile once).
    pub fn matcher(&self) -> &Matcher {
        self.matcher.get_or_init(|| {
            let p = self
                .patterns
                .as_ref()
                .expect("set while the matcher is not");
            // Only embedded rules are compiled lazily, and the test suite compiles every one
            // of them (`rules_check`), so this cannot fail in a released build.
            Matcher::compile(
                &self.info.id,
                p,
                None,
                self.gated,
                self.secret_group,
                &self.keywords,
                self.guard.is_some(),
                true,
            )
            .unwrap_or_else(|e| panic!("embedded rule failed to compile: {e}"))
        })
    }
}

impl Matcher {
    /// Compiles rule `id`'s regex (from `hir` when already parsed; only its rest after the
    /// guard when `guarded`), allowlist and stopwords; `lazy`: on first use, in a scan.
    #[allow(clippy::too_many_arguments)]
    fn compile(
        id: &str,
        source: &Patterns,
        hir: Option<Hir>,
        gated: GateKind,
        secret_group: usize,
        keywords: &[String],
        guarded: bool,
        lazy: bool,
    ) -> Result<Matcher, BuildError> {
        let Patterns {
            regex,
            allow_regexes,
            stopwords,
        } = source;
        let hir = match hir {
            Some(h) => h,
            None => parse_regex(id, "regex", regex)?,
        };
        let hir = match guarded {
            true => {
                regex_facts::split_guard(&hir)
                    .expect("a guarded rule's regex opens with its guard")
                    .1
            }
            false => hir,
        };
        let regex = build_regex(id, "regex", &hir)?;
        // Only window searches use them (an anchored search starts at its keyword).
        let required = (!gated.anchored()).then(|| required_bytes(&hir)).flatten();
        let gate = RuleGate::new(&hir, gated, secret_group, lazy);
        let keyword_gates = match gated {
            GateKind::Window { generic: true } => KeywordGates::build(&hir, keywords),
            _ => KeywordGates::default(),
        };
        let allow_regexes = allow_regexes
            .iter()
            .map(|p| {
                parse_regex(id, "allowlist.regexes", p)
                    .and_then(|h| build_regex(id, "allowlist.regexes", &h))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let stopwords = if stopwords.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .build(stopwords)
                    .map_err(|e| {
                        BuildError::rule(
                            BuildErrorKind::InvalidValue,
                            id,
                            "allowlist.stopwords",
                            e.to_string(),
                        )
                    })?,
            )
        };
        Ok(Matcher {
            regex,
            gate,
            keyword_gates,
            allow_regexes,
            stopwords,
            required,
        })
    }

    /// Fresh scratch for this matcher, with every engine's memory allocated now: `reset` makes
    /// the meta regex create it here rather than lazily, on a first search in a `feed`.
    pub fn cache(&self) -> MatcherCache {
        let cache = |re: &meta::Regex| {
            let mut c = re.create_cache();
            c.reset(re);
            c
        };
        MatcherCache {
            regex: cache(&self.regex),
            allow: self.allow_regexes.iter().map(cache).collect(),
        }
    }
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
        // Searches are anchored at a keyword or confined to its window: short, so the PikeVM
        // suffices. Full DFAs made start-up 40x slower (seconds for the default set, paid by
        // every process and browser tab), and a literal prefilter cannot help inside a window
        // the keyword prefilter already chose. The one-pass DFA was a sixth of compiling a
        // rule (at its first keyword, in a lazy engine) and only sped up capture searches,
        // which mostly run where a gate already found a match: without it the CLI does 1-6%
        // less work on 4 MiB of logs, minified JS, real bundles and source (same findings).
        .dfa(false)
        .auto_prefilter(false)
        .utf8_empty(false)
        .hybrid(false)
        // The bounded backtracker grows its visited set with the haystack; the PikeVM finds
        // capture groups in fixed memory instead.
        .backtrack(false)
        .onepass(false)
        .nfa_size_limit(Some(NFA_SIZE_LIMIT))
}

/// Parses one regex of rule `id`, reporting problems against `field`.
pub(crate) fn parse_regex(id: &str, field: &str, pattern: &str) -> Result<Hir, BuildError> {
    regex_facts::parse(pattern).map_err(|e| match e {
        ParseError::Limit(msg) => BuildError::rule(BuildErrorKind::Limit, id, field, msg),
        ParseError::Regex(msg) => BuildError::rule(BuildErrorKind::Regex, id, field, msg),
    })
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
                BuildError::rule(
                    BuildErrorKind::Regex,
                    id,
                    field,
                    regex_facts::one_line(&e.to_string()),
                )
            }
        })
}

/// How [`compile_rule`] treats one rule.
pub(crate) struct CompileOptions {
    /// The engine's cap on match length.
    pub max_match_len: usize,
    /// Replaces the entropy of generic rules when set.
    pub generic_entropy: Option<f64>,
    /// Defer compiling the regexes to their first use (only for rules with `facts`).
    pub lazy: bool,
    /// Finds the generic rules' keywords, lowercase (see [`wants_gate`]); `None` when there
    /// are none. One automaton for all of them: testing each rule keyword against each
    /// common one with `str::contains` was a quarter of a lazy engine's build.
    pub common_keywords: Option<aho_corasick::AhoCorasick>,
}

/// Compiles one rule. `facts` are its regex's facts when known already (the embedded rules,
/// analysed by `build.rs`); such a rule's regexes are known to parse, so a lazy engine leaves
/// them uncompiled until first use. Rules without facts are parsed and compiled now, so that
/// every error in them is reported by `build`.
pub(crate) fn compile_rule(
    r: RuleSyntax,
    facts: Option<Facts>,
    o: &CompileOptions,
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
    let (facts, hir) = match facts {
        Some(f) => (f, None),
        None => {
            let hir = parse_regex(id, "regex", &r.regex)?;
            (regex_facts::facts(&hir, &keywords), Some(hir))
        }
    };
    let lazy = o.lazy && hir.is_none();
    let groups = facts.groups;
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
    let max_len = facts.max_len.unwrap_or(usize::MAX).min(o.max_match_len);
    let bounded = facts.max_len.is_some_and(|m| m <= o.max_match_len);
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
    let min_entropy = match (generic, o.generic_entropy) {
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
    let gated = wants_gate(
        facts.anchors.is_some(),
        r.has_common_keywords(),
        generic,
        &keywords,
        o,
    );
    let matcher = OnceLock::new();
    let source = Patterns {
        regex: r.regex,
        allow_regexes: r.allowlist.regexes,
        stopwords: r.allowlist.stopwords,
    };
    let patterns = if lazy {
        Some(source)
    } else {
        let guarded = facts.guard.is_some();
        let m = Matcher::compile(
            id,
            &source,
            hir,
            gated,
            secret_group,
            &keywords,
            guarded,
            false,
        )?;
        let _ = matcher.set(m);
        None
    };
    let warm_up = if lazy {
        Vec::new()
    } else {
        r.examples.into_iter().chain(r.negative_examples).collect()
    };
    Ok(CompiledRule {
        info: RuleInfo {
            id: r.id,
            description: r.description,
            provider: r.provider,
            kind: r.kind,
            tags: r.tags,
            keep_prefix: r.keep_prefix as usize,
            generic,
        },
        secret_group,
        max_len,
        bounded,
        min_entropy,
        validator,
        allow_target: r.allowlist.target,
        check_placeholders: !r.allow_placeholders,
        keywords,
        warm_up,
        anchors: facts.anchors,
        follow: facts.follow,
        guard: facts.guard,
        gated,
        matcher,
        patterns,
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

#[cfg(test)]
mod tests {
    use crate::Engine;

    #[test]
    fn a_lazy_engine_builds_a_light_gate_once_its_rule_runs_often() {
        let lazy = Engine::builder().lazy(true).build().unwrap();
        let eager = Engine::builder().build().unwrap();
        fn rule(e: &Engine) -> &super::CompiledRule {
            e.0.rules
                .iter()
                .find(|r| r.info.id == "zoom-client-secret")
                .unwrap()
        }
        let secret = crate::builtin::default_rules()
            .into_iter()
            .find(|r| r.id == "zoom-client-secret")
            .unwrap()
            .examples[0]
            .clone();
        // Chart code: `zoom` everywhere, no secret.
        let chart = |n: usize| "chart.zoom(1.5);map.setZoom(e.zoom+1);\n".repeat(n);
        let built = |e: &Engine| rule(e).matcher().gate.is_built();
        let late = |e: &Engine| rule(e).matcher().gate.source.is_some();
        assert!(lazy.scan(chart(10).as_bytes()).is_empty());
        assert_eq!(
            (late(&lazy), built(&lazy)),
            (true, false),
            "not built after 30 runs"
        );
        let text = chart(100) + &secret + "\n";
        let found = lazy.scan(text.as_bytes());
        assert_eq!(
            (late(&lazy), built(&lazy)),
            (true, true),
            "built by the 64th run"
        );
        assert_eq!(found, eager.scan(text.as_bytes()));
        assert_eq!(found.len(), 1);
        // The eager engine built it up front.
        assert!(built(&eager) && rule(&eager).matcher().gate.build().is_some() && !late(&eager));
    }
}
