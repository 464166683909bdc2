//! The contract embedders rely on: thread safety, error locations, no leak through
//! formatting, and no panic on any input.

mod common;

use secretsift::sink::Collect;
use secretsift::{BuildErrorKind, Engine, FindingBuf, RedactOptions};

fn assert_send_sync_unwind<T: Send + Sync + std::panic::UnwindSafe + std::panic::RefUnwindSafe>() {}
fn assert_send<T: Send>() {}

#[test]
fn public_types_are_thread_safe() {
    assert_send_sync_unwind::<Engine>();
    assert_send_sync_unwind::<FindingBuf>();
    assert_send_sync_unwind::<secretsift::BuildError>();
    assert_send::<secretsift::Scanner>();
    assert_send::<secretsift::Redactor>();
}

#[test]
fn one_engine_shared_by_threads_gives_the_same_answers() {
    let engine = common::engine();
    let data = common::input(99, 400);
    let expected = engine.scan(&data);
    assert!(!expected.is_empty());
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| assert_eq!(engine.scan(&data), expected));
        }
    });
}

fn build_err(toml: &str) -> secretsift::BuildError {
    let mut b = Engine::builder();
    b.default_rules(false);
    match b.add_toml(toml, "custom.toml") {
        Err(e) => e,
        Ok(b) => b.build().expect_err("rules should be refused"),
    }
}

const GOOD: &str = "description = 'd'\nprovider = 'p'\nkeywords = ['kw_']\n";

#[test]
fn bad_rules_are_refused_with_rule_and_field() {
    let cases = [
        (format!("[[rules]]\nid = 'r1'\nregex = '(unclosed'\n{GOOD}"), BuildErrorKind::Regex, "r1", "regex"),
        ("[[rules]]\nid = 'r2'\nregex = 'kw_[a-z]{8}'\nprovider = 'p'\n".to_string(), BuildErrorKind::NoKeyword, "r2", "keywords"),
        (format!("[[rules]]\nid = 'r3'\nregex = 'kw_(x)'\n{GOOD}[[rules]]\nid = 'r3'\nregex = 'kw_(y)'\n{GOOD}"), BuildErrorKind::DuplicateId, "r3", "id"),
        (format!("[[rules]]\nid = 'r4'\nregex = 'kw_(x)'\nvalidator = 'nope'\n{GOOD}"), BuildErrorKind::UnknownValidator, "r4", "validator"),
        (format!("[[rules]]\nid = 'r5'\nregex = 'kw_(x)'\nsecret_group = 3\n{GOOD}"), BuildErrorKind::InvalidValue, "r5", "secret_group"),
        (format!("[[rules]]\nid = 'r6'\nregex = '\\Akw_(x)'\n{GOOD}"), BuildErrorKind::Regex, "r6", "regex"),
        (format!("[[rules]]\nid = 'r7'\nregex = 'kw_(x)'\nallowlist = {{ regexes = ['[z-a]'] }}\n{GOOD}"), BuildErrorKind::Regex, "r7", "allowlist.regexes"),
        (format!("[[rules]]\nid = 'R 8'\nregex = 'kw_(x)'\n{GOOD}"), BuildErrorKind::InvalidValue, "R 8", "id"),
        (format!("[[rules]]\nid = 'r9'\nregex = 'kw_(x)'\nentropy = 9.5\n{GOOD}"), BuildErrorKind::InvalidValue, "r9", "entropy"),
    ];
    for (toml, kind, rule, field) in cases {
        let e = build_err(&toml);
        assert_eq!(e.kind(), kind, "{e}");
        assert_eq!(e.rule_id(), Some(rule), "{e}");
        assert_eq!(e.field(), Some(field), "{e}");
        let shown = e.to_string();
        assert!(
            shown.contains(&format!("rule `{rule}`"))
                && shown.contains(&format!("field `{field}`")),
            "{shown}"
        );
    }
}

