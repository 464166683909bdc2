//! Python inputs turned into owned bytes before the GIL is released.

use pyo3::exceptions::{PyTypeError, PyUnicodeEncodeError};
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::{PyByteArray, PyBytes, PyString};

/// The bytes of one input, kept alive without the GIL.
pub(crate) enum Data {
    /// A `str`, as UTF-8.
    Str(PyBackedStr),
    /// A `str` holding lone surrogates (say, a file name decoded with `surrogateescape`),
    /// encoded with `surrogatepass`: still one code point per UTF-8-style sequence.
    Surrogates(Vec<u8>),
    /// `bytes` (or a copy of a `bytearray`).
    Bytes(PyBackedBytes),
}

impl Data {
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Data::Str(s) => s.as_bytes(),
            Data::Surrogates(v) => v,
            Data::Bytes(b) => b,
        }
    }

    /// Whether the input was a `str` (offsets are then reported in characters).
    pub(crate) fn is_text(&self) -> bool {
        !matches!(self, Data::Bytes(_))
    }

    /// Extracts `str`, `bytes` or `bytearray`; `what` names the call in the `TypeError`.
    pub(crate) fn extract(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Data> {
        if let Ok(s) = obj.cast::<PyString>() {
            return Data::from_str(s);
        }
        if let Ok(b) = obj.cast::<PyBytes>() {
            return Ok(Data::Bytes(PyBackedBytes::from(b.clone())));
        }
        if let Ok(b) = obj.cast::<PyByteArray>() {
            return Ok(Data::Bytes(PyBackedBytes::from(b.clone())));
        }
        Err(type_error(obj, what, "str or bytes"))
    }

    /// Extracts a `str` only.
    pub(crate) fn extract_str(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Data> {
        match obj.cast::<PyString>() {
            Ok(s) => Data::from_str(s),
            Err(_) => Err(type_error(obj, what, "str")),
        }
    }

    fn from_str(s: &Bound<'_, PyString>) -> PyResult<Data> {
        match PyBackedStr::try_from(s.clone()) {
            Ok(b) => Ok(Data::Str(b)),
            Err(e) if e.is_instance_of::<PyUnicodeEncodeError>(s.py()) => {
                let encoded = s.call_method1("encode", ("utf-8", "surrogatepass"))?;
                Ok(Data::Surrogates(
                    encoded.cast::<PyBytes>()?.as_bytes().to_vec(),
                ))
            }
            Err(e) => Err(e),
        }
    }

    /// Converts output bytes back into the input's Python type. `unchanged` returns the
    /// original object itself (no copy) when redaction changed nothing.
    pub(crate) fn output<'py>(
        &self,
        original: &Bound<'py, PyAny>,
        out: &[u8],
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = original.py();
        if out == self.bytes() && !original.is_instance_of::<PyByteArray>() {
            return Ok(original.clone());
        }
        Ok(match self {
            Data::Str(_) => match std::str::from_utf8(out) {
                Ok(s) => PyString::new(py, s).into_any(),
                // Only if a rule's span split a multi-byte character.
                Err(_) => PyString::new(py, &String::from_utf8_lossy(out)).into_any(),
            },
            Data::Surrogates(_) => PyBytes::new(py, out)
                .call_method1("decode", ("utf-8", "surrogatepass"))
                .or_else(|_| PyBytes::new(py, out).call_method1("decode", ("utf-8", "replace")))?,
            Data::Bytes(_) if original.is_instance_of::<PyByteArray>() => {
                PyByteArray::new(py, out).into_any()
            }
            Data::Bytes(_) => PyBytes::new(py, out).into_any(),
        })
    }
}

pub(crate) fn type_error(obj: &Bound<'_, PyAny>, what: &str, expected: &str) -> PyErr {
    let got = obj
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into());
    PyTypeError::new_err(format!("{what} expects {expected}, got {got}"))
}
