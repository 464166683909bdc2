//! Hostile input and untrusted rules: nothing panics, cost grows linearly with the input,
//! memory does not grow with it, and each refused rule names its rule id and field.
//!
//! Sizes here are small enough for CI; `benches/hostile.rs` runs the same inputs at full size
//! (a 1 GiB line, ...) and reports time per MiB. Cost is measured without clocks: by the
//! engine's own counters (keyword hits that ran a regex, bytes searched) and by the heap bytes
//! allocated while feeding, counted by a global allocator below.

#[path = "../../benches/hostile_inputs.rs"]
mod hostile_inputs;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use hostile_inputs::*;
use secretsift::{BuildErrorKind, Engine};

struct Tracking;

thread_local! {
    // Per thread, so tests running in parallel do not see each other's allocations.
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn note(delta: isize) {
    // `try_with`: the allocator also runs while thread-locals are being torn down.
    let _ = LIVE.try_with(|l| {
        let v = l.get() + delta;
        l.set(v);
        let _ = PEAK.try_with(|p| p.set(p.get().max(v)));
    });
}

unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size() as isize);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note(-(layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size as isize - layout.size() as isize);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Tracking = Tracking;

/// Runs `f`; returns its result and the most heap it held at once beyond what was live before.
fn peak_heap<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let out = f();
    (out, (PEAK.with(Cell::get) - base).max(0) as usize)
}

/// Heap a scan may take while feeding, whatever the input size (the scanner sizes its buffers
/// when created; the pending queue may grow a little under many close findings).
const HEAP_BOUND: usize = 256 << 10;

/// Scans `pattern` repeated to `n` and to `2n` bytes with a fresh scanner each time; asserts
/// the work and findings double and the heap used while feeding stays small and the same.
fn assert_linear(engine: &Engine, pattern: &[u8], n: usize, line_mode: bool) -> (Work, Work) {
    let run = |size| {
        let mut sc = engine.scanner();
        sc.set_line_mode(line_mode);
        peak_heap(|| feed_repeated(&mut sc, pattern, size, b"", 64 << 10))
    };
    let ((w1, h1), (w2, h2)) = (run(n), run(2 * n));
    let doubles = |a: u64, b: u64, what: &str| {
        // Twice the input: twice the work, give or take the edges of the stream (3%).
        let lo = (2 * a).saturating_sub(a / 33 + 64);
        let hi = 2 * a + a / 33 + 64;
        assert!(
            (lo..=hi).contains(&b),
            "{what}: {a} for {n} bytes but {b} for {} bytes",
            2 * n
        );
    };
    doubles(w1.candidates, w2.candidates, "keyword hits");
    doubles(w1.searched, w2.searched, "bytes searched");
    doubles(w1.findings, w2.findings, "findings");
    assert!(
        h1 <= HEAP_BOUND && h2 <= HEAP_BOUND,
        "heap while feeding: {h1} bytes for {n} bytes of input, {h2} for {}",
        2 * n
    );
    (w1, w2)
}

#[test]
fn a_line_without_newline_is_scanned_in_fixed_memory_and_its_secrets_found() {
    let engine = Engine::with_default_rules().unwrap();
    let pattern = plain_line_pattern();
    for line_mode in [false, true] {
        let (w, _) = assert_linear(&engine, &pattern, 4 << 20, line_mode);
        assert_eq!(w.findings, 0, "the pattern holds no secret");
    }
    // A key after 8 MiB of one line: found, on line 1, at its column.
    let key = aws_key(7);
    let tail = format!(" {key}");
    for line_mode in [false, true] {
        let mut sc = engine.scanner();
        sc.set_line_mode(line_mode);
        let n = 8 << 20;
        let mut data = pattern.iter().cycle().take(n).copied().collect::<Vec<u8>>();
        data.extend_from_slice(tail.as_bytes());
        let mut sink = secretsift::sink::Collect::default();
        for c in data.chunks(100_003) {
            let Ok(()) = sc.feed(c, &mut sink);
        }
        let Ok(()) = sc.finish(&mut sink);
        assert_eq!(sink.findings.len(), 1, "line mode {line_mode}");
        let f = &sink.findings[0];
        assert_eq!((f.start, f.line, f.column), (n as u64 + 1, 1, n as u64 + 2));
        assert_eq!(f.expose_secret(), key.as_bytes());
        let red = redact(&engine, &data, 65_536, line_mode);
        assert_eq!(
            &red[..n + 1],
            &data[..n + 1],
            "bytes before the key pass unchanged"
        );
        assert_eq!(&red[n + 1..], b"[REDACTED:aws-access-key-id]");
    }
}

