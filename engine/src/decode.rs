//! Decoded views of encoded text, so secrets hidden by an encoding are found too.
//!
//! Two encodings hide secrets in the places this product watches:
//! - **base64**: Kubernetes Secret `data`, Basic auth headers, Docker `auths`, config blobs;
//! - **escapes**: JSON and JavaScript string escapes (`\u0073k_live_…`, `\"password\":…`,
//!   `\/`) and percent-encoding in URLs and form bodies (`api_key%3D…`).
//!
//! A [`Decoded`] holds the decoded bytes of one region plus, for every decoded byte, the offset
//! in the region of the encoded text it came from, so a finding in the decoded view maps back to
//! the encoded span. All storage is allocated once, when a scanner is created.

use base64::Engine as _;

/// Longest base64 run that is decoded (longer runs are images, fonts and other blobs).
pub(crate) const MAX_BASE64_RUN: usize = 4096;
/// Shortest base64 run worth decoding (a 16-byte secret encodes to 24 characters).
pub(crate) const MIN_BASE64_RUN: usize = 24;
/// Base64 characters of the first block decoded (a multiple of 4: a block decodes on its own).
const BASE64_BLOCK: usize = 16;
/// Bytes of context decoded on each side of an escape sequence.
pub(crate) const ESCAPE_RADIUS: usize = 256;

/// Which bytes may appear in a base64 run (standard and URL-safe alphabets). Not `=`: padding
/// only ends a run (the scanner takes up to two after it), and in `data=…`, `?token=…` it is
/// the separator before the value, so a run must not reach back over it.
pub(crate) static BASE64_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'+' || c == b'/' || c == b'-' || c == b'_';
        b += 1;
    }
    t
};

/// A decoded region: `bytes[..len]`, with `origin[i]` the region offset of the encoded text that
/// produced decoded byte `i` (`origin[len]` is the region's length) and `encoded[i]` whether
/// that byte came from an escape or from base64 rather than being copied as is.
#[derive(Default)]
pub(crate) struct Decoded {
    pub bytes: Box<[u8]>,
    pub origin: Box<[u32]>,
    pub encoded: Box<[bool]>,
    pub len: usize,
}

