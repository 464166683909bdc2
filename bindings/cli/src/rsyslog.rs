//! `secretsift redact --rsyslog`: rsyslog's external message modification protocol
//! (the `mmexternal` action).
//!
//! rsyslog writes one message per line to the program's stdin and waits for exactly one reply
//! line per message, in order, before it sends the next. A reply is a JSON object holding only
//! the properties to change, `{}` when none. With `interface.input="msg"` or `"rawmsg"` the
//! line is that property's bytes (so a raw newline inside a message would cut it in two lines,
//! answered by two replies, and every later reply would belong to the message before: these
//! modes need rsyslog's default escaping of control characters); with `"fulljson"` it is the
//! whole message object as JSON, the form that keeps multi-line messages whole. rsyslog copies bytes that are not UTF-8 into its JSON unescaped, and reads
//! them back the same way, so the JSON here is read and written byte-wise rather than with
//! serde_json (which would reject such a line and lose the message's redaction).
//!
//! A message the filter does not redact (longer than `--max-message`, or, with `fulljson`, a
//! line that is not a JSON object) is never held back: its reply still comes, in order; the
//! message keeps every byte, prefixed with [`MARKER`] where the filter knows the property, and
//! is counted as failed. mmexternal connects the program's stderr to the same pipe as its
//! stdout, so nothing is written to stderr while running: the counts go to `--stats FILE`.

use std::fs::OpenOptions;
use std::io::{self, BufRead, Write};
use std::path::Path;

use secretsift::{Engine, Redactor};

use crate::{RedactArgs, RsyslogInput, EXIT_BROKEN_PIPE, EXIT_CLEAN, EXIT_ERROR};

/// Prefix of a message passed through without redaction (the Python integrations use the same).
pub const MARKER: &[u8] = b"[secretsift: redaction failed] ";

/// The message property redacted in `fulljson` mode. Only `msg`: rsyslog rebuilds `rawmsg`
/// (header + new `msg`) when `msg` is replaced, while setting `rawmsg` as well would keep the
/// old offset of `msg` inside it and shift `msg` whenever its length changed.
const FULLJSON_PROPERTIES: [&str; 1] = ["msg"];

/// Nesting depth of JSON values the `fulljson` reader follows before it gives up on a line.
const MAX_DEPTH: usize = 128;

/// One mmexternal worker: turns each input line into its reply line.
pub struct Filter<'r> {
    redactor: &'r mut Redactor,
    input: RsyslogInput,
    max_message: usize,
    /// Messages answered.
    pub messages: u64,
    /// Messages passed through without redaction.
    pub failed: u64,
    scratch: Vec<u8>,
}

impl<'r> Filter<'r> {
    /// `redactor` should not be in line mode: a message is one unit, and a secret may span its
    /// lines (a PEM private key logged as one multi-line message).
    pub fn new(
        redactor: &'r mut Redactor,
        input: RsyslogInput,
        max_message: Option<usize>,
    ) -> Self {
        Filter {
            redactor,
            input,
            max_message: max_message.unwrap_or(usize::MAX),
            messages: 0,
            failed: 0,
            scratch: Vec::new(),
        }
    }

    /// Appends the reply to one input line (given without its LF) to `reply`, LF included.
    pub fn reply(&mut self, line: &[u8], reply: &mut Vec<u8>) {
        self.messages += 1;
        let start = reply.len();
        reply.push(b'{');
        let mut failed = false;
        match self.input {
            RsyslogInput::Msg => self.property("msg", line, start, reply, &mut failed),
            RsyslogInput::Rawmsg => self.property("rawmsg", line, start, reply, &mut failed),
            RsyslogInput::Fulljson => match string_members(line, &FULLJSON_PROPERTIES) {
                Some(values) => {
                    for (name, value) in values {
                        self.property(name, &value, start, reply, &mut failed);
                    }
                }
                // rsyslog itself always sends an object; answering `{}` keeps the message.
                None => failed = true,
            },
        }
        self.failed += u64::from(failed);
        reply.extend_from_slice(b"}\n");
    }

    /// Adds `"name":"<redacted value>"` to the reply if redaction changed the value.
    fn property(
        &mut self,
        name: &str,
        value: &[u8],
        start: usize,
        reply: &mut Vec<u8>,
        failed: &mut bool,
    ) {
        self.scratch.clear();
        if value.len() > self.max_message {
            *failed = true;
            self.scratch.extend_from_slice(MARKER);
            self.scratch.extend_from_slice(value);
        } else {
            // Writing into a Vec cannot fail.
            let _ = self.redactor.feed(value, &mut self.scratch);
            let _ = self.redactor.finish(&mut self.scratch);
            if self.scratch == value {
                return;
            }
        }
        if reply.len() > start + 1 {
            reply.push(b',');
        }
        reply.push(b'"');
        reply.extend_from_slice(name.as_bytes());
        reply.extend_from_slice(b"\":\"");
        escape_into(&self.scratch, reply);
        reply.push(b'"');
    }
}

