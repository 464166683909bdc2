//! Where the base64 runs are: maximal runs of base64 bytes long enough to hide a secret, for
//! the scanner to decode (see [`crate::decode`]).
//!
//! Runs are found 64 positions at a time, from masks of which bytes are base64: a run of
//! `MIN_BASE64_RUN` or more starts where that many set bits in a row begin, taken from this
//! word's mask and the next (a run may go on past the word). Testing sampled bytes one at a
//! time instead (every 12th, then the 11 between) cost little in instructions, but in code
//! whether a byte is alphanumeric is a coin toss: the branch was mispredicted half the time, a
//! fifth of the scan's wall time on real npm bundles.

use std::ops::Range;

use crate::decode::{BASE64_BYTE, MIN_BASE64_RUN};

/// The runs that start in `[lo, hi)` of a buffer: maximal runs of [`BASE64_BYTE`]s in
/// `[floor, stop)` (a run is cut at `floor`, the segment's start, and ends by `stop`) of
/// `MIN_BASE64_RUN` bytes or more, in order. Holds positions and masks only, so the caller
/// may change other state between runs; every call must pass the same buffer.
pub(crate) struct Base64Runs {
    lo: usize,
    hi: usize,
    stop: usize,
    floor: usize,
    /// The current word's first position.
    at: usize,
    /// Runs may start here or later (past the last run found); less than `at + 64`.
    from: usize,
    /// The masks of the current word and of the next, once computed.
    here: u64,
    after: Option<u64>,
}

impl Base64Runs {
    pub fn new(buf: &[u8], lo: usize, hi: usize, stop: usize, floor: usize) -> Base64Runs {
        Base64Runs {
            lo,
            hi,
            stop,
            floor,
            at: lo,
            from: lo,
            here: base64_mask_at(buf, lo, stop),
            after: None,
        }
    }

    /// The next run, or `None` when no more start before `hi`.
    pub fn next(&mut self, buf: &[u8]) -> Option<Range<usize>> {
        let b64 = |c: u8| BASE64_BYTE[c as usize];
        while self.at < self.hi {
            let after = *self
                .after
                .get_or_insert_with(|| base64_mask_at(buf, self.at + 64, self.stop));
            let both = u128::from(self.here) | u128::from(after) << 64;
            let starts = run_starts(both, MIN_BASE64_RUN as u32) as u64;
            let word = starts & u64::MAX << (self.from - self.at);
            if word == 0 {
                self.next_word(buf);
                continue;
            }
            // The first start is a run's start (a run reaching into the word from before
            // began in the previous word, and was found then), or, in the first word, inside
            // a run that began before `lo`, which the previous range held.
            let p = self.at + word.trailing_zeros() as usize;
            if p >= self.hi {
                break;
            }
            // (Slice searches: data URIs make runs of thousands of bytes, and an indexing loop
            // paid a bounds check per byte.)
            let s = buf[self.floor..p]
                .iter()
                .rposition(|&c| !b64(c))
                .map_or(self.floor, |i| self.floor + i + 1);
            let e = p + base64_prefix_len(&buf[p..self.stop]);
            // The next run starts after `e`, which is not base64 (or is `stop`).
            self.from = e + 1;
            if self.from >= self.at + 64 {
                self.next_word(buf);
            }
            if s >= self.lo {
                return Some(s..e); // at least MIN_BASE64_RUN long: it holds p's run of them
            }
        }
        self.at = self.hi;
        None
    }

    /// On to the next word, or to `from` when the last run ended beyond it.
    fn next_word(&mut self, buf: &[u8]) {
        let after = self.after.take();
        self.at += 64;
        if self.from >= self.at + 64 {
            self.at = self.from;
            self.here = base64_mask_at(buf, self.at, self.stop);
        } else {
            self.here = after.unwrap_or_else(|| base64_mask_at(buf, self.at, self.stop));
            self.from = self.from.max(self.at);
        }
    }
}

