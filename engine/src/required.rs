//! Bytes one of which every match of a regex contains: where a rule's window holds none of
//! them, its search there is skipped.
//!
//! Window rules (whose matches do not begin with their keyword) search `[end - L, end + L)`
//! around each keyword occurrence. Some are selected by common words and look for a shape
//! with punctuation in it: `facebook-app-access-token` runs at every `access_token` and looks
//! for `<app id>|<app secret>` (or `%7C`), `truenas-api-key` at every `api_key` for
//! `<id>-<64 characters>`. In text full of keywords their window gates read ~150 bytes a
//! candidate; `memchr3` for the required bytes answers in a few instructions (keyword-dense
//! 135.6 -> 114.3 instructions a byte), and where a window holds one, costs little next to
//! the search that follows.

use regex_syntax::hir::{Class, Hir, HirKind};

/// Up to three bytes, at least one of which every match contains.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RequiredBytes([u8; 3]);

impl RequiredBytes {
    /// Whether `hay` holds one of the bytes.
    #[inline]
    pub fn occur_in(&self, hay: &[u8]) -> bool {
        let [a, b, c] = self.0;
        memchr::memchr3(a, b, c, hay).is_some()
    }
}

/// How common `b` is in text, for choosing among required sets: `None` for letters, digits,
/// spaces and non-ASCII (a window nearly always holds one: no use), higher for the punctuation
/// code and config files repeat on every line (often present, but a test costs little next
/// to the search it can save).
fn commonness(b: u8) -> Option<u32> {
    if b.is_ascii_alphanumeric() || b.is_ascii_whitespace() || b >= 0x80 {
        None
    } else if b"._-/:=\"',;()[]{}<>".contains(&b) {
        Some(8)
    } else {
        Some(1)
    }
}

/// The set to search for among `sets`: the rarest, then the smallest.
fn best(sets: Vec<Vec<u8>>) -> Option<Vec<u8>> {
    sets.into_iter()
        .filter_map(|s| {
            let score: Option<u32> = s.iter().map(|&b| commonness(b)).sum();
            Some((score?, s))
        })
        .min_by_key(|(score, s)| (*score, s.len()))
        .map(|(_, s)| s)
}

/// A set of bytes, one of which every match of `hir` contains, to search windows for.
pub(crate) fn required_bytes(hir: &Hir) -> Option<RequiredBytes> {
    let mut sets = Vec::new();
    candidates(hir, &mut sets);
    let set = best(sets)?;
    let pad = |i: usize| set.get(i).copied().unwrap_or(set[0]);
    Some(RequiredBytes([pad(0), pad(1), pad(2)]))
}

/// Pushes sets of at most three bytes, each of which every match of `hir` contains one of.
fn candidates(hir: &Hir, out: &mut Vec<Vec<u8>>) {
    match hir.kind() {
        HirKind::Literal(lit) => out.extend(lit.0.iter().map(|&b| vec![b])),
        HirKind::Class(class) => out.extend(class_bytes(class)),
        HirKind::Capture(cap) => candidates(&cap.sub, out),
        HirKind::Repetition(rep) if rep.min >= 1 => candidates(&rep.sub, out),
        HirKind::Concat(subs) => subs.iter().for_each(|h| candidates(h, out)),
        HirKind::Alternation(subs) => {
            // Each branch needs one of its own sets; their union is a set for the whole.
            let mut union: Vec<u8> = Vec::new();
            for sub in subs {
                let mut sets = Vec::new();
                candidates(sub, &mut sets);
                let Some(set) = best(sets) else {
                    return; // a branch without a required byte worth searching for
                };
                union.extend(set);
            }
            union.sort_unstable();
            union.dedup();
            if union.len() <= 3 {
                out.push(union);
            }
        }
        _ => {} // empty, look-around, optional repetition: nothing required
    }
}

/// A class of at most three bytes (ASCII characters, for a Unicode class).
fn class_bytes(class: &Class) -> Option<Vec<u8>> {
    let bytes: Vec<u8> = match class {
        Class::Bytes(c) => c.iter().try_fold(Vec::new(), |mut v, r| {
            (r.end() - r.start() < 3).then(|| {
                v.extend(r.start()..=r.end());
                v
            })
        })?,
        Class::Unicode(c) => c.iter().try_fold(Vec::new(), |mut v, r| {
            (r.end().is_ascii() && (r.end() as u32 - r.start() as u32) < 3).then(|| {
                v.extend((r.start() as u8)..=(r.end() as u8));
                v
            })
        })?,
    };
    (bytes.len() <= 3).then_some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(pattern: &str) -> Option<Vec<u8>> {
        let hir = crate::regex_facts::parse(pattern).expect("pattern parses");
        required_bytes(&hir).map(|r| {
            let mut v = r.0.to_vec();
            v.sort_unstable();
            v.dedup();
            v
        })
    }

    #[test]
    fn finds_a_rare_byte_every_match_holds() {
        assert_eq!(
            of(r"(?:^|[^0-9A-Za-z|])([0-9]{15,16}(?:\||%7C)[A-Za-z0-9_-]{27,32})"),
            Some(b"%|".to_vec())
        );
        assert_eq!(of(r"user@[a-z]+\.com"), Some(b"@".to_vec()));
        // Common punctuation when there is nothing rarer.
        assert_eq!(of(r"[0-9]{1,4}-[A-Za-z0-9]{64}"), Some(b"-".to_vec()));
        assert_eq!(of(r"a(?:#|!)b+"), Some(b"!#".to_vec()));
        assert_eq!(of(r"x[#$]y"), Some(b"#$".to_vec()));
    }

    #[test]
    fn finds_none_where_a_match_may_lack_it() {
        // Optional, in one branch only, or only common bytes.
        assert_eq!(of(r"[0-9]{15}\|?[a-z]{20}"), None);
        assert_eq!(of(r"[0-9]{15}(?:\||x)[a-z]{20}"), None);
        assert_eq!(of(r"(?:a|b)\|*c"), None);
        assert_eq!(of(r"key[A-Za-z0-9]{32}"), None);
        assert_eq!(of(r"(?i)token"), None);
        // A class of more than three bytes.
        assert_eq!(of(r"[#$%&]x"), None);
    }

    /// Against the regex itself: wherever a default window rule matches, its window holds one
    /// of its required bytes (so skipping windows without one never loses a match).
    #[test]
    fn every_match_of_a_default_rule_holds_its_required_byte() {
        let mut checked = 0;
        for r in crate::builtin::default_rules() {
            let Ok(hir) = crate::regex_facts::parse(&r.regex) else {
                continue;
            };
            let Some(req) = required_bytes(&hir) else {
                continue;
            };
            let re = regex_automata::meta::Builder::new()
                .build_from_hir(&hir)
                .expect("default rules compile");
            for ex in &r.examples {
                for m in re.find_iter(ex.as_bytes()) {
                    assert!(
                        req.occur_in(&ex.as_bytes()[m.range()]),
                        "{}: {:?} lacks {:?}",
                        r.id,
                        &ex[m.range()],
                        req
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked >= 10, "only {checked} matches had a required byte");
    }
}
