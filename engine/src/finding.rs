//! What a scan reports.
//!
//! [`Finding`] borrows the scanner's buffer and lives for one sink call; [`FindingBuf`] is the
//! owned form that hosts serialise. Neither shows the secret in `Debug` or `Display`: only a
//! masked [`Preview`]. The raw bytes come out through [`Finding::expose_secret`] and
//! [`FindingBuf::expose_secret`] alone, so leaking one takes a deliberate call.

use std::fmt;
use std::ops::Range;

use serde::Serialize;

use crate::compile::RuleInfo;
use crate::rule::Kind;

/// One secret found in a stream. Offsets are absolute byte offsets from the start of the
/// stream (`u64`, so they are not meant to index any single chunk).
#[derive(Clone)]
pub struct Finding<'a> {
    pub(crate) rule_index: usize,
    pub(crate) rule: &'a RuleInfo,
    pub(crate) span: Range<u64>,
    pub(crate) match_span: (u64, u64),
    pub(crate) line: u64,
    pub(crate) column: u64,
    pub(crate) secret: &'a [u8],
}

impl<'a> Finding<'a> {
    /// Id of the rule that found it.
    pub fn rule_id(&self) -> &'a str {
        &self.rule.id
    }
    /// Index of the rule in [`crate::Engine::rules`].
    pub fn rule_index(&self) -> usize {
        self.rule_index
    }
    /// The rule's facts (provider, kind, tags).
    pub fn rule(&self) -> &'a RuleInfo {
        self.rule
    }
    /// Provider name.
    pub fn provider(&self) -> &'a str {
        &self.rule.provider
    }
    /// Whether the credential is meant to be public.
    pub fn is_publishable(&self) -> bool {
        self.rule.kind == Kind::Publishable
    }
    /// Absolute byte range of the secret.
    pub fn span(&self) -> Range<u64> {
        self.span.clone()
    }
    /// Absolute byte range of the whole match (keyword and surroundings included).
    pub fn match_span(&self) -> Range<u64> {
        self.match_span.0..self.match_span.1
    }
    /// 1-based line of the secret's first byte.
    pub fn line(&self) -> u64 {
        self.line
    }
    /// 1-based column, in bytes, of the secret's first byte.
    pub fn column(&self) -> u64 {
        self.column
    }
    /// A masked rendering that is safe to print.
    pub fn preview(&self) -> Preview<'a> {
        Preview {
            secret: self.secret,
            keep: self.rule.keep_prefix,
        }
    }
    /// The raw secret. Handle with care: everything else in this type is safe to log, this
    /// is not.
    pub fn expose_secret(&self) -> &'a [u8] {
        self.secret
    }
    /// An owned copy, for collecting.
    pub fn to_buf(&self) -> FindingBuf {
        FindingBuf {
            rule_id: self.rule.id.clone(),
            rule_index: self.rule_index,
            provider: self.rule.provider.clone(),
            publishable: self.is_publishable(),
            start: self.span.start,
            end: self.span.end,
            match_start: self.match_span.0,
            match_end: self.match_span.1,
            line: self.line,
            column: self.column,
            preview: self.preview().to_string(),
            secret: SecretBytes(self.secret.to_vec()),
        }
    }
}

impl fmt::Debug for Finding<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Finding")
            .field("rule", &self.rule.id)
            .field("span", &self.span)
            .field("line", &self.line)
            .field("column", &self.column)
            .field("preview", &format_args!("{}", self.preview()))
            .finish()
    }
}

impl fmt::Display for Finding<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {} ({}) {}",
            self.line,
            self.column,
            self.rule.id,
            self.rule.provider,
            self.preview()
        )
    }
}

/// A masked view of a secret: its public prefix (when the rule declares one, like `AKIA`) or at
/// most three leading bytes, then `*`s. Never more than a third of the secret is shown.
#[derive(Clone, Copy)]
pub struct Preview<'a> {
    secret: &'a [u8],
    keep: usize,
}

impl Preview<'_> {
    fn visible(&self) -> usize {
        let n = self.secret.len();
        let want = if self.keep > 0 {
            self.keep
        } else {
            (n / 8).min(3)
        };
        want.min(n / 3)
    }
}

impl fmt::Display for Preview<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.visible();
        for &b in &self.secret[..v] {
            if b.is_ascii_graphic() {
                write!(f, "{}", b as char)?;
            } else {
                write!(f, "\\x{b:02x}")?;
            }
        }
        let stars = (self.secret.len() - v).min(12);
        for _ in 0..stars {
            f.write_str("*")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Preview<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

/// Raw secret bytes whose `Debug` does not print them.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    /// The raw bytes.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes(<{} bytes hidden>)", self.0.len())
    }
}

/// An owned finding. Serialises (serde) to the field names every host uses; the secret itself
/// is never serialised.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct FindingBuf {
    /// Rule id.
    pub rule_id: String,
    /// Rule index in the engine.
    #[serde(skip)]
    pub rule_index: usize,
    /// Provider name.
    pub provider: String,
    /// Meant to be public.
    pub publishable: bool,
    /// Secret start (absolute byte offset).
    pub start: u64,
    /// Secret end (exclusive).
    pub end: u64,
    /// Whole-match start.
    pub match_start: u64,
    /// Whole-match end (exclusive).
    pub match_end: u64,
    /// 1-based line.
    pub line: u64,
    /// 1-based byte column.
    pub column: u64,
    /// Masked preview.
    pub preview: String,
    #[serde(skip)]
    secret: SecretBytes,
}

impl FindingBuf {
    /// The raw secret. Not serialised, not in `Debug`.
    pub fn expose_secret(&self) -> &[u8] {
        self.secret.expose()
    }
}

impl fmt::Debug for FindingBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FindingBuf")
            .field("rule_id", &self.rule_id)
            .field("span", &(self.start..self.end))
            .field("line", &self.line)
            .field("column", &self.column)
            .field("preview", &self.preview)
            .finish()
    }
}

impl fmt::Display for FindingBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {} ({}) {}",
            self.line, self.column, self.rule_id, self.provider, self.preview
        )
    }
}
