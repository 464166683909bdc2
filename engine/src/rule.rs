//! Rules as written: the TOML shape, parsed with serde.
//!
//! A rule file holds `[[rules]]` tables. This module only describes and parses them; turning
//! them into matchers is the private `compile` module's job. The format is documented field
//! by field in `rulesets/README.md`.

use crate::error::{BuildError, BuildErrorKind};

mod syntax;

pub(crate) use syntax::RuleFile;
pub use syntax::{AllowTarget, AllowlistSyntax, Kind, RuleSyntax};

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
