//! Per-stream scanning state: the roll buffer, regex caches, pending findings.
//!
//! # How a chunk becomes findings
//! 1. Bytes are copied into a fixed roll buffer (it never grows).
//! 2. When the buffer is full (or at a boundary: end of stream, or end of line in line mode),
//!    the keyword prefilter ([`crate::prefilter`]) finds every keyword occurrence whose end lies in the range not
//!    yet processed and far enough from the buffer's end that the keyword's window is complete.
//! 3. Each occurrence runs its rules' regexes inside the window (see [`crate::Engine`]), after
//!    the rule's previous match, so no span is reported twice. Entropy, validators, placeholder
//!    and allowlist checks then decide.
//! 4. Accepted matches wait in `pending`, sorted by start, until no later keyword can produce an
//!    overlapping match; then they are delivered in order (a generic finding yields to a
//!    provider finding on the same bytes) with their line and column.
//! 5. The buffer keeps only what later windows, pending findings and the redactor still need.
//!
//! Every step depends on absolute positions only, never on where a chunk ended, which is why
//! any chunking gives the one-shot result.

use std::collections::VecDeque;

use regex_automata::util::primitives::{NonMaxUsize, StateID};
use regex_automata::{Anchored, Input};

use crate::base64_runs::Base64Runs;
use crate::compile::{CompiledRule, MatcherCache};
use crate::decode::{Decoded, ESCAPE_RADIUS, MAX_BASE64_RUN};
use crate::engine::Engine;
use crate::entropy::shannon;
use crate::finding::Finding;
use crate::gate::Gate;
use crate::placeholder::{is_generic_value_noise, is_placeholder};
use crate::regex_facts::{contains, ByteSet};
use crate::rule::{AllowTarget, Kind};
use crate::sink::Sink;

/// Bytes processed per buffer fill, beyond the window.
const BLOCK: usize = 32 * 1024;
/// Bytes of look-around kept on each side of a window (assertions like `\b` look one byte
/// beyond a match).
const LOOK: usize = 4;
/// In line mode, only lines up to this long are looked at for armor markers (`-----BEGIN `):
/// a marker line is short, even with a log prefix before it.
const MAX_ARMOR_LINE: u64 = 1024;
/// Pending findings held without allocating; beyond this (many distinct secrets inside one
/// window) the queue grows.
const PENDING_CAPACITY: usize = 1024;
/// Matches one keyword occurrence may yield without allocating.
const FOUND_CAPACITY: usize = 256;

/// Receives what a scan produces. Implemented by plain sinks and by the redactor.
pub(crate) trait Output {
    type Error;
    /// A finding, in start order; `buf` (starting at `buf_abs`) holds every byte from the
    /// output's [`needs_from`](Output::needs_from) on.
    fn finding(&mut self, buf: &[u8], buf_abs: u64, f: &Finding<'_>) -> Result<(), Self::Error>;
    /// Every finding starting before `upto` has been delivered; `buf` starts at `buf_abs`.
    fn settled(&mut self, _buf: &[u8], _buf_abs: u64, _upto: u64) -> Result<(), Self::Error> {
        Ok(())
    }
    /// The earliest absolute byte this output still needs from the buffer.
    fn needs_from(&self) -> u64 {
        u64::MAX
    }
}

/// Adapts a public [`Sink`] to [`Output`].
pub(crate) struct SinkOutput<'s, S>(pub &'s mut S);

impl<S: Sink> Output for SinkOutput<'_, S> {
    type Error = S::Error;
    fn finding(&mut self, _: &[u8], _: u64, f: &Finding<'_>) -> Result<(), S::Error> {
        self.0.finding(f)
    }
}

/// What one rule cost in the current stream: how often a keyword selected it and how many
/// bytes its regex searched. For finding expensive rules (`examples/rule_cost.rs`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RuleStats {
    /// Keyword occurrences that ran this rule's regex.
    pub candidates: u64,
    /// Bytes its regex searched, summed over candidates.
    pub searched: u64,
    /// Searches the rule's gate (a DFA for a prefix of its regex) did not rule out, so that
    /// the PikeVM ran.
    pub pikevm_runs: u64,
    /// Regex matches (before entropy, validator and allowlist checks).
    pub matches: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Pending {
    start: u64,
    rule: u32,
    end: u64,
    match_start: u64,
    match_end: u64,
}

/// A regex match, as offsets in the searched buffer.
struct Hit {
    whole: (usize, usize),
    /// The secret group's span, if it took part in the match.
    secret: Option<(usize, usize)>,
}

