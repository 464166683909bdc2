//! Values that look like secrets by shape but are documentation, templates or identifiers.
//!
//! Two filters, both allocation-free checks (the marker automaton is built once, up front):
//! - [`is_placeholder`] runs on every rule's secret (a rule may opt out): `changeme`,
//!   `${VAR}`, `<your-key>`, `xxxxxxxx`, `AKIA...EXAMPLE`, `********`.
//! - [`is_generic_noise`] runs on rules tagged `generic`, whose values come from a name such as
//!   `password=` rather than from a provider format: identifiers, member accesses, UUIDs,
//!   function calls and URLs are not secrets there.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

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
    b"sample",
    b"notasecret",
    b"not_a_secret",
    b"not-a-secret",
    b"fakekey",
    b"fake_key",
    b"fake-",
    b"fake_",
    b"-fake",
    b"_fake",
    b"xxxxxx",
    b"******",
    b"......",
    b"------",
    b"000000000000",
    // A counting sequence that documentation writes into token shapes
    // (Slack-style `…-1234-1234-…`); random tokens do not hold it.
    b"1234-1234",
    // Letters and digits counting up in turn (`a1b2c3d4e5f6…`, `px-api-a1b2c3d4-e5f6-…`):
    // documentation's stand-in for a random key; a random key holds these 6 bytes with odds
    // of about one in 10^8.
    b"a1b2c3",
];

/// [`MARKERS`] as one automaton: a value is read once, not once per marker (5,000
/// instructions a value in text full of `password=` and `token=`). Built on first use; every
/// engine builds it before its first scan (see [`warm_up`]), so scanning does not allocate.
static MARKER_FINDER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(MARKERS)
        .expect("a few dozen short byte strings always build")
});

/// Builds what the checks here build on first use.
pub(crate) fn warm_up() {
    LazyLock::force(&MARKER_FINDER);
}

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
    // `%VAR%`: a Windows (cmd, NuGet, MSBuild) environment variable reference.
    if s.len() > 2
        && s[0] == b'%'
        && s[s.len() - 1] == b'%'
        && is_only(&s[1..s.len() - 1], |b| {
            b.is_ascii_alphanumeric() || b == b'_'
        })
    {
        return true;
    }
    if s.len() >= 4 && s.iter().all(|&b| b == s[0]) {
        return true;
    }
    // The nil UUID and RFC 4122's example UUID, which documentation uses as a stand-in.
    if is_uuid(s) && (is_only(s, |b| b == b'0' || b == b'-') || s.starts_with(b"123e4567-e89b")) {
        return true;
    }
    MARKER_FINDER.is_match(s)
}

/// Whether a value captured by a generic (name-based) rule is code or an identifier rather
/// than a secret.
pub fn is_generic_noise(s: &[u8]) -> bool {
    is_uuid(s)
        || is_name(s)
        // A sigil before a name: prettier's `"?NonExpressionParenKeyword"` token kinds.
        || s.strip_prefix(b"?").is_some_and(|r| !r.is_empty() && is_name(r))
        // A variable reference (`$var-compass` in SCSS, `$tokenValue`).
        || s.strip_prefix(b"$").is_some_and(|r| !r.is_empty() && is_code_segment(r))
        // A name running on over a `\n` escape (`propIsBypass\n` in a source map).
        || before_escaped_newline(s).is_some_and(is_name)
        || is_ethereum_address(s)
        || is_text(s)
        || is_code_or_reference(s)
        || is_dotted_words(s)
        || is_assignment(s)
        || ends_with_ci(s, b".js")
        || ends_with_ci(s, b".json")
        || ends_with_ci(s, b".yaml")
        || ends_with_ci(s, b".yml")
        || ends_with_ci(s, b".pem")
        || ends_with_ci(s, b".key")
        || ends_with_ci(s, b".txt")
        || contains_ci(s, b"secret")
}

/// An Ethereum address (`0x` and 40 hex digits): public by design; private keys are 64.
fn is_ethereum_address(s: &[u8]) -> bool {
    s.len() == 42 && s.starts_with(b"0x") && is_only(&s[2..], |b| b.is_ascii_hexdigit())
}

/// Natural-language text in a non-Latin script (a message table's
/// `"Unexpected_token_1012": "予期しないトークンです。"`): a third or more of the bytes are
/// UTF-8 beyond ASCII. API keys and tokens are ASCII.
fn is_text(s: &[u8]) -> bool {
    s.iter().filter(|&&b| b >= 0x80).count() * 3 >= s.len()
}

/// An identifier without a password's trailing number, or a name made of words. A word with
/// 3+ trailing digits (`abuser123456`, `Secret2024`) is a password's shape, not a name's:
/// names carry at most a short version number (`tokenV2`, `S3`).
fn is_name(s: &[u8]) -> bool {
    (is_identifier(s) && trailing_digits(s) < 3) || is_code_name(s)
}

/// What both generic filters drop: code (member accesses, calls, type annotations, comparisons,
/// fragments, header names), URLs and paths, numbers and versions, and references to where a
/// password comes from (`password` itself, `process.env`, `environ`, `getenv`).
fn is_code_or_reference(s: &[u8]) -> bool {
    is_member_access(s)
        || is_call(s)
        || is_code_member_access(s)
        || is_header_name(s)
        || is_type_annotation(s)
        || is_comparison(s)
        || is_code_fragment(s)
        || is_code_before_punctuation(s)
        || is_code_expression(s)
        || is_bundler_name(s)
        || is_negated_code(s)
        || is_template_interpolation(s)
        || is_regex_source(s)
        || is_escaped_json(s)
        || is_code_before_escaped_newline(s)
        || is_media_type(s)
        || is_css_escape(s)
        || starts_with_ci(s, b"http://")
        || starts_with_ci(s, b"https://")
        || starts_with_ci(s, b"file://")
        || s.starts_with(b"/")
        || s.starts_with(b"./")
        || s.starts_with(b"../")
        || is_only(s, |b| {
            b.is_ascii_digit() || b == b'.' || b == b'-' || b == b':'
        })
        || names_password(s)
        || contains_ci(s, b"process.env")
        || contains_ci(s, b"environ")
        || contains_ci(s, b"getenv")
}