#[test]
fn a_million_keyword_hits_per_mib_cost_linear_work_in_fixed_memory() {
    let engine = dense_engine();
    let n = 1 << 20;
    let (w, _) = assert_linear(&engine, b"a", n, false);
    // `aa` ends at every byte but the first: one regex run per byte.
    assert_eq!(w.candidates, n as u64 - 1);
    assert_eq!(w.findings, 0);
    // The same, broken into lines.
    assert_linear(
        &engine,
        &[b"a".repeat(1000), b"\n".to_vec()].concat(),
        n,
        true,
    );
    // The default ruleset on the densest keyword stream of its own keywords (`eaa` opens a
    // Facebook-token window at every third byte; `aaaa…` is the Twitter bearer keyword).
    let default = Engine::with_default_rules().unwrap();
    for pattern in [&b"eaa"[..], b"a", b"password=secret token apikey=sk_ "] {
        let (w, _) = assert_linear(&default, pattern, 64 << 10, false);
        assert!(
            w.candidates > 10_000,
            "{:?}: {w:?}",
            String::from_utf8_lossy(pattern)
        );
    }
}

#[test]
fn dense_findings_are_all_reported_in_fixed_memory() {
    // One secret every 25 bytes: about 42,000 findings per MiB.
    let engine = Engine::with_default_rules().unwrap();
    let pattern = format!("{} ", aws_key(3)).repeat(4);
    let pattern = pattern.as_bytes();
    let n = 1 << 20;
    let (w, _) = assert_linear(&engine, pattern, n, false);
    assert_eq!(w.findings, (n / (pattern.len() / 4)) as u64);
    assert_linear(&engine, pattern, n, true);
}

#[test]
fn invalid_utf8_and_nul_bytes_neither_hide_secrets_nor_get_altered() {
    let engine = Engine::with_default_rules().unwrap();
    let (data, planted) = binary_with_keys(2 << 20, 997, 0xbad5eed);
    for line_mode in [false, true] {
        let mut sc = engine.scanner();
        sc.set_line_mode(line_mode);
        let mut sink = secretsift::sink::Collect::default();
        for c in data.chunks(4093) {
            let Ok(()) = sc.feed(c, &mut sink);
        }
        let Ok(()) = sc.finish(&mut sink);
        let starts: Vec<usize> = sink.findings.iter().map(|f| f.start as usize).collect();
        assert_eq!(starts, planted, "line mode {line_mode}");
        // Redaction: each key replaced, every other byte (NULs, invalid UTF-8) unchanged.
        let mut expected = Vec::with_capacity(data.len());
        let mut at = 0;
        for &p in &planted {
            expected.extend_from_slice(&data[at..p]);
            expected.extend_from_slice(b"[REDACTED:aws-access-key-id]");
            at = p + 20;
        }
        expected.extend_from_slice(&data[at..]);
        assert!(
            redact(&engine, &data, 777, line_mode) == expected,
            "line mode {line_mode}"
        );
    }
}

