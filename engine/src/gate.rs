//! Gates: small dense DFAs that every match of a rule's regex must pass, run before the rule's
//! PikeVM (hundreds of instructions per byte) so that most keyword occurrences are rejected in a
//! few instructions per byte, without scratch memory.
//!
//! A gate is built from a pattern that matches a prefix of every match (or every match: a
//! superset is enough), chosen per rule by [`Gate::build`]: the regex itself when short, its
//! long repetitions made unbounded ([`relaxed_hir`]), or a prefix cut at its first long part
//! ([`gate_hir`]). Window rules also get keyword gates ([`KeywordGates`]), and the generic rules
//! one keyword selects share one more ([`Gate::union`], used by [`crate::shared_gate`]).

use regex_automata::dfa::{dense, Automaton, StartKind};
use regex_automata::nfa::thompson;
use regex_automata::util::primitives::StateID;
use regex_automata::util::start;
use std::ops::Range;

use regex_automata::{Anchored, Input};
use regex_syntax::hir::{Class, Hir, HirKind, Repetition};

use crate::compile::{CompileOptions, NFA_SIZE_LIMIT};
use crate::regex_facts::ByteSet;

/// A cut repetition keeps at most this many copies (see [`gate_hir`]).
const GATE_REPEAT: u32 = 16;
/// Long repetitions a gate's prefix may make unbounded instead of ending there (see
/// [`gate_hir_starred`]).
const GATE_STARS: u32 = 1;
/// Parts of a regex longer than this are not copied whole into a gate; when the DFA is too
/// large, the next, smaller limit is tried.
const GATE_PARTS: [usize; 2] = [64, 16];
/// An anchored regex whose matches are at most this long is tried whole first.
const GATE_WHOLE: usize = 160;
/// A window gate for the part of a regex from its assignment on is tried when it is at most
/// this long (longer ones, with `\s{0,64}` and the like, make unanchored DFAs slow to build).
const SUFFIX_GATE_LEN: usize = 32;
/// Size caps of a gate DFA: over them, the rule has no gate (a few rules' full regexes would
/// take hundreds of KiB and milliseconds each; their prefixes take a few KiB).
const GATE_DFA_LIMIT: usize = 256 << 10;
const GATE_DETERMINIZE_LIMIT: usize = 1 << 20;
/// The same for window gates, whose unanchored DFAs are the slow ones to build: a failed
/// attempt costs time in proportion to its limit.
const WINDOW_GATE_DFA_LIMIT: usize = 32 << 10;
const WINDOW_GATE_DETERMINIZE_LIMIT: usize = 64 << 10;

/// A dense DFA for a prefix of a rule's regex: a quick "no match here" before the PikeVM.
///
/// Every match of the regex begins with a match of the gate's pattern (see [`gate_hir`]), so
/// where the gate finds no match in a span (anchored or not, as the rule's search), the regex
/// finds none either, and skipping the PikeVM changes nothing. The DFA is searched in place
/// without scratch memory (no allocation), at a few instructions per byte, while the PikeVM
/// spends hundreds per byte on rules with many alternatives and counted repetitions.
pub(crate) struct Gate {
    dfa: dense::DFA<Vec<u32>>,
    /// The anchored start state, when it does not depend on the byte before the search
    /// (`None` also for unanchored DFAs, which have no anchored start).
    anchored_start: Option<StateID>,
    /// What the DFA was built from, kept for generic anchored rules' gates: the generic rules
    /// that open at one keyword share a gate built from all of theirs (see
    /// [`crate::shared_gate`]).
    pattern: Option<Hir>,
    /// Set when the DFA is the whole regex with its final repetition cut to its minimum: then
    /// the gate is exact and gives the match's bounds (see [`Tail`]).
    tail: Option<Tail>,
}

/// How an anchored match's bounds follow from the gate, for a regex that ends with its secret
/// group, the group with a greedy repetition of one byte class:
/// `P ([A-Za-z0-9_+/=.~-][A-Za-z0-9_+/=.~(){}-]{11,255})`.
///
/// The gate is then the DFA for `P [A-Za-z0-9_+/=.~-][A-Za-z0-9_+/=.~(){}-]{11}` (the group of
/// fixed length `len`). A leftmost-first match tries `P`'s ways of matching in priority order
/// and takes the first after which the group can match; the group can match exactly where its
/// cut form can (at least 11 copies follow), so both regexes choose the same way through `P`
/// and the same group start: the DFA's match end minus `len`. Nothing follows the group, so the
/// greedy repetition then takes every further byte of its class, up to `more` copies and the
/// end of the search. The PikeVM, which costs ~500 instructions per byte of such a match
/// (`secret=null}if(function` in minified code: 600 per MiB, rejected only by the checks after
/// it), need not run at all.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tail {
    /// Length of the group's cut form.
    len: usize,
    /// The bytes the final repetition repeats.
    class: ByteSet,
    /// Copies it may take beyond its minimum (`usize::MAX`: unbounded).
    more: usize,
}

/// Which searches a rule's gate serves, and whether the rule is generic: generic rules'
/// keywords (`password`, `token`) are the most common, so their gates are worth more build
/// time (see [`Gate::build`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GateKind {
    /// Rare keywords: only a cheap gate, the regex's prefix up to its first long part after
    /// the keyword's name (see [`gate_hir_starred`]), or none when that is not small.
    Light { anchored: bool },
    /// From each keyword occurrence (the rule is anchored).
    Anchored { generic: bool },
    /// Over the keyword's window.
    Window { generic: bool },
}

impl GateKind {
    /// Whether the rule's regex runs anchored at its keywords (else over their windows).
    pub fn anchored(self) -> bool {
        matches!(
            self,
            GateKind::Anchored { .. } | GateKind::Light { anchored: true }
        )
    }
}