/// A window gate's search that found no match over `origin..end` (stream offsets), and the
/// DFA state it ended in (see [`Gate::search_from`]).
#[derive(Clone, Copy, Debug)]
struct GateResume {
    origin: u64,
    end: u64,
    state: StateID,
}

/// Tracks the line number at a position that only moves forward.
#[derive(Clone, Copy, Debug)]
struct LineCursor {
    pos: u64,
    line: u64,
    line_start: u64,
}

impl LineCursor {
    const START: LineCursor = LineCursor {
        pos: 0,
        line: 1,
        line_start: 0,
    };

    /// Moves to `to`, counting newlines in `buf` (which starts at `buf_abs`).
    fn advance(&mut self, buf: &[u8], buf_abs: u64, to: u64) {
        if to <= self.pos {
            return;
        }
        let bytes = &buf[(self.pos - buf_abs) as usize..(to - buf_abs) as usize];
        if let Some(last) = memchr::memrchr(b'\n', bytes) {
            self.line += memchr::memchr_iter(b'\n', bytes).count() as u64;
            self.line_start = self.pos + last as u64 + 1;
        }
        self.pos = to;
    }
}

/// Where a guarded rule's match that goes on with the keyword at `kw_start` starts, if it can
/// (see [`crate::regex_facts::split_guard`]), at or after `from`: at the byte before the
/// keyword when that byte is in the guard and inside the segment (the leftmost start, as the
/// whole regex would find it), else at the keyword when it starts a line. The buffer's first
/// byte counts as a line start, as it does for `^` in the regex searches.
fn guard_start(win: &Window<'_>, guard: &ByteSet, kw_start: u64, from: u64) -> Option<u64> {
    if kw_start < from {
        return None;
    }
    if kw_start == win.buf_abs {
        return Some(kw_start);
    }
    let before = win.buf[(kw_start - 1 - win.buf_abs) as usize];
    if contains(guard, before) && kw_start > from.max(win.seg_start) {
        Some(kw_start - 1)
    } else if before == b'\n' || before == b'\r' {
        Some(kw_start)
    } else {
        None
    }
}

/// The buffer as a keyword's window sees it.
struct Window<'a> {
    buf: &'a [u8],
    buf_abs: u64,
    seg_start: u64,
    /// A decoded view rather than the stream itself (separate match cursors).
    nested: bool,
    /// Windows are clipped here: the buffer's end (or the segment's end at a boundary).
    end: u64,
}

impl Work {
    /// Runs rule `ri`'s regex for a keyword occurrence `kw_start..kw_end`: anchored at its start
    /// when the rule's matches always begin with a keyword, else over the keyword's window.
    fn confirm(
        &mut self,
        win: &Window<'_>,
        rule: &CompiledRule,
        ri: usize,
        kw_start: u64,
        kw_end: u64,
    ) {
        let anchored = rule.anchors.is_some();
        // A lazy engine compiles the rule, and this scanner sizes its scratch, on first use.
        let m = rule.matcher();
        let rel = |abs: u64| (abs - win.buf_abs) as usize;
        let segment = rel(win.seg_start.max(win.buf_abs))..rel(win.end);
        if !m
            .keyword_gates
            .may_match(win.buf, rel(kw_start)..rel(kw_end), segment, rule.max_len)
        {
            return; // no match has its keyword here
        }
        let (mut from, to) = if anchored {
            (kw_start, (kw_start + rule.max_len as u64).min(win.end))
        } else {
            let reach = (rule.max_len + crate::engine::NEAR) as u64;
            (
                kw_end.saturating_sub(reach).max(win.seg_start),
                (kw_end + reach).min(win.end),
            )
        };
        let next = self.cursor(ri, win.nested);
        // Where an anchored match starts: at the keyword, or at the guard byte before it.
        let mut match_start = kw_start;
        if let Some(guard) = &rule.guard {
            match guard_start(win, guard, kw_start, next) {
                Some(s) => match_start = s,
                None => return, // no guard here, or it is inside the rule's previous match
            }
        }
        if anchored && match_start < next {
            return; // inside the rule's previous match
        }
        from = from.max(next);
        // Windows of nearby keywords overlap. If this rule's last search, over [f, t), found
        // nothing, no match lies inside it, so a match here that starts at or after `f` ends
        // after `t`, and (being at most `max_len` long) starts after `t - max_len`: skip the
        // starts before that. Leftmost-first results are unchanged, since no match starts in
        // the skipped part (look-around sees beyond a span, so existence does not depend on it).
        // A span that ended at the buffer's end (a boundary) is never reused: the stream ends,
        // or, in line mode, later windows start at or after that end.
        let bounded_skip = !anchored && !win.nested && rule.bounded;
        if bounded_skip {
            let (f, t) = self.no_match[ri];
            if f <= from && from < t {
                from = from.max((t + 1).saturating_sub(rule.max_len as u64));
            }
        }
        let cache = &mut self.caches[ri];
        if cache.is_none() {
            *cache = Some(m.cache());
        }
        let stats = &mut self.stats[ri];
        stats.candidates += 1;
        if let Some(required) = m.required.filter(|_| from < to) {
            if !required.occur_in(&win.buf[rel(from)..rel(to)]) {
                // Every match holds one of these bytes, so none lies in [from, to): what the
                // search would find, in a few instructions.
                if bounded_skip {
                    self.no_match[ri] = (from, to);
                }
                return;
            }
        }
        stats.searched += to.saturating_sub(from);
        while from < to {
            let input = Input::new(win.buf)
                .span(rel(from)..rel(to))
                .anchored(if anchored {
                    Anchored::Yes
                } else {
                    Anchored::No
                });
            let Some(hit) = self.search(rule, ri, win, &input) else {
                if bounded_skip {
                    self.no_match[ri] = (from, to);
                }
                return;
            };
            let (ms, me) = hit.whole;
            // The regex ran from the keyword on: the guard byte is part of the match.
            let ms = ms - (kw_start - match_start) as usize;
            self.stats[ri].matches += 1;
            let abs = |rel: usize| win.buf_abs + rel as u64;
            from = if me > ms { abs(me) } else { abs(ms) + 1 };
            self.set_cursor(ri, win.nested, from);
            if anchored {
                from = to; // one anchored match per keyword occurrence
            }
            let Some((ss, se)) = hit.secret else { continue };
            if se <= ss || !self.accept(win.buf, rule, ri, ss..se, ms..me) {
                continue;
            }
            self.found.push(Pending {
                start: abs(ss),
                rule: ri as u32,
                end: abs(se),
                match_start: abs(ms),
                match_end: abs(me),
            });
        }
    }