#[test]
fn toml_errors_name_file_line_and_rule() {
    let e = build_err(&format!("[[rules]]\nid = 'ok-rule'\nregex = 'kw_(x)'\n{GOOD}\n[[rules]]\nid = 'typo-rule'\nregx = 'x'\n"));
    assert_eq!(e.kind(), BuildErrorKind::Syntax);
    assert_eq!(e.origin(), Some("custom.toml"));
    assert_eq!(e.rule_id(), Some("typo-rule"), "{e}");
    assert!(e.line().is_some_and(|l| l >= 8), "{e}");
    assert!(e.to_string().starts_with("custom.toml:"), "{e}");
    let e = build_err("[[rules]\nid = ");
    assert_eq!(e.kind(), BuildErrorKind::Syntax);
    assert_eq!(e.line(), Some(1), "{e}");
}

#[test]
fn findings_never_show_the_secret_when_formatted() {
    let engine = common::engine();
    let secret = format!("tok_{}", "q9w8e7r6t5y4u3i2o1p0");
    let text = format!("value {secret} end");
    let found = engine.scan(text.as_bytes());
    assert_eq!(found.len(), 1);
    let f = &found[0];
    assert_eq!(
        f.expose_secret(),
        secret.as_bytes(),
        "the explicit accessor gives the raw value"
    );
    let json = serde_json::to_string(f).unwrap();
    for shown in [format!("{f:?}"), format!("{f}"), json, f.preview.clone()] {
        assert!(!shown.contains(&secret[4..]), "leaked in {shown}");
        assert!(
            !shown.contains(&secret[4..12]),
            "a long run of the secret leaked in {shown}"
        );
    }
    assert_eq!(f.preview, "tok_************");
    let mut sc = engine.scanner();
    sc.scan(
        text.as_bytes(),
        &mut secretsift::sink::FnSink(|f: &secretsift::Finding<'_>| {
            assert!(!format!("{f:?} {f} {}", f.preview()).contains(&secret[4..]));
        }),
    )
    .unwrap();
}

#[test]
fn arbitrary_bytes_never_panic() {
    let engine = common::engine();
    let default = Engine::with_default_rules().unwrap();
    let mut rng = common::Rng(7);
    for len in [0usize, 1, 2, 3, 17, 4096, 100_000, 300_000] {
        let data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let _ = engine.scan(&data);
        let _ = default.scan(&data);
        let red = engine.redact(&data);
        assert_eq!(
            red, data,
            "random bytes hold no secret, so they pass through unchanged"
        );
    }
    // Keyword-dense, NUL-laden and invalid UTF-8 input around real secrets.
    let mut data = Vec::new();
    for i in 0..2000 {
        data.extend_from_slice(b"\x00\xff\xfetok_ passwd ctx_secret=\x80");
        if i % 100 == 0 {
            data.extend_from_slice(format!(" tok_{}{:04} ", "abcdefghijklmnop", i).as_bytes());
        }
    }
    assert_eq!(
        engine
            .scan(&data)
            .iter()
            .filter(|f| f.rule_id == "tok")
            .count(),
        20
    );
}

#[test]
fn generic_yields_to_provider_rule_on_same_bytes() {
    let toml = r#"
[[rules]]
id = "vendor"
provider = "vendor"
regex = '''\b(vnd_[a-z0-9]{20})\b'''
keywords = ["vnd_"]
[[rules]]
id = "any-password"
provider = "generic"
regex = '''(?i)password\s*=\s*([^\s]{8,64})'''
keywords = ["password"]
tags = ["generic"]
"#;
    let mut b = Engine::builder();
    b.default_rules(false).add_toml(toml, "t").unwrap();
    let engine = b.build().unwrap();
    let vendor = format!("vnd_{}", "k7q2m9x4v8z3w5r1t6y0");
    let found =
        engine.scan(format!("password = {vendor}\npassword = Zq8vN3pXr5tYw2kL\n").as_bytes());
    let ids: Vec<_> = found.iter().map(|f| (f.rule_id.as_str(), f.line)).collect();
    assert_eq!(ids, vec![("vendor", 1), ("any-password", 2)]);
}

