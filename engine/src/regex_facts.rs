//! What the engine needs to know about a rule's regex before compiling it: its capture groups,
//! the longest match it can produce and which keywords can start a match.
//!
//! Depends on `regex-syntax` only, so that `build.rs` can include this file and compute these
//! facts for the embedded rules at build time: then building an engine neither parses the
//! default regexes nor extracts their literals (a third of eager start-up), and a lazy engine
//! compiles a regex only when one of its keywords first occurs.

use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Hir, Look};

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
}

/// The facts of a parsed regex whose rule has these (lowercased) keywords.
pub(crate) fn facts(hir: &Hir, keywords: &[String]) -> Facts {
    Facts {
        groups: hir.properties().explicit_captures_len() + 1,
        max_len: hir.properties().maximum_len(),
        anchors: anchor_keywords(hir, keywords),
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
    let mut flags = vec![false; keywords.len()];
    for lit in lits {
        let lower = lit.as_bytes().to_ascii_lowercase();
        let mut any = false;
        for (i, k) in keywords.iter().enumerate() {
            if lower.starts_with(k.as_bytes()) {
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
