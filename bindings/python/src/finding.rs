//! `Finding`: one secret, with offsets in the units of the input.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use secretsift::FindingBuf;

/// The raw secret, in the input's type. Never shown by `repr`.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Secret {
    Str(String),
    Bytes(Vec<u8>),
}

/// A secret found by `Engine.scan` or a `Stream`. Frozen; `repr` shows the masked preview only.
#[pyclass(name = "Finding", module = "secretsift._native", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyFinding {
    #[pyo3(get)]
    rule_id: String,
    #[pyo3(get)]
    provider: String,
    #[pyo3(get)]
    publishable: bool,
    #[pyo3(get)]
    start: u64,
    #[pyo3(get)]
    end: u64,
    #[pyo3(get)]
    match_start: u64,
    #[pyo3(get)]
    match_end: u64,
    #[pyo3(get)]
    line: u64,
    #[pyo3(get)]
    column: u64,
    #[pyo3(get)]
    preview: String,
    secret: Secret,
}

#[pymethods]
impl PyFinding {
    /// The raw secret: `str` for `str` input, `bytes` for `bytes` input and for streams.
    fn secret<'py>(&self, py: Python<'py>) -> Bound<'py, PyAny> {
        match &self.secret {
            Secret::Str(s) => PyString::new(py, s).into_any(),
            Secret::Bytes(b) => PyBytes::new(py, b).into_any(),
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "Finding(rule_id={}, provider={}, start={}, end={}, line={}, column={}, preview={}, publishable={})",
            quote(&self.rule_id),
            quote(&self.provider),
            self.start,
            self.end,
            self.line,
            self.column,
            quote(&self.preview),
            if self.publishable { "True" } else { "False" },
        )
    }
}

impl PyFinding {
    /// A finding with the engine's byte offsets (bytes input, streams).
    pub(crate) fn from_bytes(f: &FindingBuf) -> PyFinding {
        PyFinding {
            rule_id: f.rule_id.clone(),
            provider: f.provider.clone(),
            publishable: f.publishable,
            start: f.start,
            end: f.end,
            match_start: f.match_start,
            match_end: f.match_end,
            line: f.line,
            column: f.column,
            preview: f.preview.clone(),
            secret: Secret::Bytes(f.expose_secret().to_vec()),
        }
    }

    /// Findings over `text` (UTF-8, or surrogate-pass-encoded), with every offset and the
    /// column converted to characters (code points, the unit of Python `str` indexing).
    pub(crate) fn from_text(text: &[u8], findings: &[FindingBuf]) -> Vec<PyFinding> {
        let mut out: Vec<PyFinding> = findings
            .iter()
            .map(|f| {
                let mut p = PyFinding::from_bytes(f);
                p.secret = Secret::Str(String::from_utf8_lossy(f.expose_secret()).into_owned());
                p
            })
            .collect();
        if text.is_ascii() {
            return out;
        }
        // Every byte offset to convert: start of the line, start, end, match start, match end.
        // Sorted once, then one forward walk over the text counts the characters before each.
        const PER: usize = 5;
        let mut offsets: Vec<(u64, usize)> = Vec::with_capacity(out.len() * PER);
        for (i, f) in out.iter().enumerate() {
            let line_start = f.start - (f.column - 1);
            for (j, b) in [line_start, f.start, f.end, f.match_start, f.match_end]
                .into_iter()
                .enumerate()
            {
                offsets.push((b, i * PER + j));
            }
        }
        offsets.sort_unstable();
        let mut chars = vec![0u64; offsets.len()];
        let (mut pos, mut count) = (0usize, 0u64);
        for &(b, slot) in &offsets {
            let b = (b as usize).min(text.len());
            count += count_chars(&text[pos..b]);
            pos = b;
            chars[slot] = count;
        }
        for (i, f) in out.iter_mut().enumerate() {
            let c = &chars[i * PER..i * PER + PER];
            f.column = c[1] - c[0] + 1;
            f.start = c[1];
            f.end = c[2];
            f.match_start = c[3];
            f.match_end = c[4];
        }
        out
    }
}

/// A Python-style single-quoted literal.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// Characters in UTF-8 `bytes`: every byte that is not a continuation byte (`10xxxxxx`)
/// starts one. The loop vectorises.
fn count_chars(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count() as u64
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_code_points() {
        assert_eq!(super::count_chars("aé€😀".as_bytes()), 4);
    }
}