/// `secretsift redact --rsyslog`: serves stdin until it ends, then appends the counts to
/// `--stats FILE`. Problems are reported there too, never on stderr (see the module docs).
pub fn run(engine: &Engine, redactor: &mut Redactor, input: RsyslogInput, args: &RedactArgs) -> u8 {
    let mut filter = Filter::new(redactor, input, args.max_message);
    let result = serve(
        &mut io::stdin().lock(),
        &mut io::stdout().lock(),
        &mut filter,
    );
    let (code, problem) = match result {
        Ok(()) => (EXIT_CLEAN, None),
        Err(Failure::Write(e)) if e.kind() == io::ErrorKind::BrokenPipe => (EXIT_BROKEN_PIPE, None),
        Err(Failure::Write(e)) => (EXIT_ERROR, Some(format!("stdout: {e}"))),
        Err(Failure::Read(e)) => (EXIT_ERROR, Some(format!("stdin: {e}"))),
    };
    if let Some(path) = &args.stats {
        let mut text = summary(engine, &filter);
        if let Some(p) = problem {
            text = format!("secretsift: error: {p}\n{text}");
        }
        // Nowhere left to report a failure to write the report: the exit code says it.
        if append_line(path, &text).is_err() {
            return EXIT_ERROR;
        }
    }
    code
}

/// Why [`serve`] stopped before the end of its input.
pub enum Failure {
    Read(io::Error),
    Write(io::Error),
}

/// Runs the protocol until stdin ends. Read and write errors are returned; the caller maps them
/// to exit codes as for the other `redact` modes.
pub fn serve(
    input: &mut impl BufRead,
    out: &mut impl Write,
    filter: &mut Filter<'_>,
) -> Result<(), Failure> {
    let mut line = Vec::new();
    let mut reply = Vec::new();
    loop {
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e) => return Err(Failure::Read(e)),
        }
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        reply.clear();
        filter.reply(&line, &mut reply);
        // rsyslog waits for this reply before it sends the next message: flush every time.
        out.write_all(&reply)
            .and_then(|()| out.flush())
            .map_err(Failure::Write)?;
    }
}

/// The summary line appended to `--stats FILE` at exit.
pub fn summary(engine: &Engine, filter: &Filter<'_>) -> String {
    let counts = filter.redactor.counts();
    let total: u64 = counts.iter().sum();
    let mut s = format!(
        "secretsift redact --rsyslog: pid {}: {} message(s), {total} secret(s) redacted, {} \
         failed (passed through with the marker)",
        std::process::id(),
        filter.messages,
        filter.failed,
    );
    crate::redact::push_per_rule(&mut s, engine, counts);
    s
}

/// Appends `line` to `path` in one write, so several workers' lines do not interleave.
pub fn append_line(path: &Path, line: &str) -> io::Result<()> {
    let mut f = OpenOptions::new().create(true).append(true).open(path)?;
    f.write_all(format!("{line}\n").as_bytes())
}

/// Escapes bytes as the inside of a JSON string. Bytes from 0x80 up are copied as they are
/// (rsyslog reads them back byte for byte, valid UTF-8 or not).
fn escape_into(value: &[u8], out: &mut Vec<u8>) {
    for &b in value {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0..=0x1f => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
            _ => out.push(b),
        }
    }
}

