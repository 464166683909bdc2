//! The compiled, immutable engine and its builder.

use std::sync::Arc;

use aho_corasick::AhoCorasick;

use crate::builtin::DEFAULT_RULES;
use crate::compile::{compile_rule, CompileOptions, CompiledRule, RuleInfo};
use crate::error::{BuildError, BuildErrorKind};
use crate::finding::FindingBuf;
use crate::prefilter::Prefilter;
use crate::redact::{RedactOptions, Redactor};
use crate::regex_facts::{ByteSet, Facts, ANY_BYTE};
use crate::rule::{parse_toml, RuleSyntax};
use crate::scanner::Scanner;
use crate::shared_gate::SharedGates;
use crate::sink;

/// Bytes a match may start before, or end after, the window its keyword opens (see
/// [`Engine`]'s "Windows" section).
pub const NEAR: usize = 32;
/// Default cap on the length of one match.
pub const DEFAULT_MAX_MATCH_LEN: usize = 8 * 1024;
/// Caps on untrusted rulesets.
pub const MAX_RULES: usize = 10_000;
/// Cap on distinct keywords across all rules.
pub const MAX_KEYWORDS: usize = 50_000;
/// Cap on the memory of all compiled regexes together (each is also capped on its own): many
/// rules, each just under the per-regex limit, must not exhaust memory when compiled, nor again
/// in every scanner's caches.
pub const MAX_TOTAL_REGEX_MEMORY: usize = 256 << 20;

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
    /// One gate for the anchored rules a keyword selects (see [`crate::shared_gate`]).
    pub shared_gates: SharedGates,
    /// Longest keyword, in bytes.
    pub max_keyword_len: usize,
    /// Largest window reach `L` over all rules.
    pub reach: usize,
    /// Also scan decoded views of base64 runs and escaped text.
    pub decode: bool,
    /// Rules' regexes are compiled on first use (see [`EngineBuilder::lazy`]).
    pub lazy: bool,
    /// Line mode's armor markers, `-----BEGIN ` and `-----END ` (see
    /// [`crate::Scanner::set_line_mode`]): searchers built once, not at every newline.
    pub armor_begin: memchr::memmem::FinderRev<'static>,
    pub armor_end: memchr::memmem::FinderRev<'static>,
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
    lazy: bool,
    build_threads: usize,
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
            lazy: false,
            build_threads: std::thread::available_parallelism().map_or(1, |n| n.get().min(4)),
        }
    }

    /// How many threads compile the embedded rules in [`build`](Self::build) (default: the
    /// machine's cores, at most 4; `1` compiles on the calling thread). An eager build of the
    /// default set is ~105 ms of work, mostly the rules' gate DFAs, paid at every process
    /// start; the threads exist only during `build`. Rules added with
    /// [`add_toml`](Self::add_toml) or [`add_rules`](Self::add_rules) are always compiled one
    /// at a time, so that the limit on their total regex memory stops an oversized set before
    /// all of it is in memory. wasm builds use one thread.
    pub fn build_threads(&mut self, n: usize) -> &mut Self {
        self.build_threads = n.max(1);
        self
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

    /// Compile each embedded rule's regexes on the first occurrence of one of its keywords,
    /// instead of in [`build`](Self::build) (off by default).
    ///
    /// For hosts where start-up matters more than the first scans: a browser tab, an edge
    /// worker, a bundler plugin. Building the default engine then takes a fraction of the
    /// time (the rules' facts were computed when the crate was built), and a scan pays for the
    /// few rules its input selects. The price: a stream's first hit of a rule compiles it and
    /// sizes that rule's scratch, so **"feeding allocates nothing" no longer holds** (it holds
    /// again once every rule the input selects has run), and [`Engine::scanner`] does not run
    /// the rules' examples up front. Results are identical. Rules added with
    /// [`add_toml`](Self::add_toml) or [`add_rules`](Self::add_rules) are still compiled in
    /// `build`, so their errors are reported there.
    pub fn lazy(&mut self, yes: bool) -> &mut Self {
        self.lazy = yes;
        self
    }

    /// Compiles the rules.
    ///
    /// # Errors
    /// A bad rule (regex, keyword, validator, field value), a duplicate id, or a limit; the
    /// error names the rule id and field.
    pub fn build(&self) -> Result<Engine, BuildError> {
        let keep = |id: &str| {
            !self.disabled.iter().any(|d| d == id)
                && self.only.as_ref().is_none_or(|o| o.iter().any(|k| k == id))
        };
        // The embedded rules come with their regex facts, computed by `build.rs`.
        let mut sources: Vec<(RuleSyntax, Option<_>)> = Vec::new();
        if self.default_rules {
            sources.extend(
                DEFAULT_RULES
                    .iter()
                    .filter(|r| keep(r.id))
                    .map(|r| (r.syntax(!self.lazy), Some(r.facts()))),
            );
        }
        sources.extend(
            self.extra
                .iter()
                .filter(|r| keep(&r.id))
                .map(|r| (r.clone(), None)),
        );
        if sources.len() > MAX_RULES {
            // Named after the first rule past the limit, so the user sees where to cut.
            return Err(BuildError::rule(
                BuildErrorKind::Limit,
                &sources[MAX_RULES].0.id,
                "id",
                format!("{} rules loaded; the limit is {MAX_RULES}", sources.len()),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (r, _) in &sources {
            if !seen.insert(r.id.as_str()) {
                return Err(BuildError::rule(
                    BuildErrorKind::DuplicateId,
                    &r.id,
                    "id",
                    "another rule has the same id",
                ));
            }
        }
        // Generic rules' keywords are names common in code (`token`, `secret`): other rules
        // sharing one run as often as the generic rules do, so they get gates too.
        let common: std::collections::BTreeSet<String> = sources
            .iter()
            .filter(|(r, _)| r.has_common_keywords())
            .flat_map(|(r, _)| r.keywords.iter().map(|k| k.to_ascii_lowercase()))
            .collect();
        let common_keywords = match common.is_empty() {
            true => None,
            false => Some(AhoCorasick::new(&common).map_err(|e| {
                BuildError::new(
                    BuildErrorKind::Limit,
                    format!("generic rules' keywords: {e}"),
                )
            })?),
        };
        let options = CompileOptions {
            max_match_len: self.max_match_len,
            generic_entropy: self.generic_entropy,
            lazy: self.lazy,
            common_keywords,
        };
        let mut rules = Vec::with_capacity(sources.len());
        let mut regex_memory = 0usize;
        // The embedded rules come first; they are the ones with facts.
        let extra = sources.split_off(sources.iter().take_while(|(_, f)| f.is_some()).count());
        let threads = if self.lazy { 1 } else { self.build_threads };
        let compiled = compile_embedded(sources, &options, threads)
            .into_iter()
            .chain(extra.into_iter().map(|(r, f)| compile_rule(r, f, &options)));
        for c in compiled {
            let c = c?;
            // Rules compiled now (all of a user's rules) count against the cap; lazily compiled
            // embedded rules are the vetted default set (24 MB all together).
            regex_memory += c.compiled_memory();
            if regex_memory > MAX_TOTAL_REGEX_MEMORY {
                return Err(BuildError::rule(
                    BuildErrorKind::Limit,
                    &c.info.id,
                    "regex",
                    format!(
                        "the regexes compiled so far take {} MiB; the limit for all rules together is {} MiB",
                        regex_memory >> 20,
                        MAX_TOTAL_REGEX_MEMORY >> 20
                    ),
                ));
            }
            rules.push(c);
        }

        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<u32>> = Vec::new();
        // Per keyword: the bytes after it that can continue a match of one of its rules.
        let mut follow: Vec<ByteSet> = Vec::new();
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
                    follow.push([0; 4]);
                    keywords.len() - 1
                });
                if keyword_rules[pid].last() != Some(&(ri as u32)) {
                    keyword_rules[pid].push(ri as u32);
                }
                // An occurrence is needed if any of its rules can match from it.
                let f = r.follow.as_ref().map_or(ANY_BYTE, |f| f[ki]);
                for (acc, w) in follow[pid].iter_mut().zip(f) {
                    *acc |= w;
                }
            }
            if keywords.len() > MAX_KEYWORDS {
                // Named after the rule whose keywords crossed the limit.
                return Err(BuildError::rule(
                    BuildErrorKind::Limit,
                    &r.info.id,
                    "keywords",
                    format!(
                        "{} distinct keywords so far; the limit for all rules together is {MAX_KEYWORDS}",
                        keywords.len()
                    ),
                ));
            }
        }
        let prefilter = Prefilter::new(&keywords, &follow);
        let max_keyword_len = keywords.iter().map(String::len).max().unwrap_or(0);
        let reach = rules
            .iter()
            .map(|r| r.max_len + NEAR)
            .max()
            .unwrap_or(NEAR)
            .max(max_keyword_len + NEAR);
        crate::placeholder::warm_up();
        let shared_gates = SharedGates::new(&rules, &keyword_rules);
        if !self.lazy {
            // The prefilter's automaton for text dense in keywords (5-15 ms) beside the gates.
            map_on_threads(vec![false, true], self.build_threads, |dense| {
                if dense {
                    prefilter.build_dense();
                } else {
                    shared_gates.build_all(&rules, self.build_threads);
                }
            });
        }
        Ok(Engine(Arc::new(Inner {
            rules,
            prefilter,
            keyword_rules,
            shared_gates,
            max_keyword_len,
            reach,
            decode: self.decode,
            lazy: self.lazy,
            armor_begin: memchr::memmem::FinderRev::new(b"-----BEGIN "),
            armor_end: memchr::memmem::FinderRev::new(b"-----END "),
        })))
    }
}