#[test]
fn deeply_nested_encodings_cost_linear_work() {
    let engine = Engine::with_default_rules().unwrap();
    let line = format!("aws_access_key_id={}", aws_key(11));
    // One level of base64 is looked into: the finding reports the encoded span.
    let once = nested_base64(line.as_bytes(), 1);
    let data = [b"data: ".as_slice(), &once, b"\n"].concat();
    let found = engine.scan(&data);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].rule_id, "aws-access-key-id");
    assert!(found[0].start >= 6 && found[0].end <= 6 + once.len() as u64);
    // Deeper nesting (base64 in base64 ..., %25252525..., escaped escapes) is not unpacked
    // further: the cost per byte stays that of one level, so work grows with the input only.
    for depth in [2, 5, 12] {
        let b64 = nested_base64(line.as_bytes(), depth);
        let pct = nested_percent(line.as_bytes(), depth);
        let json = nested_json(&line, depth);
        for pattern in [&b64[..], &pct[..], json.as_bytes()] {
            // Lines of the nested text, so many copies of it are decoded.
            let pattern = [pattern, b"\n"].concat();
            let n = (pattern.len() * 64).max(512 << 10);
            assert_linear(&engine, &pattern, n - n % pattern.len(), false);
        }
    }
}

#[test]
fn endless_base64_runs_cost_linear_work_in_fixed_memory() {
    let engine = Engine::with_default_rules().unwrap();
    let (w, _) = assert_linear(&engine, &base64_run_pattern(), 4 << 20, false);
    assert_eq!(w.findings, 0);
    // Runs just short of the decoding limit, each decoded: still linear.
    let mut pattern = base64_run_pattern()[..4000].to_vec();
    pattern.push(b'\n');
    assert_linear(&engine, &pattern, 2 << 20, false);
}

// ---- untrusted rules ----------------------------------------------------------------------

fn build(toml: &str) -> secretsift::BuildError {
    let mut b = Engine::builder();
    b.default_rules(false);
    match b.add_toml(toml, "user.toml") {
        Err(e) => e,
        Ok(b) => b.build().expect_err("the ruleset must be refused"),
    }
}

fn rule(id: &str, regex: &str, keywords: &str, extra: &str) -> String {
    format!(
        "[[rules]]\nid = \"{id}\"\nprovider = \"user\"\nregex = '''{regex}'''\nkeywords = [{keywords}]\n{extra}\n"
    )
}

/// Asserts the error's kind, rule id and field, and that its message says all three.
fn assert_refused(e: &secretsift::BuildError, kind: BuildErrorKind, id: &str, field: &str) {
    assert_eq!(
        (e.kind(), e.rule_id(), e.field()),
        (kind, Some(id), Some(field)),
        "{e}"
    );
    let shown = e.to_string();
    assert!(
        shown.contains(&format!("rule `{id}`")) && shown.contains(&format!("field `{field}`")),
        "{shown}"
    );
}

#[test]
fn a_regex_longer_than_16_kib_is_refused() {
    let long = "ab".repeat(8 * 1024 + 1);
    let e = build(&rule("long-one", &long, "\"ab\"", ""));
    assert_refused(&e, BuildErrorKind::Limit, "long-one", "regex");
    assert!(e.message().contains("16384"), "{e}");
    let allow = format!("allowlist = {{ regexes = ['''{long}'''] }}");
    let e = build(&rule("long-allow", "ab([a-z]{8})", "\"ab\"", &allow));
    assert_refused(&e, BuildErrorKind::Limit, "long-allow", "allowlist.regexes");
}

#[test]
fn a_regex_whose_automaton_is_too_large_is_refused() {
    // 17 bytes of pattern, a million NFA states.
    let e = build(&rule("huge-nfa", "ab(\\w{1000}){1000}", "\"ab\"", ""));
    assert_refused(&e, BuildErrorKind::Limit, "huge-nfa", "regex");
    let allow = "allowlist = { regexes = ['''(\\w{1000}){1000}'''] }";
    let e = build(&rule("huge-allow", "ab([a-z]{8})", "\"ab\"", allow));
    assert_refused(&e, BuildErrorKind::Limit, "huge-allow", "allowlist.regexes");
}

