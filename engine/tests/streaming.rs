//! Chunking never changes results: for any split of the input, the findings and the redacted
//! output equal those of one call over the whole input.

mod common;

use proptest::prelude::*;
use secretsift::sink::Collect;
use secretsift::{Engine, FindingBuf, RedactOptions};

type Key = (String, u64, u64, u64, u64, u64, u64, bool);

fn key(f: &FindingBuf) -> Key {
    (
        f.rule_id.clone(),
        f.start,
        f.end,
        f.match_start,
        f.match_end,
        f.line,
        f.column,
        f.publishable,
    )
}

/// Feeds `data` split at `cuts` (sorted offsets), in line mode or not.
fn scan_split(engine: &Engine, data: &[u8], cuts: &[usize], line_mode: bool) -> Vec<Key> {
    let mut sc = engine.scanner();
    sc.set_line_mode(line_mode);
    let mut sink = Collect::default();
    let mut at = 0;
    for &c in cuts.iter().chain(std::iter::once(&data.len())) {
        let c = c.clamp(at, data.len());
        sc.feed(&data[at..c], &mut sink).unwrap();
        at = c;
    }
    sc.finish(&mut sink).unwrap();
    sink.findings.iter().map(key).collect()
}

fn redact_split(engine: &Engine, data: &[u8], cuts: &[usize], line_mode: bool) -> Vec<u8> {
    let mut r = engine.redactor(RedactOptions {
        line_mode,
        ..RedactOptions::default()
    });
    let mut out = Vec::new();
    let mut at = 0;
    for &c in cuts.iter().chain(std::iter::once(&data.len())) {
        let c = c.clamp(at, data.len());
        r.feed(&data[at..c], &mut out).unwrap();
        at = c;
    }
    r.finish(&mut out).unwrap();
    out
}

/// What redaction must produce given the findings: input with each (merged) secret span
/// replaced by the rule's marker, every other byte unchanged.
fn expected_redaction(data: &[u8], findings: &[Key]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut written = 0u64;
    for (rule, start, end, ..) in findings {
        if *start < written {
            written = written.max(*end);
            continue;
        }
        out.extend_from_slice(&data[written as usize..*start as usize]);
        out.extend_from_slice(format!("[REDACTED:{rule}]").as_bytes());
        written = *end;
    }
    out.extend_from_slice(&data[written as usize..]);
    out
}

