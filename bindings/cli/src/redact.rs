//! `secretsift redact`: a stdin → stdout filter for log pipelines.
//!
//! Text mode feeds stdin to a line-mode [`secretsift::Redactor`]: each line is written and
//! flushed as soon as its newline arrives, and no match crosses a line except inside an
//! armored block (`-----BEGIN ...` to `-----END ...`), so a PEM key over the lines of a
//! multi-line log message is still found (its lines leave together at the closing line).
//! Every byte outside a secret is passed through unchanged (CRLF and a missing final newline included), and memory stays
//! fixed however long a line is.
//!
//! JSON mode reads JSON lines: each string token (keys and values) is decoded, redacted and,
//! only if something changed, re-encoded in place; every other byte of the line is kept. A line
//! that is not JSON, or longer than [`MAX_JSON_LINE`], is redacted as text.

use std::io::{self, BufRead, Read, Write};

use secretsift::{Engine, RedactOptions, Redactor};

use crate::{
    config, report_error, RedactArgs, RedactFormat, EXIT_BROKEN_PIPE, EXIT_CLEAN, EXIT_ERROR,
};

/// JSON lines longer than this are redacted as text (streamed) instead of being parsed, so
/// memory stays bounded.
pub const MAX_JSON_LINE: usize = 8 << 20;

enum Failure {
    Read(io::Error),
    Write(io::Error),
}

pub fn run(args: RedactArgs) -> u8 {
    let base = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let loaded = match config::load(&args.rules, &base) {
        Ok(l) => l,
        Err(e) => {
            report_error(e);
            return EXIT_ERROR;
        }
    };
    // A log filter must not run with a rule set other than the one asked for.
    if !loaded.errors.is_empty() {
        loaded.errors.iter().for_each(report_error);
        return EXIT_ERROR;
    }
    let engine = loaded.engine;
    let text_opts = RedactOptions {
        template: args.template.clone(),
        line_mode: true,
    };
    let mut text = engine.redactor(text_opts);
    let mut strings = engine.redactor(RedactOptions {
        template: args.template.clone(),
        line_mode: false,
    });
    if let Some(input) = args.rsyslog {
        return crate::rsyslog::run(&engine, &mut strings, input, &args);
    }
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let stdout = match raw_stdout() {
        Ok(f) => f,
        Err(e) => {
            report_error(format!("stdout: {e}"));
            return EXIT_ERROR;
        }
    };
    // Our own buffer over a counted, unbuffered stdout: the redactors flush at each line end,
    // and after a failed write the count says exactly how much output was delivered.
    let mut out = io::BufWriter::with_capacity(crate::scan::CHUNK, Counted::new(stdout));
    let result = match args.format {
        RedactFormat::Text => run_text(&mut input, &mut out, &mut text),
        RedactFormat::Json => run_json(&mut input, &mut out, &mut text, &mut strings),
    };
    let delivered = out.get_ref().written;
    match result {
        // The reader went away (`| head`): stop, and say so, since a log pipeline that loses
        // its consumer should not end without a word.
        Err(Failure::Write(e)) if e.kind() == io::ErrorKind::BrokenPipe => {
            report_error(format!(
                "stdout was closed by its reader after {delivered} bytes of output; the rest of the input was not passed on"
            ));
            return EXIT_BROKEN_PIPE;
        }
        Err(Failure::Write(e)) => {
            report_error(format!(
                "stdout: write failed after {delivered} bytes of output: {e}; the rest of the input was not passed on"
            ));
            return EXIT_ERROR;
        }
        Err(Failure::Read(e)) => {
            report_error(format!("stdin: {e}"));
            return EXIT_ERROR;
        }
        Ok(()) => {}
    }
    if !args.quiet {
        eprintln!("{}", summary(&engine, &[&text, &strings]));
    }
    EXIT_CLEAN
}

/// Standard output as a file of its own (a duplicate of descriptor 1), without std's line
/// buffer in between.
#[cfg(unix)]
fn raw_stdout() -> io::Result<Box<dyn Write>> {
    use std::os::fd::AsFd;
    Ok(Box::new(std::fs::File::from(
        io::stdout().as_fd().try_clone_to_owned()?,
    )))
}

#[cfg(not(unix))]
fn raw_stdout() -> io::Result<Box<dyn Write>> {
    Ok(Box::new(io::stdout()))
}

/// Counts the bytes its writer accepted.
struct Counted<W> {
    inner: W,
    written: u64,
}

impl<W> Counted<W> {
    fn new(inner: W) -> Counted<W> {
        Counted { inner, written: 0 }
    }
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn summary(engine: &Engine, redactors: &[&Redactor]) -> String {
    let mut counts = vec![0u64; engine.rules().len()];
    for r in redactors {
        for (c, n) in counts.iter_mut().zip(r.counts()) {
            *c += n;
        }
    }
    let total: u64 = counts.iter().sum();
    let mut s = format!("secretsift redact: {total} secret(s) redacted");
    push_per_rule(&mut s, engine, &counts);
    s
}

/// Appends `: rule=n, ...` for the rules that redacted something (nothing when none did).
pub fn push_per_rule(s: &mut String, engine: &Engine, counts: &[u64]) {
    let per: Vec<String> = engine
        .rules()
        .zip(counts)
        .filter(|(_, &n)| n > 0)
        .map(|(r, n)| format!("{}={n}", r.id))
        .collect();
    if !per.is_empty() {
        s.push_str(": ");
        s.push_str(&per.join(", "));
    }
}

/// Passes writes on and ignores `flush`: the line-mode redactor flushes at every newline, which
/// would cost one write per line; instead text mode flushes once per read, when all input
/// already at hand has been passed on, so a line still leaves as soon as no more input waits.
struct FlushPerRead<'a, W: Write>(&'a mut W);