/// Which [`Gate`] a rule gets: rules whose keywords together occur in random data (base64,
/// hex) as often as one of 3 bytes (`eyj`, `eaa`, `00d`; or Airtable's 35 keywords `pat0` ...
/// `patz`), and rules that are generic or share a keyword with a generic rule (`token`): the
/// keywords that occur often in code and data, get the full search for a gate. Full gates for
/// every rule made the engine's build 3-4x slower (0.1-2 ms each, mostly unanchored DFAs for
/// `(?i)` names such as `api_key`), so other rules get a [`GateKind::Light`] one, which costs
/// ~0.1 ms: a provider's name is rare in logs, but many are words that code is full of
/// (`zoom`, `segment`, `circle`, `ghost`: 30-50 occurrences per MiB of real bundles each), and
/// without a gate each occurrence ran the PikeVM (half the scan time of real bundles).
pub(crate) fn wants_gate(
    anchored: bool,
    common_names: bool,
    generic: bool,
    keywords: &[String],
    o: &CompileOptions,
) -> GateKind {
    let common = common_names
        || random_hits(keywords) >= 1.0
        || keywords
            .iter()
            .any(|k| o.common_keywords.as_ref().is_some_and(|c| c.is_match(k)));
    match (common, anchored) {
        (false, anchored) => GateKind::Light { anchored },
        (true, true) => GateKind::Anchored { generic },
        (true, false) => GateKind::Window { generic },
    }
}

/// How often `keywords` occur in random letters and digits, relative to one 3-byte keyword:
/// case folded, such text has about 32 distinct bytes, so each byte more is 32 times rarer.
fn random_hits(keywords: &[String]) -> f64 {
    keywords
        .iter()
        .map(|k| 32f64.powi(3 - k.len().min(64) as i32))
        .sum()
}

/// Size caps of one attempt at a gate DFA.
#[derive(Clone, Copy)]
pub(crate) struct Limits {
    pub dfa: usize,
    pub determinize: usize,
}

/// A [`GateKind::Light`] gate's parts (see [`gate_hir`]), tried in turn, and size caps.
const LIGHT_PARTS: [usize; 2] = [16, 8];
const LIGHT_LIMITS: Limits = Limits {
    dfa: 16 << 10,
    determinize: 32 << 10,
};
const ANCHORED_LIMITS: Limits = Limits {
    dfa: GATE_DFA_LIMIT,
    determinize: GATE_DETERMINIZE_LIMIT,
};
/// A provider rule's anchored gate. Named rules such as `cohere-api-key`
/// (`(?i:cohere)(?:[^\n]{0,48}?|...)[=:...]([A-Za-z0-9]{40})`) have exact gates far over the
/// anchored limits, and each failed attempt cost ~4 ms there: running the 183 guarded rules
/// anchored made the eager build 40% longer in instructions. At these limits the build is back
/// where it was (2.39 G instructions, 2.37 G before), and the bench corpora's scan
/// instruction counts are unchanged.
const PROVIDER_ANCHORED_LIMITS: Limits = Limits {
    dfa: 32 << 10,
    determinize: 64 << 10,
};
const WINDOW_LIMITS: Limits = Limits {
    dfa: WINDOW_GATE_DFA_LIMIT,
    determinize: WINDOW_GATE_DETERMINIZE_LIMIT,
};
/// A window rule's part from its assignment on (see [`Gate::build`]): the useful ones take
/// 1-8 KiB; a failed attempt costs time in proportion to the limits.
const SUFFIX_LIMITS: Limits = Limits {
    dfa: 8 << 10,
    determinize: 16 << 10,
};
/// A generic window rule's relaxed regex (`generic-passphrase`, `generic-secret-comparison`:
/// 50-60 KiB, under 1 ms each).
const GENERIC_WINDOW_LIMITS: Limits = Limits {
    dfa: 96 << 10,
    determinize: 256 << 10,
};

/// A generic window rule's part from its keyword on (see [`KeywordGates`]):
/// `generic-passphrase`'s takes 32 KiB; a failed attempt costs time in proportion to these.
const KEYWORD_GATE_LIMITS: Limits = Limits {
    dfa: 48 << 10,
    determinize: 96 << 10,
};

/// A generic anchored rule's relaxed regex. At the anchored limits a relaxed DFA that does not
/// fit (a command line with several optional flags, `htpasswd -b`) took up to 7 ms to fail, a
/// fourteenth of the eager build's budget; at these, the bench corpora's instruction counts
/// are unchanged.
const GENERIC_ANCHORED_LIMITS: Limits = Limits {
    dfa: 64 << 10,
    determinize: 256 << 10,
};