    /// Rule `ri`'s leftmost-first match in `input`, if any. The gate answers first: it rejects
    /// most candidates in a few instructions per byte, and for some rules gives the match's
    /// bounds itself (see [`crate::gate::Tail`]); the PikeVM runs for the rest.
    fn search(
        &mut self,
        rule: &CompiledRule,
        ri: usize,
        win: &Window<'_>,
        input: &Input<'_>,
    ) -> Option<Hit> {
        let m = rule.matcher();
        let gate = m.gate.get();
        if let Some(gate) = gate {
            if let Some(secret) = gate.secret_span(input) {
                return secret.map(|s| Hit {
                    whole: (input.start(), s.end),
                    secret: Some((s.start, s.end)),
                });
            }
            let resumable = input.get_anchored() == Anchored::No && !win.nested;
            if self.gate_rejects(gate, win, ri, input, resumable) {
                return None;
            }
        }
        self.stats[ri].pikevm_runs += 1;
        let nslots = 2 * (rule.secret_group + 1);
        let slots = &mut self.slots[..nslots];
        let cache = self.caches[ri].as_mut()?;
        m.regex.search_slots_with(&mut cache.regex, input, slots)?;
        let pair = |i: usize| slots[i].zip(slots[i + 1]).map(|(s, e)| (s.get(), e.get()));
        Some(Hit {
            whole: pair(0)?,
            secret: pair(nslots - 2),
        })
    }

    /// Whether rule `ri`'s gate rules out a match in `input`. A window search in the stream goes
    /// on from where the rule's previous one stopped, when that one found nothing, began no
    /// later than this one and reached into it (see [`Gate::search_from`]).
    fn gate_rejects(
        &mut self,
        gate: &Gate,
        win: &Window<'_>,
        ri: usize,
        input: &Input<'_>,
        resumable: bool,
    ) -> bool {
        if !resumable {
            return !gate.may_match(input);
        }
        let rel = |abs: u64| (abs - win.buf_abs) as usize;
        let (from, to) = (
            win.buf_abs + input.start() as u64,
            win.buf_abs + input.end() as u64,
        );
        let (origin, start, state) = match self.gate_resume[ri] {
            Some(r) if r.origin <= from && from <= r.end && r.end <= to => {
                (r.origin, r.end, Some(r.state))
            }
            _ => (from, from, None),
        };
        let found = gate.search_from(win.buf, rel(start)..rel(to), state);
        self.gate_resume[ri] = found.map(|state| GateResume {
            origin,
            end: to,
            state,
        });
        found.is_some()
    }