/// How many of `bytes`' first bytes are [`BASE64_BYTE`]s: 8 at a time without a branch per
/// byte, since the runs measured are mostly data URIs thousands of bytes long.
fn base64_prefix_len(bytes: &[u8]) -> usize {
    let b64 = |c: u8| BASE64_BYTE[c as usize];
    let mut n = 0;
    for chunk in bytes.chunks_exact(8) {
        if !chunk.iter().fold(true, |all, &c| all & b64(c)) {
            break;
        }
        n += 8;
    }
    n + bytes[n..].iter().take_while(|&&c| b64(c)).count()
}

/// Bit `i` set when `bytes[i]` is a [`BASE64_BYTE`]. The byte-at-a-time tests this replaced
/// branched on every sampled byte, half of them mispredicted in code. Vectorized natively by
/// the compiler, by hand in wasm (where the compiler's vectorization of the compare form took
/// 40% of a log scan in Node), in a `u64` 8 bytes at a time in wasm without SIMD (natively
/// ~10% slower than the vectorized form on code).
fn base64_mask(bytes: &[u8; 64]) -> u64 {
    if cfg!(target_arch = "wasm32") {
        wasm_base64_mask(bytes)
    } else {
        base64_mask_by_compare(bytes)
    }
}

/// [`base64_mask`] with WebAssembly SIMD: the tests of [`base64_mask_by_compare`] on 16 bytes
/// at a time, packed by `i8x16.bitmask`.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn wasm_base64_mask(bytes: &[u8; 64]) -> u64 {
    use core::arch::wasm32::{
        u8x16, u8x16_bitmask, u8x16_eq, u8x16_lt, u8x16_splat, u8x16_sub, v128_or,
    };
    let mut mask = 0;
    for (k, c) in bytes.chunks_exact(16).enumerate() {
        let v = u8x16(
            c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13],
            c[14], c[15],
        );
        let is = |b: u8| u8x16_eq(v, u8x16_splat(b));
        let lower = v128_or(v, u8x16_splat(0x20));
        let letter = u8x16_lt(u8x16_sub(lower, u8x16_splat(b'a')), u8x16_splat(26));
        let digit = u8x16_lt(u8x16_sub(v, u8x16_splat(b'0')), u8x16_splat(10));
        let symbol = v128_or(v128_or(is(b'+'), is(b'/')), v128_or(is(b'-'), is(b'_')));
        let any = v128_or(v128_or(letter, digit), symbol);
        mask |= u64::from(u8x16_bitmask(any)) << (16 * k);
    }
    mask
}

/// [`base64_mask`] in wasm without SIMD.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn wasm_base64_mask(bytes: &[u8; 64]) -> u64 {
    base64_mask_by_words(bytes)
}

/// [`base64_mask`] where the compiler vectorizes: compares rather than looks up, byte by byte
/// into flags of 0 or 1 (16 bytes per SSE2 instruction), then packs them ([`pack_flags`]).
/// Without SIMD this is ~12 instructions a byte.
fn base64_mask_by_compare(bytes: &[u8; 64]) -> u64 {
    let mut flags = [0u8; 64];
    for (f, &c) in flags.iter_mut().zip(bytes) {
        let letter = (c | 0x20).wrapping_sub(b'a') < 26;
        let digit = c.wrapping_sub(b'0') < 10;
        let symbol = (c == b'+') | (c == b'/') | (c == b'-') | (c == b'_');
        *f = u8::from(letter | digit | symbol);
    }
    pack_flags(&flags, |word| word)
}

/// [`base64_mask`] with plain integer arithmetic (SWAR), 8 bytes at a time: see
/// [`base64_bytes_of`].
#[cfg_attr(
    all(target_arch = "wasm32", target_feature = "simd128"),
    allow(dead_code)
)]
fn base64_mask_by_words(bytes: &[u8; 64]) -> u64 {
    // The high bit of each byte, shifted down to bit 0.
    pack_flags(bytes, |word| base64_bytes_of(word) >> 7)
}

