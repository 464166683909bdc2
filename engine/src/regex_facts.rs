//! What the engine needs to know about a rule's regex before compiling it: its capture groups,
//! the longest match it can produce and which keywords can start a match.
//!
//! Depends on `regex-syntax` only, so that `build.rs` can include this file and compute these
//! facts for the embedded rules at build time: then building an engine neither parses the
//! default regexes nor extracts their literals (a third of eager start-up), and a lazy engine
//! compiles a regex only when one of its keywords first occurs.

use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// Longest regex accepted, in bytes.
pub(crate) const MAX_REGEX_LEN: usize = 16 * 1024;

/// Why a pattern was refused.
#[derive(Debug)]
pub(crate) enum ParseError {
    /// Over a size limit.
    Limit(String),
    /// Not a valid pattern for a byte stream.
    Regex(String),
}

/// Parses a pattern as the engine compiles it: bytes, ASCII classes (`\w`, `\s`, `\b` are
/// ASCII, as in gitleaks' Go regexes), any byte may match, `^`/`$` are line anchors (CRLF aware).
pub(crate) fn parse(pattern: &str) -> Result<Hir, ParseError> {
    if pattern.len() > MAX_REGEX_LEN {
        return Err(ParseError::Limit(format!(
            "regex is {} bytes long; the limit is {MAX_REGEX_LEN}",
            pattern.len()
        )));
    }
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .multi_line(true)
        .crlf(true)
        .nest_limit(100)
        .build()
        .parse(pattern)
        .map_err(|e| ParseError::Regex(one_line(&e.to_string())))?;
    let looks = hir.properties().look_set();
    if looks.contains(Look::Start) || looks.contains(Look::End) {
        return Err(ParseError::Regex(
            "`\\A` and `\\z` are not supported: input is a stream, so use `^`/`$` (line anchors) instead".into(),
        ));
    }
    Ok(hir)
}

