//! Hostile inputs, generated as streams: shared by `engine/tests/hostile.rs` (quick sizes,
//! asserting counts and work) and `benches/hostile.rs` (full sizes, timing).
//!
//! Each input is a pattern repeated (or a seeded generator) fed chunk by chunk, so a 1 GiB
//! stream never exists in memory at once. Fake secrets are assembled at run time.
#![allow(dead_code)]

use secretsift::sink::Count;
use secretsift::{Engine, RedactOptions, Scanner};

/// An AWS access key id of the default ruleset's shape (`AKIA` + 16 base32 letters), made at
/// run time; `i` picks the last 8 letters.
pub fn aws_key(i: u32) -> String {
    const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let v = i.wrapping_mul(0x9E37_79B1) ^ 0x5A5A_5A5A; // no run of one letter
    let tail: String = (0..8)
        .map(|k| B32[((v >> (4 * k)) & 15) as usize * 2 + 1] as char)
        .collect();
    format!("AKIA{}{tail}", "QZ7XW3RT")
}

/// A rule whose two-byte keyword occurs at every byte of `aaaa…`: a million keyword hits per
/// MiB. The regex never matches there (it needs a `-`), so every hit costs a failed search.
pub const DENSE_RULE: &str = r#"
[[rules]]
id = "dense"
provider = "test"
regex = '''aa-([a-z0-9]{16,64})'''
keywords = ["aa"]
"#;

/// Engine with only [`DENSE_RULE`].
pub fn dense_engine() -> Engine {
    let mut b = Engine::builder();
    b.default_rules(false)
        .add_toml(DENSE_RULE, "hostile::DENSE_RULE")
        .expect("dense rule parses");
    b.build().expect("dense rule compiles")
}

/// What a streamed scan did: findings, and the engine's own work counters (keyword hits that
/// ran a regex, bytes those regexes searched) as an instruction-free measure of cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Work {
    pub findings: u64,
    pub candidates: u64,
    pub searched: u64,
}

/// Streams `total` bytes of `pattern` repeated (then `tail`) through `sc` in `chunk`-byte
/// pieces, without holding the stream in memory.
pub fn feed_repeated(
    sc: &mut Scanner,
    pattern: &[u8],
    total: usize,
    tail: &[u8],
    chunk: usize,
) -> Work {
    let block: Vec<u8> = pattern
        .iter()
        .cycle()
        .take(chunk.max(pattern.len()) / pattern.len() * pattern.len())
        .copied()
        .collect();
    measured(sc, |sc, count| {
        let mut left = total;
        while left > 0 {
            let n = left.min(block.len());
            let Ok(()) = sc.feed(&block[..n], count);
            left -= n;
        }
        let Ok(()) = sc.feed(tail, count);
    })
}

/// Scans `data` in `chunk`-byte pieces.
pub fn feed_all(sc: &mut Scanner, data: &[u8], chunk: usize) -> Work {
    measured(sc, |sc, count| {
        for c in data.chunks(chunk) {
            let Ok(()) = sc.feed(c, count);
        }
    })
}

/// Runs `feed`, finishes the stream, and reports the findings and the work counters' growth.
fn measured(sc: &mut Scanner, feed: impl FnOnce(&mut Scanner, &mut Count)) -> Work {
    let before = totals(sc);
    let mut count = Count::default();
    feed(sc, &mut count);
    let Ok(()) = sc.finish(&mut count);
    let after = totals(sc);
    Work {
        findings: count.0,
        candidates: after.0 - before.0,
        searched: after.1 - before.1,
    }
}

fn totals(sc: &Scanner) -> (u64, u64) {
    sc.rule_stats()
        .iter()
        .fold((0, 0), |(c, s), r| (c + r.candidates, s + r.searched))
}

/// A line of text with no newline and no keyword of the default ruleset: letters, digits and
/// spaces in words of varying length.
pub fn plain_line_pattern() -> Vec<u8> {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut out = Vec::with_capacity(64 << 10);
    while out.len() < 64 << 10 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let word = 2 + (x % 9) as usize;
        for i in 0..word {
            // Consonants only, without `p`, `w`, `d` (`pwd` is a keyword): no keyword forms.
            out.push(b"bcfghjklmnqrstvz"[((x >> (4 * i + 8)) & 15) as usize]);
        }
        out.push(b' ');
    }
    out
}

/// A base64 run that never ends: the 64-letter alphabet in a scrambled order, no separator.
pub fn base64_run_pattern() -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    (0..64 * 1024)
        .map(|i| ALPHABET[(i * 7919 + i / 64) % 64])
        .collect()
}

/// Arbitrary bytes (invalid UTF-8, NULs, lone high bytes) with an AWS key every `every` bytes,
/// each behind a keyword-free separator. Returns the data and the planted keys' offsets.
pub fn binary_with_keys(len: usize, every: usize, seed: u64) -> (Vec<u8>, Vec<usize>) {
    let mut x = seed | 1;
    let mut data = Vec::with_capacity(len + 64);
    let mut planted = Vec::new();
    let mut i = 0u32;
    while data.len() < len {
        let noise = every.saturating_sub(24);
        for _ in 0..noise {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Bytes chosen so the noise never spells a keyword or joins the key: NUL, high
            // bytes (invalid UTF-8 on their own) and a few control bytes.
            data.push([0x00, 0xff, 0xfe, 0xc3, 0x80, 0x01, 0x7f, 0xed][(x % 8) as usize]);
        }
        data.extend_from_slice(b" \x00");
        planted.push(data.len());
        data.extend_from_slice(aws_key(i).as_bytes());
        data.extend_from_slice(b"\x00 ");
        i += 1;
    }
    (data, planted)
}

/// `secret` wrapped in `depth` layers of base64.
pub fn nested_base64(secret: &[u8], depth: usize) -> Vec<u8> {
    use base64::Engine as _;
    let mut v = secret.to_vec();
    for _ in 0..depth {
        v = base64::engine::general_purpose::STANDARD
            .encode(&v)
            .into_bytes();
    }
    v
}

/// `text` percent-encoded `depth` times (`%` becomes `%25` each time).
pub fn nested_percent(text: &[u8], depth: usize) -> Vec<u8> {
    let mut v = text.to_vec();
    for _ in 0..depth {
        v = v
            .iter()
            .flat_map(|&b| {
                if b.is_ascii_alphanumeric() {
                    vec![b]
                } else {
                    format!("%{b:02X}").into_bytes()
                }
            })
            .collect();
    }
    v
}

/// `text` as a JSON string value `depth` times over (quotes and backslashes escaped anew).
pub fn nested_json(text: &str, depth: usize) -> String {
    let mut s = text.to_string();
    for _ in 0..depth {
        s = format!("{s:?}"); // Rust's Debug quoting escapes `"` and `\` like JSON does
    }
    s
}

/// A redactor's output for `data`, fed in `chunk`-byte pieces.
pub fn redact(engine: &Engine, data: &[u8], chunk: usize, line_mode: bool) -> Vec<u8> {
    let mut r = engine.redactor(RedactOptions {
        line_mode,
        ..RedactOptions::default()
    });
    let mut out = Vec::with_capacity(data.len());
    for c in data.chunks(chunk) {
        r.feed(c, &mut out).expect("Vec writes");
    }
    r.finish(&mut out).expect("Vec writes");
    out
}
