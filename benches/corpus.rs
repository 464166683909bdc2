//! Generated corpora for benches: realistic noise with a known number of planted secrets.
//!
//! Secrets are assembled at run time (the repository holds no key-shaped literal). Each
//! generator returns the data and how many secrets it planted, so a bench can assert that the
//! engine still finds exactly those.
#![allow(dead_code)]

pub struct Corpus {
    pub name: &'static str,
    pub data: Vec<u8>,
    pub planted: u64,
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn string(&mut self, set: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| set[self.below(set.len() as u64) as usize] as char)
            .collect()
    }
}

const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn aws_key(rng: &mut Rng) -> String {
    format!("{}{}", "AKIA", rng.string(B32, 16))
}

/// A GitHub classic token with a valid CRC32 checksum.
fn github_token(rng: &mut Rng) -> String {
    let body = rng.string(ALNUM, 30);
    let mut n = crc32fast::hash(body.as_bytes()) as u64;
    let mut sum = [b'0'; 6];
    for s in sum.iter_mut().rev() {
        *s = B62[(n % 62) as usize];
        n /= 62;
    }
    format!("{}{}{}", "gh", "p_", body) + std::str::from_utf8(&sum).unwrap()
}

fn planted(rng: &mut Rng) -> String {
    if rng.below(2) == 0 {
        aws_key(rng)
    } else {
        github_token(rng)
    }
}

/// Application log lines; one line in `every` carries a secret.
pub fn logs(size: usize, every: u64) -> Corpus {
    let mut rng = Rng(0x1065);
    let mut data = Vec::with_capacity(size + 512);
    let mut planted_n = 0;
    let levels = ["INFO", "DEBUG", "WARN", "INFO", "ERROR"];
    let paths = [
        "/api/v1/users",
        "/healthz",
        "/api/v2/orders/checkout",
        "/static/app.js",
        "/login",
    ];
    let mut i = 0u64;
    while data.len() < size {
        i += 1;
        let line = if i.is_multiple_of(every) {
            planted_n += 1;
            format!("2026-11-28T01:{:02}:{:02}.{:03}Z WARN  worker-{} retrying upload with credentials {}\n", i % 60, (i / 60) % 60, i % 1000, i % 16, planted(&mut rng))
        } else {
            format!(
                "2026-11-28T01:{:02}:{:02}.{:03}Z {:5} http-{} method=GET path={} status={} duration_ms={} request_id={} user_agent=\"Mozilla/5.0 (X11; Linux x86_64)\"\n",
                i % 60, (i / 60) % 60, i % 1000, levels[(i % 5) as usize], i % 8, paths[(i % 5) as usize], [200, 201, 304, 404, 500][(i % 5) as usize], rng.below(900),
                rng.string(b"0123456789abcdef", 16)
            )
        };
        data.extend_from_slice(line.as_bytes());
    }
    Corpus {
        name: "logs",
        data,
        planted: planted_n,
    }
}

/// Minified-JavaScript-like text: long lines of identifiers, strings, numbers, a few base64
/// data URIs; a secret in a string literal now and then.
pub fn minified_js(size: usize, every: u64) -> Corpus {
    let mut rng = Rng(0x15);
    let mut data = Vec::with_capacity(size + 4096);
    let mut planted_n = 0;
    let mut i = 0u64;
    let words = [
        "function",
        "return",
        "var",
        "const",
        "this",
        "props",
        "state",
        "useEffect",
        "createElement",
        "children",
        "length",
        "prototype",
        "Object",
        "defineProperty",
        "token",
        "key",
        "secret",
    ];
    while data.len() < size {
        i += 1;
        let w = words[(i % words.len() as u64) as usize];
        let s = match i % 9 {
            0 => format!(
                "{w}:function(e,t){{return e.{}(t)}},",
                rng.string(b"abcdefghijklmnopqrstuvwxyz", 6)
            ),
            1 => format!(
                "var {}=\"{}\";",
                rng.string(b"abcdefghijklmnop", 2),
                rng.string(ALNUM, 12)
            ),
            2 => format!(
                "{}.{}={};",
                rng.string(b"abcdefgh", 1),
                w,
                rng.below(1 << 20)
            ),
            3 => format!("data:image/png;base64,{};", rng.string(ALNUM, 200)),
            4 if i > 9 && i % every.saturating_mul(9) == 4 => {
                planted_n += 1;
                format!("const cfg={{apiKey:\"{}\"}};", planted(&mut rng))
            }
            _ => format!("if({w}&&{w}.length>{}){{{w}=null}}", rng.below(100)),
        };
        data.extend_from_slice(s.as_bytes());
        if i.is_multiple_of(4000) {
            data.push(b'\n');
        }
    }
    Corpus {
        name: "minified-js",
        data,
        planted: planted_n,
    }
}

/// Dense base64 and hex: the worst case for entropy checks. No secrets.
pub fn dense_base64_hex(size: usize) -> Corpus {
    let mut rng = Rng(0xb64);
    let mut data = Vec::with_capacity(size + 200);
    let mut i = 0;
    while data.len() < size {
        i += 1;
        let s = if i % 2 == 0 {
            rng.string(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
                76,
            )
        } else {
            rng.string(b"0123456789abcdef", 64)
        };
        data.extend_from_slice(s.as_bytes());
        data.push(b'\n');
    }
    Corpus {
        name: "dense-base64-hex",
        data,
        planted: 0,
    }
}

/// Adversarial: text dense in keywords (`token`, `api_key`, `password`, `secret`, provider
/// prefixes) whose values are too short or too plain to be secrets, so every few bytes opens
/// a window and runs rules; one line in `every` carries a real secret.
pub fn keyword_dense(size: usize, every: u64) -> Corpus {
    let mut rng = Rng(0xde75e);
    let mut data = Vec::with_capacity(size + 512);
    let mut planted_n = 0;
    let names = [
        "token",
        "api_key",
        "apikey",
        "secret",
        "password",
        "passwd",
        "auth",
        "key",
        "access_key",
        "client_secret",
        "bearer",
        "private_key",
        "credentials",
    ];
    let prefixes = [
        "ghp", "AKIA", "sk_live", "xoxb", "glpat", "npm", "pat", "eyJ",
    ];
    let mut i = 0u64;
    while data.len() < size {
        i += 1;
        let line = if i.is_multiple_of(every) {
            planted_n += 1;
            format!("deploy {} ok\n", planted(&mut rng))
        } else {
            let n = names[rng.below(names.len() as u64) as usize];
            let p = prefixes[rng.below(prefixes.len() as u64) as usize];
            // Values: placeholders and short words, not secrets.
            format!(
                "{n}={p} {n}: null {n}_id={} {p}_{} {n}=\"${{{}}}\" key token secret\n",
                rng.below(1000),
                rng.string(b"abc", 3),
                n.to_ascii_uppercase()
            )
        };
        data.extend_from_slice(line.as_bytes());
    }
    Corpus {
        name: "keyword-dense",
        data,
        planted: planted_n,
    }
}

/// Adversarial: one line of `size` bytes (minified JavaScript with its newlines removed), so
/// nothing can be decided at a line end.
pub fn single_line(size: usize, every: u64) -> Corpus {
    let mut c = minified_js(size, every);
    c.data.retain(|&b| b != b'\n');
    c.name = "single-line";
    c
}
