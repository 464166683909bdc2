//! Structural checks a secret must pass after its regex matched.
//!
//! A validator rejects lookalikes that the provider's format rules out: a wrong checksum, a JWT
//! whose header is not JSON, a PEM body that is not base64. Every check here runs without
//! allocating (stack buffers only), because it runs while a stream is being fed.

use base64::Engine as _;

/// A named structural check. Rules refer to these by name in `validator = "..."`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Validator {
    /// GitHub (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`) and npm (`npm_`) tokens: the last six
    /// characters are the base62 CRC32 of the 30 random characters after the 4-byte prefix.
    Crc32Base62,
    /// A JWT: three (or five, for JWE) base64url parts, the first decoding to a JSON object
    /// that names an `alg`; or the two parts `header.payload` of a JWS whose signature was
    /// cut off (a truncated log line), when the payload decodes to a JSON object too.
    Jwt,
    /// A JOSE compact token of any kind: its first two dot-separated parts both decode
    /// (base64url) to JSON objects. Random `eyJ...eyJ...` lookalikes fail this.
    JoseJson,
    /// The body of a PEM block (between the BEGIN and END lines) is valid base64, possibly
    /// after RFC 1421 headers such as `Proc-Type`. Lines may also be separated by the escapes
    /// `\n` / `\r\n` of a string literal, or be quoted literals joined with `+`.
    PemBody,
    /// The secret is valid standard or URL-safe base64 of at least 12 bytes decoded.
    Base64,
    /// A credit-card-style Luhn check over the digits (used by some provider ids).
    Luhn,
    /// A Discord bot token (`<id>.<timestamp>.<hmac>`): the first part is the bot's user id, a
    /// 17–20 digit snowflake, in unpadded base64. Random lookalikes fail this.
    DiscordSnowflake,
}

impl Validator {
    /// All validators with their names, for listings and error messages.
    pub const ALL: &'static [(&'static str, Validator)] = &[
        ("crc32-base62", Validator::Crc32Base62),
        ("jwt", Validator::Jwt),
        ("jose-json", Validator::JoseJson),
        ("pem-body", Validator::PemBody),
        ("base64", Validator::Base64),
        ("luhn", Validator::Luhn),
        ("discord-snowflake", Validator::DiscordSnowflake),
    ];

    /// Looks a validator up by its name.
    pub fn from_name(name: &str) -> Option<Validator> {
        Validator::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, v)| v)
    }

    /// Whether `secret` passes the check.
    pub fn check(self, secret: &[u8]) -> bool {
        match self {
            Validator::Crc32Base62 => crc32_base62(secret),
            Validator::Jwt => jwt(secret),
            Validator::JoseJson => jose_json(secret),
            Validator::PemBody => pem_body(secret),
            Validator::Base64 => base64_any(secret),
            Validator::Luhn => luhn(secret),
            Validator::DiscordSnowflake => discord_snowflake(secret),
        }
    }
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn crc32_base62(token: &[u8]) -> bool {
    // prefix (4) + 30 random + 6 checksum
    if token.len() != 40 {
        return false;
    }
    let body = &token[4..34];
    let mut n = crc32fast::hash(body) as u64;
    let mut want = [b'0'; 6];
    for slot in want.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    n == 0 && token[34..] == want
}

fn jwt(token: &[u8]) -> bool {
    let mut parts = token.split(|&b| b == b'.');
    let (Some(header), Some(payload)) = (parts.next(), parts.next()) else {
        return false;
    };
    // A JWS header may carry an x5c certificate chain: room for about 3,000 base64url characters.
    let mut buf = [0u8; 2304];
    let alg_header = decoded_json_object(header, &mut buf)
        .is_some_and(|json| memchr::memmem::find(json, b"\"alg\"").is_some());
    match parts.count() {
        1 | 3 => alg_header,
        // `header.payload` with no signature part: only when both are JSON objects.
        0 => alg_header && is_json_object(payload),
        _ => false,
    }
}

fn jose_json(token: &[u8]) -> bool {
    let mut parts = token.split(|&b| b == b'.');
    let (Some(header), Some(payload)) = (parts.next(), parts.next()) else {
        return false;
    };
    is_json_object(header) && is_json_object(payload)
}

/// The decoded text of a base64url part, if it decodes into `buf` and is braced like a JSON
/// object.
fn decoded_json_object<'b>(part: &[u8], buf: &'b mut [u8]) -> Option<&'b [u8]> {
    let n = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode_slice(trim_padding(part), buf)
        .ok()?;
    let json = trim_ascii(&buf[..n]);
    (json.first() == Some(&b'{') && json.last() == Some(&b'}')).then_some(json)
}