impl Gate {
    /// The gate of a rule with regex `hir`: the first of the patterns below whose DFA fits its
    /// limits. Only a generic anchored rule's gate keeps its pattern: those are the rules
    /// [`crate::shared_gate`] groups.
    pub(crate) fn build(hir: &Hir, kind: GateKind, secret_group: usize) -> Option<Gate> {
        let keep_pattern = kind == (GateKind::Anchored { generic: true });
        // Unanchored DFAs grow fastest: their gates keep shorter parts.
        let (start, parts, limits) = match kind {
            GateKind::Light { anchored } => {
                let start = match anchored {
                    true => StartKind::Anchored,
                    false => StartKind::Unanchored,
                };
                return LIGHT_PARTS.iter().find_map(|&part| {
                    let prefix = gate_hir_starred(hir, part, GATE_STARS);
                    Gate::build_dfa(&prefix, start, LIGHT_LIMITS)
                });
            }
            GateKind::Window { .. } => (StartKind::Unanchored, &GATE_PARTS[1..], WINDOW_LIMITS),
            GateKind::Anchored { generic: true } => {
                (StartKind::Anchored, &GATE_PARTS[..], ANCHORED_LIMITS)
            }
            GateKind::Anchored { generic: false } => (
                StartKind::Anchored,
                &GATE_PARTS[..],
                PROVIDER_ANCHORED_LIMITS,
            ),
        };
        let attempt = |h: &Hir, limits| {
            Gate::build_dfa(h, start, limits).map(|g| Gate {
                pattern: keep_pattern.then(|| h.clone()),
                ..g
            })
        };
        // An exact gate that also gives the match's bounds, when the regex ends in a way that
        // allows it and what precedes its final repetition is short (longer ones, with
        // `[^\r\n]{0,200}` or `\s{0,1000}` in them, exceed the size limits after 1-3 ms).
        let tail = tail_split(hir, secret_group).filter(|(cut, _)| {
            start == StartKind::Anchored
                && cut
                    .properties()
                    .maximum_len()
                    .is_some_and(|m| m <= GATE_WHOLE)
        });
        if let Some((cut, tail)) = tail {
            if let Some(gate) = attempt(&cut, limits) {
                return Some(Gate {
                    tail: Some(tail),
                    ..gate
                });
            }
        }
        // A regex short enough is tried whole first: its gate is exact.
        let whole = hir
            .properties()
            .maximum_len()
            .filter(|&m| m <= GATE_WHOLE && start == StartKind::Anchored);
        if let Some(gate) = whole.and_then(|part| attempt(&gate_hir(hir, part), limits)) {
            return Some(gate);
        }
        // Then the whole regex with its long repetitions made unbounded: it checks everything
        // after the keyword too (`password ... is 'value'` must end in a quote), where a cut
        // prefix checks little more than the keyword itself. Unanchored, that DFA is too large
        // and slow to build for most window rules (the `(?i)` names before the secret), so only
        // generic ones, whose keywords are the most common, try it.
        let relaxed_limits = match kind {
            GateKind::Anchored { generic: true } => Some(GENERIC_ANCHORED_LIMITS),
            GateKind::Window { generic: true } => Some(GENERIC_WINDOW_LIMITS),
            _ => None,
        };
        if let Some(gate) = relaxed_limits.and_then(|l| attempt(&relaxed_hir(hir, RELAX_REPEAT), l))
        {
            return Some(gate);
        }
        // A window's match may start anywhere in it, so a prefix of the secret's group (which
        // every match contains) serves as well as a prefix of the regex, without the names
        // before it that make unanchored DFAs large and slow to build
        // (`(?i)api[_-]?key[\w.-]{0,20}...`).
        // Better, the part from the last one before the group that cannot be empty (the
        // assignment, `(?:=|:|,)\s{0,8}["']?[A-Za-z0-9_-]{44}`): a prefix of the group alone
        // matches any base64 run.
        let window = start == StartKind::Unanchored;
        let suffix = separator_suffix(hir)
            .filter(|_| window)
            .map(|s| gate_hir(&s, GATE_PARTS[1]))
            .filter(|s| {
                s.properties()
                    .maximum_len()
                    .is_some_and(|m| m <= SUFFIX_GATE_LEN)
            });
        if let Some(gate) = suffix.and_then(|s| attempt(&s, SUFFIX_LIMITS)) {
            return Some(gate);
        }
        let group = mandatory_group(hir).filter(|_| window);
        if let Some(gate) = group.and_then(|g| attempt(&gate_hir(g, GATE_PARTS[1]), limits)) {
            return Some(gate);
        }
        parts.iter().find_map(|&part| {
            let cut = gate_hir(hir, part);
            let starred = gate_hir_starred(hir, part, GATE_STARS);
            (starred != cut)
                .then(|| attempt(&starred, limits))
                .flatten()
                .or_else(|| attempt(&cut, limits))
        })
    }

    fn build_dfa(prefix: &Hir, start: StartKind, limits: Limits) -> Option<Gate> {
        Gate::build_dfa_in(prefix, start, limits, false)
    }

    /// [`build_dfa`](Self::build_dfa), or for `reverse`, a DFA that reads its pattern backwards
    /// (see [`Gate::may_end_at`]).
    fn build_dfa_in(prefix: &Hir, start: StartKind, limits: Limits, reverse: bool) -> Option<Gate> {
        let nfa = thompson::Compiler::new()
            .configure(
                thompson::Config::new()
                    .which_captures(thompson::WhichCaptures::None)
                    .utf8(false)
                    .reverse(reverse)
                    .nfa_size_limit(Some(NFA_SIZE_LIMIT)),
            )
            .build_from_hir(prefix)
            .ok()?;
        let dfa = dense::Builder::new()
            .configure(
                dense::Config::new()
                    .start_kind(start)
                    .minimize(false)
                    .accelerate(false)
                    .dfa_size_limit(Some(limits.dfa))
                    .determinize_size_limit(Some(limits.determinize)),
            )
            .build_from_nfa(&nfa)
            .ok()?;
        Some(Gate {
            anchored_start: dfa.universal_start_state(Anchored::Yes),
            dfa,
            tail: None,
            pattern: None,
        })
    }

    /// An anchored gate that rejects a span only where every one of `gates` does: the DFA for
    /// the alternation of their patterns, relaxed further (a superset of each; counting
    /// repetitions of several patterns at once multiplies their states: the five
    /// `generic-secret` forms took 10 ms to determinize as they are, 3 ms relaxed, and reject
    /// the same occurrences in the bench corpora). `None` when one of them kept no pattern or
    /// the DFA exceeds `limits`.
    pub fn union(gates: &[&Gate], limits: Limits) -> Option<Gate> {
        let patterns = gates
            .iter()
            .map(|g| Some(relaxed_hir(g.pattern.as_ref()?, SHARED_RELAX_REPEAT)))
            .collect::<Option<Vec<Hir>>>()?;
        Gate::build_dfa(&Hir::alternation(patterns), StartKind::Anchored, limits)
    }

    /// For a gate with a [`Tail`] and an anchored `input`: the secret group's span in the
    /// regex's leftmost-first match (which starts at `input.start()` and ends with the group),
    /// `Some(None)` when there is no match. `None` when this gate cannot tell (no tail, or the
    /// DFA gave up): then the PikeVM decides.
    pub fn secret_span(&self, input: &Input<'_>) -> Option<Option<std::ops::Range<usize>>> {
        let tail = self.tail.as_ref()?;
        if input.get_anchored() != Anchored::Yes {
            return None;
        }
        let Some(end) = self.anchored_end(input.haystack(), input.get_span().range(), false)?
        else {
            return Some(None);
        };
        let more = input.haystack()[end..input.end()]
            .iter()
            .take(tail.more)
            .take_while(|&&b| tail.class[usize::from(b / 64)] >> (b % 64) & 1 != 0)
            .count();
        Some(Some(end - tail.len..end + more))
    }

