//! Every engine error becomes a Python exception here, and only here.
//!
//! The exception classes are real Python classes (`secretsift/errors.py`), so they can inherit
//! from both `SecretsiftError` and `ValueError` and carry typed attributes. The `code` attribute
//! is the engine's own `BuildErrorKind::code()`, the same string every host reports.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};
use secretsift::BuildError;

static RULESET_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// Converts a rule-loading or compilation error into `secretsift.RulesetError`. `origin`
/// names the source when the error itself does not.
pub(crate) fn build_error(py: Python<'_>, e: &BuildError, origin: Option<&str>) -> PyErr {
    // The engine's stable code for the kind (`regex`, `no-keyword`, ...), as every host uses.
    let code = e.kind().code();
    let origin = e.origin().or(origin);
    let message = match (e.origin(), origin) {
        (None, Some(o)) => format!("{o}: {e}"),
        _ => e.to_string(),
    };
    let make = || -> PyResult<PyErr> {
        let cls = RULESET_ERROR.import(py, "secretsift.errors", "RulesetError")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("rule_id", e.rule_id())?;
        kwargs.set_item("field", e.field())?;
        kwargs.set_item("code", code)?;
        kwargs.set_item("origin", origin)?;
        kwargs.set_item("line", e.line())?;
        let exc = cls.call((message.as_str(),), Some(&kwargs))?;
        Ok(PyErr::from_value(exc))
    };
    // Only if the Python half of the package is missing (the native module loaded alone).
    make().unwrap_or_else(|_| PyValueError::new_err(format!("{message} [{code}]")))
}