/// The string values of the top-level members named in `names`, in the order they appear,
/// decoded to bytes; `None` if `json` is not one JSON object. Members of other types are
/// skipped. Lenient where rsyslog is: raw bytes (invalid UTF-8, control characters) inside
/// strings are taken as they are.
pub fn string_members(json: &[u8], names: &[&'static str]) -> Option<Vec<(&'static str, Vec<u8>)>> {
    let mut c = Cursor { b: json, i: 0 };
    let mut found = Vec::new();
    c.ws();
    c.eat(b'{')?;
    c.ws();
    if c.peek() == Some(b'}') {
        c.i += 1;
    } else {
        loop {
            c.ws();
            let key = c.string()?;
            c.ws();
            c.eat(b':')?;
            c.ws();
            let wanted = names.iter().find(|n| n.as_bytes() == key.as_slice());
            match wanted {
                Some(name) if c.peek() == Some(b'"') => found.push((*name, c.string()?)),
                _ => c.skip_value(0)?,
            }
            c.ws();
            match c.next()? {
                b',' => continue,
                b'}' => break,
                _ => return None,
            }
        }
    }
    c.ws();
    (c.i == json.len()).then_some(found)
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.i += 1;
        Some(b)
    }

    fn eat(&mut self, want: u8) -> Option<()> {
        (self.next()? == want).then_some(())
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    /// A string at the cursor, decoded.
    fn string(&mut self) -> Option<Vec<u8>> {
        self.eat(b'"')?;
        let mut out = Vec::new();
        loop {
            // Copy the run up to the next quote or backslash in one go.
            let rest = &self.b[self.i..];
            let run = memchr::memchr2(b'"', b'\\', rest)?;
            out.extend_from_slice(&rest[..run]);
            self.i += run;
            if self.next()? == b'"' {
                return Some(out);
            }
            let unescaped = match self.next()? {
                b'u' => {
                    let c = self.unicode_escape()?;
                    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                    continue;
                }
                b'"' => b'"',
                b'\\' => b'\\',
                b'/' => b'/',
                b'b' => 0x08,
                b'f' => 0x0c,
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                _ => return None,
            };
            out.push(unescaped);
        }
    }

    /// The character of a `\uXXXX` escape (the `\u` already read), joining surrogate pairs.
    /// A lone surrogate becomes U+FFFD, as it has no UTF-8 form.
    fn unicode_escape(&mut self) -> Option<char> {
        let hi = self.hex4()?;
        if (0xD800..0xDC00).contains(&hi) && self.b[self.i..].starts_with(b"\\u") {
            let save = self.i;
            self.i += 2;
            let lo = self.hex4()?;
            if (0xDC00..0xE000).contains(&lo) {
                let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                return char::from_u32(c);
            }
            self.i = save;
        }
        Some(char::from_u32(hi).unwrap_or(char::REPLACEMENT_CHARACTER))
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.b.get(self.i..self.i + 4)?;
        let s = std::str::from_utf8(digits).ok()?;
        let v = u32::from_str_radix(s, 16).ok()?;
        self.i += 4;
        Some(v)
    }

    fn skip_value(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'"' => self.string().map(drop),
            open @ (b'{' | b'[') => {
                let close = if open == b'{' { b'}' } else { b']' };
                self.i += 1;
                self.ws();
                if self.peek() == Some(close) {
                    self.i += 1;
                    return Some(());
                }
                loop {
                    self.ws();
                    if open == b'{' {
                        self.string()?;
                        self.ws();
                        self.eat(b':')?;
                        self.ws();
                    }
                    self.skip_value(depth + 1)?;
                    self.ws();
                    match self.next()? {
                        b',' => continue,
                        c if c == close => return Some(()),
                        _ => return None,
                    }
                }
            }
            _ => {
                // A number or a literal (true, false, null).
                let start = self.i;
                while matches!(
                    self.peek(),
                    Some(b'-' | b'+' | b'.' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z')
                ) {
                    self.i += 1;
                }
                (self.i > start).then_some(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_named_string_members_of_rsyslogs_json() {
        let line = b"{ \"msg\": \"a\\nb \\\"q\\\" \\/ \\u00e9 \\ud83d\\ude00 \xff\xfe\", \"n\": -1.5e3, \
                     \"x\": [1, {\"msg\": \"inner\"}, null], \"rawmsg\": \"<13>raw\", \"$!\": null }";
        let got = string_members(line, &["msg", "rawmsg"]).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, "msg");
        assert_eq!(
            got[0].1,
            "a\nb \"q\" / \u{e9} \u{1F600} "
                .bytes()
                .chain([0xff, 0xfe])
                .collect::<Vec<u8>>()
        );
        assert_eq!(got[1], ("rawmsg", b"<13>raw".to_vec()));
    }

    #[test]
    fn anything_but_one_object_is_refused() {
        for bad in [
            &b""[..],
            b"[]",
            b"\"msg\"",
            b"{\"msg\": \"open",
            b"{\"msg\": \"x\"} trailing",
            b"{\"msg\" \"x\"}",
            b"{\"msg\": \"bad \\q escape\"}",
            b"{\"a\": }",
        ] {
            assert_eq!(
                string_members(bad, &["msg"]),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        let deep = format!("{{\"a\": {}{}}}", "[".repeat(500), "]".repeat(500));
        assert_eq!(string_members(deep.as_bytes(), &["msg"]), None);
        assert_eq!(string_members(b" { } ", &["msg"]), Some(vec![]));
    }

    #[test]
    fn escaping_round_trips_every_byte() {
        let all: Vec<u8> = (0..=255u8).collect();
        let mut json = b"{\"msg\":\"".to_vec();
        escape_into(&all, &mut json);
        json.extend_from_slice(b"\"}");
        assert_eq!(string_members(&json, &["msg"]), Some(vec![("msg", all)]));
    }
}
