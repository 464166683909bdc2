//! The whole mapping from engine errors to JS errors, in one place (lightningcss `into_js_error`,
//! polars `error.rs`).
//!
//! Every error is a plain JS `Error` whose `code` says what went wrong, so callers branch on
//! `err.code` instead of parsing messages:
//! - `SECRETSIFT_RULESET_<KIND>` for a [`BuildError`] (`SYNTAX`, `REGEX`, `NO_KEYWORD`,
//!   `DUPLICATE_ID`, `UNKNOWN_VALIDATOR`, `INVALID_VALUE`, `LIMIT`, ...), with the properties
//!   `kind` (the core's kebab-case kind), `ruleId`, `field`, `origin` and `line` where known;
//! - `SECRETSIFT_INVALID_OPTIONS` for an options object the binding cannot read.

use napi::bindgen_prelude::*;
use secretsift::BuildError;

/// `SECRETSIFT_RULESET_` + the kind's code in upper snake case.
pub fn ruleset_code(e: &BuildError) -> String {
    format!(
        "SECRETSIFT_RULESET_{}",
        e.kind().code().to_ascii_uppercase().replace('-', "_")
    )
}

/// A JS `Error` for a rule that failed to load or compile.
pub fn build_error(env: &Env, e: &BuildError) -> Error {
    js_error(env, &e.to_string(), &ruleset_code(e), |obj| {
        obj.set("kind", e.kind().code())?;
        if let Some(id) = e.rule_id() {
            obj.set("ruleId", id)?;
        }
        if let Some(field) = e.field() {
            obj.set("field", field)?;
        }
        if let Some(origin) = e.origin() {
            obj.set("origin", origin)?;
        }
        if let Some(line) = e.line() {
            obj.set("line", line as u32)?;
        }
        Ok(())
    })
}

/// A JS `Error` for options of the wrong shape (unknown key, wrong type).
pub fn options_error(env: &Env, what: &str, e: &Error) -> Error {
    js_error(
        env,
        &format!("invalid {what}: {}", e.reason),
        "SECRETSIFT_INVALID_OPTIONS",
        |_| Ok(()),
    )
}

/// Builds the JS error object and returns it wrapped in a napi [`Error`], which napi throws (or
/// rejects with) as this very object, own properties included.
fn js_error(
    env: &Env,
    message: &str,
    code: &str,
    extra: impl FnOnce(&mut Object<'_>) -> Result<()>,
) -> Error {
    let build = || -> Result<Error> {
        let mut obj = env.create_error(Error::new(Status::GenericFailure, message.to_string()))?;
        obj.set("code", code)?;
        extra(&mut obj)?;
        Ok(Error::from(obj.to_unknown()))
    };
    // If the object cannot even be built, fall back to a plain error carrying the code.
    build().unwrap_or_else(|_| Error::new(Status::GenericFailure, format!("{code}: {message}")))
}