    /// Where rule `ri`'s next match may start: in the stream, or in the current decoded view.
    fn cursor(&self, ri: usize, nested: bool) -> u64 {
        if !nested {
            return self.next[ri];
        }
        match self.nested_next[ri] {
            (generation, at) if generation == self.nested_generation => at,
            _ => 0,
        }
    }

    fn set_cursor(&mut self, ri: usize, nested: bool, at: u64) {
        if nested {
            self.nested_next[ri] = (self.nested_generation, at);
        } else {
            self.next[ri] = at;
        }
    }

    /// Moves candidates from `found` into the sorted pending queue.
    fn queue_found(&mut self) {
        while let Some(p) = self.found.pop() {
            let at = self.pending.partition_point(|q| q < &p);
            self.pending.insert(at, p);
        }
    }

    /// The checks after a regex match: entropy, validator, placeholders, stopwords, allowlist.
    fn accept(
        &mut self,
        buf: &[u8],
        rule: &CompiledRule,
        ri: usize,
        secret: std::ops::Range<usize>,
        whole: std::ops::Range<usize>,
    ) -> bool {
        let s = &buf[secret.clone()];
        if rule.min_entropy.is_some_and(|min| shannon(s) < min) {
            return false;
        }
        if rule.validator.is_some_and(|v| !v.check(s)) {
            return false;
        }
        // The body after a public prefix (`sntryu_` + `aaaa…`) can be a placeholder too.
        let body = &s[rule.info.keep_prefix.min(s.len())..];
        if rule.check_placeholders && (is_placeholder(s) || is_placeholder(body)) {
            return false;
        }
        if rule.info.generic
            && is_generic_value_noise(
                &buf[whole.clone()],
                secret.start - whole.start..secret.end - whole.start,
                rule.info.tags.iter().any(|t| t == "password"),
            )
        {
            return false;
        }
        let m = rule.matcher();
        if m.stopwords.as_ref().is_some_and(|ac| ac.is_match(s)) {
            return false;
        }
        let target = match rule.allow_target {
            AllowTarget::Secret => s,
            AllowTarget::Match => &buf[whole],
        };
        let Some(caches) = self.caches[ri].as_mut() else {
            return true;
        };
        !m.allow_regexes
            .iter()
            .zip(caches.allow.iter_mut())
            .any(|(re, cache)| {
                re.search_with(cache, &Input::new(target).earliest(true))
                    .is_some()
            })
    }
}

/// Scratch for confirming candidates, split from the buffer so both can be borrowed at once.
struct Work {
    /// Per rule; `None` until a lazy engine's rule first runs in this scanner.
    caches: Vec<Option<MatcherCache>>,
    slots: Vec<Option<NonMaxUsize>>,
    /// Per rule: the next match must start at or after this (end of its previous match).
    next: Vec<u64>,
    pending: VecDeque<Pending>,
    /// Candidates from the latest `confirm`, before they are queued (or mapped back from a
    /// decoded view).
    found: Vec<Pending>,
    /// Per-rule cursors inside the current decoded view, valid when their generation matches.
    nested_next: Vec<(u32, u64)>,
    nested_generation: u32,
    /// Per rule: the span of its latest window search (in the stream) that found no match.
    no_match: Vec<(u64, u64)>,
    /// Per rule: where its gate's latest window search (in the stream) stopped, if it found
    /// nothing.
    gate_resume: Vec<Option<GateResume>>,
    decoded: Decoded,
    stats: Vec<RuleStats>,
}

/// Scans one stream at a time. Create with [`Engine::scanner`]; reuse across streams.
///
/// Memory is fixed at creation: a roll buffer of [`Engine::window`] plus 32 KiB, one regex
/// cache per rule, and a queue for pending findings. Feeding and finishing do not allocate
/// (the pending queue grows only if more than 1,024 findings are undecided at once). With a
/// [lazy](crate::EngineBuilder::lazy) engine, a rule's cache is created on its first use.
pub struct Scanner {
    engine: Engine,
    buf: Box<[u8]>,
    /// Absolute offset of `buf[0]`.
    buf_abs: u64,
    /// Valid bytes in `buf`.
    len: usize,
    /// Every keyword occurrence ending at or before this has been processed.
    done: u64,
    /// Windows never reach before this (0, or the start of the current line in line mode).
    seg_start: u64,
    line_mode: bool,
    /// Line mode: where the current line starts.
    line_start: u64,
    /// Line mode: where an armored block (`-----BEGIN ...`) that no line has closed yet
    /// starts; while one is open, newlines do not end the segment.
    open_armor: Option<u64>,
    work: Work,
    /// The prefilter's reorder buffer.
    occurrences: crate::prefilter::Scratch,
    /// Escape sequences before this were decoded with an earlier region.
    esc_covered: u64,
    /// End of the furthest provider (non-generic) finding delivered, for generic suppression.
    specific_end: u64,
    /// End of the furthest generic finding delivered.
    generic_end: u64,
    /// Span of the last publishable provider finding delivered, for secret suppression.
    publishable_span: (u64, u64),
    lines: LineCursor,
}