impl<W: Write> Write for FlushPerRead<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.0.write_all(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn run_text(input: &mut impl Read, out: &mut impl Write, r: &mut Redactor) -> Result<(), Failure> {
    let mut buf = vec![0u8; crate::scan::CHUNK];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Failure::Read(e)),
        };
        r.feed(&buf[..n], &mut FlushPerRead(out))
            .map_err(Failure::Write)?;
        out.flush().map_err(Failure::Write)?;
    }
    r.finish(out).map_err(Failure::Write)?;
    out.flush().map_err(Failure::Write)
}

fn run_json(
    input: &mut impl BufRead,
    out: &mut impl Write,
    text: &mut Redactor,
    strings: &mut Redactor,
) -> Result<(), Failure> {
    let mut line = Vec::new();
    loop {
        line.clear();
        let mut complete = false;
        while !complete && line.len() <= MAX_JSON_LINE {
            let avail = match input.fill_buf() {
                Ok(a) => a,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Failure::Read(e)),
            };
            if avail.is_empty() {
                break;
            }
            let take = match memchr::memchr(b'\n', avail) {
                Some(i) => {
                    complete = true;
                    i + 1
                }
                None => avail.len(),
            };
            line.extend_from_slice(&avail[..take]);
            input.consume(take);
        }
        if line.is_empty() {
            break;
        }
        if !complete && line.len() > MAX_JSON_LINE {
            // Too long to parse: stream the rest of the line through the text redactor.
            text.feed(&line, out).map_err(Failure::Write)?;
            loop {
                let avail = match input.fill_buf() {
                    Ok(a) => a,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(Failure::Read(e)),
                };
                if avail.is_empty() {
                    break;
                }
                let (take, done) = match memchr::memchr(b'\n', avail) {
                    Some(i) => (i + 1, true),
                    None => (avail.len(), false),
                };
                text.feed(&avail[..take], out).map_err(Failure::Write)?;
                input.consume(take);
                if done {
                    break;
                }
            }
            continue;
        }
        match redact_json_line(&line, strings) {
            Some(redacted) => {
                out.write_all(&redacted).map_err(Failure::Write)?;
                out.flush().map_err(Failure::Write)?;
            }
            None => text.feed(&line, out).map_err(Failure::Write)?,
        }
    }
    text.finish(out).map_err(Failure::Write)?;
    out.flush().map_err(Failure::Write)
}

/// Redacts the string tokens of one JSON line, or `None` when the line is not JSON.
pub fn redact_json_line(line: &[u8], strings: &mut Redactor) -> Option<Vec<u8>> {
    let body_end = line.len()
        - line
            .iter()
            .rev()
            .take_while(|&&b| b == b'\n' || b == b'\r')
            .count();
    let body = &line[..body_end];
    if body.iter().all(u8::is_ascii_whitespace) {
        return if body.is_empty() {
            Some(line.to_vec())
        } else {
            None
        };
    }
    serde_json::from_slice::<serde::de::IgnoredAny>(body).ok()?;
    let mut out = Vec::with_capacity(line.len());
    let mut i = 0;
    let mut copied = 0;
    // The member name a string value belongs to, so `{"password": "..."}` is scanned as
    // `password=...` and name-based (generic) rules see the name.
    let mut member: Option<String> = None;
    while i < body.len() {
        if body[i] != b'"' {
            if !body[i].is_ascii_whitespace() && body[i] != b':' {
                member = None;
            }
            i += 1;
            continue;
        }
        // The line is valid JSON, so outside strings a quote always opens one.
        let start = i;
        i += 1;
        while i < body.len() && body[i] != b'"' {
            i += if body[i] == b'\\' { 2 } else { 1 };
        }
        let end = (i + 1).min(body.len());
        i = end;
        let token = &body[start..end];
        let Ok(value) = serde_json::from_slice::<String>(token) else {
            continue;
        };
        let is_name = body[end..].iter().find(|b| !b.is_ascii_whitespace()) == Some(&b':');
        let redacted = match member.take().filter(|_| !is_name) {
            Some(name) => redact_member(strings, &name, &value),
            None => redact_str(strings, value.as_bytes()),
        };
        if is_name {
            member = Some(value.clone());
        }
        if redacted != value.as_bytes() {
            out.extend_from_slice(&body[copied..start]);
            let s = String::from_utf8_lossy(&redacted);
            out.extend_from_slice(
                serde_json::to_string(&s)
                    .expect("strings serialise")
                    .as_bytes(),
            );
            copied = end;
        }
    }
    out.extend_from_slice(&line[copied..]);
    Some(out)
}

fn redact_str(r: &mut Redactor, s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    // Writing to a Vec cannot fail.
    let _ = r.feed(s, &mut out).and_then(|_| r.finish(&mut out));
    out
}

/// Redacts a member's string value with its name in front (`name=value`), keeping only the
/// value part; falls back to the value alone if the name itself was touched.
fn redact_member(r: &mut Redactor, name: &str, value: &str) -> Vec<u8> {
    let prefix = format!("{name}=");
    let joined = redact_str(r, format!("{prefix}{value}").as_bytes());
    match joined.strip_prefix(prefix.as_bytes()) {
        Some(v) => v.to_vec(),
        None => redact_str(r, value.as_bytes()),
    }
}