/// Joins a multi-line parser message (pattern, caret, explanation) into one line.
pub(crate) fn one_line(s: &str) -> String {
    s.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Facts about one rule regex.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Facts {
    /// Capture groups, the implicit whole-match group 0 included.
    pub groups: usize,
    /// Longest match, if bounded.
    pub max_len: Option<usize>,
    /// See [`anchor_keywords`].
    pub anchors: Option<Vec<bool>>,
    /// See [`follow_bytes`].
    pub follow: Option<Vec<ByteSet>>,
    /// See [`split_guard`]: `Some` when the regex opens with a guard and its rest is anchored
    /// at the keywords (`anchors` and `follow` are then the rest's).
    pub guard: Option<ByteSet>,
}

/// A set of bytes: bit `b % 64` of word `b / 64`.
pub(crate) type ByteSet = [u64; 4];

/// Every byte.
pub(crate) const ANY_BYTE: ByteSet = [u64::MAX; 4];

/// Whether `b` is in `set`.
#[inline(always)]
pub(crate) fn contains(set: &ByteSet, b: u8) -> bool {
    set[usize::from(b / 64)] >> (b % 64) & 1 != 0
}

/// The facts of a parsed regex whose rule has these (lowercased) keywords.
pub(crate) fn facts(hir: &Hir, keywords: &[String]) -> Facts {
    let split = split_guard(hir);
    let (guard, anchors, searched) = match split
        .as_ref()
        .and_then(|(set, rest)| Some((*set, anchor_keywords(rest, keywords)?, rest)))
    {
        Some((set, anchors, rest)) => (Some(set), Some(anchors), rest),
        None => (None, anchor_keywords(hir, keywords), hir),
    };
    Facts {
        groups: hir.properties().explicit_captures_len() + 1,
        // The whole regex's: a guarded match is one byte longer than its rest's.
        max_len: hir.properties().maximum_len(),
        follow: anchors
            .as_deref()
            .and_then(|a| follow_bytes(searched, keywords, a)),
        anchors,
        guard,
    }
}

/// Which keywords can start a match, if every match starts with one of them.
///
/// Uses the regex's prefix literals: when each (lowercased) begins with a keyword, every match
/// begins at an occurrence of that keyword. Case-insensitive prefixes expand to many literals,
/// hence the generous total (classes beyond a case pair end a literal: only the part before
/// them matters here); when the set would be larger, the answer is `None` and the rule
/// falls back to searching the keyword's window.
pub(crate) fn anchor_keywords(hir: &Hir, keywords: &[String]) -> Option<Vec<bool>> {
    let lits = prefix_literals(hir)?;
    let mut flags = vec![false; keywords.len()];
    for lit in &lits {
        let mut any = false;
        for (i, k) in keywords.iter().enumerate() {
            if lit.starts_with(k.as_bytes()) {
                flags[i] = true;
                any = true;
            }
        }
        if !any {
            return None;
        }
    }
    Some(flags)
}

/// The literals every match of `hir` begins with, lowercase, if there are few enough to list
/// (classes beyond a case pair end a literal: only the part before them is listed).
fn prefix_literals(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let hir = &fold_case_pairs(hir);
    let mut ex = Extractor::new();
    ex.kind(ExtractKind::Prefix)
        .limit_class(2)
        .limit_repeat(8)
        .limit_literal_len(64)
        .limit_total(16_384);
    let seq = ex.extract(hir);
    let lits = seq.literals()?;
    if lits.is_empty() {
        return None;
    }
    Some(
        lits.iter()
            .map(|l| l.as_bytes().to_ascii_lowercase())
            .collect(),
    )
}

/// The regex with each class of one ASCII letter in both cases (`[Ii]`, what `(?i)` makes of
/// a letter) replaced by the lowercase letter. Keywords match without regard to case, so this
/// is all [`anchor_keywords`] needs, and it keeps the literal set small: `(?i:cloud[_-]?api)`
/// is 3 literals instead of 768, which would have been cut short of the keyword.
fn fold_case_pairs(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Class(Class::Bytes(c)) => match c.ranges() {
            [a, b]
                if a.start() == a.end()
                    && b.start() == b.end()
                    && a.start().is_ascii_uppercase()
                    && b.start() == a.start().to_ascii_lowercase() =>
            {
                Hir::literal([b.start()])
            }
            _ => hir.clone(),
        },
        HirKind::Concat(parts) => Hir::concat(parts.iter().map(fold_case_pairs).collect()),
        HirKind::Alternation(alts) => Hir::alternation(alts.iter().map(fold_case_pairs).collect()),
        HirKind::Repetition(r) => Hir::repetition(regex_syntax::hir::Repetition {
            sub: Box::new(fold_case_pairs(&r.sub)),
            ..r.clone()
        }),
        HirKind::Capture(c) => Hir::capture(regex_syntax::hir::Capture {
            sub: Box::new(fold_case_pairs(&c.sub)),
            ..c.clone()
        }),
        _ => hir.clone(),
    }
}

/// Splits a leading guard off a regex: `(?:^|[^A-Za-z0-9])rest` (either order) becomes the
/// guard's byte class and `rest`.
///
/// About 230 provider rules open with such a guard so that their name is not the tail of a
/// longer word (183 of them with keywords right after it). The class kept the literal
/// extractor from seeing the keywords behind it, so those rules searched a window around each
/// keyword occurrence, unanchored, where the rest alone runs anchored at the keyword: the scanner checks the byte before the keyword instead (see
/// `Work::confirm`). A match of the whole regex is the guard byte (or the empty line start)
/// followed by a match of `rest`, so both find the same secrets.
pub(crate) fn split_guard(hir: &Hir) -> Option<(ByteSet, Hir)> {
    let HirKind::Concat(parts) = hir.kind() else {
        return None;
    };
    let (first, rest) = parts.split_first()?;
    let HirKind::Alternation(alts) = first.kind() else {
        return None;
    };
    let (mut line_start, mut set) = (false, None);
    for alt in alts {
        match alt.kind() {
            HirKind::Look(Look::StartCRLF) => line_start = true,
            HirKind::Class(Class::Bytes(c)) if set.is_none() => {
                let mut s = [0u64; 4];
                for r in c.ranges() {
                    for b in r.start()..=r.end() {
                        s[usize::from(b / 64)] |= 1 << (b % 64);
                    }
                }
                set = Some(s);
            }
            _ => return None,
        }
    }
    if !line_start || rest.is_empty() {
        return None;
    }
    Some((set?, Hir::concat(rest.to_vec())))
}