#[test]
fn checks_veto_matches() {
    let engine = common::engine();
    let found = |s: &str| {
        engine
            .scan(s.as_bytes())
            .into_iter()
            .map(|f| f.rule_id)
            .collect::<Vec<_>>()
    };
    // entropy: a repetitive value under `ctx_secret` is not reported.
    assert!(found("ctx_secret=abababababababababababab").is_empty());
    assert_eq!(
        found("ctx_secret=Zq8vN3pXr5tYw2kL9mB4cH7dF1gJ"),
        vec!["ctx"]
    );
    // stopword
    assert!(found("ctx_secret=Zq8vN3pXr5notrealw2kL9mB4cH7d").is_empty());
    // allowlist regex
    assert!(found(&format!("alw_{}", "0000abcdefghijkl")).is_empty());
    assert_eq!(
        found(&format!("alw_{}", "k3j4h5g6f7d8s9a0")),
        vec!["allowed"]
    );
    // placeholders
    assert!(found("passwd=${DB_PASSWORD}").is_empty());
    assert!(found("passwd=changeme123").is_empty());
    assert!(found("passwd: get_password_from_vault").is_empty());
    // validator: the block body must be base64
    assert!(found("-----BEGIN TEST KEY-----\nthis is not base64 !! at all, no sir, not it\n-----END TEST KEY-----").is_empty());
    // keyword near, not inside, the match
    assert_eq!(
        found("nearvendor token NR0123456789ABCDEF0123456789ABCD"),
        vec!["near"]
    );
    assert!(found("unrelated NR0123456789ABCDEF0123456789ABCD").is_empty());
    // publishable
    let f = engine.scan(format!("pub_{}", "ABCDEFGH12345678").as_bytes());
    assert!(f[0].publishable);
}

#[test]
fn redaction_templates() {
    let engine = common::engine();
    let text = format!("a tok_{} b\n", "abcdefghij0123456789");
    assert_eq!(engine.redact(text.as_bytes()), b"a [REDACTED:tok] b\n");
    let mut r = engine.redactor(RedactOptions {
        template: RedactOptions::KEEP_PREFIX.into(),
        line_mode: true,
    });
    let mut out = Vec::new();
    r.feed(text.as_bytes(), &mut out).unwrap();
    // line mode: the line is written as soon as its newline arrives, before finish
    assert_eq!(out, "a tok_…[REDACTED:tok] b\n".as_bytes());
    r.finish(&mut out).unwrap();
    assert_eq!(r.counts().iter().sum::<u64>(), 1);
}

#[test]
fn scanner_is_reusable_after_finish() {
    let engine = common::engine();
    let mut sc = engine.scanner();
    let text = format!("x tok_{}\n", "abcdefghij0123456789");
    let mut a = Collect::default();
    sc.feed(text.as_bytes(), &mut a).unwrap();
    sc.finish(&mut a).unwrap();
    let mut b = Collect::default();
    sc.feed(text.as_bytes(), &mut b).unwrap();
    sc.finish(&mut b).unwrap();
    assert_eq!(a.findings, b.findings);
    assert_eq!(a.findings[0].start, 2, "offsets restart with each stream");
}