/// Whether a base64url part decodes to a braced text (UTF-8, no control characters other than
/// whitespace): random bytes that happen to fall between a `{` and a `}` are not JSON.
fn is_json_object(part: &[u8]) -> bool {
    let mut buf = [0u8; 3072];
    decoded_json_object(part, &mut buf).is_some_and(|json| {
        std::str::from_utf8(json).is_ok()
            && json.iter().all(|&b| b >= 0x20 || b.is_ascii_whitespace())
    })
}

fn pem_body(block: &[u8]) -> bool {
    // Skip the BEGIN line, RFC 1421 headers (`Name: value`), stop at the END line.
    let mut lines = pem_lines(block);
    if !lines.next().is_some_and(|l| l.starts_with(b"-----BEGIN")) {
        return false;
    }
    let mut body_bytes = 0usize;
    let mut quad = 0usize;
    let mut seen_pad = false;
    for line in lines {
        if line.starts_with(b"-----END") {
            return body_bytes >= 32 && quad.is_multiple_of(4);
        }
        if line.is_empty() || (body_bytes == 0 && memchr::memchr(b':', line).is_some()) {
            continue; // blank line or an encapsulated header
        }
        for &b in line {
            match b {
                b'=' => seen_pad = true,
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' if !seen_pad => {
                    body_bytes += 1
                }
                _ => return false,
            }
            quad += 1;
        }
    }
    // No END line inside the match: accept a body that is long enough and clean so far.
    body_bytes >= 32
}

/// The lines of a PEM block as written in a file or in source code: split at newlines and at
/// the two-byte escape `\n`, each stripped of an escaped `\r`, of the quotes and `+` of a
/// concatenated string literal, and of surrounding whitespace.
fn pem_lines(block: &[u8]) -> impl Iterator<Item = &[u8]> {
    block
        .split(|&b| b == b'\n')
        .flat_map(|line| EscapedLines(Some(line)))
        .map(strip_literal)
}

/// Splits one line at each `\n` escape.
struct EscapedLines<'a>(Option<&'a [u8]>);

impl<'a> Iterator for EscapedLines<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.0?;
        match memchr::memmem::find(rest, b"\\n") {
            Some(i) => {
                self.0 = Some(&rest[i + 2..]);
                Some(&rest[..i])
            }
            None => {
                self.0 = None;
                Some(rest)
            }
        }
    }
}

fn strip_literal(line: &[u8]) -> &[u8] {
    let l = trim_ascii(line);
    let l = l.strip_suffix(b"\\r").unwrap_or(l);
    // `"...." +`: a `+` after a closing quote joins literals (one inside the body is base64).
    let l = match l.strip_suffix(b"+").map(trim_ascii) {
        Some(joined) if joined.ends_with(b"\"") => joined,
        _ => l,
    };
    let l = l.strip_prefix(b"\"").unwrap_or(l);
    let l = l.strip_suffix(b"\"").unwrap_or(l);
    trim_ascii(l)
}

fn base64_any(s: &[u8]) -> bool {
    let mut buf = [0u8; 3072];
    let s = trim_padding(s);
    if s.len() > 4096 {
        return false;
    }
    let mut ok = |engine: &base64::engine::GeneralPurpose| {
        engine
            .decode_slice(s, &mut buf)
            .map(|n| n >= 12)
            .unwrap_or(false)
    };
    ok(&base64::engine::general_purpose::STANDARD_NO_PAD)
        || ok(&base64::engine::general_purpose::URL_SAFE_NO_PAD)
}

fn luhn(s: &[u8]) -> bool {
    let mut sum = 0u32;
    let mut count = 0;
    for (i, &b) in s.iter().rev().filter(|b| b.is_ascii_digit()).enumerate() {
        let mut d = (b - b'0') as u32;
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
        count += 1;
    }
    count >= 2 && sum.is_multiple_of(10)
}

fn discord_snowflake(token: &[u8]) -> bool {
    let id = token.split(|&b| b == b'.').next().unwrap_or(&[]);
    // 20 digits encode to 27 base64 characters; anything longer is not a snowflake.
    if id.len() > 28 {
        return false;
    }
    let mut buf = [0u8; 24];
    match base64::engine::general_purpose::URL_SAFE_NO_PAD.decode_slice(trim_padding(id), &mut buf)
    {
        Ok(n) => {
            (17..=20).contains(&n) && buf[0] != b'0' && buf[..n].iter().all(u8::is_ascii_digit)
        }
        Err(_) => false,
    }
}

fn trim_padding(s: &[u8]) -> &[u8] {
    let end = s.iter().rposition(|&b| b != b'=').map_or(0, |i| i + 1);
    &s[..end]
}