/// Whether `s` holds `password` as a name or a word of one (`password`, `db_password`,
/// `dbPassword`, `PASSWORD_FILE`, `$password`, `passwordInput`): a reference to a password or
/// a label. Inside a value it is part of the password (`thisismypassword`, `Password1`).
fn names_password(s: &[u8]) -> bool {
    const WORD: &[u8] = b"password";
    (0..s.len().saturating_sub(WORD.len() - 1)).any(|i| {
        if !s[i..i + WORD.len()].eq_ignore_ascii_case(WORD) {
            return false;
        }
        let (first, last) = (s[i], s[i + WORD.len() - 1]);
        let starts = match i.checked_sub(1).map(|j| s[j]) {
            None => true,
            Some(b) => {
                !b.is_ascii_alphanumeric() || (b.is_ascii_lowercase() && first.is_ascii_uppercase())
            }
        };
        let ends = match s.get(i + WORD.len()) {
            None => true,
            Some(&b) => {
                !(b.is_ascii_alphanumeric()
                    || matches!(
                        b,
                        b'!' | b'@' | b'#' | b'$' | b'&' | b'*' | b'+' | b'?' | b'~' | b'^'
                    ))
                    || (last.is_ascii_lowercase() && b.is_ascii_uppercase())
                    || b == b's'
                    || b == b'S'
            }
        };
        starts && ends
    })
}

/// `name=…` or `name:…` where the name is a credential's or an account's: the captured "value" is
/// the next field of a log line or config (`token= user=bob`, `pwd= access_token=[]`), left
/// empty by the assignment before it. Only such names count, so random tokens that happen to
/// hold a `=` or `:` keep firing.
fn is_assignment(s: &[u8]) -> bool {
    const FIELD_NAMES: &[&[u8]] = &[
        b"token", b"key", b"secret", b"pass", b"pwd", b"auth", b"cred", b"user", b"login",
        b"bearer", b"session", b"cookie",
    ];
    let name = s
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        .count();
    let named_field = match &s[name..] {
        [b':', b'/', ..] => false, // a URL scheme
        [b'=', b'=', ..] => false, // base64 padding inside a token
        [b'=' | b':', ..] => true,
        _ => false,
    };
    named_field && FIELD_NAMES.iter().any(|f| contains_ci(&s[..name], f))
}

/// Whether the value of a generic rule's match is noise, given the whole match and where the
/// value lies in it. A value the match shows between matching quotes is a string literal:
/// for rules tagged `password` a literal is judged by [`is_password_literal_noise`] (a quoted
/// `'whiteduke'` is a password, a bare `whiteduke` in code is a variable); every other value
/// by [`is_generic_noise`].
pub fn is_generic_value_noise(whole: &[u8], value: std::ops::Range<usize>, password: bool) -> bool {
    let s = &whole[value.clone()];
    // The closing quote may be escaped (`\"hunter2\"` in a JSON-encoded or logged string).
    let close = match whole.get(value.end..) {
        Some([b'\\', q, ..]) | Some([q, ..]) => Some(*q),
        _ => None,
    };
    let quoted = value.start > 0
        && matches!(whole[value.start - 1], b'"' | b'\'' | b'`')
        && close == Some(whole[value.start - 1]);
    if restates_name(&whole[..value.start], s) {
        return true;
    }
    if password && names_no_password(&whole[..value.start], s) {
        return true;
    }
    if password && (quoted || is_config_assignment(whole, value.start)) {
        is_password_literal_noise(s)
    } else {
        is_generic_noise(s)
    }
}

/// Whether a password rule's name holds no password: a pass-through option
/// (`OPTION_PASS_THROUGH = "passThrough"`), a `password-protected` message, or a render pass
/// (`pass === 'opaque'`, `props.pass.axis === 'horizontal'`: a bare `pass` or a member of one
/// given one lowercase word, as graphics code names its passes; a password compared in code is
/// rarely a dictionary word without a digit).
fn names_no_password(before: &[u8], value: &[u8]) -> bool {
    let name = &before[..before
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        .count()];
    contains_ci(name, b"through")
        || contains_ci(name, b"protected")
        || ((name == b"pass" || name.starts_with(b"pass."))
            && is_only(value, |b| b.is_ascii_lowercase()))
        || names_itself(name, value)
}

/// A constant whose string value ends with its name's last word (`TRACEID_RENDER_PASS =
/// "RenderPass"`, `SHADERPASS_FORWARD = "forward"`, `SHADERPASS_UV0 = "debug_uv0"` in
/// PlayCanvas): an enum of names, not a password.
fn names_itself(name: &[u8], value: &[u8]) -> bool {
    let constant = name.iter().any(u8::is_ascii_uppercase)
        && is_only(name, |b| {
            b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'
        });
    let last = name.rsplit(|&b| b == b'_').next().unwrap_or(name);
    // The word must start a word of the value: `mypassword` under `AUTO_SESSION_PASSWORD` is
    // a password that happens to end in one.
    let at = value.len().wrapping_sub(last.len());
    constant
        && last.len() >= 3
        && is_identifier(value)
        && value.len() >= last.len()
        && value[at..].eq_ignore_ascii_case(last)
        && (at == 0
            || value[at - 1] == b'_'
            || (value[at].is_ascii_uppercase() && value[at - 1].is_ascii_lowercase()))
}

