//! Errors raised while loading and compiling rules.
//!
//! One opaque type, [`BuildError`], with a `#[non_exhaustive]` [`BuildErrorKind`] and accessors
//! for *where* the problem is (file, line, rule id, field), so hosts can put structured data on
//! their own exception types instead of parsing a string.

use std::fmt;

/// What went wrong while building an engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildErrorKind {
    /// The rule file is not valid TOML, has an unknown field, or a value of the wrong type.
    Syntax,
    /// A regex (the rule's or an allowlist's) does not parse or compile.
    Regex,
    /// The rule lists no keyword, so the prefilter could never select it.
    NoKeyword,
    /// Two rules share an id.
    DuplicateId,
    /// The validator named by a rule does not exist.
    UnknownValidator,
    /// A field has a value outside its allowed range (empty id, bad secret group, ...).
    InvalidValue,
    /// A limit that protects scan time or memory was exceeded.
    Limit,
}

impl BuildErrorKind {
    /// A stable machine-readable code, used by hosts (`code` on JS errors, for example).
    pub fn code(self) -> &'static str {
        match self {
            BuildErrorKind::Syntax => "syntax",
            BuildErrorKind::Regex => "regex",
            BuildErrorKind::NoKeyword => "no-keyword",
            BuildErrorKind::DuplicateId => "duplicate-id",
            BuildErrorKind::UnknownValidator => "unknown-validator",
            BuildErrorKind::InvalidValue => "invalid-value",
            BuildErrorKind::Limit => "limit",
        }
    }
}

/// An error from loading or compiling rules. Never contains scanned data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildError {
    kind: BuildErrorKind,
    message: String,
    origin: Option<String>,
    line: Option<usize>,
    rule_id: Option<String>,
    field: Option<String>,
}

impl BuildError {
    pub(crate) fn new(kind: BuildErrorKind, message: impl Into<String>) -> BuildError {
        BuildError {
            kind,
            message: message.into(),
            origin: None,
            line: None,
            rule_id: None,
            field: None,
        }
    }

    pub(crate) fn rule(
        kind: BuildErrorKind,
        rule_id: &str,
        field: &str,
        message: impl Into<String>,
    ) -> BuildError {
        BuildError::new(kind, message)
            .with_rule(rule_id)
            .with_field(field)
    }

    pub(crate) fn with_origin(mut self, origin: &str) -> BuildError {
        if self.origin.is_none() {
            self.origin = Some(origin.to_string());
        }
        self
    }
    pub(crate) fn with_line(mut self, line: usize) -> BuildError {
        self.line = Some(line);
        self
    }
    pub(crate) fn with_rule(mut self, id: &str) -> BuildError {
        self.rule_id = Some(id.to_string());
        self
    }
    pub(crate) fn with_field(mut self, field: &str) -> BuildError {
        self.field = Some(field.to_string());
        self
    }

    /// The kind of problem.
    pub fn kind(&self) -> BuildErrorKind {
        self.kind
    }
    /// The explanation, without the location prefix.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// The file (or other named source) the rules came from.
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }
    /// 1-based line in the origin, for syntax errors.
    pub fn line(&self) -> Option<usize> {
        self.line
    }
    /// The id of the rule at fault.
    pub fn rule_id(&self) -> Option<&str> {
        self.rule_id.as_deref()
    }
    /// The field of the rule at fault (`regex`, `keywords`, `validator`, ...).
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        if let Some(o) = &self.origin {
            write!(f, "{o}")?;
            if let Some(l) = self.line {
                write!(f, ":{l}")?;
            }
            sep = ": ";
        }
        if let Some(id) = &self.rule_id {
            write!(f, "{sep}rule `{id}`")?;
            sep = ", ";
        }
        if let Some(field) = &self.field {
            write!(f, "{sep}field `{field}`")?;
            sep = ": ";
        } else if !sep.is_empty() {
            sep = ": ";
        }
        write!(f, "{sep}{}", self.message)
    }
}

impl std::error::Error for BuildError {}