    /// For a reverse gate: whether its pattern may match ending at `input`'s end and starting
    /// in its span. `true` when the DFA cannot tell.
    pub fn may_end_at(&self, input: &Input<'_>) -> bool {
        let input = input.clone().anchored(Anchored::Yes).earliest(true);
        !matches!(self.dfa.try_search_rev(&input), Ok(None))
    }

    /// Whether the regex may match in `input` (its span and anchoring as the rule's search
    /// uses them). `true` when the DFA cannot tell.
    pub fn may_match(&self, input: &Input<'_>) -> bool {
        if input.get_anchored() == Anchored::Yes {
            let span = input.get_span().range();
            return !matches!(self.anchored_end(input.haystack(), span, true), Some(None));
        }
        let input = input.clone().earliest(true);
        !matches!(self.dfa.try_search_fwd(&input), Ok(None))
    }

    /// An anchored search of `hay[span]`, as `try_search_fwd` does it (the same start state,
    /// transitions, and look-ahead at the span's end), without its set-up: most gate searches
    /// reject a keyword occurrence a few bytes in, where that set-up (start-state lookup,
    /// prefilter and mode checks) cost as much as the walk (~200 instructions a search in
    /// keyword-dense text). Returns where the match ends (the first match for `earliest`,
    /// else the leftmost-first one), `Some(None)` for no match, `None` when the DFA cannot
    /// tell (a quit byte; gates are built without any, so only in principle).
    #[inline]
    fn anchored_end(
        &self,
        hay: &[u8],
        span: Range<usize>,
        earliest: bool,
    ) -> Option<Option<usize>> {
        let d = &self.dfa;
        let mut sid = match self.anchored_start {
            Some(sid) => sid,
            None => {
                let behind = span.start.checked_sub(1).and_then(|i| hay.get(i).copied());
                let config = start::Config::new()
                    .anchored(Anchored::Yes)
                    .look_behind(behind);
                d.start_state(&config).ok()?
            }
        };
        let mut found = None;
        for (at, &b) in (span.start..).zip(&hay[span.clone()]) {
            sid = d.next_state(sid, b);
            if d.is_special_state(sid) {
                // Matches show one byte late: a match state means a match ending at `at`.
                if d.is_match_state(sid) {
                    found = Some(at);
                    if earliest {
                        return Some(found);
                    }
                } else if d.is_dead_state(sid) {
                    return Some(found);
                } else if d.is_quit_state(sid) {
                    return None;
                }
            }
        }
        // The byte after the span (or the end of input) can complete a match (`$`, `\b`).
        let last = match hay.get(span.end) {
            Some(&b) => d.next_state(sid, b),
            None => d.next_eoi_state(sid),
        };
        if d.is_match_state(last) {
            found = Some(span.end);
        } else if d.is_quit_state(last) {
            return None;
        }
        Some(found)
    }

    /// An unanchored search of `hay[span]` that can go on where an earlier one stopped.
    ///
    /// `resume` is the state a previous call returned for a span ending at `span.start`;
    /// continuing from it searches as if from that earlier span's start, which finds every
    /// match starting in `span` too (a superset is enough for a gate). Window searches of
    /// nearby keywords overlap by most of their length, so this reads each byte about once
    /// where fresh searches read it once per keyword (`generic-passphrase` reaches back 280
    /// bytes for every `password`). Returns the state after the span's last byte, before the
    /// look-ahead at its end, when nothing matches; `None` when something may.
    pub fn search_from(
        &self,
        hay: &[u8],
        span: std::ops::Range<usize>,
        resume: Option<StateID>,
    ) -> Option<StateID> {
        let d = &self.dfa;
        let mut sid = match resume {
            Some(sid) => sid,
            None => d
                .start_state_forward(&Input::new(hay).span(span.clone()))
                .ok()?,
        };
        for &b in &hay[span.clone()] {
            sid = d.next_state(sid, b);
            if d.is_special_state(sid) {
                // Matches show one byte late: a match state means a match ending before `b`.
                if d.is_match_state(sid) || d.is_quit_state(sid) {
                    return None;
                }
                if d.is_dead_state(sid) {
                    return Some(sid);
                }
            }
        }
        // The byte after the span (or the end of input) can complete a match (`$`, `\b`).
        let last = match hay.get(span.end) {
            Some(&b) => d.next_state(sid, b),
            None => d.next_eoi_state(sid),
        };
        (!(d.is_match_state(last) || d.is_quit_state(last))).then_some(sid)
    }
}

/// A window rule's gates at its keyword: where they find nothing, no match has its keyword at
/// this occurrence, and its window need not be searched (each match is searched for from its
/// own keyword's occurrence, whose window holds it).
#[derive(Default)]
pub(crate) struct KeywordGates {
    /// The regex from the keyword on, anchored at the occurrence's start.
    from_keyword: Option<Gate>,
    /// For a regex ending with its keyword (`'value' === password`): the regex up to the
    /// keyword, read backwards from the occurrence's end.
    to_keyword: Option<Gate>,
}