/// Whether a value of several words spells the name it is assigned to (`NO_API_KEY = "no api
/// key"`): an enum's or message table's text, not a secret. Compares letters and digits only.
fn restates_name(name: &[u8], value: &[u8]) -> bool {
    /// Letters and digits of `s`, lowercased, into `buf`; `None` if they do not fit.
    fn alnum<'a>(s: &[u8], buf: &'a mut [u8]) -> Option<&'a [u8]> {
        let mut n = 0;
        for &b in s.iter().filter(|b| b.is_ascii_alphanumeric()) {
            *buf.get_mut(n)? = b.to_ascii_lowercase();
            n += 1;
        }
        Some(&buf[..n])
    }
    if !value.contains(&b' ') {
        return false;
    }
    let (mut v, mut n) = ([0u8; 160], [0u8; 512]);
    match (alnum(value, &mut v), alnum(name, &mut n)) {
        (Some(v), Some(n)) => !v.is_empty() && memchr::memmem::find(n, v).is_some(),
        _ => false,
    }
}

/// Whether the match is `NAME=value` with a constant-case or capitalised name and no space
/// around `=` (`DB_PASSWORD=<value>`, `Password=<value>`): the shape of env files, INI and
/// .properties files, whose unquoted values are values. Code assigns variables to lowercase
/// names (`password=pw` keyword arguments) or spaces the `=` (`Password = value;`).
fn is_config_assignment(whole: &[u8], value_start: usize) -> bool {
    let name = &whole[..value_start.saturating_sub(1)];
    whole.get(value_start.wrapping_sub(1)) == Some(&b'=')
        && name.first().is_some_and(u8::is_ascii_uppercase)
        && is_only(name, |b| {
            b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
        })
        && !name
            .windows(2)
            .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
}

/// Words that a quoted value under a password-like name holds in UI, form and schema code
/// rather than a password: HTML input types, autocomplete tokens (`current-password`),
/// validation and schema keywords, field labels.
const PASSWORD_FIELD_WORDS: &[&[u8]] = &[
    b"password",
    b"passwd",
    b"pwd",
    b"pass",
    b"passphrase",
    b"text",
    b"hidden",
    b"string",
    b"required",
    b"optional",
    b"invalid",
    b"valid",
    b"current",
    b"new",
    b"old",
    b"confirm",
    b"confirmation",
    b"repeat",
    b"retype",
    b"disabled",
    b"enabled",
    b"visible",
    b"show",
    b"hide",
    b"toggle",
    b"submit",
    b"change",
    b"update",
    b"reset",
    b"forgot",
    b"forgotten",
    b"strong",
    b"weak",
    b"medium",
    b"default",
    b"unknown",
    b"undefined",
    b"boolean",
    b"number",
    b"object",
    b"null",
    b"none",
    b"true",
    b"false",
    b"empty",
    b"input",
    b"field",
    b"label",
    b"value",
    b"secret",
    b"hash",
    b"hashed",
    b"plain",
    b"plaintext",
    b"login",
    b"signin",
    b"signup",
    b"username",
    b"user",
    b"email",
    b"mismatch",
    b"match",
    b"length",
    b"short",
    b"long",
    b"too",
    b"min",
    b"max",
    b"error",
    b"wrong",
    b"incorrect",
    b"expired",
    b"missing",
    b"prompt",
    b"placeholder",
    b"off",
    b"on",
];

/// Whether a string literal assigned to a password-like name is UI or schema text rather
/// than a password. Unlike [`is_generic_noise`], a lowercase word (`'whiteduke'`) or a word
/// with digits (`'Secret123'`) is a password here: a literal is a value, not a variable.
pub fn is_password_literal_noise(s: &[u8]) -> bool {
    if s.is_empty() {
        return true;
    }
    if is_prose(s) {
        return true;
    }
    // A label: one capitalised word (`Passwort`, `Kennwort`, `Wachtwoord`).
    if s.len() > 1 && s[0].is_ascii_uppercase() && is_only(&s[1..], |b| b.is_ascii_lowercase()) {
        return true;
    }
    // An enum constant (`ENFORCE`, `SHA_256`): all capitals, no digit.
    if is_only(s, |b| b.is_ascii_uppercase() || b == b'_') {
        return true;
    }
    // Punctuation only (`,.:-@*?!`): a separator list, not a password.
    if !s.iter().any(|b| b.is_ascii_alphanumeric()) {
        return true;
    }
    // A multi-word lowercase name (`real_key`, `smtp_username`): a key, not a password.
    if s.iter().any(|&b| b == b'_' || b == b'-')
        && is_only(s, |b| b.is_ascii_lowercase() || b == b'_' || b == b'-')
    {
        return true;
    }
    // Field words alone or joined (`current-password`, `new_password`, `too_short`).
    let field_words = s
        .split(|&b| b == b'-' || b == b'_' || b == b'.' || b == b':')
        .all(|w| {
            w.is_empty()
                || PASSWORD_FIELD_WORDS
                    .iter()
                    .any(|f| w.eq_ignore_ascii_case(f))
        });
    field_words || is_code_or_reference(s)
}

/// Whether a value of several space-separated words is UI or prose text rather than a
/// passphrase (`correct horse battery staple`): a sentence (`Must be at least 8 characters`),
/// a message ending in punctuation, a format string, more than six words, or field words only
/// (`too short`, `new password`). A value without a space is never prose.
fn is_prose(s: &[u8]) -> bool {
    if !s.contains(&b' ') {
        return false;
    }
    let words = || s.split(|&b| b == b' ').filter(|w| !w.is_empty());
    let sentence = s[0].is_ascii_uppercase() && s.get(1).is_some_and(u8::is_ascii_lowercase);
    sentence
        || matches!(
            s.last(),
            Some(b'.' | b'!' | b'?' | b':' | b',' | b')' | b' ')
        )
        || s.iter()
            .any(|&b| matches!(b, b'%' | b'{' | b'}' | b'=' | b'+' | b'<'))
        || words().count() > 6
        || words().all(|w| {
            PASSWORD_FIELD_WORDS
                .iter()
                .any(|f| w.eq_ignore_ascii_case(f))
        })
}

