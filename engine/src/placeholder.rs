//! Values that look like secrets by shape but are documentation, templates or identifiers.
//!
//! Two filters, both allocation-free byte checks:
//! - [`is_placeholder`] runs on every rule's secret (a rule may opt out): `changeme`,
//!   `${VAR}`, `<your-key>`, `xxxxxxxx`, `AKIA...EXAMPLE`, `********`.
//! - [`is_generic_noise`] runs on rules tagged `generic`, whose values come from a name such as
//!   `password=` rather than from a provider format: identifiers, member accesses, UUIDs,
//!   function calls and URLs are not secrets there.

/// Case-insensitive markers of documentation or template values.
const MARKERS: &[&[u8]] = &[
    b"example",
    b"changeme",
    b"change_me",
    b"change-me",
    b"placeholder",
    b"your_",
    b"your-",
    b"yourkey",
    b"yourtoken",
    b"yoursecret",
    b"yourpassword",
    b"<your",
    b"redacted",
    b"replace_me",
    b"replaceme",
    b"insert_",
    b"dummy",
    b"notasecret",
    b"not_a_secret",
    b"not-a-secret",
    b"fakekey",
    b"fake_key",
    b"xxxxxx",
    b"******",
    b"......",
    b"------",
    b"000000000000",
];

/// Template openers: the value is a reference to a variable, not a value.
const TEMPLATE_OPENERS: &[&[u8]] = &[
    b"${", b"$(", b"{{", b"{%", b"%(", b"#{", b"<%", b"%{", b"[[", b"@@",
];

/// Whether `s` is a documentation placeholder or a template reference.
pub fn is_placeholder(s: &[u8]) -> bool {
    if s.is_empty() {
        return true;
    }
    // `\${VAR}`: a template escaped inside a JavaScript template literal or a shell string.
    let unescaped = s.strip_prefix(b"\\").unwrap_or(s);
    if TEMPLATE_OPENERS.iter().any(|o| unescaped.starts_with(o)) {
        return true;
    }
    if s.first() == Some(&b'<') && s.last() == Some(&b'>') {
        return true;
    }
    if s.first() == Some(&b'$')
        && s[1..]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return true; // $VAR
    }
    if s.len() >= 4 && s.iter().all(|&b| b == s[0]) {
        return true;
    }
    MARKERS.iter().any(|m| contains_ci(s, m))
}

/// Whether a value captured by a generic (name-based) rule is code or an identifier rather
/// than a secret.
pub fn is_generic_noise(s: &[u8]) -> bool {
    is_uuid(s)
        || is_identifier(s)
        || is_member_access(s)
        || is_call(s)
        || starts_with_ci(s, b"http://")
        || starts_with_ci(s, b"https://")
        || starts_with_ci(s, b"file://")
        || s.starts_with(b"/")
        || s.starts_with(b"./")
        || s.starts_with(b"../")
        || is_only(s, |b| {
            b.is_ascii_digit() || b == b'.' || b == b'-' || b == b':'
        })
        || ends_with_ci(s, b".js")
        || ends_with_ci(s, b".json")
        || ends_with_ci(s, b".yaml")
        || ends_with_ci(s, b".yml")
        || ends_with_ci(s, b".pem")
        || ends_with_ci(s, b".key")
        || ends_with_ci(s, b".txt")
        || contains_ci(s, b"password")
        || contains_ci(s, b"secret")
        || contains_ci(s, b"process.env")
        || contains_ci(s, b"environ")
        || contains_ci(s, b"getenv")
}

/// `8-4-4-4-12` hex.
fn is_uuid(s: &[u8]) -> bool {
    s.len() == 36
        && s.iter().enumerate().all(|(i, &b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// A word-shaped name: `snake_case`, `SCREAMING_CASE`, `camelCase`, `kebab-case`, no digits
/// beyond a trailing version number.
fn is_identifier(s: &[u8]) -> bool {
    if !s[0].is_ascii_alphabetic() && s[0] != b'_' {
        return false;
    }
    let body_end = s
        .iter()
        .rposition(|b| !b.is_ascii_digit())
        .map_or(0, |i| i + 1);
    let body = &s[..body_end];
    if !is_only(body, |b| b.is_ascii_alphabetic() || b == b'_' || b == b'-') {
        return false;
    }
    // camelCase / PascalCase: lowercase runs with single capitals at word starts.
    let upper = body.iter().filter(|b| b.is_ascii_uppercase()).count();
    let lower = body.iter().filter(|b| b.is_ascii_lowercase()).count();
    let separated = body.contains(&b'_') || body.contains(&b'-');
    // Random mixed-case strings have many capitals in a row; words do not.
    let capital_runs = body
        .windows(2)
        .filter(|w| w[0].is_ascii_uppercase() && w[1].is_ascii_uppercase())
        .count();
    separated || upper == 0 || lower == 0 || (capital_runs == 0 && upper * 3 <= lower)
}

/// `obj.field`, `config.db.password`, `this.props.token`.
fn is_member_access(s: &[u8]) -> bool {
    let mut parts = 0;
    for part in s.split(|&b| b == b'.') {
        if part.is_empty() || !(part[0].is_ascii_alphabetic() || part[0] == b'_' || part[0] == b'$')
        {
            return false;
        }
        if !is_only(part, |b| {
            b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
        }) {
            return false;
        }
        parts += 1;
    }
    parts >= 2 && is_identifier(s.rsplit(|&b| b == b'.').next().unwrap_or(s))
}

/// `getToken(`, `read_secret()`.
fn is_call(s: &[u8]) -> bool {
    match memchr::memchr(b'(', s) {
        Some(i) if i > 0 => is_only(&s[..i], |b| {
            b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'$'
        }),
        _ => false,
    }
}

fn is_only(s: &[u8], f: impl Fn(u8) -> bool) -> bool {
    s.iter().all(|&b| f(b))
}

/// ASCII case-insensitive substring test; `needle` must be lowercase.
pub(crate) fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    needle.len() <= hay.len()
        && hay
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

fn starts_with_ci(hay: &[u8], p: &[u8]) -> bool {
    hay.len() >= p.len() && hay[..p.len()].eq_ignore_ascii_case(p)
}

fn ends_with_ci(hay: &[u8], p: &[u8]) -> bool {
    hay.len() >= p.len() && hay[hay.len() - p.len()..].eq_ignore_ascii_case(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        for p in [
            "changeme",
            "${DB_PASSWORD}",
            r"\${REDIS_PASSWORD}",
            "<your-api-key>",
            "xxxxxxxxxxxx",
            "AKIAIOSFODNN7EXAMPLE",
            "********",
            "{{ .Values.token }}",
            "$SECRET",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
        for s in [
            "hK8s92LmQp0zXv7B",
            "Tr0ub4dor&3xyz",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCY",
        ] {
            assert!(!is_placeholder(s.as_bytes()), "{s}");
        }
    }

    #[test]
    fn generic_noise() {
        for n in [
            "get_password_from_env",
            "self.db_password",
            "config.auth.token",
            "getToken()",
            "DATABASE_URL",
            "myApiKey",
            "123e4567-e89b-12d3-a456-426614174000",
            "https://example.org/x",
            "/etc/secret/key",
            "1.2.3",
        ] {
            assert!(is_generic_noise(n.as_bytes()), "{n}");
        }
        for s in [
            "hK8s92LmQp0zXv7B",
            "Zq8vN3pXr5tYw2",
            "s3cr3tPa55w0rd!9",
            "aBcDeFgHiJkLmN0pQrStUv",
        ] {
            assert!(!is_generic_noise(s.as_bytes()), "{s}");
        }
    }
}