/// One bit per byte of `bytes`: bit 0 of each byte of `flags_of` each little-endian 8-byte
/// word (flags of 0 or 1), packed with one multiply per word (flag `i` moves to bit `56 + i`;
/// no two products overlap, so nothing carries).
#[inline(always)]
fn pack_flags(bytes: &[u8; 64], flags_of: impl Fn(u64) -> u64) -> u64 {
    const GATHER: u64 = 0x0102_0408_1020_4080;
    bytes
        .chunks_exact(8)
        .enumerate()
        .map(|(k, eight)| {
            let word = u64::from_le_bytes(eight.try_into().unwrap_or([0; 8]));
            (flags_of(word).wrapping_mul(GATHER) >> 56) << (8 * k)
        })
        .fold(0, |m, bits| m | bits)
}

/// The high bit of each byte of `x` set when that byte is a [`BASE64_BYTE`], all others clear.
/// Range tests on the low 7 bits of each byte (adding `0x80 - lo` sets the high bit exactly
/// when a byte is `lo` or more, and carries into no other byte); bytes of 0x80 or more are
/// excluded at the end.
#[cfg_attr(
    all(target_arch = "wasm32", target_feature = "simd128"),
    allow(dead_code)
)]
fn base64_bytes_of(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = ONES * 0x80;
    let low = x & !HIGH;
    let in_range = |v: u64, lo: u8, hi: u8| {
        (v + ONES * u64::from(0x80 - lo)) & !(v + ONES * u64::from(0x7f - hi))
    };
    let letter = in_range(low | (ONES * 0x20), b'a', b'z');
    let digit = in_range(low, b'0', b'9');
    // `+`, `-` and `/` are the odd bytes of 0x2b..=0x2f (bit 0 shifted to the byte's top bit).
    let plus_minus_slash = in_range(low, b'+', b'/') & (low << 7);
    // `_`: a zero byte of `low ^ '_'` (its low 7 bits plus 0x7f carry into the top bit unless
    // all zero).
    let y = low ^ (ONES * u64::from(b'_'));
    let underscore = !((y + ONES * 0x7f) | y);
    (letter | digit | plus_minus_slash | underscore) & !x & HIGH
}

/// [`base64_mask`] of the 64 bytes of `buf` from `at`, bytes at or past `stop` counting as
/// other bytes.
fn base64_mask_at(buf: &[u8], at: usize, stop: usize) -> u64 {
    match buf.get(at..at + 64).filter(|_| at + 64 <= stop) {
        Some(b) => base64_mask(b.try_into().unwrap_or(&[0; 64])),
        None => {
            let n = stop.saturating_sub(at).min(64);
            if n == 0 {
                return 0;
            }
            let mut b = [0u8; 64];
            b[..n].copy_from_slice(&buf[at..at + n]);
            base64_mask(&b)
        }
    }
}