/// How many ASCII digits `s` ends with.
fn trailing_digits(s: &[u8]) -> usize {
    s.iter().rev().take_while(|b| b.is_ascii_digit()).count()
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
        // `#name`: a JavaScript private field (`this.#decodeUserPassword`).
        let part = part.strip_prefix(b"#").unwrap_or(part);
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
    let last = s.rsplit(|&b| b == b'.').next().unwrap_or(s);
    // `this.$tokenIndex`: `$` opens JavaScript names (jQuery, Ace, Vue instance members).
    parts >= 2 && is_identifier(last.strip_prefix(b"$").unwrap_or(last))
}

/// `getToken(`, `read_secret()`, `tokens[i].replace(/^`, `this.#crypto.encode(`: a callee
/// (names, members, private `#` members, indexes) and then anything, such as a regex literal.
fn is_call(s: &[u8]) -> bool {
    match memchr::memchr(b'(', s) {
        Some(i) if i > 0 => {
            let callee = &s[..i];
            let member = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'$');
            (is_only(callee, |b| member(b) || b == b'#') && hashes_are_private_members(callee))
                || (callee.contains(&b'[') && is_code_expression(callee))
        }
        _ => false,
    }
}

/// Fraction (×100) of `s` covered by word-like letter runs: lowercase runs of 3+ (with a
/// leading capital, as in `Token`) and capital runs of 3+ (`URL`, `ATTR`). Identifiers are
/// mostly words; random strings are mostly short runs. `None` if `s` has more than 2 digits,
/// no lowercase run of 4+, or a byte outside `[A-Za-z0-9]` (`super$ecret` is a password).
fn word_coverage(s: &[u8]) -> Option<usize> {
    if s.is_empty()
        || s.iter().filter(|b| b.is_ascii_digit()).count() > 2
        || !is_only(s, |b| b.is_ascii_alphanumeric())
    {
        return None;
    }
    let (mut covered, mut longest, mut i) = (0, 0, 0);
    while i < s.len() {
        let lower = s[i].is_ascii_lowercase();
        let upper = s[i].is_ascii_uppercase();
        let mut j = i + 1;
        if lower || upper {
            while j < s.len()
                && s[j].is_ascii_lowercase() == lower
                && s[j].is_ascii_uppercase() == upper
            {
                j += 1;
            }
        }
        let len = j - i;
        if lower {
            longest = longest.max(len);
            if len >= 3 {
                // The capital opening the word (`T` of `Token`), unless an upper run counted it.
                let cap = i > 0
                    && s[i - 1].is_ascii_uppercase()
                    && !(i >= 3 && s[i - 3..i].iter().all(|b| b.is_ascii_uppercase()));
                covered += len + usize::from(cap);
            }
        } else if upper && len >= 3 {
            covered += len;
        }
        i = j;
    }
    (longest >= 4).then(|| covered * 100 / s.len())
}

/// A name made of words with a version digit inside: `CreateOAuth2TokenCommand`,
/// `recaptchaV2Token`, `URLPatternComponentResult`.
fn is_code_name(s: &[u8]) -> bool {
    word_coverage(s).is_some_and(|c| c >= 80)
}

/// One segment of a code name (a member-access part, a `_`/`-` separated word): an identifier,
/// a mostly-words name, or a short token such as `S3`, `K8S`, `ec2`.
fn is_code_segment(s: &[u8]) -> bool {
    if s.is_empty() {
        return false;
    }
    // Short tokens: `S3`, `K8S`, `ec2`, and with a leading digit `3D`, `2D`, `4K`.
    if s.len() <= 4
        && s.iter().any(u8::is_ascii_alphabetic)
        && (s[0].is_ascii_alphabetic() || s.len() <= 2)
        && is_only(s, |b| b.is_ascii_alphanumeric())
    {
        return true;
    }
    if s.contains(&b'_') || s.contains(&b'-') {
        return s
            .split(|&b| b == b'_' || b == b'-')
            .all(|seg| seg.is_empty() || is_code_segment(seg));
    }
    is_identifier(s) || word_coverage(s).is_some_and(|c| c >= 75)
}

