//! Rules and inputs shared by the engine's integration tests.
//!
//! The rules here are inline so these tests pin engine behaviour, not the default ruleset.
//! Fake secrets are assembled at run time so this file never looks like a leak itself.
#![allow(dead_code)]

use secretsift::Engine;

/// A small ruleset that exercises every engine feature: prefix tokens, context rules, a
/// keyword outside the match, multi-line blocks, entropy, validators, allowlists, stopwords,
/// a publishable kind and a generic rule.
pub const RULES: &str = r#"
[[rules]]
id = "tok"
description = "test token with a prefix"
provider = "test"
regex = '''\b(tok_[a-z0-9]{20,40})\b'''
keywords = ["tok_"]
keep_prefix = 4
examples = ["x tok_abcdefghij0123456789"]

[[rules]]
id = "pub"
description = "publishable test key"
provider = "test"
regex = '''\b(pub_[A-Z0-9]{16})\b'''
keywords = ["pub_"]
kind = "publishable"
examples = ["pub_ABCDEFGH12345678"]

[[rules]]
id = "ctx"
description = "secret named by context"
provider = "test"
regex = '''(?i)ctx_secret\s*[:=]\s*["']?([A-Za-z0-9/+]{24,48})'''
keywords = ["ctx_secret"]
entropy = 3.5
allowlist = { stopwords = ["notreal"] }
examples = ["ctx_secret=Zq8vN3pXr5tYw2kL9mB4cH7dF1gJ"]

[[rules]]
id = "near"
description = "value whose keyword sits just before it"
provider = "test"
regex = '''\b(NR[0-9A-F]{30})\b'''
keywords = ["nearvendor"]
examples = ["nearvendor: NR0123456789ABCDEF0123456789ABCD"]

[[rules]]
id = "block"
description = "multi-line block"
provider = "test"
regex = '''-----BEGIN TEST KEY-----\r?\n([A-Za-z0-9+/=\r\n]{32,2000}?)-----END TEST KEY-----'''
keywords = ["-----begin test key"]
validator = "pem-body"
secret_group = 0
examples = ["-----BEGIN TEST KEY-----\nQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkw\n-----END TEST KEY-----"]

[[rules]]
id = "allowed"
description = "rule with an allowlist regex"
provider = "test"
regex = '''\b(alw_[a-z0-9]{16})\b'''
keywords = ["alw_"]
allowlist = { regexes = ['''^alw_0000'''] }
examples = ["alw_k3j4h5g6f7d8s9a0"]

[[rules]]
id = "generic-test"
description = "generic assignment"
provider = "generic"
regex = '''(?i)\b(?:passwd|secret_value)\s*[:=]\s*["']?([^\s"',;]{8,64})'''
keywords = ["passwd", "secret_value"]
entropy = 3.0
tags = ["generic"]
examples = ["passwd=Zq8vN3pXr5tYw2"]
"#;

pub fn engine() -> Engine {
    let mut b = Engine::builder();
    b.default_rules(false)
        .add_toml(RULES, "common::RULES")
        .expect("test rules parse");
    b.build().expect("test rules compile")
}

/// Tiny deterministic generator (xorshift), so inputs are reproducible without a crate.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn pick(&mut self, set: &[u8]) -> u8 {
        set[self.below(set.len() as u64) as usize]
    }
    pub fn string(&mut self, set: &[u8], n: usize) -> String {
        (0..n).map(|_| self.pick(set) as char).collect()
    }
}

pub const LOWER_DIGITS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
pub const UPPER_DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
pub const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
pub const HEX_UPPER: &[u8] = b"0123456789ABCDEF";

/// One piece of a generated input: a secret of some rule, or noise around it.
pub fn piece(rng: &mut Rng) -> Vec<u8> {
    let n = rng.below(64) as usize;
    match rng.below(12) {
        0 => format!("tok_{}", rng.string(LOWER_DIGITS, 20 + n % 21)).into_bytes(),
        1 => format!("pub_{}", rng.string(UPPER_DIGITS, 16)).into_bytes(),
        2 => format!("ctx_secret = \"{}\"", rng.string(ALNUM, 24 + n % 25)).into_bytes(),
        3 => format!("nearvendor token NR{}", rng.string(HEX_UPPER, 30)).into_bytes(),
        4 => {
            let body: String = (0..(1 + n % 4))
                .map(|_| rng.string(ALNUM, 48) + "\n")
                .collect();
            format!("-----BEGIN TEST KEY-----\n{body}-----END TEST KEY-----").into_bytes()
        }
        5 => format!("alw_{}", rng.string(LOWER_DIGITS, 16)).into_bytes(),
        6 => format!("passwd: {}", rng.string(ALNUM, 8 + n % 20)).into_bytes(),
        7 => b"\n".to_vec(),
        8 => b"\r\n".to_vec(),
        9 => (0..n % 40).map(|_| rng.next() as u8).collect(), // raw bytes, invalid UTF-8, NUL
        10 => b"tok_ ctx_secret passwd nearvendor -----BEGIN TEST KEY----- alw_".to_vec(), // keywords, no secret
        _ => rng.string(b"abcdefghij klmnop=:\"'", n).into_bytes(),
    }
}

pub fn input(seed: u64, pieces: usize) -> Vec<u8> {
    let mut rng = Rng(seed | 1);
    let mut out = Vec::new();
    for _ in 0..pieces {
        out.extend(piece(&mut rng));
        if rng.below(3) == 0 {
            out.push(b' ');
        }
    }
    out
}