/// Bit `i` set when bits `i..i + n` of `m` are all set (`n` >= 1): doubling run lengths.
fn run_starts(m: u128, n: u32) -> u128 {
    let (mut x, mut len) = (m, 1);
    while len < n {
        let step = len.min(n - len);
        x &= x >> step;
        len += step;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_bytes_of_marks_the_base64_bytes_of_a_word() {
        for b in 0..=255u8 {
            for neighbour in [0u8, b'a', b'_', 0x7f, 0x80, 0xff, b'/'] {
                for at in 0..8 {
                    let mut bytes = [neighbour; 8];
                    bytes[at] = b;
                    let got = base64_bytes_of(u64::from_le_bytes(bytes)).to_le_bytes();
                    for (i, (&g, &c)) in got.iter().zip(&bytes).enumerate() {
                        let want = if BASE64_BYTE[c as usize] { 0x80 } else { 0 };
                        assert_eq!(g, want, "byte {c:#x} at {i} of {bytes:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn base64_mask_marks_the_base64_bytes() {
        for b in 0..=255u8 {
            for at in [0, 1, 31, 63] {
                let mut bytes = [b'.'; 64];
                bytes[at] = b;
                let want = u64::from(BASE64_BYTE[b as usize]) << at;
                assert_eq!(base64_mask_by_compare(&bytes), want, "byte {b:#x} at {at}");
                assert_eq!(base64_mask_by_words(&bytes), want, "byte {b:#x} at {at}");
            }
        }
    }

    #[test]
    fn run_starts_marks_where_n_set_bits_begin() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..500 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            // Long runs of set bits, with a few gaps.
            let m =
                u128::from(seed | seed >> 3 | seed << 5) << 32 | u128::from(!seed & !(seed >> 9));
            for n in 1..40u32 {
                let got = run_starts(m, n);
                for i in 0..128 - n {
                    let want = (i..i + n).all(|j| m >> j & 1 == 1);
                    assert_eq!(got >> i & 1 == 1, want, "n {n}, bit {i}");
                }
            }
        }
    }

    #[test]
    fn base64_prefix_len_stops_at_the_first_other_byte() {
        for len in 0..40 {
            let mut bytes = vec![b'A'; len];
            assert_eq!(base64_prefix_len(&bytes), len);
            for stop in 0..len {
                for other in [b'=', b'.', b'"', 0, 0xff] {
                    bytes[stop] = other;
                    assert_eq!(base64_prefix_len(&bytes), stop, "len {len}, stop {stop}");
                    bytes[stop] = b"09az+/-_"[stop % 8];
                }
            }
        }
    }

    /// The runs as defined, byte by byte: maximal runs of base64 bytes in `[floor, stop)`
    /// (cut at `floor`), starting in `[lo, hi)`, at least `MIN_BASE64_RUN` long.
    fn reference(buf: &[u8], lo: usize, hi: usize, stop: usize, floor: usize) -> Vec<Range<usize>> {
        let mut runs = Vec::new();
        let mut i = floor;
        while i < stop {
            if !BASE64_BYTE[buf[i] as usize] {
                i += 1;
                continue;
            }
            let s = i;
            while i < stop && BASE64_BYTE[buf[i] as usize] {
                i += 1;
            }
            if (lo..hi).contains(&s) && i - s >= MIN_BASE64_RUN {
                runs.push(s..i);
            }
        }
        runs
    }

    #[test]
    fn runs_are_the_maximal_base64_runs_starting_in_the_range() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let (mut cases, mut found) = (0, 0);
        for case in 0..3000 {
            // Runs of every length up to a few words, at every offset, between other bytes.
            let len = (next() % 700) as usize + 1;
            let mut buf = Vec::with_capacity(len);
            while buf.len() < len {
                let run = (next() % [8, 30, 90, 200][case % 4]) as usize;
                buf.extend((0..run).map(|_| b"aZ09+/-_"[(next() % 8) as usize]));
                buf.push(b" =.\x80\n"[(next() % 5) as usize]);
            }
            buf.truncate(len);
            let stop = len - (next() % 4) as usize % len;
            let floor = (next() % 3) as usize % stop;
            let lo = floor + (next() as usize % (stop - floor + 1)) / 2;
            let hi = lo + (next() as usize % (stop - lo + 1));
            let want = reference(&buf, lo, hi, stop, floor);
            let mut runs = Base64Runs::new(&buf, lo, hi, stop, floor);
            let got: Vec<Range<usize>> = std::iter::from_fn(|| runs.next(&buf)).collect();
            assert_eq!(
                got, want,
                "case {case}: lo {lo}, hi {hi}, stop {stop}, floor {floor}"
            );
            cases += 1;
            found += got.len();
        }
        assert!(cases == 3000 && found > 1000, "{found} runs");
    }
}
