//! The fuzz targets' oracles, shared with the regression test that replays
//! `fuzz/fixtures/regressions/` (`engine/tests/fuzz_regressions.rs` includes this file).
//!
//! Each `check_*` takes the raw fuzzer input and panics when the engine misbehaves: a panic
//! inside the engine, a result that depends on how the stream was chunked, or a redaction that
//! lets a secret byte through or drops, reorders or changes any other byte.
//!
//! Only `std` and `secretsift`: the engine test compiles this file as a module.

use std::cell::RefCell;
use std::sync::OnceLock;

use secretsift::{Engine, FindingBuf, RedactOptions, Redactor, Scanner};

/// Rules built from fuzzed text are also compiled and run when they are few, so fuzzed
/// regexes meet fuzzed haystacks; a cap keeps each run short.
const MAX_FUZZED_RULES: usize = 32;

/// The engine the stream and redact targets run: the embedded default ruleset (decoding on).
pub fn default_engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::with_default_rules().expect("default rules compile"))
}

thread_local! {
    /// A scanner and two redactors (line mode off, on) over [`default_engine`], reused across
    /// runs: creating one sizes its buffers and warms every rule's regex, which would take
    /// most of each run's time.
    static REUSED: RefCell<Option<(Scanner, [Redactor; 2])>> = const { RefCell::new(None) };
}

fn with_reused<T>(f: impl FnOnce(&mut Scanner, &mut [Redactor; 2]) -> T) -> T {
    REUSED.with(|cell| {
        let mut slot = cell.borrow_mut();
        let (sc, rs) = slot.get_or_insert_with(|| {
            let e = default_engine();
            let red = |line_mode| {
                e.redactor(RedactOptions {
                    line_mode,
                    ..RedactOptions::default()
                })
            };
            (e.scanner(), [red(false), red(true)])
        });
        f(sc, rs)
    })
}

/// Parses `data` as a secretsift rule file; if it parses, compiles it and scans the text
/// itself with the result. Errors are fine; panics and empty error messages are not.
pub fn check_rules_toml(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match secretsift::rule::parse_toml(&text, "fuzz.toml") {
        Ok(rules) => build_and_scan(rules, text.as_bytes()),
        Err(e) => check_error(&e),
    }
}

/// As [`check_rules_toml`] for the gitleaks format (and the format detection in front of it).
pub fn check_rules_gitleaks(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = secretsift::gitleaks::detect(&text);
    for parsed in [
        secretsift::gitleaks::parse(&text, "gitleaks.toml"),
        secretsift::gitleaks::parse_any(&text, "any.toml"),
    ] {
        match parsed {
            Ok(rules) => build_and_scan(rules, text.as_bytes()),
            Err(e) => check_error(&e),
        }
    }
}

fn build_and_scan(rules: Vec<secretsift::RuleSyntax>, haystack: &[u8]) {
    if rules.is_empty() || rules.len() > MAX_FUZZED_RULES {
        return;
    }
    let mut b = Engine::builder();
    b.default_rules(false).add_rules(rules);
    match b.build() {
        Ok(engine) => {
            let whole = keys(&engine.scan(haystack));
            assert_eq!(
                keys(&scan_chunked(&engine, haystack, 7, false)),
                whole,
                "fuzzed rules: 7-byte chunks differ from one call"
            );
            check_positions(haystack, &engine.scan(haystack));
        }
        Err(e) => check_error(&e),
    }
}

fn check_error(e: &secretsift::BuildError) {
    let shown = e.to_string();
    assert!(!shown.trim().is_empty(), "empty error message: {e:?}");
    assert!(!e.message().trim().is_empty(), "empty error message: {e:?}");
}

/// The fields that define a finding (all but the preview, which follows from the secret).
pub type Key = (String, u64, u64, u64, u64, u64, u64);

/// Each finding's defining fields, in reported order.
pub fn keys(findings: &[FindingBuf]) -> Vec<Key> {
    findings
        .iter()
        .map(|f| {
            (
                f.rule_id.clone(),
                f.start,
                f.end,
                f.match_start,
                f.match_end,
                f.line,
                f.column,
            )
        })
        .collect()
}

/// Splits a fuzzer input into a chunking plan and the stream: byte 0 holds flags (bit 0: line
/// mode), bytes 1..3 seed the chunk sizes. Returns `(line_mode, seed, stream)`.
pub fn split_input(data: &[u8]) -> Option<(bool, u32, &[u8])> {
    if data.len() < 3 {
        return None;
    }
    let seed = u32::from(data[1]) << 8 | u32::from(data[2]);
    Some((data[0] & 1 == 1, seed, &data[3..]))
}