impl KeywordGates {
    /// The gates for a window rule, when one element of its regex's top-level concatenation,
    /// or a run of them, matches only `keywords` (ASCII case-insensitively, as the prefilter
    /// finds them). Every match then holds an occurrence of a keyword, reported by the
    /// prefilter, where the part from that element on matches forwards and the part up to it
    /// backwards. `(?m)^[ \t]{0,16}(?:[\w.-]{0,32}[_.-])?(?i:password|passwd)[\w.-]{0,24}...`
    /// gets the forward gate `(?i:password|passwd)[\w.-]{0,24}...`; a regex ending with its
    /// keyword gets the reverse one.
    pub fn build(hir: &Hir, keywords: &[String]) -> KeywordGates {
        let HirKind::Concat(parts) = hir.kind() else {
            return KeywordGates::default();
        };
        // The keyword may span elements: the parser takes a common first byte out of an
        // alternation (`[\w.]{0,32}(?i:password|private_?key)` ends in `[Pp]`,
        // `(?i:assword|...)`).
        let n = parts.len();
        let is_keyword = |s: &Vec<u8>| keywords.iter().any(|k| k.as_bytes() == &s[..]);
        let Some((a, b)) = (0..n).find_map(|a| {
            (a..n)
                .map_while(|b| Some((b, folded_strings(&Hir::concat(parts[a..=b].to_vec()), 64)?)))
                .find(|(_, all)| !all.is_empty() && all.iter().all(is_keyword))
                .map(|(b, _)| (a, b))
        }) else {
            return KeywordGates::default();
        };
        let build = |part: &[Hir], reverse| {
            let relaxed = relaxed_hir(&Hir::concat(part.to_vec()), RELAX_REPEAT);
            Gate::build_dfa_in(&relaxed, StartKind::Anchored, KEYWORD_GATE_LIMITS, reverse)
        };
        if b + 1 < n {
            KeywordGates {
                from_keyword: build(&parts[a..], false),
                to_keyword: None,
            }
        } else if a > 0 {
            KeywordGates {
                from_keyword: None,
                to_keyword: build(&parts[..=b], true),
            }
        } else {
            KeywordGates::default()
        }
    }

    /// Whether a match with its keyword at `keyword` (in `hay`) may exist, the match lying in
    /// `bounds` and being at most `max_len` long. Inlined: most rules have no keyword gates,
    /// and then this is two tests at every candidate.
    #[inline]
    pub fn may_match(
        &self,
        hay: &[u8],
        keyword: Range<usize>,
        bounds: Range<usize>,
        max_len: usize,
    ) -> bool {
        let ahead = || {
            let end = (keyword.start + max_len).min(bounds.end);
            Input::new(hay)
                .span(keyword.start..end)
                .anchored(Anchored::Yes)
        };
        let back = || {
            let start = keyword.end.saturating_sub(max_len).max(bounds.start);
            Input::new(hay).span(start..keyword.end)
        };
        self.from_keyword
            .as_ref()
            .is_none_or(|g| g.may_match(&ahead()))
            && self
                .to_keyword
                .as_ref()
                .is_none_or(|g| g.may_end_at(&back()))
    }

    /// Counts of the forward and the reverse gate (for tests).
    #[cfg(test)]
    pub fn kinds(&self) -> (usize, usize) {
        (
            usize::from(self.from_keyword.is_some()),
            usize::from(self.to_keyword.is_some()),
        )
    }
}

/// The strings `h` matches, lowercased, when they are at most `cap` (`(?i:password|passwd)`:
/// 2; a letter's two cases count once, which expanding them all would not: `(?i:passphrase)`
/// is 1,024 strings). `None` for anything else (classes wider than a letter's cases and a few
/// bytes, repetitions other than `?`, look-around).
fn folded_strings(h: &Hir, cap: usize) -> Option<Vec<Vec<u8>>> {
    match h.kind() {
        HirKind::Empty => Some(vec![Vec::new()]),
        HirKind::Literal(l) => Some(vec![l.0.to_ascii_lowercase()]),
        HirKind::Class(c) => {
            let mut bytes: Vec<u8> = Vec::new();
            let ranges: Vec<(u32, u32)> = match c {
                Class::Bytes(b) => b
                    .ranges()
                    .iter()
                    .map(|r| (r.start().into(), r.end().into()))
                    .collect(),
                Class::Unicode(u) => u
                    .ranges()
                    .iter()
                    .map(|r| (r.start().into(), r.end().into()))
                    .collect(),
            };
            for (lo, hi) in ranges {
                if hi > 0x7f || hi - lo > 4 {
                    return None;
                }
                bytes.extend((lo..=hi).map(|b| (b as u8).to_ascii_lowercase()));
            }
            bytes.sort_unstable();
            bytes.dedup();
            (bytes.len() <= 4).then(|| bytes.into_iter().map(|b| vec![b]).collect())
        }
        HirKind::Capture(c) => folded_strings(&c.sub, cap),
        HirKind::Repetition(r) if r.min == 0 && r.max == Some(1) => {
            let mut all = folded_strings(&r.sub, cap)?;
            all.push(Vec::new());
            (all.len() <= cap).then_some(all)
        }
        HirKind::Concat(parts) => parts.iter().try_fold(vec![Vec::new()], |acc, p| {
            let next = folded_strings(p, cap)?;
            let all: Vec<Vec<u8>> = acc
                .iter()
                .flat_map(|a| next.iter().map(move |n| [&a[..], &n[..]].concat()))
                .collect();
            (all.len() <= cap).then_some(all)
        }),
        HirKind::Alternation(alts) => {
            let mut all = Vec::new();
            for a in alts {
                all.extend(folded_strings(a, cap)?);
                if all.len() > cap {
                    return None;
                }
            }
            Some(all)
        }
        _ => None,
    }
}

/// The first capture group every match passes through (not under an alternation or a
/// repetition), if any.
fn mandatory_group(h: &Hir) -> Option<&Hir> {
    match h.kind() {
        HirKind::Capture(c) => Some(&c.sub),
        HirKind::Concat(parts) => parts.iter().find_map(mandatory_group),
        _ => None,
    }
}