/// `exports.token2CSSVar`, `this.stsTokenManager.toJSON`, `userInternal.photoURL`,
/// `exports.ATTR_AWS_S3_UPLOAD_ID`: a receiver identifier then code-name members.
fn is_code_member_access(s: &[u8]) -> bool {
    let mut parts = s.split(|&b| b == b'.');
    let Some(first) = parts.next() else {
        return false;
    };
    if first.is_empty() || !(first[0].is_ascii_alphabetic() || first[0] == b'_' || first[0] == b'$')
    {
        return false;
    }
    if !(is_identifier(first) || is_code_segment(first)) || !s.contains(&b'.') {
        return false;
    }
    parts.all(|p| {
        !p.is_empty()
            && (p[0].is_ascii_alphabetic() || p[0] == b'_' || p[0] == b'$')
            && is_only(p, |b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
            && is_code_segment(p)
    })
}

/// An HTTP header name: `X-Amz-S3session-Token`, `x-aws-ec2-metadata-token`.
fn is_header_name(s: &[u8]) -> bool {
    starts_with_ci(s, b"x-")
        && s[2..]
            .split(|&b| b == b'-')
            .all(|seg| !seg.is_empty() && is_code_segment(seg))
}

/// Dotted or kebab words with no digit: Monaco token classes (`keyword.tag-for`,
/// `@brackets.directive`), CSS classes (`.ant-input-password-icon`); or with one- or two-digit
/// dotted segments after two words, as Ace and TextMate scope names end
/// (`support.class.actionscript.2`).
fn is_dotted_words(s: &[u8]) -> bool {
    let s = s.strip_prefix(b"@").unwrap_or(s);
    let numbered_scope = || {
        let parts = || s.split(|&b| b == b'.');
        parts()
            .filter(|p| p.len() >= 3 && is_only(p, |b| b.is_ascii_lowercase()))
            .count()
            >= 2
            && parts().all(|p| {
                (!p.is_empty() && is_only(p, |b| b.is_ascii_lowercase() || b == b'-'))
                    || (matches!(p.len(), 1 | 2) && is_only(p, |b| b.is_ascii_digit()))
            })
    };
    if numbered_scope() {
        return true;
    }
    // `$0`..`$9` are regex replacement references (`keyword.tag-$1`), not value bytes.
    let is_ref = |i: usize| {
        (s[i] == b'$' && s.get(i + 1).is_some_and(u8::is_ascii_digit))
            || (s[i].is_ascii_digit() && i > 0 && s[i - 1] == b'$')
    };
    s.contains(&b'.')
        && (0..s.len())
            .all(|i| s[i].is_ascii_alphabetic() || matches!(s[i], b'.' | b'-' | b'_') || is_ref(i))
        && s.iter().any(|b| b.is_ascii_alphabetic())
}

/// TypeScript primitive types, as in `newPassword: string):`.
const TYPE_NAMES: &[&[u8]] = &[
    b"string",
    b"number",
    b"boolean",
    b"unknown",
    b"object",
    b"undefined",
    b"bigint",
    b"symbol",
    b"never",
    b"void",
    b"any",
    b"null",
];

/// A type annotation: a primitive type name followed only by punctuation or escaped newlines
/// (`string):`, `string\n):`, `boolean;`, `number[]`).
fn is_type_annotation(s: &[u8]) -> bool {
    TYPE_NAMES.iter().any(|t| {
        s.starts_with(t) && {
            let rest = &s[t.len()..];
            let mut i = 0;
            let mut ok = true;
            while i < rest.len() {
                if rest[i] == b'\\' && matches!(rest.get(i + 1), Some(b'n' | b'r' | b't')) {
                    i += 2;
                } else if rest[i].is_ascii_alphanumeric() || rest[i] == b'_' {
                    ok = false;
                    break;
                } else {
                    i += 1;
                }
            }
            ok
        }
    })
}

/// A comparison read as an assignment: `=e.x`, `this.lineCharOffset===0`, `a!==b`. A bare
/// `==` is not one: base64 padding (`Qm9v==`) and Yandex tokens (`t1.wm==.qBbn…`) contain it.
fn is_comparison(s: &[u8]) -> bool {
    s.first() == Some(&b'=')
        || s.windows(4)
            .any(|w| (w[0] == b'=' || w[0] == b'!') && w[1] == b'=' && w[2] == b'=' && w[3] != b'=')
}

/// Minified code: `e}terminate(e){unreachable(`, `{display:`.
fn is_code_fragment(s: &[u8]) -> bool {
    memchr::memmem::find(s, b"){").is_some()
        || memchr::memmem::find(s, b")=>").is_some()
        // Logical operators after a name, among members or calls (`a.name||a.id||`).
        || ((s.contains(&b'.') || s.contains(&b'('))
            && [&b"||"[..], b"&&"].iter().any(|op| {
                memchr::memmem::find_iter(s, op).any(|i| {
                    i > 0 && (s[i - 1].is_ascii_alphanumeric() || s[i - 1] == b')')
                })
            }))
        // An object literal's first key (`{display:`, `{pattern:/(:[`).
        || (s.first() == Some(&b'{')
            && memchr::memchr(b':', s).is_some_and(|c| {
                (c == s.len() - 1
                    && c > 1
                    && is_only(&s[1..c], |b| {
                        b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
                    }))
                    || (c > 3 && is_identifier(&s[1..c]) && trailing_digits(&s[1..c]) == 0)
            }))
}

/// A name or member path followed only by closing punctuation or an opening bracket: an
/// argument's type (`GLenum):`), an index (`this.passes[`), a call (`fn(`).
fn is_code_before_punctuation(s: &[u8]) -> bool {
    let end = s
        .iter()
        .rposition(|&b| !matches!(b, b')' | b']' | b'}' | b'(' | b'[' | b':' | b';' | b','))
        .map_or(0, |i| i + 1);
    end > 0
        && end < s.len()
        && (is_code_segment(&s[..end])
            || is_member_access(&s[..end])
            || is_code_member_access(&s[..end]))
}

/// An expression of names joined by code punctuation: an index (`tokens[tokenIndex].x`,
/// `searchParams[QueryField.API_KEY]`), a generic type (`CredentialsProvider<User>`), optional
/// chaining or a non-null assertion (`result?.token`, `state.provider!.getToken()`), a call
/// chain. Every run of name bytes is a code segment or a number; secrets hold other bytes or
/// runs that are not names.
fn is_code_expression(s: &[u8]) -> bool {
    let name = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    let operator = |b: u8| {
        matches!(
            b,
            b'(' | b')' | b'[' | b']' | b'<' | b'>' | b'{' | b'}' | b'+' | b'=' | b',' | b':'
        )
    };
    // `_ref$value`: a temporary that Babel names after the property it destructures.
    if s.first() == Some(&b'_') && s.contains(&b'$') && is_only(s, name) {
        return true;
    }
    if is_index(s) {
        return true;
    }
    if !hashes_are_private_members(s) {
        return false;
    }
    // `!` and `?` only as in code: `x!.y`, `!!x`, `a?.b`, `a ?? b`.
    let trigger = s.iter().any(|&b| operator(b))
        || [&b"?."[..], b"??", b"!.", b"!!"]
            .iter()
            .any(|op| memchr::memmem::find(s, op).is_some());
    trigger
        && is_only(s, |b| {
            name(b) || operator(b) || matches!(b, b'.' | b'-' | b'!' | b'?' | b'#')
        })
        && s.split(|&b| !name(b))
            .filter(|seg| !seg.is_empty())
            .all(|seg| {
                is_only(seg, |b| b.is_ascii_digit())
                    || is_code_segment(seg.strip_prefix(b"$").unwrap_or(seg))
                    || is_bundler_name(seg)
            })
}

/// An element of a named array (`_getAppIdAndApiKey[1]`, `parts[idx]`): a name of letters
/// (at most two digits, as names carry) indexed by a number or a name. Babel's destructuring
/// temporaries are camelCase runs of short words that [`is_code_segment`] does not know.
fn is_index(s: &[u8]) -> bool {
    let Some(open) = memchr::memchr(b'[', s) else {
        return false;
    };
    let (base, index) = (&s[..open], &s[open + 1..]);
    let base = base.strip_prefix(b"_").unwrap_or(base);
    !base.is_empty()
        && base[0].is_ascii_alphabetic()
        && is_only(base, |b| b.is_ascii_alphanumeric() || b == b'_')
        && base.iter().filter(|b| b.is_ascii_digit()).count() <= 2
        && index.last() == Some(&b']')
        && index.len() >= 2
        && is_only(&index[..index.len() - 1], |b| {
            b.is_ascii_alphanumeric() || b == b'_' || b == b'.'
        })
}

/// A name that a bundler or compiler derived from an identifier with `$`: a renamed binding
/// (`DOMTokenListPrototype$2`, `formatDistanceLocale$83`) or a Babel temporary
/// (`_passPairs$_i`, `_auth$split2`). Not any name with a `$` in it: `super$ecret` is a
/// password.
fn is_bundler_name(s: &[u8]) -> bool {
    let mut parts = s.split(|&b| b == b'$');
    let Some(first) = parts.next() else {
        return false;
    };
    let temporary = first.first() == Some(&b'_');
    s.contains(&b'$')
        && is_code_segment(first.strip_prefix(b"_").unwrap_or(first))
        && parts.all(|p| {
            (matches!(p.len(), 1..=3) && is_only(p, |b| b.is_ascii_digit()))
                || (temporary && is_code_segment(p.strip_prefix(b"_").unwrap_or(p)))
        })
}

/// A negated name or member (`!n.DEPTHPREPASS`, `!!o.objectMode`,
/// `!response.enableEmailLinkSignin`): a boolean expression in minified code.
fn is_negated_code(s: &[u8]) -> bool {
    let rest = s.strip_prefix(b"!!").or_else(|| s.strip_prefix(b"!"));
    rest.is_some_and(|r| {
        !r.is_empty()
            && r[0] != b'!'
            && (is_member_access(r) || is_code_member_access(r) || is_bundler_name(r))
    })
}

/// A template literal's interpolation (`x${unit.replace(`, `)$))${extglobStar}`): code
/// building a string. A `${` that opens the value is a placeholder (`is_placeholder`); here it
/// may sit anywhere, followed by a name and then `}`, a member, a call or an index.
fn is_template_interpolation(s: &[u8]) -> bool {
    memchr::memmem::find_iter(s, b"${").any(|i| {
        let rest = &s[i + 2..];
        let name = rest
            .iter()
            .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
            .count();
        name > 0
            && !rest[0].is_ascii_digit()
            && matches!(rest.get(name), Some(b'}' | b'.' | b'(' | b'['))
    })
}

/// A regular expression's source: a character class of ranges (`[a-zA-Z0-9!#$%&'*+.^_|~]+`,
/// the RFC 7230 token pattern that OAuth libraries assign to `tokenMatch`).
fn is_regex_source(s: &[u8]) -> bool {
    s.contains(&b'[')
        && [&b"a-z"[..], b"A-Z", b"0-9"]
            .iter()
            .filter(|r| memchr::memmem::find(s, r).is_some())
            .count()
            >= 2
}

/// Code up to a `\n` escape (`!!o.objectMode\n\nconst` in a source map's `sourcesContent`):
/// the value ran on over the escaped line break.
fn is_code_before_escaped_newline(s: &[u8]) -> bool {
    before_escaped_newline(s).is_some_and(is_code_or_reference)
}

/// A media type (`application/vnd.apple.pkpass` in a MIME table under `"pkpass"`).
fn is_media_type(s: &[u8]) -> bool {
    const TYPES: &[&[u8]] = &[
        b"application/",
        b"audio/",
        b"font/",
        b"image/",
        b"model/",
        b"multipart/",
        b"text/",
        b"video/",
    ];
    TYPES.iter().any(|t| {
        s.starts_with(t)
            && s.len() > t.len()
            && is_only(&s[t.len()..], |b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'+' | b'-')
            })
    })
}

