//! Streaming redaction: input in, the same bytes out with each secret replaced.
//!
//! The redactor is a [`Scanner`] whose output writes the input through. A byte is written once
//! no finding can still cover it (at most [`crate::Engine::window`] bytes after it was fed, or
//! at the end of its line in line mode). Secret bytes are never written; every other byte is
//! written unchanged and in order.

use std::io::{self, Write};

use crate::engine::Engine;
use crate::finding::Finding;
use crate::scanner::{Output, Scanner};

/// How a secret is replaced and how output is flushed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedactOptions {
    /// The replacement, with placeholders `{rule}` (rule id), `{provider}` and `{prefix}` (the
    /// rule's public prefix of the secret, such as `AKIA`; empty when the rule has none).
    /// Default: `[REDACTED:{rule}]`. A prefix-keeping form: `{prefix}…[REDACTED:{rule}]`.
    pub template: String,
    /// Flush at every newline (log streams); no match crosses a line.
    pub line_mode: bool,
}

impl Default for RedactOptions {
    fn default() -> Self {
        RedactOptions {
            template: "[REDACTED:{rule}]".to_string(),
            line_mode: false,
        }
    }
}

impl RedactOptions {
    /// The default template that keeps the rule's public prefix: `{prefix}…[REDACTED:{rule}]`.
    pub const KEEP_PREFIX: &'static str = "{prefix}…[REDACTED:{rule}]";
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    Rule,
    Provider,
    Prefix,
}

fn parse_template(t: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut rest = t;
    while !rest.is_empty() {
        let next = [
            ("{rule}", Part::Rule),
            ("{provider}", Part::Provider),
            ("{prefix}", Part::Prefix),
        ]
        .into_iter()
        .filter_map(|(k, p)| rest.find(k).map(|i| (i, k.len(), p)))
        .min_by_key(|&(i, _, _)| i);
        match next {
            Some((i, klen, p)) => {
                if i > 0 {
                    parts.push(Part::Text(rest[..i].to_string()));
                }
                parts.push(p);
                rest = &rest[i + klen..];
            }
            None => {
                parts.push(Part::Text(rest.to_string()));
                rest = "";
            }
        }
    }
    parts
}

/// Streams input to a writer with secrets replaced.
pub struct Redactor {
    scanner: Scanner,
    state: RedactState,
}

struct RedactState {
    parts: Vec<Part>,
    /// Absolute offset of the next input byte to write (or skip, when inside a secret).
    written: u64,
    /// Findings redacted per rule index.
    counts: Vec<u64>,
    /// Flush the writer whenever a line is complete.
    line_flush: bool,
}

struct RedactOutput<'a, W: Write> {
    state: &'a mut RedactState,
    w: &'a mut W,
}

impl<W: Write> RedactOutput<'_, W> {
    /// Writes input bytes from `written` up to `upto` unchanged.
    fn write_through(&mut self, buf: &[u8], buf_abs: u64, upto: u64) -> io::Result<()> {
        if upto > self.state.written {
            let from = (self.state.written - buf_abs) as usize;
            let to = (upto - buf_abs) as usize;
            self.w.write_all(&buf[from..to])?;
            self.state.written = upto;
        }
        Ok(())
    }
}

impl<W: Write> Output for RedactOutput<'_, W> {
    type Error = io::Error;

    fn finding(&mut self, buf: &[u8], buf_abs: u64, f: &Finding<'_>) -> io::Result<()> {
        let span = f.span();
        self.state.counts[f.rule_index()] += 1;
        if span.start < self.state.written {
            // Overlaps the previous secret: extend that redaction instead of starting another.
            self.state.written = self.state.written.max(span.end);
            return Ok(());
        }
        self.write_through(buf, buf_abs, span.start)?;
        let secret = f.expose_secret();
        for part in &self.state.parts {
            match part {
                Part::Text(t) => self.w.write_all(t.as_bytes())?,
                Part::Rule => self.w.write_all(f.rule_id().as_bytes())?,
                Part::Provider => self.w.write_all(f.provider().as_bytes())?,
                // The rule declares this many leading bytes public; never more than a third.
                Part::Prefix => self
                    .w
                    .write_all(&secret[..f.rule().keep_prefix.min(secret.len() / 3)])?,
            }
        }
        self.state.written = span.end;
        Ok(())
    }

    fn settled(&mut self, buf: &[u8], buf_abs: u64, upto: u64) -> io::Result<()> {
        self.write_through(buf, buf_abs, upto)?;
        if self.state.line_flush {
            self.w.flush()?;
        }
        Ok(())
    }

    fn needs_from(&self) -> u64 {
        self.state.written
    }
}

impl Redactor {
    pub(crate) fn new(engine: Engine, options: RedactOptions) -> Redactor {
        let mut scanner = engine.scanner();
        scanner.set_line_mode(options.line_mode);
        let counts = vec![0; engine.0.rules.len()];
        Redactor {
            scanner,
            state: RedactState {
                parts: parse_template(&options.template),
                written: 0,
                counts,
                line_flush: options.line_mode,
            },
        }
    }

    /// Feeds a chunk; writes every byte that is decided.
    ///
    /// # Errors
    /// The writer's error. Bytes accepted before the error have been written.
    pub fn feed<W: Write>(&mut self, chunk: &[u8], w: &mut W) -> io::Result<()> {
        self.scanner.feed_to(
            chunk,
            &mut RedactOutput {
                state: &mut self.state,
                w,
            },
        )
    }

    /// Ends the stream: writes the rest, then resets for the next stream.
    ///
    /// # Errors
    /// The writer's error.
    pub fn finish<W: Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.scanner.finish_to(&mut RedactOutput {
            state: &mut self.state,
            w,
        })?;
        self.state.written = 0;
        Ok(())
    }

    /// Secrets redacted so far, per rule index (see [`Engine::rules`]).
    pub fn counts(&self) -> &[u64] {
        &self.state.counts
    }
}