impl Decoded {
    pub(crate) fn with_capacity(n: usize) -> Decoded {
        Decoded {
            bytes: vec![0; n].into_boxed_slice(),
            origin: vec![0; n + 1].into_boxed_slice(),
            encoded: vec![false; n].into_boxed_slice(),
            len: 0,
        }
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// Whether any decoded byte in `range` came from an encoding.
    pub(crate) fn any_encoded(&self, range: std::ops::Range<usize>) -> bool {
        self.encoded[range].iter().any(|&e| e)
    }

    fn push(&mut self, byte: u8, at: usize, encoded: bool) {
        self.bytes[self.len] = byte;
        self.origin[self.len] = at as u32;
        self.encoded[self.len] = encoded;
        self.len += 1;
    }

    /// Decodes a base64 run (standard or URL-safe, padding optional): [`BASE64_BYTE`]s then at
    /// most the padding, as the scanner cuts runs. Returns false when the run is not valid
    /// base64 or decodes to binary data (over a tenth of its bytes neither printable ASCII nor
    /// whitespace), where no textual secret can hide.
    pub(crate) fn base64(&mut self, run: &[u8]) -> bool {
        self.len = 0;
        let body = &run[..run.iter().rposition(|&b| b != b'=').map_or(0, |i| i + 1)];
        debug_assert!(!body.contains(&b'='), "a run holds `=` only as padding");
        if body.len() > MAX_BASE64_RUN || body.len() < MIN_BASE64_RUN {
            return false;
        }
        let total = body.len() * 3 / 4;
        // Most runs in code and data are hashes, random keys and blobs, binary when decoded:
        // told from their characters alone, a block at a time, at a fraction of decoding's
        // cost (a lower bound on the binary bytes: what decoding would give up on, it gives
        // up on too).
        let mut high = 0;
        for block in body.chunks(BASE64_BLOCK) {
            high += high_bytes(block);
            if high * 10 > total {
                return false;
            }
        }
        // A run holding `-` or `_` is not standard base64; one holding `+` or `/` is not
        // URL-safe (so trying one alphabet, then the other, comes to this).
        let engine = if memchr::memchr2(b'-', b'_', body).is_some() {
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
        } else {
            &base64::engine::general_purpose::STANDARD_NO_PAD
        };
        // Decoded in blocks (each decodes to the whole run's bytes at its place), so that
        // binary runs that the characters did not give away are given up once over a tenth
        // of the whole run is known to be binary. Blocks double from 16 characters: short
        // runs end after one, and text runs take few calls.
        let (mut n, mut binary, mut at, mut block) = (0, 0, 0, BASE64_BLOCK);
        while at < body.len() {
            let end = body.len().min(at + block);
            let Ok(got) = engine.decode_slice(&body[at..end], &mut self.bytes[n..]) else {
                return false;
            };
            binary += self.bytes[n..n + got]
                .iter()
                .filter(|&&b| !is_text(b))
                .count();
            n += got;
            if binary * 10 > total {
                return false;
            }
            (at, block) = (end, 2 * block);
        }
        for i in 0..n {
            // Three decoded bytes come from four encoded characters.
            self.origin[i] = (i * 4 / 3) as u32;
            self.encoded[i] = true;
        }
        self.origin[n] = run.len() as u32;
        self.len = n;
        true
    }

    /// Decodes JSON/JavaScript escapes and percent-encoding in `region`, copying other bytes.
    /// Returns whether anything was decoded.
    pub(crate) fn escapes(&mut self, region: &[u8]) -> bool {
        self.len = 0;
        let mut any = false;
        let mut i = 0;
        while i < region.len() && self.len < self.bytes.len() {
            let (byte, used) = match escape_at(region, i) {
                Some(x) => x,
                None => (region[i], 1),
            };
            let encoded = used > 1;
            any |= encoded;
            self.push(byte, i, encoded);
            i += used;
        }
        self.origin[self.len] = i as u32;
        any
    }
}

/// Printable ASCII or whitespace: what a decoded run must mostly be.
/// How many of the bytes that the whole quads of base64 `chars` decode to are 0x80 or more
/// (binary: not [`is_text`]), read off the characters' values: a quad `abcd` decodes to
/// `a<<2 | b>>4`, `(b&15)<<4 | c>>2`, `(c&3)<<6 | d`, whose top bits are bit 5 of `a`, bit 3
/// of `b` and bit 1 of `c`. A lower bound on the binary bytes decoding would count, at a few
/// instructions per quad.
fn high_bytes(chars: &[u8]) -> usize {
    chars
        .chunks_exact(4)
        .map(|q| {
            let v = |c: u8| BASE64_VALUE[usize::from(c)];
            usize::from(v(q[0]) & 32 != 0)
                + usize::from(v(q[1]) & 8 != 0)
                + usize::from(v(q[2]) & 2 != 0)
        })
        .sum()
}

/// The 6-bit value of each base64 character, standard and URL-safe (`+` and `-` are 62, `/`
/// and `_` 63); 0 for other bytes.
static BASE64_VALUE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 26 {
        t[b'A' as usize + i] = i as u8;
        t[b'a' as usize + i] = 26 + i as u8;
        i += 1;
    }
    let mut d = 0;
    while d < 10 {
        t[b'0' as usize + d] = 52 + d as u8;
        d += 1;
    }
    t[b'+' as usize] = 62;
    t[b'-' as usize] = 62;
    t[b'/' as usize] = 63;
    t[b'_' as usize] = 63;
    t
};

fn is_text(b: u8) -> bool {
    b.is_ascii_graphic() || b == b' ' || b == b'\n' || b == b'\r' || b == b'\t'
}