fn cuts_strategy(len: usize) -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0..=len, 0..40).prop_map(|mut v| {
        v.sort();
        v
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn any_chunking_equals_one_shot(seed in any::<u64>(), pieces in 1usize..120, line_mode in any::<bool>(),
                                     cut_seed in any::<u64>()) {
        let engine = common::engine();
        let data = common::input(seed, pieces);
        let whole = scan_split(&engine, &data, &[], line_mode);
        // random cut points
        let mut rng = common::Rng(cut_seed | 1);
        let mut cuts: Vec<usize> = (0..rng.below(30)).map(|_| rng.below(data.len() as u64 + 1) as usize).collect();
        cuts.sort();
        prop_assert_eq!(&scan_split(&engine, &data, &cuts, line_mode), &whole);
        let red_whole = redact_split(&engine, &data, &[], line_mode);
        prop_assert_eq!(&red_whole, &expected_redaction(&data, &whole));
        prop_assert_eq!(&redact_split(&engine, &data, &cuts, line_mode), &red_whole);
    }

    #[test]
    fn explicit_cuts_equal_one_shot(data in prop::collection::vec(any::<u8>(), 0..300).prop_flat_map(|noise| {
        let n = noise.len();
        (Just(noise), cuts_strategy(n + 80))
    })) {
        let engine = common::engine();
        let (noise, cuts) = data;
        let mut input = noise.clone();
        input.splice(noise.len() / 2..noise.len() / 2, format!("tok_{}", "k3j4h5g6f7d8s9a0q1w2").into_bytes());
        let whole = scan_split(&engine, &input, &[], false);
        prop_assert_eq!(scan_split(&engine, &input, &cuts, false), whole);
    }
}

/// Text dense with base64 runs of every kind (random blobs, identifiers, runs of text) around
/// base64-encoded tokens, each encoded run starting at any offset from a 64-byte boundary, and
/// the number of encoded tokens planted.
fn base64_input(seed: u64, pieces: usize) -> (Vec<u8>, usize) {
    use base64::Engine as _;
    let (std, url) = (
        base64::engine::general_purpose::STANDARD,
        base64::engine::general_purpose::URL_SAFE_NO_PAD,
    );
    let mut rng = common::Rng(seed | 1);
    let (mut out, mut planted) = (Vec::new(), 0);
    const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    for _ in 0..pieces {
        let n = rng.below(70) as usize;
        let piece = match rng.below(5) {
            0 => {
                planted += 1;
                let token = format!("user:tok_{}", rng.string(b"abcdefghij0123456789", 24));
                match rng.below(2) {
                    0 => std.encode(token),
                    _ => url.encode(token),
                }
            }
            1 => {
                let n = rng.below(200) as usize;
                let blob: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                std.encode(blob)
            }
            2 => rng.string(ALNUM, n),
            3 => std.encode(rng.string(b"ab cd:ef", n)),
            _ => " ".repeat(n),
        };
        out.extend(piece.into_bytes());
        out.push(rng.pick(b" \n\".;="));
    }
    (out, planted)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every planted encoded token is found, wherever its run lies relative to the scanner's
    /// blocks and the 64-byte words it tests base64 bytes in, and any chunking finds the same.
    #[test]
    fn encoded_tokens_are_found_under_any_chunking(seed in any::<u64>(), pieces in 1usize..200,
                                                   cut_seed in any::<u64>()) {
        let engine = common::engine();
        let (data, planted) = base64_input(seed, pieces);
        let whole = scan_split(&engine, &data, &[], false);
        prop_assert_eq!(whole.len(), planted);
        let mut rng = common::Rng(cut_seed | 1);
        let mut cuts: Vec<usize> =
            (0..rng.below(30)).map(|_| rng.below(data.len() as u64 + 1) as usize).collect();
        cuts.sort();
        prop_assert_eq!(scan_split(&engine, &data, &cuts, false), whole);
    }
}

#[test]
fn one_byte_chunks_over_a_dense_input() {
    let engine = common::engine();
    for seed in 1..=20u64 {
        let data = common::input(seed * 7919, 300);
        let whole = scan_split(&engine, &data, &[], false);
        assert!(
            whole.len() >= 20,
            "seed {seed}: the generator should plant many secrets, got {}",
            whole.len()
        );
        let every_byte: Vec<usize> = (1..data.len()).collect();
        assert_eq!(
            scan_split(&engine, &data, &every_byte, false),
            whole,
            "seed {seed}"
        );
        assert_eq!(
            scan_split(&engine, &data, &every_byte, true),
            scan_split(&engine, &data, &[], true),
            "seed {seed}, line mode"
        );
        assert_eq!(
            redact_split(&engine, &data, &every_byte, false),
            expected_redaction(&data, &whole),
            "seed {seed}"
        );
    }
}

#[test]
fn large_input_across_many_buffer_refills() {
    // Several MiB so the roll buffer is refilled and compacted many times; secrets land on
    // every possible alignment with the refill boundary.
    let engine = common::engine();
    let data = common::input(42, 60_000);
    assert!(data.len() > 2 << 20);
    let whole = scan_split(&engine, &data, &[], false);
    for chunk in [1000usize, 4096, 65_537] {
        let cuts: Vec<usize> = (chunk..data.len()).step_by(chunk).collect();
        assert_eq!(
            scan_split(&engine, &data, &cuts, false),
            whole,
            "chunk {chunk}"
        );
    }
    assert_eq!(
        redact_split(&engine, &data, &[4096], false),
        expected_redaction(&data, &whole)
    );
}

#[test]
fn secret_on_a_line_with_no_newline_at_all() {
    // 5 MiB without a newline: memory is bounded and the secrets in the middle are found.
    let engine = common::engine();
    let mut data = vec![b'a'; 5 << 20];
    let secret = format!("tok_{}", "zz11yy22xx33ww44vv55");
    let at = (5 << 20) / 2 + 3;
    data.splice(
        at..at,
        b" ".iter().chain(secret.as_bytes()).chain(b" ").copied(),
    );
    let got = scan_split(
        &engine,
        &data,
        &(1..200).map(|i| i * 30_011).collect::<Vec<_>>(),
        false,
    );
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].1, got[0].2),
        ((at + 1) as u64, (at + 1 + secret.len()) as u64)
    );
    assert_eq!((got[0].5, got[0].6), (1, at as u64 + 2));
}

#[test]
fn line_and_column_count_crlf_lines() {
    let engine = common::engine();
    let data = format!(
        "first\r\nsecond line\r\n  tok_{}\r\n",
        "abcdefghij0123456789"
    );
    let got = engine.scan(data.as_bytes());
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].line, got[0].column), (3, 3));
}

#[test]
fn line_mode_holds_an_armored_block_and_gives_up_one_left_open() {
    let engine = common::engine();
    let mut red = engine.redactor(RedactOptions {
        line_mode: true,
        ..Default::default()
    });
    let mut out = Vec::new();
    red.feed(b"first line\n-----BEGIN TEST KEY-----\n", &mut out)
        .unwrap();
    assert_eq!(out, b"first line\n", "the block's lines wait for its end");
    // No `-----END` ever comes: once the block is longer than any match can be, lines flow
    // again, the held ones included.
    let line = b"a log line with nothing in it\n";
    let mut fed = 0;
    while out.len() == b"first line\n".len() {
        red.feed(line, &mut out).unwrap();
        fed += line.len();
        assert!(fed <= engine.window(), "still held after {fed} bytes");
    }
    let before = out.len();
    red.feed(line, &mut out).unwrap();
    assert_eq!(
        out.len(),
        before + line.len(),
        "each line leaves at once again"
    );
    red.finish(&mut out).unwrap();
    assert!(out.starts_with(b"first line\n-----BEGIN TEST KEY-----\na log line"));
}