impl std::fmt::Debug for Scanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner")
            .field("position", &self.position())
            .field("line_mode", &self.line_mode)
            .finish()
    }
}

impl Scanner {
    pub(crate) fn new(engine: Engine) -> Scanner {
        let inner = &engine.0;
        let cap = BLOCK + 3 * inner.reach + 4 * LOOK + 64;
        // All scratch now, so that feeding does not allocate; a lazy engine sizes each rule's
        // scratch on its first use instead.
        let caches = inner
            .rules
            .iter()
            .map(|r| (!inner.lazy).then(|| r.matcher().cache()))
            .collect();
        let max_slots = inner
            .rules
            .iter()
            .map(|r| 2 * (r.secret_group + 1))
            .max()
            .unwrap_or(2);
        let mut s = Scanner {
            buf: vec![0u8; cap].into_boxed_slice(),
            buf_abs: 0,
            len: 0,
            done: 0,
            seg_start: 0,
            line_mode: false,
            line_start: 0,
            open_armor: None,
            work: Work {
                caches,
                slots: vec![None; max_slots],
                next: vec![0; inner.rules.len()],
                pending: VecDeque::with_capacity(PENDING_CAPACITY),
                found: Vec::with_capacity(FOUND_CAPACITY),
                nested_next: vec![(u32::MAX, 0); inner.rules.len()],
                nested_generation: 0,
                no_match: vec![(0, 0); inner.rules.len()],
                gate_resume: vec![None; inner.rules.len()],
                decoded: Decoded::with_capacity(MAX_BASE64_RUN.max(3 * ESCAPE_RADIUS)),
                stats: vec![RuleStats::default(); inner.rules.len()],
            },
            occurrences: inner.prefilter.new_scratch(),
            esc_covered: 0,
            specific_end: 0,
            generic_end: 0,
            publishable_span: (0, 0),
            lines: LineCursor::START,
            engine,
        };
        s.warm_up();
        s
    }

    /// Runs each rule on its own examples and counter-examples once, so that the PikeVM's
    /// epsilon-closure stack (the one piece of regex scratch that grows on demand) reaches its
    /// working size here rather than during a `feed`.
    fn warm_up(&mut self) {
        let engine = self.engine.clone();
        for (i, rule) in engine.0.rules.iter().enumerate() {
            let w = &mut self.work;
            let Some(caches) = w.caches[i].as_mut() else {
                continue; // a lazy engine: warmed by first use
            };
            let m = rule.matcher();
            for ex in rule.warm_up.iter() {
                let n = 2 * (rule.secret_group + 1);
                let _ = m.regex.search_slots_with(
                    &mut caches.regex,
                    &Input::new(ex.as_bytes()),
                    &mut w.slots[..n],
                );
                for (a, cache) in m.allow_regexes.iter().zip(caches.allow.iter_mut()) {
                    let _ = a.search_with(cache, &Input::new(ex.as_bytes()));
                }
            }
        }
    }

    /// In line mode every `\n` ends a segment: no match crosses it, and everything before it
    /// is decided (and, for a redactor, written) as soon as it arrives. For log streams.
    /// The one exception is an armored block: from a line that opens one (`-----BEGIN `, as
    /// PEM, OpenSSH and PGP private keys start) to the line that closes it (`-----END `),
    /// newlines do not end the segment, so a key over the lines of one log message is found;
    /// a block that is not closed within the engine's reach is given up at the next newline.
    /// Takes effect for the next stream; call before the first `feed`.
    pub fn set_line_mode(&mut self, yes: bool) -> &mut Self {
        self.line_mode = yes;
        self
    }

    /// The engine this scanner uses.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Per-rule cost counters since the scanner was created (indexed like
    /// [`Engine::rules`]); they survive `finish` and `reset`.
    pub fn rule_stats(&self) -> &[RuleStats] {
        &self.work.stats
    }

    /// Bytes fed so far in the current stream.
    pub fn position(&self) -> u64 {
        self.buf_abs + self.len as u64
    }