#[test]
fn encoded_secrets_are_found_at_their_encoded_span() {
    use base64::Engine as _;
    let engine = common::engine();
    let secret = format!("tok_{}", "abcdefghij0123456789");
    let spans = |text: &str| {
        engine
            .scan(text.as_bytes())
            .into_iter()
            .map(|f| (f.rule_id, f.start, f.end))
            .collect::<Vec<_>>()
    };

    // base64 (a Kubernetes Secret value, a Basic auth header)
    let b64 = base64::engine::general_purpose::STANDARD.encode(format!("user:{secret}"));
    let text = format!("data:\n  creds: {b64}\n");
    let found = spans(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    let start = text.find(&b64).unwrap() as u64;
    assert!(
        found[0].1 >= start && found[0].2 <= start + b64.len() as u64,
        "span inside the encoded run: {found:?}"
    );
    // ... also right after `=` (an env assignment, a query string, a logged form field), with
    // and without padding: `=` separates the name from the value, it does not join them.
    for encoded in [
        b64.clone(),
        base64::engine::general_purpose::STANDARD.encode(format!("u:{secret}")),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("user:{secret}!")),
    ] {
        for text in [
            format!("CREDS={encoded}\n"),
            format!("GET /hook?payload={encoded}&x=1 200\n"),
            format!("level=info auth={encoded} status=ok\n"),
        ] {
            let found = spans(&text);
            let start = text.find(&encoded).unwrap() as u64;
            assert_eq!(found.len(), 1, "{text:?}: {found:?}");
            assert!(
                found[0].1 >= start && found[0].2 <= start + encoded.len() as u64,
                "{text:?}: span inside the encoded run: {found:?}"
            );
        }
    }

    // JSON / JavaScript escapes
    let escaped = secret.replace('t', "\\u0074");
    let text = format!(r#"{{"k":"{escaped}"}}"#);
    let at = text.find("\\u0074").unwrap() as u64;
    assert_eq!(
        spans(&text),
        vec![("tok".to_string(), at, at + escaped.len() as u64)]
    );

    // percent-encoding
    let text = format!("GET /cb?x=%74ok_{}&y=1", "abcdefghij0123456789");
    let at = text.find("%74").unwrap() as u64;
    assert_eq!(spans(&text), vec![("tok".to_string(), at, at + 3 + 23)]);

    // redaction removes the encoded secret
    let red = engine.redact(format!(r#"{{"k":"{escaped}"}}"#).as_bytes());
    assert_eq!(red, br#"{"k":"[REDACTED:tok]"}"#);

    // a plain secret near an escape is reported once
    let text = format!("a\\/b {secret}");
    assert_eq!(spans(&text).len(), 1);

    // off switch
    let mut b = Engine::builder();
    b.default_rules(false)
        .add_toml(common::RULES, "t")
        .unwrap()
        .decode(false);
    assert!(b
        .build()
        .unwrap()
        .scan(format!("creds: {b64}").as_bytes())
        .is_empty());
}

#[test]
fn a_placeholder_after_a_public_prefix_is_not_a_secret() {
    let engine = common::engine();
    // `tok` declares keep_prefix = 4: the body after `tok_` is what must look random.
    let filler = "a".repeat(24); // not a marker word: only the all-same-bytes body check catches it
    assert!(engine.scan(format!("tok_{filler}").as_bytes()).is_empty());
    assert_eq!(
        engine
            .scan(format!("tok_{}", "k3j4h5g6f7d8s9a0q1w2e3r4").as_bytes())
            .len(),
        1
    );
}

#[test]
fn a_workos_key_is_not_reported_as_a_stripe_key() {
    // WorkOS keys share Stripe's `sk_live_`/`sk_test_` prefixes; their body is the base64 of
    // `key_<ULID>,<secret>`. Built from parts: no whole key-shaped literal in the repository.
    let engine = Engine::with_default_rules().unwrap();
    let body = concat!(
        "a2V5XzAxUjc3OVlTVjUwSEJBOVBYQldIQ1YyTTY4",
        "LFdDTjl6bU9OdmRZT0dzajJ1RzFXY3A0amU"
    );
    for mode in ["live", "test"] {
        let text = format!("WORKOS_API_KEY=sk_{mode}_{body}\n");
        let rules: Vec<String> = engine
            .scan(text.as_bytes())
            .into_iter()
            .map(|f| f.rule_id)
            .collect();
        assert_eq!(rules, vec!["workos-api-key".to_string()], "{text}");
    }
}