fn trim_ascii(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    &s[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn github_like(prefix: &str, random: &str) -> String {
        let mut n = crc32fast::hash(random.as_bytes()) as u64;
        let mut sum = [b'0'; 6];
        for slot in sum.iter_mut().rev() {
            *slot = BASE62[(n % 62) as usize];
            n /= 62;
        }
        format!("{prefix}{random}{}", std::str::from_utf8(&sum).unwrap())
    }

    #[test]
    fn crc32_accepts_valid_and_rejects_one_changed_char() {
        let tok = github_like("ghp_", "aBcDeFgHiJkLmNoPqRsTuVwXyZ0123");
        assert!(Validator::Crc32Base62.check(tok.as_bytes()));
        let mut bad = tok.into_bytes();
        bad[10] = if bad[10] == b'x' { b'y' } else { b'x' };
        assert!(!Validator::Crc32Base62.check(&bad));
    }

    #[test]
    fn jwt_needs_json_header_with_alg() {
        let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let good = format!(
            "{}.{}.{}",
            enc(r#"{"alg":"HS256","typ":"JWT"}"#),
            enc(r#"{"sub":"1"}"#),
            "c2lnbmF0dXJl"
        );
        assert!(Validator::Jwt.check(good.as_bytes()));
        let bad = format!("{}.{}.{}", enc("not json at all"), enc("{}"), "c2ln");
        assert!(!Validator::Jwt.check(bad.as_bytes()));
        assert!(!Validator::Jwt.check(b"eyJhbGciOi.only-two"));
        // The signature cut off: header and payload still have to be JSON objects.
        let (h, p) = (enc(r#"{"alg":"HS256"}"#), enc(r#"{"sub":"1"}"#));
        assert!(Validator::Jwt.check(format!("{h}.{p}").as_bytes()));
        assert!(!Validator::Jwt.check(format!("{h}.c2lnbmF0dXJl").as_bytes()));
    }

    #[test]
    fn jose_json_needs_two_json_objects() {
        let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let (h, p) = (enc(r#"{"kid":"k1"}"#), enc(r#"{"sub":"1"}"#));
        assert!(Validator::JoseJson.check(format!("{h}.{p}.c2ln").as_bytes()));
        // Characters inserted into the header: it no longer decodes to an object.
        let broken = format!("{}asd{}", &h[..6], &h[6..]);
        assert!(!Validator::JoseJson.check(format!("{broken}.{p}.c2ln").as_bytes()));
        assert!(!Validator::JoseJson.check(format!("{h}.c2lnbmF0dXJl").as_bytes()));
    }

    #[test]
    fn pem_body_must_be_base64() {
        let body = "MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\naFd2mXkq3nK1sV4Bd8pZrYtQe1w0u9Gx3c5m7n8o9p0q1r2s3t4u5v6w7x8y9z0A\n";
        let good = format!("-----BEGIN RSA PRIVATE KEY-----\n{body}-----END RSA PRIVATE KEY-----");
        assert!(Validator::PemBody.check(good.as_bytes()));
        let bad = "-----BEGIN RSA PRIVATE KEY-----\nthis is * not base64 at all, just words and stuff!!\n-----END RSA PRIVATE KEY-----";
        assert!(!Validator::PemBody.check(bad.as_bytes()));
        // The same key in source code: escaped CRLFs, or quoted lines joined with `+`.
        let escaped = good.replace('\n', "\\r\\n");
        assert!(Validator::PemBody.check(escaped.as_bytes()));
        let joined = format!("{}\"", good.replace('\n', "\" +\n\""));
        assert!(Validator::PemBody.check(joined.as_bytes()));
        let bad_joined = bad.replace('\n', "\" +\n\"");
        assert!(!Validator::PemBody.check(bad_joined.as_bytes()));
    }

    #[test]
    fn discord_snowflake_needs_a_base64_numeric_id() {
        let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let good = format!("{}.GhT4kq.{}", enc("1180234567891234567"), "a".repeat(27));
        assert!(Validator::DiscordSnowflake.check(good.as_bytes()));
        // Same shape, but the first part decodes to letters, or to too few digits.
        let letters = format!("{}.GhT4kq.{}", enc("abcdefghijklmnopqr"), "a".repeat(27));
        assert!(!Validator::DiscordSnowflake.check(letters.as_bytes()));
        let short = format!("{}.GhT4kq.{}", enc("123456789012"), "a".repeat(27));
        assert!(!Validator::DiscordSnowflake.check(short.as_bytes()));
        assert!(!Validator::DiscordSnowflake.check(b"not base64 at all!.x.y"));
    }

    #[test]
    fn luhn_and_names() {
        assert!(Validator::Luhn.check(b"79927398713"));
        assert!(!Validator::Luhn.check(b"79927398710"));
        assert_eq!(Validator::from_name("jwt"), Some(Validator::Jwt));
        assert_eq!(Validator::from_name("nope"), None);
    }
}