    /// Forgets the current stream (without reporting what is pending) and starts a new one.
    pub fn reset(&mut self) {
        self.buf_abs = 0;
        self.len = 0;
        self.done = 0;
        self.seg_start = 0;
        self.line_start = 0;
        self.open_armor = None;
        self.work.next.iter_mut().for_each(|n| *n = 0);
        self.work.no_match.iter_mut().for_each(|n| *n = (0, 0));
        self.work.gate_resume.iter_mut().for_each(|g| *g = None);
        self.work.pending.clear();
        self.esc_covered = 0;
        self.specific_end = 0;
        self.generic_end = 0;
        self.publishable_span = (0, 0);
        self.lines = LineCursor::START;
    }

    /// Feeds the next chunk of the stream. Findings are delivered once decided, which may be
    /// up to [`Engine::window`] bytes later.
    ///
    /// # Errors
    /// Only the sink's own error.
    pub fn feed<S: Sink>(&mut self, chunk: &[u8], sink: &mut S) -> Result<(), S::Error> {
        self.feed_to(chunk, &mut SinkOutput(sink))
    }

    /// Ends the stream: delivers every remaining finding, then resets for the next stream.
    ///
    /// # Errors
    /// Only the sink's own error.
    pub fn finish<S: Sink>(&mut self, sink: &mut S) -> Result<(), S::Error> {
        self.finish_to(&mut SinkOutput(sink))
    }

    /// Scans a whole buffer as one stream: `feed` then `finish`.
    ///
    /// # Errors
    /// Only the sink's own error.
    pub fn scan<S: Sink>(&mut self, data: &[u8], sink: &mut S) -> Result<(), S::Error> {
        self.reset();
        self.feed(data, sink)?;
        self.finish(sink)
    }

    pub(crate) fn feed_to<O: Output>(
        &mut self,
        mut chunk: &[u8],
        out: &mut O,
    ) -> Result<(), O::Error> {
        while !chunk.is_empty() {
            if self.len == self.buf.len() {
                self.process(false, out)?;
                self.compact(out);
            }
            let room = self.buf.len() - self.len;
            let mut take = room.min(chunk.len());
            let mut boundary = false;
            if self.line_mode {
                if let Some(nl) = memchr::memchr(b'\n', &chunk[..take]) {
                    take = nl + 1;
                    boundary = true;
                }
            }
            self.buf[self.len..self.len + take].copy_from_slice(&chunk[..take]);
            self.len += take;
            chunk = &chunk[take..];
            if boundary && self.line_ends_segment() {
                self.process(true, out)?;
                self.seg_start = self.position();
            }
            if boundary {
                self.line_start = self.position();
            }
        }
        Ok(())
    }

    /// Line mode, at the newline just copied: whether it ends the segment, which it does
    /// unless an armored block is open (see [`Scanner::set_line_mode`]). Looks only at the
    /// bytes of the line, which depend on absolute positions alone, so chunking cannot change
    /// the answer.
    fn line_ends_segment(&mut self) -> bool {
        let end = self.position();
        let line = if self.line_start >= self.buf_abs && end - self.line_start <= MAX_ARMOR_LINE {
            &self.buf[(self.line_start - self.buf_abs) as usize..self.len]
        } else {
            &[]
        };
        let begin = self.engine.0.armor_begin.rfind(line);
        let close = self.engine.0.armor_end.rfind(line);
        match (begin, close) {
            (Some(b), c) if c.is_none_or(|c| c < b) => {
                self.open_armor.get_or_insert(self.line_start + b as u64);
            }
            (_, Some(_)) => self.open_armor = None,
            _ => {}
        }
        if let Some(at) = self.open_armor {
            if end - at > self.engine.0.reach as u64 {
                self.open_armor = None;
            }
        }
        self.open_armor.is_none()
    }

    pub(crate) fn finish_to<O: Output>(&mut self, out: &mut O) -> Result<(), O::Error> {
        self.process(true, out)?;
        self.reset();
        Ok(())
    }

    /// Processes keyword occurrences up to the commit point and delivers what is decided.
    /// `boundary`: the buffer's end is the end of a segment (end of stream or of a line).
    fn process<O: Output>(&mut self, boundary: bool, out: &mut O) -> Result<(), O::Error> {
        let reach = self.engine.0.reach as u64;
        let end = self.position();
        let commit = if boundary {
            end
        } else {
            end.saturating_sub(reach + LOOK as u64)
        };
        if commit > self.done {
            self.find_candidates(commit, end);
            self.done = commit;
        }
        // Later keyword occurrences end after `commit`, so their matches start after
        // `commit - reach`: anything ending before that can no longer be overlapped.
        let decided = if boundary {
            u64::MAX
        } else {
            commit.saturating_sub(reach)
        };
        self.deliver(decided, out)?;
        let settled = match self.work.pending.front() {
            Some(p) => p.start.min(decided),
            None => decided.min(end),
        };
        out.settled(&self.buf[..self.len], self.buf_abs, settled)
    }