/// Chunk lengths from a seed: mostly small (1..=64 bytes), sometimes up to 64 KiB, so chunk
/// edges fall everywhere relative to keywords, windows and buffer refills.
pub fn chunk_lengths(seed: u32, total: usize) -> Vec<usize> {
    let mut x = u64::from(seed).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::new();
    let mut sum = 0;
    while sum < total {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let n = if x % 8 == 0 {
            (x >> 8) as usize % 65_536
        } else {
            (x >> 8) as usize % 64 + 1
        };
        out.push(n);
        sum += n;
    }
    out
}

fn scan_with_plan(
    engine: &Engine,
    data: &[u8],
    plan: &[usize],
    line_mode: bool,
) -> Vec<FindingBuf> {
    scan_plan_with(&mut engine.scanner(), data, plan, line_mode)
}

fn scan_plan_with(
    sc: &mut Scanner,
    data: &[u8],
    plan: &[usize],
    line_mode: bool,
) -> Vec<FindingBuf> {
    sc.reset();
    sc.set_line_mode(line_mode);
    let mut sink = secretsift::sink::Collect::default();
    let mut at = 0;
    for &n in plan {
        let end = (at + n).min(data.len());
        let Ok(()) = sc.feed(&data[at..end], &mut sink);
        at = end;
    }
    let Ok(()) = sc.feed(&data[at..], &mut sink);
    let Ok(()) = sc.finish(&mut sink);
    sink.findings
}

fn scan_chunked(engine: &Engine, data: &[u8], chunk: usize, line_mode: bool) -> Vec<FindingBuf> {
    let plan = vec![chunk; data.len() / chunk + 1];
    scan_with_plan(engine, data, &plan, line_mode)
}

/// Findings lie inside the input, in start order, with the line and column of their start.
fn check_positions(data: &[u8], findings: &[FindingBuf]) {
    let mut prev = 0;
    for f in findings {
        assert!(f.start < f.end && f.end <= data.len() as u64, "span {f:?}");
        assert!(
            f.match_start <= f.start && f.end <= f.match_end,
            "match {f:?}"
        );
        assert!(f.match_end <= data.len() as u64, "match end {f:?}");
        assert!(f.start >= prev, "out of order: {f:?}");
        prev = f.start;
        let before = &data[..f.start as usize];
        let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        assert_eq!(
            (f.line, f.column),
            (line, f.start - line_start as u64 + 1),
            "{f:?}"
        );
        assert_eq!(f.expose_secret(), &data[f.start as usize..f.end as usize]);
    }
}

/// Streaming scan under the input's chunking equals one call over the whole stream.
pub fn check_stream(data: &[u8]) {
    let Some((line_mode, seed, stream)) = split_input(data) else {
        return;
    };
    let plan = chunk_lengths(seed, stream.len());
    let (whole, chunked) = with_reused(|sc, _| {
        let whole = scan_plan_with(sc, stream, &[], line_mode);
        (whole, scan_plan_with(sc, stream, &plan, line_mode))
    });
    check_positions(stream, &whole);
    assert_eq!(
        keys(&chunked),
        keys(&whole),
        "chunking {plan:?} changed the findings"
    );
}

/// What redaction must write: the input with each secret span (overlapping spans merged)
/// replaced by the default marker, every other byte unchanged and in order.
pub fn expected_redaction(data: &[u8], findings: &[FindingBuf]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut written = 0u64;
    for f in findings {
        if f.start < written {
            written = written.max(f.end);
            continue;
        }
        out.extend_from_slice(&data[written as usize..f.start as usize]);
        out.extend_from_slice(format!("[REDACTED:{}]", f.rule_id).as_bytes());
        written = f.end;
    }
    out.extend_from_slice(&data[written as usize..]);
    out
}

/// Redacting under the input's chunking writes exactly [`expected_redaction`] of the one-call
/// findings: no secret byte, and every other byte in order.
pub fn check_redact(data: &[u8]) {
    let Some((line_mode, seed, stream)) = split_input(data) else {
        return;
    };
    let (findings, out) = with_reused(|sc, redactors| {
        let findings = scan_plan_with(sc, stream, &[], line_mode);
        let r = &mut redactors[usize::from(line_mode)];
        let mut out = Vec::new();
        let mut at = 0;
        for n in chunk_lengths(seed, stream.len()) {
            let end = (at + n).min(stream.len());
            r.feed(&stream[at..end], &mut out).expect("Vec writes");
            at = end;
        }
        r.finish(&mut out).expect("Vec writes");
        (findings, out)
    });
    let expected = expected_redaction(stream, &findings);
    if out != expected {
        let diff = out.iter().zip(&expected).position(|(a, b)| a != b);
        panic!(
            "redacted output differs from the input with its {} secret(s) replaced, first at \
             byte {diff:?} (lengths {} vs {})",
            findings.len(),
            out.len(),
            expected.len()
        );
    }
}
