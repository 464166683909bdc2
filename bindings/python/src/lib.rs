//! `secretsift._native`: the Rust engine for Python.
//!
//! A thin adapter: each method extracts its Python inputs into owned values, releases the GIL
//! (`Python::detach`) around the engine call, then converts the results. No scanning logic
//! lives here. The public API is the `secretsift` package (`python/secretsift/`), which
//! re-exports these classes; the stubs are `python/secretsift/_native.pyi`.

use std::path::PathBuf;
use std::sync::Mutex;

use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyList, PyString};
use secretsift::sink::Collect;
use secretsift::{BuildError, Engine, RedactOptions, Redactor, Scanner};

mod error;
mod finding;
mod input;

use finding::PyFinding;
use input::{type_error, Data};

/// Inputs are scanned in slices of this size, with a check for Ctrl-C (and other signals)
/// between slices, so a scan of gigabytes can be interrupted.
const SLICE: usize = 16 << 20;
/// Idle scanners (and redactors) kept per engine for reuse. A scanner sizes its scratch and
/// warms its regexes when created, which costs far more than a short scan.
const POOL: usize = 64;

/// Feeds `data` to `feed` in slices with the GIL released; `feed(piece, last)`.
/// Between slices, holds the GIL just long enough to run signal handlers.
fn feed_detached<F>(py: Python<'_>, data: &[u8], mut feed: F) -> PyResult<()>
where
    F: FnMut(&[u8], bool) + Send,
{
    let n = data.len().div_ceil(SLICE).max(1);
    for i in 0..n {
        let piece = &data[(i * SLICE).min(data.len())..((i + 1) * SLICE).min(data.len())];
        let last = i + 1 == n;
        py.detach(|| feed(piece, last));
        if !last {
            py.check_signals()?;
        }
    }
    Ok(())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Compiled rules. Immutable and safe to share between threads: scans release the GIL, so
/// threads scanning with one engine run in parallel.
#[pyclass(name = "Engine", module = "secretsift._native", frozen)]
struct PyEngine {
    engine: Engine,
    scanners: Mutex<Vec<Scanner>>,
    redactors: Mutex<Vec<Redactor>>,
}

impl PyEngine {
    fn take_scanner(&self) -> Scanner {
        lock(&self.scanners)
            .pop()
            .unwrap_or_else(|| self.engine.scanner())
    }
    fn put_scanner(&self, s: Scanner) {
        let mut pool = lock(&self.scanners);
        if pool.len() < POOL {
            pool.push(s);
        }
    }
    fn take_redactor(&self) -> Redactor {
        lock(&self.redactors)
            .pop()
            .unwrap_or_else(|| self.engine.redactor(RedactOptions::default()))
    }
    fn put_redactor(&self, r: Redactor) {
        let mut pool = lock(&self.redactors);
        if pool.len() < POOL {
            pool.push(r);
        }
    }

    /// Redacts `data` as one stream; `out` is cleared first.
    fn redact_into(&self, r: &mut Redactor, data: &[u8], out: &mut Vec<u8>) {
        out.clear();
        // Writing to a Vec cannot fail.
        let _ = r.feed(data, out).and_then(|_| r.finish(out));
    }
}

/// Reads `rules`: a path (`os.PathLike`, or a one-line `str` without `=`), or TOML text.
/// Returns `(text, origin)`.
fn rules_source(rules: &Bound<'_, PyAny>) -> PyResult<(String, String)> {
    let path: PathBuf = if let Ok(s) = rules.cast::<PyString>() {
        let s = s.to_cow()?;
        if s.contains('\n') || s.contains('=') {
            return Ok((s.into_owned(), "<rules>".to_string()));
        }
        PathBuf::from(s.as_ref())
    } else if rules.is_instance_of::<PyBytes>() || rules.is_instance_of::<PyByteArray>() {
        return Err(type_error(
            rules,
            "Engine(rules=...)",
            "a path or TOML text (str)",
        ));
    } else {
        rules
            .extract()
            .map_err(|_| type_error(rules, "Engine(rules=...)", "a path or TOML text (str)"))?
    };
    let text = std::fs::read_to_string(&path)?;
    Ok((text, path.display().to_string()))
}

#[pymethods]
impl PyEngine {
    #[new]
    #[pyo3(signature = (rules=None, *, default_rules=true, entropy=None, disable=None))]
    fn new(
        py: Python<'_>,
        rules: Option<&Bound<'_, PyAny>>,
        default_rules: bool,
        entropy: Option<f64>,
        disable: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyEngine> {
        let source = rules.map(rules_source).transpose()?;
        let disabled: Vec<String> = match disable {
            None => Vec::new(),
            Some(d) if d.is_instance_of::<PyString>() => vec![d.extract()?],
            Some(d) => d
                .try_iter()
                .and_then(|it| {
                    it.map(|id| id?.extract::<String>())
                        .collect::<PyResult<Vec<_>>>()
                })
                .map_err(|_| {
                    type_error(d, "Engine(disable=...)", "an iterable of rule ids (str)")
                })?,
        };
        if let Some(bits) = entropy {
            if !(0.0..=8.0).contains(&bits) {
                return Err(PyValueError::new_err(format!(
                    "Engine(entropy=...) is in bits per byte, between 0 and 8; got {bits}"
                )));
            }
        }
        let built = py.detach(|| -> Result<Engine, Box<(BuildError, Option<String>)>> {
            let mut b = Engine::builder();
            b.default_rules(default_rules).disable(&disabled);
            let mut ours = Vec::new();
            if let Some((text, origin)) = &source {
                let rules = secretsift::gitleaks::parse_any(text, origin)
                    .map_err(|e| Box::new((e, None)))?;
                ours = rules.iter().map(|r| r.id.clone()).collect();
                b.add_rules(rules);
            }
            if let Some(bits) = entropy {
                b.generic_entropy(bits);
            }
            // Compile errors carry no origin: name the caller's source when the rule is theirs.
            b.build().map_err(|e| {
                let theirs = e.origin().is_none()
                    && e.rule_id().is_some_and(|id| ours.iter().any(|o| o == id));
                let origin = if theirs {
                    source.as_ref().map(|(_, o)| o.clone())
                } else {
                    None
                };
                Box::new((e, origin))
            })
        });
        let engine = built.map_err(|b| error::build_error(py, &b.0, b.1.as_deref()))?;
        Ok(PyEngine {
            engine,
            scanners: Mutex::new(Vec::new()),
            redactors: Mutex::new(Vec::new()),
        })
    }

    /// Finds secrets. Offsets and columns are in characters for `str`, in bytes for `bytes`.
    fn scan(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Vec<PyFinding>> {
        let input = Data::extract(data, "Engine.scan()")?;
        let bytes = input.bytes();
        let mut sink = Collect::default();
        let mut scanner: Option<Scanner> = None;
        feed_detached(py, bytes, |piece, last| {
            let sc = scanner.get_or_insert_with(|| self.take_scanner());
            let Ok(()) = sc.feed(piece, &mut sink);
            if last {
                let Ok(()) = sc.finish(&mut sink);
            }
        })?;
        // Returned to the pool only after a complete scan (`finish` resets it).
        if let Some(sc) = scanner {
            self.put_scanner(sc);
        }
        Ok(if input.is_text() {
            py.detach(|| PyFinding::from_text(bytes, &sink.findings))
        } else {
            sink.findings.iter().map(PyFinding::from_bytes).collect()
        })
    }

    /// Returns the text with each secret replaced by `[REDACTED:<rule id>]`. Accepts `bytes`
    /// too (and returns `bytes`). Returns the very same object when nothing was found.
    fn redact<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let input = Data::extract(text, "Engine.redact()")?;
        let bytes = input.bytes();
        let mut out = Vec::with_capacity(bytes.len() + 64);
        let mut redactor: Option<Redactor> = None;
        feed_detached(py, bytes, |piece, last| {
            let r = redactor.get_or_insert_with(|| self.take_redactor());
            let _ = r.feed(piece, &mut out);
            if last {
                let _ = r.finish(&mut out);
            }
        })?;
        if let Some(r) = redactor {
            self.put_redactor(r);
        }
        input.output(text, &out)
    }

    /// Redacts each string of a batch on its own (as `redact` would), crossing into Rust once
    /// for the whole batch, with the GIL released. Unchanged strings are returned as is.
    fn redact_lines<'py>(
        &self,
        py: Python<'py>,
        lines: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        if lines.is_instance_of::<PyString>() || lines.is_instance_of::<PyBytes>() {
            return Err(PyTypeError::new_err(
                "Engine.redact_lines() expects a sequence of str, got a single string; use redact() for one string",
            ));
        }
        let iter = lines
            .try_iter()
            .map_err(|_| type_error(lines, "Engine.redact_lines()", "a sequence of str"))?;
        let mut objects = Vec::new();
        let mut inputs = Vec::new();
        for (i, item) in iter.enumerate() {
            let item = item?;
            inputs.push(Data::extract_str(
                &item,
                &format!("Engine.redact_lines() item {i}"),
            )?);
            objects.push(item);
        }
        let results: Vec<Option<Vec<u8>>> = py.detach(|| {
            let mut r = self.take_redactor();
            let mut buf = Vec::with_capacity(256);
            let results = inputs
                .iter()
                .map(|d| {
                    self.redact_into(&mut r, d.bytes(), &mut buf);
                    (buf != d.bytes()).then(|| buf.clone())
                })
                .collect();
            self.put_redactor(r);
            results
        });
        py.check_signals()?;
        let out = PyList::empty(py);
        for ((obj, d), res) in objects.iter().zip(&inputs).zip(results) {
            match res {
                None => out.append(obj)?,
                Some(bytes) => out.append(d.output(obj, &bytes)?)?,
            }
        }
        Ok(out)
    }

    /// A streaming scanner: feed chunks, get findings with absolute byte offsets. In line
    /// mode no match crosses a newline, and each line's findings are final when it ends.
    #[pyo3(signature = (*, line_mode=false))]
    fn stream(&self, py: Python<'_>, line_mode: bool) -> PyStream {
        let scanner = py.detach(|| {
            let mut sc = self.take_scanner();
            sc.set_line_mode(line_mode);
            sc
        });
        PyStream {
            scanner: Mutex::new(scanner),
        }
    }

    /// The ids of the loaded rules, in load order.
    #[getter]
    fn rule_ids(&self) -> Vec<String> {
        self.engine.rules().map(|r| r.id.clone()).collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "<secretsift.Engine with {} rules>",
            self.engine.rules().len()
        )
    }
}

/// One stream being scanned: `feed` chunks, then `finish`. Offsets are absolute byte offsets
/// from the start of the stream. Not shareable between threads: use one stream per thread
/// (concurrent calls raise `RuntimeError` rather than block).
#[pyclass(name = "Stream", module = "secretsift._native", frozen)]
struct PyStream {
    scanner: Mutex<Scanner>,
}

impl PyStream {
    fn run(&self, py: Python<'_>, chunk: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<PyFinding>> {
        let input = chunk
            .map(|c| Data::extract(c, "Stream.feed()"))
            .transpose()?;
        let data = input.as_ref().map(Data::bytes);
        let mut guard = self.scanner.try_lock().map_err(|e| match e {
            std::sync::TryLockError::WouldBlock => PyRuntimeError::new_err(
                "this Stream is in use by another thread; create one stream per thread",
            ),
            std::sync::TryLockError::Poisoned(_) => {
                PyRuntimeError::new_err("this Stream is unusable after a panic")
            }
        })?;
        let scanner: &mut Scanner = &mut guard;
        let mut sink = Collect::default();
        match data {
            Some(bytes) => feed_detached(py, bytes, |piece, _| {
                let Ok(()) = scanner.feed(piece, &mut sink);
            })?,
            None => py.detach(|| {
                let Ok(()) = scanner.finish(&mut sink);
            }),
        }
        Ok(sink.findings.iter().map(PyFinding::from_bytes).collect())
    }
}

#[pymethods]
impl PyStream {
    /// Feeds the next chunk (`str` is encoded as UTF-8). Returns the findings decided so far.
    fn feed(&self, py: Python<'_>, chunk: &Bound<'_, PyAny>) -> PyResult<Vec<PyFinding>> {
        self.run(py, Some(chunk))
    }

    /// Ends the stream: returns the remaining findings, then starts a new stream.
    fn finish(&self, py: Python<'_>) -> PyResult<Vec<PyFinding>> {
        self.run(py, None)
    }

    /// Bytes fed so far in the current stream.
    #[getter]
    fn position(&self) -> PyResult<u64> {
        let guard = self
            .scanner
            .try_lock()
            .map_err(|_| PyRuntimeError::new_err("this Stream is in use by another thread"))?;
        Ok(guard.position())
    }

    fn __repr__(&self) -> String {
        match self.scanner.try_lock() {
            Ok(g) => format!("<secretsift.Stream at byte {}>", g.position()),
            Err(_) => "<secretsift.Stream (busy)>".to_string(),
        }
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyEngine>()?;
    m.add_class::<PyStream>()?;
    m.add_class::<PyFinding>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