/// The escape sequence at `i`, if any: the ASCII byte it stands for and its length.
/// Non-ASCII `\u` escapes are left alone: provider secrets are ASCII.
pub(crate) fn escape_at(s: &[u8], i: usize) -> Option<(u8, usize)> {
    let hex = |from: usize, n: usize| -> Option<u32> {
        let digits = s.get(from..from + n)?;
        digits
            .iter()
            .try_fold(0u32, |acc, &d| Some(acc * 16 + (d as char).to_digit(16)?))
    };
    match (s[i], s.get(i + 1).copied()?) {
        (b'\\', b'u') => hex(i + 2, 4).filter(|&c| c < 0x80).map(|c| (c as u8, 6)),
        (b'\\', b'x') => hex(i + 2, 2).filter(|&c| c < 0x80).map(|c| (c as u8, 4)),
        (b'\\', c @ (b'"' | b'\'' | b'/' | b'\\')) => Some((c, 2)),
        (b'%', _) => hex(i + 1, 2)
            .filter(|c| (0x20..0x80).contains(c))
            .map(|c| (c as u8, 3)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_map_back_to_encoded_offsets() {
        let mut d = Decoded::with_capacity(64);
        assert!(d.escapes(br#"a\u0041%42\/c"#));
        assert_eq!(d.as_slice(), b"aAB/c");
        assert_eq!(&d.origin[..6], &[0, 1, 7, 10, 12, 13]);
        assert_eq!(&d.encoded[..5], &[false, true, true, true, false]);
        assert!(!d.escapes(b"plain text 100% done"));
    }

    #[test]
    fn base64_decodes_text_and_refuses_binary() {
        let mut d = Decoded::with_capacity(64);
        let enc = base64::engine::general_purpose::STANDARD.encode("user:Zq8vN3pXr5tYw2kL");
        assert!(d.base64(enc.as_bytes()));
        assert_eq!(d.as_slice(), b"user:Zq8vN3pXr5tYw2kL");
        let binary = base64::engine::general_purpose::STANDARD.encode([
            0u8, 1, 2, 3, 250, 251, 252, 253, 254, 255, 0, 1, 2, 3, 4, 5, 6, 7,
        ]);
        assert!(!d.base64(binary.as_bytes()));
        assert!(!d.base64(b"not-base64-but-long-enough-to-try!"));
    }

    #[test]
    fn high_bytes_counts_the_decoded_bytes_of_0x80_or_more() {
        use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
        for seed in 0..2000u32 {
            let bytes: Vec<u8> = (0..12u32)
                .map(|i| (seed.wrapping_mul(2_654_435_761).rotate_left(i * 5) >> 8) as u8)
                .collect();
            let high = bytes.iter().filter(|&&b| b >= 0x80).count();
            for engine in [STANDARD_NO_PAD, URL_SAFE_NO_PAD] {
                let chars = engine.encode(&bytes);
                assert_eq!(high_bytes(chars.as_bytes()), high, "{bytes:?}");
            }
        }
    }

    /// The decoding as one call per alphabet, as it was before blocks: the reference.
    fn base64_whole(run: &[u8]) -> Option<Vec<u8>> {
        use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
        let body = &run[..run.iter().rposition(|&b| b != b'=').map_or(0, |i| i + 1)];
        if body.len() > MAX_BASE64_RUN || body.len() < MIN_BASE64_RUN || body.contains(&b'=') {
            return None;
        }
        let out = STANDARD_NO_PAD
            .decode(body)
            .or_else(|_| URL_SAFE_NO_PAD.decode(body))
            .ok()?;
        let text = out.iter().filter(|&&b| is_text(b)).count();
        (text * 10 >= out.len() * 9).then_some(out)
    }

    #[test]
    fn base64_blocks_decide_as_the_whole_run() {
        use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
        let mut d = Decoded::with_capacity(MAX_BASE64_RUN);
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for case in 0..4000 {
            let len = (next() % 700) as usize;
            // Text with a varying share of binary bytes, placed anywhere.
            let binary_per_mille = [0, 50, 95, 100, 105, 200, 1000][case % 7];
            let plain: Vec<u8> = (0..len)
                .map(|_| {
                    let r = next();
                    if r % 1000 < binary_per_mille {
                        (r >> 16) as u8 | 0x80
                    } else {
                        b' ' + (r >> 16) as u8 % 95
                    }
                })
                .collect();
            let mut run = match case % 3 {
                0 => STANDARD.encode(&plain).into_bytes(),
                1 => URL_SAFE_NO_PAD.encode(&plain).into_bytes(),
                _ => STANDARD.encode(&plain).replace('A', "-").into_bytes(),
            };
            if case % 11 == 0 && !run.is_empty() {
                let at = (next() as usize) % run.len();
                run.truncate(at.max(1)); // any length, valid or not
            }
            let want = base64_whole(&run);
            let got = d.base64(&run).then(|| d.as_slice().to_vec());
            assert_eq!(got, want, "case {case}");
        }
    }
}
