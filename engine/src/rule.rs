//! Rules as written: the TOML shape, parsed with serde.
//!
//! A rule file holds `[[rules]]` tables. This module only describes and parses them; turning
//! them into matchers is [`crate::compile`]'s job. The format is documented field by field in
//! `rulesets/README.md`.

use serde::{Deserialize, Serialize};

use crate::error::{BuildError, BuildErrorKind};

/// Whether a credential must stay private or is meant to be public.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A credential that grants access and must never be published.
    #[default]
    Secret,
    /// A key that is designed to be shipped to clients (Stripe `pk_live_`, a browser Firebase
    /// key, a Sentry DSN). Hosts report these but do not treat them as errors by default.
    Publishable,
}

/// What an allowlist regex is matched against.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AllowTarget {
    /// The secret capture only (the default, as in gitleaks).
    #[default]
    Secret,
    /// The whole regex match, keyword included.
    Match,
}

/// Values that veto a match although the regex matched.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowlistSyntax {
    /// Regexes; if any matches the target, the match is dropped.
    #[serde(default)]
    pub regexes: Vec<String>,
    /// What `regexes` look at.
    #[serde(default)]
    pub target: AllowTarget,
    /// Literals; if the secret contains any (ASCII case-insensitively), the match is dropped.
    #[serde(default)]
    pub stopwords: Vec<String>,
}

/// One rule exactly as written in a rule file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSyntax {
    /// Stable kebab-case identifier, unique in an engine (`github-pat-classic`).
    pub id: String,
    /// One sentence a user reads next to a finding.
    #[serde(default)]
    pub description: String,
    /// Normalised provider name (`aws`, `github`, `generic`).
    pub provider: String,
    /// The pattern (regex-automata syntax; bytes, ASCII classes, multi-line `^`/`$`).
    pub regex: String,
    /// Capture group holding the secret: defaults to 1 when the regex has a group, else 0.
    #[serde(default, alias = "secretGroup")]
    pub secret_group: Option<u32>,
    /// Literals, one of which must occur in (or just before) a match. Matched ASCII
    /// case-insensitively; they drive the prefilter, so a rule without keywords is refused.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Minimum Shannon entropy (bits per byte) of the secret.
    #[serde(default)]
    pub entropy: Option<f64>,
    /// Name of a structural check the secret must pass (see [`crate::validate`]).
    #[serde(default)]
    pub validator: Option<String>,
    /// Secret (default) or publishable.
    #[serde(default)]
    pub kind: Kind,
    /// Leading bytes of the secret that are a public, fixed prefix (`AKIA`, `ghp_`): shown in
    /// previews and kept by prefix-preserving redaction.
    #[serde(default)]
    pub keep_prefix: u8,
    /// Free-form labels. The tag `generic` marks a rule that yields to provider rules on the
    /// same bytes and uses the engine's generic entropy threshold.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Vetoes.
    #[serde(default)]
    pub allowlist: AllowlistSyntax,
    /// Skip the built-in placeholder filter (`changeme`, `${VAR}`, `xxxx`, `EXAMPLE`).
    #[serde(default)]
    pub allow_placeholders: bool,
    /// Texts this rule must find something in (checked by the test suite).
    #[serde(default)]
    pub examples: Vec<String>,
    /// Texts this rule must find nothing in.
    #[serde(default)]
    pub negative_examples: Vec<String>,
    /// Other rule ids that are expected to fire on this rule's examples as well.
    #[serde(default)]
    pub overlaps: Vec<String>,
}

impl RuleSyntax {
    /// Whether the rule carries the `generic` tag.
    pub fn is_generic(&self) -> bool {
        self.tags.iter().any(|t| t == "generic")
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rules: Vec<RuleSyntax>,
}

/// Parses one rule file in secretsift's TOML format. `origin` names the file in errors.
///
/// # Errors
/// A TOML syntax error, an unknown field or a wrongly typed value; the error names the origin,
/// the line and, where it can be found, the rule id and field.
pub fn parse_toml(text: &str, origin: &str) -> Result<Vec<RuleSyntax>, BuildError> {
    match toml::from_str::<RuleFile>(text) {
        Ok(f) => Ok(f.rules),
        Err(e) => Err(toml_error(text, origin, &e)),
    }
}

/// Turns a TOML error into a [`BuildError`] naming file, line and the rule it sits in.
pub(crate) fn toml_error(text: &str, origin: &str, e: &toml::de::Error) -> BuildError {
    let at = e.span().map(|span| {
        let mut start = span.start.min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        start
    });
    let (line, rule_id) = match at {
        Some(start) => {
            let before = &text[..start];
            let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
            (Some(line), enclosing_rule_id(before))
        }
        None => (None, None),
    };
    let mut msg = e.message().trim().to_string();
    if msg.is_empty() {
        // The toml parser leaves some messages empty (found by fuzzing: a file ending after
        // `id = `, a NUL byte in a comment); name what is at the error's position instead.
        msg = match at.map(|start| text[start..].chars().next()) {
            None => "not valid TOML".to_string(),
            Some(None) => "unexpected end of file: a value or table is incomplete".to_string(),
            Some(Some(c)) if c.is_control() => format!(
                "unexpected control character U+{:04X} (not allowed in TOML outside escapes)",
                u32::from(c)
            ),
            Some(Some(c)) => format!("unexpected `{}`", c.escape_default()),
        };
    }
    let mut err = BuildError::new(BuildErrorKind::Syntax, msg).with_origin(origin);
    if let Some(line) = line {
        err = err.with_line(line);
    }
    if let Some(id) = rule_id {
        err = err.with_rule(&id);
    }
    err
}

/// Best effort: the `id = "..."` of the `[[rules]]` table that contains the end of `before`.
fn enclosing_rule_id(before: &str) -> Option<String> {
    let table = before.rfind("[[rules]]")?;
    let rest = &before[table..];
    rest.lines()
        .find_map(|l| {
            let l = l.trim();
            let v = l.strip_prefix("id")?.trim_start().strip_prefix('=')?.trim();
            Some(v.trim_matches(|c| c == '"' || c == '\'').to_string())
        })
        .filter(|id| !id.is_empty())
}