#[test]
fn a_deeply_nested_regex_is_refused() {
    let nested = format!("ab{}x{}", "(".repeat(500), ")".repeat(500));
    let e = build(&rule("deep", &nested, "\"ab\"", ""));
    assert_refused(&e, BuildErrorKind::Regex, "deep", "regex");
    assert!(e.message().contains("nest"), "{e}");
}

#[test]
fn an_enormous_counted_repetition_is_refused() {
    let e = build(&rule("many-reps", "ab[a-z]{1000000}", "\"ab\"", ""));
    assert!(
        matches!(e.kind(), BuildErrorKind::Regex | BuildErrorKind::Limit),
        "{e}"
    );
    assert_eq!((e.rule_id(), e.field()), (Some("many-reps"), Some("regex")));
}

#[test]
fn unbounded_repetition_is_capped_by_the_match_length_limit() {
    // `.*` has no maximum length; windows are capped by max_match_len, so a stream of `ab`
    // followed by megabytes without a newline costs bounded work per keyword hit.
    let mut b = Engine::builder();
    b.default_rules(false)
        .add_toml(&rule("greedy", "ab(.*)zz", "\"ab\"", ""), "user.toml")
        .unwrap();
    let engine = b.build().unwrap();
    let (w, _) = assert_linear(
        &engine,
        &[b"ab".as_slice(), &[b'q'; 4094]].concat(),
        1 << 20,
        false,
    );
    assert!(w.searched <= w.candidates * 2 * (secretsift::DEFAULT_MAX_MATCH_LEN as u64 + 64));
}

#[test]
fn too_many_keywords_or_bad_keywords_are_refused() {
    let e = build(&rule(
        "long-keyword",
        "ab([a-z]{8})",
        &format!("\"{}\"", "k".repeat(65)),
        "",
    ));
    assert_refused(&e, BuildErrorKind::InvalidValue, "long-keyword", "keywords");
    let e = build(&rule("no-keyword", "ab([a-z]{8})", "", ""));
    assert_refused(&e, BuildErrorKind::NoKeyword, "no-keyword", "keywords");
    // 50,001 distinct keywords over 11 rules.
    let mut toml = String::new();
    for r in 0..11 {
        let kws: Vec<String> = (0..4546).map(|k| format!("\"kw{r}x{k}\"")).collect();
        toml.push_str(&rule(
            &format!("kw-{r}"),
            "zz([a-z]{8})",
            &kws.join(","),
            "",
        ));
    }
    let e = build(&toml);
    // The 11th rule's keywords cross the limit (10 rules hold 45,460).
    assert_refused(&e, BuildErrorKind::Limit, "kw-10", "keywords");
    assert!(e.to_string().contains("50000"), "{e}");
}

#[test]
fn too_many_rules_are_refused() {
    let toml: String = (0..10_001)
        .map(|i| rule(&format!("r{i}"), "ab([a-z]{8})", "\"ab\"", ""))
        .collect();
    let e = build(&toml);
    assert_refused(&e, BuildErrorKind::Limit, "r10000", "id");
    assert!(e.to_string().contains("10000"), "{e}");
}

#[test]
fn many_large_automata_are_refused_before_memory_runs_out() {
    // Each regex is under the per-regex limit; together they would take gigabytes.
    let toml: String = (0..2_000)
        .map(|i| rule(&format!("big-{i}"), "ab(\\w{100}){60}", "\"ab\"", ""))
        .collect();
    let e = build(&toml);
    assert_eq!(e.kind(), BuildErrorKind::Limit, "{e}");
    assert_eq!(e.field(), Some("regex"), "{e}");
    assert!(e.rule_id().is_some_and(|id| id.starts_with("big-")), "{e}");
}