/// A CSS escape (`"\f2d1"`: an icon font's code point under `"compass"`).
fn is_css_escape(s: &[u8]) -> bool {
    s.len() >= 2 && s.len() <= 7 && s[0] == b'\\' && is_only(&s[1..], |b| b.is_ascii_hexdigit())
}

/// The bytes before the first `\n` escape, if any precede it.
fn before_escaped_newline(s: &[u8]) -> Option<&[u8]> {
    memchr::memmem::find(s, br"\n")
        .filter(|&i| i > 0)
        .map(|i| &s[..i])
}

/// Whether every `#` in `s` opens a private member (`this.#tokens`), after a `.`.
fn hashes_are_private_members(s: &[u8]) -> bool {
    s.first() != Some(&b'#') && s.windows(2).all(|w| w[1] != b'#' || w[0] == b'.')
}

/// JSON text inside a JSON or JavaScript string (a source map's `sourcesContent`,
/// `"{\"a\":\"integer\",\"b\":…}"`): the value runs over escaped quotes between fields.
fn is_escaped_json(s: &[u8]) -> bool {
    [&br#"\",\""#[..], br#"\":\""#]
        .iter()
        .any(|p| memchr::memmem::find(s, p).is_some())
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
    #[test]
    fn next_field_is_not_a_value() {
        assert!(super::is_generic_noise(b"access_token=[]"));
        assert!(super::is_generic_noise(b"apikey:"));
        assert!(super::is_generic_noise(b"user=bob"));
        assert!(!super::is_generic_noise(b"Xk9#mQ2=vL7p"));
    }

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
    }

    #[test]
    fn generic_noise_code_shapes() {
        let noise = |v: &str| is_generic_noise(v.as_bytes());
        // Member access and calls after a name: a receiver then code-name members.
        for n in [
            "exports.token2CSSVar",
            "this.stsTokenManager.toJSON",
            "userInternal.photoURL",
            "exports.ATTR_AWS_S3_UPLOAD_ID",
            "scanner2.scanJSDocCommentTextToken",
            "this.stsTokenManager.toJSON()",
        ] {
            assert!(noise(n), "member access {n}");
        }
        // Names with a version digit inside.
        for n in [
            "CreateOAuth2TokenCommand",
            "recaptchaV2Token",
            "smallTextTokens0Line",
            "URLPatternComponentResult",
        ] {
            assert!(noise(n), "code name {n}");
        }
        // HTTP header names.
        for n in ["X-Amz-S3session-Token", "x-aws-ec2-metadata-token"] {
            assert!(noise(n), "header {n}");
        }
        // Dotted / kebab words: Monaco token classes, CSS classes.
        for n in [
            "keyword.tag-for",
            "@brackets.directive",
            ".ant-input-password-icon",
        ] {
            assert!(noise(n), "dotted words {n}");
        }
        // Type annotations.
        for n in ["string):", "string\\n):", "boolean;", "number[]"] {
            assert!(noise(n), "type {n}");
        }
        // Comparisons.
        for n in ["==e.x", "this.lineCharOffset===0", "a!==b.c"] {
            assert!(noise(n), "comparison {n}");
        }
        // Minified code.
        for n in ["e}terminate(e){unreachable(", "{display:"] {
            assert!(noise(n), "code {n}");
        }
        // Shapes from popular npm packages' built files (ace-builds, cesium, date-fns,
        // mixpanel-browser, babylonjs, @babel/standalone, @tensorflow/tfjs, prettier, katex,
        // oauth4webapi, google-auth-library, source maps of @sentry/browser).
        for n in [
            "support.class.actionscript.2",
            "this.$tokenIndex",
            "Pass.CESIUM_3D_TILE_CLASSIFICATION",
            "formatDistanceLocale$83[token]",
            "DOMTokenListPrototype$2",
            "_passPairs$_i[1]",
            "x${unit.replace(/(^.)/",
            ")$))${extglobStar}",
            "(${spaceRegexString}+)|",
            "tokens[i].replace(/^",
            "this.#crypto.encodeBase64StringUtf8(",
            "!n.DEPTHPREPASS",
            "!!o.objectMode",
            "!response.enableEmailLinkSignin",
            "?NonExpressionParenKeyword",
            r"!!o.objectMode\n\nconst",
            "{pattern:/(:[",
            "_getAppIdAndApiKey[1]",
            "_auth$split2[1]",
            "application/vnd.apple.pkpass",
            r"\f2d1",
            "this.#tokens[i]",
            "$var-compass-drafting",
            r"propIsBypass\n",
            "0x2dc3685cA34163952CF4A5395b0039c00DFa851D",
            "予期しないトークンです。",
            "return!1}a=(a.name||a.id||",
            r"[a-zA-Z0-9!#$%&\'\*\+\-\.\^_`\|~]+",
            r#"integer\",\"ai.documents\":\"string[]\",\"ai.finish_reason\":\"string"#,
        ] {
            assert!(noise(n), "code {n}");
        }
        // Secrets keep firing: random strings, base64 with padding, JWT-like dotted values.
        for s in [
            "hK8s92LmQp0zXv7B",
            "string9Kq2Xz",
            "Qm9vR4tK8wZ3bH6yC1==",
            // A JWT-shaped value, put together here so the source holds no whole token.
            concat!(
                "eyJhbGciOiJIUzI1NiJ9",
                ".eyJzdWIiOiIxMjM0NTY3ODkwIn0",
                ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV"
            ),
            "X-9kQz7Lm2Pq8RtV",
            "p7Xq2LmN9vR4tK8wZ3bH6yC1",
            "super$ecret",
            "Prestigitariu$",
            "pa$$w0rd$2",
            "m{{h}o)p${e]nob(ody[finds>-_$#thisone}}",
            "Kq9vN3xR||5tYw",
            "?Kq9vN3xR5tYw",
            r"hK8s92LmQp0zXv7B\nnext",
            "{x9:Kq9vN3xR5tYw",
            "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
            "pässwörd-Kq9vN3xR5tYw",
            "Kq9v#N3xR[5tYw]",
            "application/Kq9vN3xR5tYw",
            r"\f2d1Kq9vN3xR5tYw",
            "t1.wm==.qBbnh40nwaN9lZ3Opb4TE7iOqKkK0wUKMFdn5BgDuQ0u2ENs_6kfIRLeKFlA0lTzbCuJfYtzUwJBc9WQjsbLuG=",
        ] {
            assert!(!noise(s), "{s}");
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

    #[test]
    fn password_literals() {
        // Quoted values under a password name: words and words with digits are passwords.
        for s in [
            "whiteduke",
            "Secret123",
            "thisIsDog11",
            "4ian1234",
            "busy$box",
        ] {
            assert!(!is_password_literal_noise(s.as_bytes()), "{s}");
        }
        // Form, schema and label text, enum constants, punctuation, key names, code.
        for n in [
            "current-password",
            "required",
            "Passwort",
            "ENFORCE",
            ",.:-@*?!",
            "real_key",
            "this.props.pwd",
            "getPassword()",
        ] {
            assert!(is_password_literal_noise(n.as_bytes()), "{n}");
        }
    }

    #[test]
    fn quoting_decides_which_noise_filter_applies() {
        let noise = |whole: &str, value: &str, password: bool| {
            let at = whole.find(value).unwrap();
            is_generic_value_noise(whole.as_bytes(), at..at + value.len(), password)
        };
        // A bare word is a variable; the same word in quotes is a password literal.
        assert!(noise("password = whiteduke", "whiteduke", true));
        assert!(!noise("password = 'whiteduke'", "whiteduke", true));
        assert!(!noise("pwd = \\\"whiteduke\\\"", "whiteduke", true));
        // Mismatched quotes, or a rule not tagged `password`, keep the generic filter.
        assert!(noise("password = 'whiteduke\"", "whiteduke", true));
        assert!(noise("token = 'whiteduke'", "whiteduke", false));
        // Names that hold no password: pass-through options, messages, render passes.
        assert!(noise(
            "OPTION_PASS_THROUGH = \"passThrough\"",
            "passThrough",
            true
        ));
        assert!(noise(
            "PASS_THROUGH_COMPRESSED = \"compressed\"",
            "compressed",
            true
        ));
        assert!(noise("password-protected: ECMA-376", "ECMA-376", true));
        assert!(noise("pass === 'opaque'", "opaque", true));
        assert!(noise("pass.axis === 'horizontal'", "horizontal", true));
        assert!(!noise("pass === 'opaque9'", "opaque9", true));
        assert!(!noise("db_pass = 'whiteduke'", "whiteduke", true));
        assert!(noise("PASS = \"RenderPass\"", "RenderPass", true));
        assert!(noise("PASS_FORWARD = \"forward\"", "forward", true));
        assert!(noise("PASS_UV0 = \"debug_uv0\"", "debug_uv0", true));
        assert!(!noise("PASS = \"Tr0ub4dorPass!\"", "Tr0ub4dorPass!", true));
        assert!(!noise("PASS_FORWARD = \"whiteduke\"", "whiteduke", true));
        assert!(!noise("PASSWORD=mypassword", "mypassword", true));
    }

    #[test]
    fn password_as_a_name_or_inside_a_value() {
        // `password` as a name, a word of one, or a label: a reference, not a value.
        for n in [
            "password",
            "db_password",
            "dbPassword",
            "PASSWORD_FILE",
            "passwordInput",
            "%TestSourcePassword%",
            "passwords",
        ] {
            assert!(names_password(n.as_bytes()), "{n}");
        }
        // Inside a value it is part of the password.
        for v in ["thisismypassword", "mypassword", "Password1", "password!2x"] {
            assert!(!names_password(v.as_bytes()), "{v}");
        }
        assert!(!is_password_literal_noise(b"thisismypassword"));
        assert!(is_password_literal_noise(b"smtp_password"));
    }

    #[test]
    fn config_assignments_hold_values() {
        // `name`, `assign` and `value` are joined at run time, so no line here reads as a
        // hard-coded password.
        let noise = |name: &str, assign: &str, value: &str| {
            let whole = format!("{name}{assign}{value}");
            let at = whole.len() - value.len();
            is_generic_value_noise(whole.as_bytes(), at..whole.len(), true)
        };
        // env, INI, .properties: a constant-case or capitalised name, `=` without spaces.
        assert!(!noise("PASSWORD", "=", "whiteduke"));
        assert!(!noise("Password", "=", "tr4ctorblue"));
        // Code: a lowercase name (keyword argument) or a spaced `=` reads a variable.
        assert!(noise("password", "=", "whiteduke"));
        assert!(noise("Password", " = ", "whiteduke"));
        assert!(noise("PasswordHash", "=", "whiteduke"));
        // Field words stay noise as values too.
        assert!(noise("PASSWORD", "=", "required"));
    }

    #[test]
    fn code_expressions() {
        for n in [
            "CredentialsProvider<User>",
            "idTokenResult?.token",
            "searchParams[QueryField.API_KEY]",
            "state.provider!.getToken().finally(()",
            "lastItem?.tokens.at(-1)",
            "u.CancellationToken.None}}function",
            "+obj.tokenRatio.toFixed(3)",
            "_resolveConfig$withCr",
        ] {
            assert!(is_generic_noise(n.as_bytes()), "{n}");
        }
        // Passwords with the same punctuation but random parts.
        for s in [
            "Kq{9vN3x}R5t",
            "mycoin!1",
            "Zq8vN3(pXr5tY)",
            "k7{{p}q)w$z]vex(ly",
        ] {
            assert!(!is_code_expression(s.as_bytes()), "{s}");
        }
    }

    #[test]
    fn counting_sequences_and_windows_variables_are_placeholders() {
        for p in [
            concat!("xox", "p-1234-1234-1234-9f8e7d"),
            "%NUGET_PASSWORD%",
            "px-api-a1b2c3d4-e5f6-g7h8-i8j0-k0l3m3n4o0p5",
            "A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
        assert!(!is_placeholder(b"%Kq9vN3x"));
        assert!(!is_placeholder(b"a1b2x3d4Qm8Vt2LpZc7Rk4Wn9Hs6Jd3F"));
    }

    #[test]
    fn code_shapes_before_punctuation() {
        for n in ["GLenum):", "this.passes[", "this.#decodeUserPassword("] {
            assert!(is_generic_noise(n.as_bytes()), "{n}");
        }
        assert!(is_generic_noise(b"keyword.tag-$1"));
        assert!(!is_generic_noise(b"abuser918273"));
    }
}
