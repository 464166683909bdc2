//! The rule file's data types, with their serde derives.
//!
//! Kept free of other crate modules so that `build.rs` can include this file too: it parses
//! the embedded rule files at build time with these very types (see `engine/build.rs`).

use serde::{Deserialize, Serialize};

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

    /// Whether the rule's keywords are names common in code and text (`password`, `token`):
    /// a generic rule's, unless the rule is about one command-line tool (tag `cli`: `sshpass`,
    /// `htpasswd`, `sqlplus`), whose name is as rare as a provider's.
    pub fn has_common_keywords(&self) -> bool {
        self.is_generic() && !self.tags.iter().any(|t| t == "cli")
    }
}

/// A whole rule file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleFile {
    #[serde(default)]
    pub rules: Vec<RuleSyntax>,
}