/// The regex `hir` with the greedy class repetition that ends its secret group cut to its
/// minimum count, and the [`Tail`] that says how to recover the group from it, when `hir` is a
/// concatenation ending with that group and the group is a fixed-length part (`[A-Za-z0-9]`)
/// followed by the repetition.
fn tail_split(hir: &Hir, secret_group: usize) -> Option<(Hir, Tail)> {
    let HirKind::Concat(parts) = hir.kind() else {
        return None;
    };
    let (last, before) = parts.split_last()?;
    let HirKind::Capture(group) = last.kind() else {
        return None;
    };
    if group.index as usize != secret_group {
        return None;
    }
    let inside: &[Hir] = match group.sub.kind() {
        HirKind::Concat(inside) => inside,
        _ => std::slice::from_ref(&*group.sub),
    };
    let (rep, fixed) = inside.split_last()?;
    let HirKind::Repetition(r) = rep.kind() else {
        return None;
    };
    let HirKind::Class(Class::Bytes(class)) = r.sub.kind() else {
        return None;
    };
    let fixed_len = |h: &Hir| {
        let p = h.properties();
        p.maximum_len()
            .filter(|&m| Some(m) == p.minimum_len() && p.explicit_captures_len() == 0)
    };
    let fixed_len: usize = fixed.iter().map(fixed_len).sum::<Option<usize>>()?;
    if !r.greedy {
        return None;
    }
    let mut set: ByteSet = [0; 4];
    for range in class.ranges() {
        for b in range.start()..=range.end() {
            set[usize::from(b / 64)] |= 1 << (b % 64);
        }
    }
    let cut = Hir::repetition(Repetition {
        min: r.min,
        max: Some(r.min),
        greedy: true,
        sub: r.sub.clone(),
    });
    let group_cut = fixed.iter().cloned().chain([cut]).collect();
    let whole = before
        .iter()
        .cloned()
        .chain([Hir::concat(group_cut)])
        .collect();
    let tail = Tail {
        len: fixed_len + r.min as usize,
        class: set,
        more: r.max.map_or(usize::MAX, |m| (m - r.min) as usize),
    };
    Some((Hir::concat(whole), tail))
}

/// For a regex that is a concatenation holding a capture group: its part from the last
/// element before the group that cannot match empty. Every match contains a match of it.
fn separator_suffix(h: &Hir) -> Option<Hir> {
    let HirKind::Concat(parts) = h.kind() else {
        return None;
    };
    let group = parts
        .iter()
        .position(|p| matches!(p.kind(), HirKind::Capture(_)))?;
    let from = parts[..group]
        .iter()
        .rposition(|p| p.properties().minimum_len().is_some_and(|m| m > 0))?;
    Some(Hir::concat(parts[from..].to_vec()))
}

/// Repetitions longer than this are made unbounded by [`relaxed_hir`].
const RELAX_REPEAT: u32 = 16;
/// The same for the alternation of several rules' gates (see [`Gate::union`]): each one's
/// counters multiply the others' states, so only optional parts (`?`) stay as they are.
const SHARED_RELAX_REPEAT: u32 = 1;

/// A pattern matching every match of `h` (a superset): `h` with each repetition allowing more
/// than [`RELAX_REPEAT`] copies made unbounded (`X{12,256}` becomes `X{12,}`). Counting to 256
/// takes hundreds of DFA states; "at least 12" takes 13, and the parts after it still count.
fn relaxed_hir(h: &Hir, limit: u32) -> Hir {
    match h.kind() {
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => h.clone(),
        HirKind::Capture(c) => relaxed_hir(&c.sub, limit),
        HirKind::Concat(parts) => {
            Hir::concat(parts.iter().map(|p| relaxed_hir(p, limit)).collect())
        }
        HirKind::Alternation(alts) => {
            Hir::alternation(alts.iter().map(|a| relaxed_hir(a, limit)).collect())
        }
        HirKind::Repetition(r) => {
            let long = r.max.is_none_or(|m| m > limit);
            Hir::repetition(Repetition {
                min: if long { r.min.min(RELAX_REPEAT) } else { r.min },
                max: if long { None } else { r.max },
                greedy: r.greedy,
                sub: Box::new(relaxed_hir(&r.sub, limit)),
            })
        }
    }
}

/// A pattern that matches a prefix of every match of `hir` (so, where it finds no match, `hir`
/// has none): `hir` up to its first long or unbounded repetition, which is cut to its first
/// copies. `[\w.-]{0,24}(?:=|:)\s*"([A-Za-z0-9]{12,256})"` becomes
/// `[\w.-]{0,24}(?:=|:)\s*"[A-Za-z0-9]{12}`: the DFA for the whole would count to 256 (hundreds
/// of KiB); the prefix's stays small, and still rejects nearly every keyword occurrence that is
/// not an assignment of a long value. Parts of at most `part` bytes are kept whole; longer
/// repetitions are cut.
pub(crate) fn gate_hir(hir: &Hir, part: usize) -> Hir {
    gate_prefix(hir, part, &mut 0).0
}

/// [`gate_hir`], but up to `stars` long repetitions of one byte class become unbounded
/// (`[\w.-]{0,24}` -> `[\w.-]*`) instead of ending the prefix: a superset of what they match,
/// so what follows them can be kept. For `zoom[\w.-]{0,24}secret...`, cut there, the gate
/// would be `zoom` alone, which every occurrence of the keyword passes (`zoom` is everywhere in
/// chart and map code); `zoom[\w.-]*secret` rejects all of those.
fn gate_hir_starred(hir: &Hir, part: usize, stars: u32) -> Hir {
    gate_prefix(hir, part, &mut { stars }).0
}

