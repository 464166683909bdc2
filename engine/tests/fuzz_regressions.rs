//! Replays every input under `fuzz/fixtures/regressions/<target>/` through the fuzz targets'
//! own oracles (`fuzz/src/lib.rs`), so a crash the fuzzers found stays fixed. Add a file there
//! for each new crash (see fuzz/README.md).

#[path = "../../fuzz/src/lib.rs"]
mod oracles;

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/fixtures/regressions")
        .join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let data = std::fs::read(&path).unwrap();
        // Name the file if its oracle fails.
        let r = std::panic::catch_unwind(|| check(&data));
        assert!(r.is_ok(), "{target}: {} fails again", path.display());
        n += 1;
    }
    assert!(n > 0, "{target}: no regression inputs in {}", dir.display());
}

#[test]
fn rules_toml_regressions() {
    replay("rules_toml", oracles::check_rules_toml);
}

#[test]
fn rules_gitleaks_regressions() {
    replay("rules_gitleaks", oracles::check_rules_gitleaks);
}

#[test]
fn stream_regressions() {
    replay("stream", oracles::check_stream);
}

#[test]
fn redact_regressions() {
    replay("redact", oracles::check_redact);
}

/// The first crash: the toml parser's message was empty for some syntax errors.
#[test]
fn every_toml_syntax_error_says_what_is_wrong() {
    for (text, says, line) in [
        ("[[rules]]\nid = ", "unexpected end of file", 2),
        (
            "[[rules]]\nid = \"x\"\n# a comment with a NUL \0 byte\n",
            "U+0000",
            3,
        ),
    ] {
        let e = secretsift::rule::parse_toml(text, "user.toml").unwrap_err();
        assert!(e.message().contains(says), "{e}");
        assert_eq!(e.line(), Some(line), "{e}");
        assert!(
            e.to_string().starts_with(&format!("user.toml:{line}")),
            "{e}"
        );
        let e = secretsift::gitleaks::parse(text, "gl.toml").unwrap_err();
        assert!(e.message().contains(says), "{e}");
    }
}

/// The second crash: a keyword derived from a long non-ASCII literal was cut to 64 bytes
/// inside a character.
#[test]
fn keywords_derived_from_long_non_ascii_literals_are_cut_at_a_character() {
    let euros = "\u{20ac}".repeat(40);
    for regex in [format!("{euros}x"), format!("x{euros}")] {
        let kws = secretsift::gitleaks::derive_keywords(&regex).unwrap();
        assert_eq!(kws.len(), 1, "{kws:?}");
        assert!((60..=64).contains(&kws[0].len()), "{kws:?}");
        assert!(regex.contains(kws[0].as_str()), "{kws:?}");
    }
}

/// The third find: a prefix like `dt0c01.ZA-[0-9]{24}` expands to 10,000 literals, and
/// de-duplicating them with a linear search took seconds per rule. Now the derivation stops
/// at the 257th alternative and tries the suffix.
#[test]
fn keyword_derivation_gives_up_on_huge_literal_sets() {
    let e = secretsift::gitleaks::derive_keywords(r"[a-z]A{9}[0-9]{8}").unwrap_err();
    assert!(e.contains("256 alternatives"), "{e}");
    let kws = secretsift::gitleaks::derive_keywords(r"\b(dt0c01\.ZA-[0-9]{24}\.[A-Z0-9]{64})\b");
    assert!(kws.is_err(), "{kws:?}");
}