    /// Runs the prefilter over keyword ends in `(done, commit]` and confirms each occurrence.
    fn find_candidates(&mut self, commit: u64, end: u64) {
        let engine = self.engine.clone();
        let inner = &engine.0;
        let lo = self
            .done
            .saturating_sub(inner.max_keyword_len as u64)
            .max(self.seg_start)
            .max(self.buf_abs);
        let (lo_rel, hi_rel) = (
            (lo - self.buf_abs) as usize,
            (commit - self.buf_abs) as usize,
        );
        let (buf, buf_abs, done, seg_start) = (
            &self.buf[..self.len],
            self.buf_abs,
            self.done,
            self.seg_start,
        );
        let work = &mut self.work;
        let window = Window {
            buf,
            buf_abs,
            seg_start,
            nested: false,
            end,
        };
        inner
            .prefilter
            .for_each(buf, lo_rel, hi_rel, &mut self.occurrences, |m| {
                let kw_end = buf_abs + m.end as u64;
                if kw_end <= done {
                    return;
                }
                let kw_start = buf_abs + m.start as u64;
                let rejected = inner.shared_gates.rejected(
                    m.pattern,
                    &inner.rules,
                    buf,
                    m.start,
                    (end - buf_abs) as usize,
                );
                // Both lists are in rule order: walk them together.
                let mut rejected = rejected.iter().peekable();
                for &ri in &inner.keyword_rules[m.pattern as usize] {
                    while rejected.next_if(|&&r| r < ri).is_some() {}
                    if rejected.next_if_eq(&&ri).is_some() {
                        continue; // no match here: this rule's gate is part of the shared one
                    }
                    work.confirm(
                        &window,
                        &inner.rules[ri as usize],
                        ri as usize,
                        kw_start,
                        kw_end,
                    );
                    work.queue_found();
                }
            });
        if engine.0.decode {
            self.find_encoded(commit, end);
        }
    }

    /// Finds base64 runs and escape sequences starting in `[done, commit)` and scans their
    /// decoded views. Every region is bounded (see [`crate::decode`]) and lies within the
    /// buffer, so like everything else it depends on absolute positions only.
    fn find_encoded(&mut self, commit: u64, end: u64) {
        let from = self.done.max(self.seg_start).max(self.buf_abs);
        let buf_abs = self.buf_abs;
        let rel = move |a: u64| (a - buf_abs) as usize;
        let (lo, hi, stop) = (rel(from), rel(commit), rel(end));
        let reach = self.engine.0.reach;
        // Base64 runs that start in [lo, hi), each decoded and scanned once.
        let max_run = MAX_BASE64_RUN.min(reach.saturating_sub(8));
        let floor = rel(self.seg_start.max(self.buf_abs));
        let mut runs = Base64Runs::new(&self.buf, lo, hi, stop, floor);
        while let Some(run) = runs.next(&self.buf) {
            // Up to two `=` of padding end the run. (`max_run` leaves room for them: the
            // bytes up to `stop` are in the buffer.)
            let mut padded = run.end;
            while padded < stop && padded < run.end + 2 && self.buf[padded] == b'=' {
                padded += 1;
            }
            if run.len() <= max_run && self.work.decoded.base64(&self.buf[run.start..padded]) {
                self.scan_decoded(self.buf_abs + run.start as u64);
            }
        }
        // Escape sequences in [lo, hi): decode a region around each, once.
        let radius = ESCAPE_RADIUS.min(reach / 2);
        let mut at = lo;
        while let Some(k) = memchr::memchr2(b'\\', b'%', &self.buf[at..hi]) {
            let p = at + k;
            at = p + 1;
            let abs_p = self.buf_abs + p as u64;
            if abs_p < self.esc_covered || crate::decode::escape_at(&self.buf[..stop], p).is_none()
            {
                continue;
            }
            let start = p
                .saturating_sub(radius)
                .max(rel(self.seg_start.max(self.buf_abs)));
            let region_end = (p + 2 * radius).min(stop);
            self.esc_covered = self.buf_abs + region_end as u64;
            if self.work.decoded.escapes(&self.buf[start..region_end]) {
                self.scan_decoded(self.buf_abs + start as u64);
            }
        }
    }