/// For each keyword, the bytes a match can have right after it, when the keyword starts every
/// match it is in (`anchors`); [`ANY_BYTE`] when that is unknown. Only 3-byte keywords are
/// looked at (the prefilter can only use it for them, see [`crate::prefilter`]); `None` when
/// none of them gains anything.
///
/// Discord's bot-token rule opens with 60 three-byte keywords (`mti`, `ndi`, the base64 of a
/// user id's first digits) followed by one of 10 bytes: an occurrence of `mti` followed by
/// anything else cannot start a match.
pub(crate) fn follow_bytes(
    hir: &Hir,
    keywords: &[String],
    anchors: &[bool],
) -> Option<Vec<ByteSet>> {
    let wanted = |i: usize| anchors[i] && keywords[i].len() == 3;
    if !(0..keywords.len()).any(wanted) {
        return None;
    }
    // Prefixes of 4 bytes, with classes of up to 64 bytes expanded (`[A-Za-z0-9]`).
    let mut ex = Extractor::new();
    ex.kind(ExtractKind::Prefix)
        .limit_class(64)
        .limit_repeat(4)
        .limit_literal_len(4)
        .limit_total(16_384);
    let seq = ex.extract(hir);
    let lits = seq.literals()?;
    let mut sets = vec![ANY_BYTE; keywords.len()];
    for (i, k) in keywords.iter().enumerate().filter(|&(i, _)| wanted(i)) {
        let mut set = [0u64; 4];
        for lit in lits {
            let lower = lit.as_bytes().to_ascii_lowercase();
            if lower.len() < 4 && k.as_bytes().starts_with(&lower) {
                // A match may end with the keyword, or the literal was cut short.
                set = ANY_BYTE;
                break;
            }
            if lower.starts_with(k.as_bytes()) {
                let b = lit.as_bytes()[3];
                set[usize::from(b / 64)] |= 1 << (b % 64);
            }
        }
        sets[i] = set;
    }
    sets.iter().any(|s| *s != ANY_BYTE).then_some(sets)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn follow_of(pattern: &str, keywords: &[&str]) -> Option<Vec<Vec<u8>>> {
        let keywords: Vec<String> = keywords.iter().map(|k| k.to_string()).collect();
        let sets = facts(&parse(pattern).unwrap(), &keywords).follow?;
        let bytes = |s: ByteSet| -> Vec<u8> {
            (0..=255u8)
                .filter(|&b| s[usize::from(b / 64)] >> (b % 64) & 1 != 0)
                .collect()
        };
        Some(sets.into_iter().map(bytes).collect())
    }

    fn kws(k: &[&str]) -> Vec<String> {
        k.iter().map(|k| k.to_string()).collect()
    }

    #[test]
    fn a_leading_guard_is_split_off_when_keywords_start_the_rest() {
        let f = facts(
            &parse(r"(?:^|[^A-Za-z0-9])(?i:cloud[_-]?api[_-]?key)=([a-z]{8})").unwrap(),
            &kws(&["cloud_api", "cloud-api", "cloudapi"]),
        );
        assert_eq!(f.anchors, Some(vec![true, true, true]));
        let guard = f.guard.expect("guarded");
        let has = |b: u8| contains(&guard, b);
        assert!(has(b'_') && has(b' ') && has(b'\n') && !has(b'a') && !has(b'7'));
        // The class may come first; the groups and longest match are the whole regex's.
        let f = facts(&parse(r"(?:[^a-z]|^)abc(d)").unwrap(), &kws(&["abc"]));
        assert!(f.guard.is_some());
        assert_eq!((f.groups, f.max_len), (2, Some(5)));
        // Not a guard: no line start, or the rest does not start with a keyword.
        for (re, k) in [(r"[^a-z]abc", "abc"), (r"(?:^|[^a-z])abc", "abd")] {
            let f = facts(&parse(re).unwrap(), &kws(&[k]));
            assert_eq!((f.guard, f.anchors), (None, None), "{re}");
        }
    }

    #[test]
    fn case_insensitive_prefixes_do_not_hide_their_keywords() {
        // 8 x 3 x 8 x 3 x 8 case variants: too many literals to list whole, had the
        // letters' cases not been folded first.
        let f = facts(
            &parse(r"(?i:cloud[_-]?(?:iam[_-]?)?api[_-]?key)=x").unwrap(),
            &kws(&[
                "cloud_api",
                "cloud-api",
                "cloudapi",
                "cloud_iam",
                "cloud-iam",
                "cloudiam",
            ]),
        );
        assert_eq!(f.anchors, Some(vec![true; 6]));
        let f = facts(&parse(r"(?i:cloud_api)=x").unwrap(), &kws(&["cloud-api"]));
        assert_eq!(f.anchors, None);
    }

    /// Names appear with hyphens as often as with underscores (`X-Consul-Token`,
    /// `--google-oauth-client-secret`, YAML keys), and a rule runs only where one of its
    /// keywords occurs: a regex that accepts `consul[_-]?http[_-]?token` with the keyword
    /// `consul_http_token` alone never looks at `consul-http-token`. For each name a default
    /// regex can begin with, hyphenated, one of its keywords must occur in it when one occurs
    /// in its underscore twin.
    #[test]
    fn hyphenated_names_have_keywords_when_their_underscore_twins_do() {
        let has_keyword = |l: &[u8], keywords: &[String]| {
            keywords
                .iter()
                .any(|k| l.windows(k.len()).any(|w| w == k.as_bytes()))
        };
        let mut problems = Vec::new();
        for r in crate::builtin::default_rules() {
            let hir = parse(&r.regex).unwrap();
            let rest = split_guard(&hir).map_or(hir, |(_, rest)| rest);
            let Some(lits) = prefix_literals(&rest) else {
                continue;
            };
            let keywords: Vec<String> = r.keywords.iter().map(|k| k.to_ascii_lowercase()).collect();
            let missing: Vec<String> = lits
                .iter()
                .filter(|l| l.contains(&b'-') && !l.contains(&b'_'))
                .filter(|l| {
                    let twin: Vec<u8> = l
                        .iter()
                        .map(|&b| if b == b'-' { b'_' } else { b })
                        .collect();
                    !has_keyword(l, &keywords) && has_keyword(&twin, &keywords)
                })
                .map(|l| String::from_utf8_lossy(l).trim().to_string())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            if !missing.is_empty() {
                problems.push(format!("{}: no keyword in {missing:?}", r.id));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn follow_bytes_of_keywords_that_start_matches() {
        let f = follow_of(
            r"\b(?:MTI[w-z0-5]|NDE[A-Z]{2})[A-Za-z0-9]{20}",
            &["mti", "nde"],
        );
        assert_eq!(
            f,
            Some(vec![b"012345wxyz".to_vec(), (b'A'..=b'Z').collect()])
        );
        // A match may end with the keyword: any byte may follow.
        assert_eq!(follow_of("(?:abc|abcd)", &["abc"]), None);
        // Longer keywords are not looked at; unanchored rules have no such facts.
        assert_eq!(follow_of("token[a-z]", &["token"]), None);
        assert_eq!(follow_of("[a-z]mti[0-9]", &["mti"]), None);
    }
}