/// `(prefix, whole)`: a pattern matching a prefix of every match of `h`, and whether it
/// matches all of every match of `h` (`h` itself, or a superset of it: then what follows `h`
/// in a concatenation may be kept too). `stars`: how many long repetitions may still be made
/// unbounded rather than cut (see [`gate_hir_starred`]).
fn gate_prefix(h: &Hir, part: usize, stars: &mut u32) -> (Hir, bool) {
    let small = h.properties().maximum_len().is_some_and(|m| m <= part);
    match h.kind() {
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => {
            (h.clone(), true)
        }
        HirKind::Capture(c) => gate_prefix(&c.sub, part, stars),
        HirKind::Concat(parts) => {
            let mut out = Vec::new();
            for p in parts {
                let (q, whole) = gate_prefix(p, part, stars);
                out.push(q);
                if !whole {
                    return (Hir::concat(out), false);
                }
            }
            (Hir::concat(out), true)
        }
        HirKind::Alternation(alts) => {
            // Each branch may use the stars left; what follows gets the fewest any left.
            let budget = *stars;
            let mut whole = true;
            let out = alts
                .iter()
                .map(|a| {
                    let mut left = budget;
                    let (q, w) = gate_prefix(a, part, &mut left);
                    *stars = (*stars).min(left);
                    whole &= w;
                    q
                })
                .collect();
            (Hir::alternation(out), whole)
        }
        HirKind::Repetition(r) => {
            let (sub, sub_whole) = gate_prefix(&r.sub, part, &mut 0);
            if small && sub_whole {
                return (h.clone(), true);
            }
            let one_byte = r.sub.properties().minimum_len() == Some(1)
                && r.sub.properties().maximum_len() == Some(1);
            if *stars > 0 && sub_whole && one_byte && r.min <= 1 {
                *stars -= 1;
                let star = Hir::repetition(Repetition {
                    min: r.min,
                    max: None,
                    greedy: true,
                    sub: Box::new(sub),
                });
                return (star, true);
            }
            if r.min == 0 {
                return (Hir::empty(), false);
            }
            if !sub_whole {
                // The first copy's prefix.
                return (sub, false);
            }
            let n = r.min.min(GATE_REPEAT);
            let rep = Hir::repetition(Repetition {
                min: n,
                max: Some(n),
                greedy: true,
                sub: Box::new(sub),
            });
            (rep, false)
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::compile::{build_regex, parse_regex};

    #[test]
    fn gate_is_a_prefix_that_rejects_code() {
        let r = crate::builtin::default_rules()
            .into_iter()
            .find(|r| r.id == "generic-secret")
            .unwrap();
        let hir = parse_regex(&r.id, "regex", &r.regex).unwrap();
        let gate = Gate::build(&hir, GateKind::Anchored { generic: true }, 1)
            .expect("a gate within the size limits");
        let may = |text: &str| gate.may_match(&Input::new(text).anchored(Anchored::Yes));
        for code in [
            "token&&token.length>40){token=null}",
            "token:function(e,t){return e",
            "g.token=1019660;",
        ] {
            assert!(!may(code), "{code}");
        }
        // A prefix of a match is enough.
        assert!(may(concat!("api_key = \"", "AbCdEf012345")));
    }

    /// Inputs made of pieces that the generic rules' keywords, separators and values are made
    /// of, so that near-misses (a value one byte short, a separator the rule does not take,
    /// code after `=`) are common.
    pub(crate) fn pieces_text(seed: &mut u64, len: usize) -> String {
        const PIECES: &[&str] = &[
            "secret",
            "token",
            "api_key",
            "password",
            "pwd",
            "pass_",
            "Token",
            "SECRET",
            "private-key",
            "creds",
            "fake_",
            "x",
            "=",
            "==",
            ":",
            ": ",
            "=>",
            "\"",
            "'",
            "`",
            " ",
            "\t",
            "\n",
            "@",
            "null}",
            "if(",
            "function",
            "&&",
            ".length>",
            "{",
            "(",
            "AbC9",
            "z",
            "0123456789",
            "aB3dE5gH7jK9",
            "Qw+/=~!#%^*-",
            "[]$",
            ";",
            ",",
            "<",
            "\\",
            "-",
            ".",
            "_",
        ];
        let mut out = String::new();
        while out.len() < len {
            // xorshift64: deterministic, no dependency.
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            out.push_str(PIECES[(*seed % PIECES.len() as u64) as usize]);
        }
        out
    }

    #[test]
    fn every_match_of_a_keyword_gated_rule_holds_a_keyword_where_its_gates_match() {
        let engine = crate::Engine::builder().build().unwrap();
        let mut seed = 0x2545_f491_4f6c_dd1d;
        let (mut forward, mut backward, mut matches) = (0, 0, 0);
        for rule in engine.0.rules.iter() {
            let m = rule.matcher();
            let (f, b) = m.keyword_gates.kinds();
            if (f, b) == (0, 0) {
                continue;
            }
            (forward, backward) = (forward + f, backward + b);
            let mut texts: Vec<String> = (0..40).map(|_| pieces_text(&mut seed, 600)).collect();
            let source = crate::builtin::default_rules()
                .into_iter()
                .find(|r| r.id == rule.info.id)
                .unwrap();
            texts.extend(source.examples.iter().cloned());
            for text in &texts {
                let hay = text.as_bytes();
                let lower = text.to_ascii_lowercase();
                for found in m.regex.find_iter(hay) {
                    matches += 1;
                    let span = found.range();
                    let ok = rule.keywords.iter().any(|k| {
                        lower[span.clone()]
                            .match_indices(k.as_str())
                            .any(|(at, _)| {
                                let at = span.start + at;
                                m.keyword_gates.may_match(
                                    hay,
                                    at..at + k.len(),
                                    0..hay.len(),
                                    rule.max_len,
                                )
                            })
                    });
                    assert!(
                        ok,
                        "{}: no keyword of {:?} passes its keyword gates",
                        rule.info.id, &text[span]
                    );
                }
            }
        }
        // generic-passphrase and generic-secret-comparison at least, and their examples match.
        assert!(
            forward >= 1 && backward >= 1 && matches >= 6,
            "{forward} forward and {backward} reverse keyword gates, {matches} matches"
        );
    }

    #[test]
    fn tail_gates_give_the_pikevm_bounds() {
        let mut tails = 0;
        for r in crate::builtin::default_rules() {
            let hir = parse_regex(&r.id, "regex", &r.regex).unwrap();
            let groups = hir.properties().explicit_captures_len() + 1;
            let group = r
                .secret_group
                .map_or(usize::from(groups > 1), |g| g as usize);
            let Some(gate) = Gate::build(&hir, GateKind::Anchored { generic: true }, group)
                .filter(|g| g.tail.is_some())
            else {
                continue;
            };
            tails += 1;
            let regex = build_regex(&r.id, "regex", &hir).unwrap();
            let mut cache = regex.create_cache();
            let mut slots = vec![None; 2 * groups];
            let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
            let mut texts: Vec<String> = r
                .examples
                .iter()
                .chain(&r.negative_examples)
                .cloned()
                .collect();
            texts.extend((0..300).map(|_| pieces_text(&mut seed, 200)));
            for text in &texts {
                for start in 0..text.len() {
                    for end in [text.len(), (start + 20).min(text.len())] {
                        let input = Input::new(text).range(start..end).anchored(Anchored::Yes);
                        let want =
                            regex
                                .search_slots_with(&mut cache, &input, &mut slots)
                                .map(|_| {
                                    assert_eq!(slots[0].unwrap().get(), start);
                                    assert_eq!(slots[1], slots[2 * group + 1], "{}", r.id);
                                    slots[2 * group].unwrap().get()
                                        ..slots[2 * group + 1].unwrap().get()
                                });
                        let got = gate.secret_span(&input).expect("a tail gate answers");
                        assert_eq!(got, want, "{}: {:?}", r.id, &text[start..end]);
                    }
                }
            }
        }
        assert!(tails >= 2, "generic-secret and generic-password have tails");
    }
}

#[cfg(test)]
mod starred_tests {
    use super::*;
    use crate::compile::parse_regex;

    fn default_rule(id: &str) -> crate::RuleSyntax {
        crate::builtin::default_rules()
            .into_iter()
            .find(|r| r.id == id)
            .unwrap()
    }

    #[test]
    fn a_light_gate_looks_past_the_providers_name() {
        // `zoom` is in every chart and map library; the rule needs `zoom...secret` first.
        let r = default_rule("zoom-client-secret");
        let hir = parse_regex(&r.id, "regex", &r.regex).unwrap();
        let hir = crate::regex_facts::split_guard(&hir).map_or(hir, |(_, rest)| rest);
        let gate = Gate::build(&hir, GateKind::Light { anchored: true }, 1).expect("a gate");
        let cut = Gate::build_dfa(&gate_hir(&hir, 16), StartKind::Anchored, LIGHT_LIMITS).unwrap();
        let at = |g: &Gate, text: &str| {
            let input = Input::new(text).anchored(Anchored::Yes);
            assert!(g.dfa.try_search_fwd(&input).is_ok());
            g.may_match(&input)
        };
        for code in ["zoom:1,", "zoomLevel=e.zoom}", "zoom(e){return this.scale"] {
            assert!(!at(&gate, code), "{code}");
            assert!(at(&cut, code), "the cut prefix is only the name: {code}");
        }
        assert!(at(&gate, "ZOOM_CLIENT_SECRET=\"abc"));
    }

    #[test]
    fn every_match_of_a_rule_passes_its_gate() {
        let engine = crate::Engine::builder().build().unwrap();
        let mut seed = 0x9e37_79b9_7f4a_7c15;
        let (mut gated, mut checked) = (0, 0);
        for rule in engine.0.rules.iter() {
            let m = rule.matcher();
            let Some(gate) = m.gate.build() else { continue };
            gated += 1;
            let source = default_rule(&rule.info.id);
            let mut texts: Vec<String> = source.examples.clone();
            texts.extend(source.negative_examples.iter().cloned());
            texts.extend((0..4).map(|_| tests::pieces_text(&mut seed, 300)));
            for text in &texts {
                let hay = text.as_bytes();
                for found in m.regex.find_iter(hay) {
                    let input = Input::new(hay).span(found.start()..hay.len());
                    let input = match rule.anchors.is_some() {
                        true => input.anchored(Anchored::Yes),
                        false => input.anchored(Anchored::No),
                    };
                    assert!(gate.dfa.try_search_fwd(&input).is_ok(), "{}", rule.info.id);
                    assert!(
                        gate.may_match(&input),
                        "{}: the gate rejects a match at {}",
                        rule.info.id,
                        found.start()
                    );
                    checked += 1;
                }
            }
        }
        assert!(
            gated > 600 && checked > 1000,
            "{gated} gates, {checked} matches"
        );
    }

    /// The hand-written anchored walk answers as regex-automata's own search does, for every
    /// anchored gate of the default set (earliest and leftmost-first), at every position of
    /// text full of keyword fragments and of each rule's examples glued to a word byte, a
    /// separator or nothing (look-behind at the start), over the rest of the text and over
    /// spans that stop at, before and after a match's end (look-ahead there).
    #[test]
    fn the_anchored_walk_agrees_with_regex_automata() {
        let engine = crate::Engine::builder().build().unwrap();
        let mut seed = 0x2545_f491_4f6c_dd1d;
        let text = tests::pieces_text(&mut seed, 300);
        let (mut gates, mut compared, mut matched) = (0, 0, 0);
        for rule in engine.0.rules.iter().filter(|r| r.anchors.is_some()) {
            let Some(gate) = rule.matcher().gate.build() else {
                continue;
            };
            gates += 1;
            let mut texts = vec![text.clone()];
            for example in &default_rule(&rule.info.id).examples {
                texts.extend(["x", "-", ""].map(|glue| format!("{glue}{example}")));
            }
            for hay in &texts {
                let hay = hay.as_bytes();
                let search = |start: usize, end: usize, earliest: bool| {
                    let input = Input::new(hay).span(start..end).anchored(Anchored::Yes);
                    let theirs = gate.dfa.try_search_fwd(&input.earliest(earliest));
                    let ours = gate.anchored_end(hay, start..end, earliest);
                    let theirs = theirs.ok().map(|m| m.map(|m| m.offset()));
                    assert_eq!(ours, theirs, "{} at {start}..{end}", rule.info.id);
                    ours.flatten()
                };
                for start in 0..hay.len() {
                    for earliest in [true, false] {
                        compared += 1;
                        let Some(end) = search(start, hay.len(), earliest) else {
                            continue;
                        };
                        matched += 1;
                        for end in [end.saturating_sub(1).max(start), end, end + 1] {
                            search(start, end.min(hay.len()), earliest);
                        }
                    }
                }
            }
        }
        assert!(
            gates > 300 && compared > 100_000 && matched > 1_000,
            "{gates} gates, {compared} searches, {matched} matches"
        );
    }
}