    /// Runs the prefilter and rules over the decoded view in `work.decoded`, whose encoded text
    /// starts at absolute offset `base`, and queues findings that involve decoded bytes, mapped
    /// back to their encoded spans.
    fn scan_decoded(&mut self, base: u64) {
        let engine = self.engine.clone();
        let inner = &engine.0;
        let work = &mut self.work;
        work.nested_generation = work.nested_generation.wrapping_add(1);
        let decoded = std::mem::take(&mut work.decoded);
        let view = decoded.as_slice();
        let occurrences = &mut self.occurrences;
        inner
            .prefilter
            .for_each(view, 0, view.len(), occurrences, |m| {
                for &ri in &inner.keyword_rules[m.pattern as usize] {
                    let window = Window {
                        buf: view,
                        buf_abs: 0,
                        seg_start: 0,
                        nested: true,
                        end: view.len() as u64,
                    };
                    work.confirm(
                        &window,
                        &inner.rules[ri as usize],
                        ri as usize,
                        m.start as u64,
                        m.end as u64,
                    );
                    while let Some(p) = work.found.pop() {
                        let (s, e) = (p.start as usize, p.end as usize);
                        if !decoded.any_encoded(s..e) {
                            continue; // plain text inside the region: the stream scan reports it
                        }
                        let map = |i: u64| base + decoded.origin[i as usize] as u64;
                        let q = Pending {
                            start: map(p.start),
                            end: map(p.end),
                            match_start: map(p.match_start),
                            match_end: map(p.match_end),
                            rule: p.rule,
                        };
                        let at = work.pending.partition_point(|x| x < &q);
                        if work.pending.get(at) != Some(&q) {
                            work.pending.insert(at, q);
                        }
                    }
                }
            });
        work.decoded = decoded;
    }

    /// Delivers pending findings that end at or before `decided`, in start order.
    fn deliver<O: Output>(&mut self, decided: u64, out: &mut O) -> Result<(), O::Error> {
        let engine = self.engine.clone();
        while let Some(&p) = self.work.pending.front() {
            if p.end > decided {
                break;
            }
            self.work.pending.pop_front();
            let rule = &engine.0.rules[p.rule as usize];
            if rule.info.generic {
                // A generic finding yields to any provider finding on the same bytes (all of
                // which are known by now) and to an earlier generic one.
                let overlapped_later = self
                    .work
                    .pending
                    .iter()
                    .take_while(|q| q.start < p.end)
                    .any(|q| !engine.0.rules[q.rule as usize].info.generic);
                if self.specific_end > p.start || self.generic_end > p.start || overlapped_later {
                    continue;
                }
                self.generic_end = self.generic_end.max(p.end);
            } else {
                // A context rule that knows a key is meant to ship in clients (a Firebase web
                // config's apiKey) takes the bytes from a format rule that cannot tell (every
                // `AIza` key): a secret finding on exactly a publishable finding's span yields.
                let publishable = |q: &Pending| {
                    let r = &engine.0.rules[q.rule as usize].info;
                    r.kind == Kind::Publishable && !r.generic
                };
                if rule.info.kind == Kind::Secret {
                    let same_span_publishable = self.publishable_span == (p.start, p.end)
                        || self
                            .work
                            .pending
                            .iter()
                            .take_while(|q| q.start == p.start)
                            .any(|q| q.end == p.end && publishable(q));
                    if same_span_publishable {
                        continue;
                    }
                } else if publishable(&p) {
                    self.publishable_span = (p.start, p.end);
                }
                self.specific_end = self.specific_end.max(p.end);
            }
            self.lines
                .advance(&self.buf[..self.len], self.buf_abs, p.start);
            let rel = |a: u64| (a - self.buf_abs) as usize;
            let f = Finding {
                rule_index: p.rule as usize,
                rule: &rule.info,
                span: p.start..p.end,
                match_span: (p.match_start, p.match_end),
                line: self.lines.line,
                column: p.start - self.lines.line_start + 1,
                secret: &self.buf[rel(p.start)..rel(p.end)],
            };
            out.finding(&self.buf[..self.len], self.buf_abs, &f)?;
        }
        Ok(())
    }

    /// Drops bytes no window, pending finding or output needs any more.
    fn compact<O: Output>(&mut self, out: &O) {
        let reach = self.engine.0.reach as u64;
        let mut keep_from = self
            .done
            .saturating_sub(reach + LOOK as u64)
            .min(out.needs_from());
        if let Some(p) = self.work.pending.front() {
            keep_from = keep_from.min(p.start);
        }
        let keep_from = keep_from.max(self.buf_abs);
        self.lines
            .advance(&self.buf[..self.len], self.buf_abs, keep_from);
        let drop = (keep_from - self.buf_abs) as usize;
        self.buf.copy_within(drop..self.len, 0);
        self.len -= drop;
        self.buf_abs = keep_from;
    }
}