/// Compiles the embedded rules, in order, on up to `threads` threads (see
/// [`EngineBuilder::build_threads`]); the results are in rule order, so the first error is the
/// one a single thread would report.
fn compile_embedded(
    sources: Vec<(RuleSyntax, Option<Facts>)>,
    options: &CompileOptions,
    threads: usize,
) -> Vec<Result<CompiledRule, BuildError>> {
    map_on_threads(sources, threads, |(r, f)| compile_rule(r, f, options))
}

/// `items.map(f)`, in order, on up to `threads` scoped threads that live only for this call:
/// each takes every `threads`-th item (at most one thread per item). One thread, and wasm,
/// map on the calling thread.
pub(crate) fn map_on_threads<T: Send, R: Send>(
    items: Vec<T>,
    threads: usize,
    f: impl Fn(T) -> R + Sync,
) -> Vec<R> {
    let threads = threads.min(items.len());
    if threads <= 1 || cfg!(target_arch = "wasm32") {
        return items.into_iter().map(f).collect();
    }
    let n = items.len();
    let mut shares: Vec<Vec<(usize, T)>> = (0..threads).map(|_| Vec::new()).collect();
    for (i, item) in items.into_iter().enumerate() {
        shares[i % threads].push((i, item));
    }
    let mut out: Vec<Option<R>> = (0..n).map(|_| None).collect();
    let f = &f;
    std::thread::scope(|scope| {
        let workers: Vec<_> = shares
            .into_iter()
            .map(|share| {
                scope.spawn(move || {
                    share
                        .into_iter()
                        .map(|(i, item)| (i, f(item)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for w in workers {
            let done = w.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            for (i, r) in done {
                out[i] = Some(r);
            }
        }
    });
    out.into_iter()
        .map(|r| r.expect("every item was given to a thread"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin::DEFAULT_RULES;

    /// Every default rule's examples and counter-examples, one per line.
    fn examples_text() -> String {
        let mut text = String::new();
        for r in DEFAULT_RULES {
            for ex in r.examples.iter().chain(r.negative_examples) {
                text.push_str(ex);
                text.push('\n');
            }
        }
        text
    }

    fn chunked(engine: &Engine, data: &[u8], size: usize) -> Vec<FindingBuf> {
        let mut out = sink::Collect::default();
        let mut sc = engine.scanner();
        for c in data.chunks(size) {
            let Ok(()) = sc.feed(c, &mut out);
        }
        let Ok(()) = sc.finish(&mut out);
        out.findings
    }

    #[test]
    fn lazy_engine_finds_what_the_eager_one_finds() {
        let eager = Engine::builder().build().unwrap();
        let lazy = Engine::builder().lazy(true).build().unwrap();
        let text = examples_text();
        let want = eager.scan(text.as_bytes());
        assert!(
            want.len() > DEFAULT_RULES.len() / 2,
            "examples hold findings"
        );
        assert!(lazy.0.rules.iter().all(|r| !r.is_compiled()));
        assert!(lazy.scan(text.as_bytes()) == want);
        // Later scanners reuse the rules compiled by the first one, and chunking still does not
        // change results.
        assert!(chunked(&lazy, text.as_bytes(), 7) == want);
        assert!(lazy.redact(text.as_bytes()) == eager.redact(text.as_bytes()));
    }

    #[test]
    fn threaded_build_gives_the_one_thread_engine() {
        let one = Engine::builder().build_threads(1).build().unwrap();
        let four = Engine::builder().build_threads(4).build().unwrap();
        let ids = |e: &Engine| e.rules().map(|r| r.id.clone()).collect::<Vec<_>>();
        assert!(ids(&one) == ids(&four), "rules keep their order");
        let text = examples_text();
        let want = one.scan(text.as_bytes());
        assert!(
            want.len() > DEFAULT_RULES.len() / 2,
            "examples hold findings"
        );
        assert!(four.scan(text.as_bytes()) == want);
    }

    #[test]
    fn lazy_rules_compile_once_under_concurrent_first_use() {
        let text = examples_text();
        let want = Engine::builder().build().unwrap().scan(text.as_bytes());
        let lazy = Engine::builder().lazy(true).build().unwrap();
        let (engine, data) = (&lazy, text.as_bytes());
        std::thread::scope(|s| {
            let runs: Vec<_> = (0..4)
                .map(|i| s.spawn(move || chunked(engine, data, 1000 + i)))
                .collect();
            for r in runs {
                assert!(r.join().unwrap() == want);
            }
        });
    }

    #[test]
    fn lazy_engine_reports_bad_added_rules_at_build() {
        let bad = "[[rules]]\nid = \"bad-regex\"\nprovider = \"x\"\nregex = \"tok_(\"\nkeywords = [\"tok_\"]\n";
        let err = Engine::builder()
            .lazy(true)
            .add_toml(bad, "extra.toml")
            .unwrap()
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), BuildErrorKind::Regex);
        assert!(err.to_string().contains("bad-regex"), "{err}");
    }
}
