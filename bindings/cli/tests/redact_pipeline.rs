//! `secretsift redact` in a log pipeline whose far end fails: a reader that stops early
//! (`| head -c N`, a consumer that closes its end) and a write that fails (`> /dev/full`). In
//! each case the tool exits non-zero with a message that says what happened, and what the
//! reader did get is exactly the start of the redacted stream, with no byte lost or altered.

use std::io::{Read, Write};
use std::process::{Command, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_secretsift"))
}

fn key(i: usize) -> String {
    // `AKIA` + 16 base32 letters, assembled at run time.
    let tail: String = (0..4)
        .map(|k| b"BCDFGHJKLMNPQRST"[(i >> (4 * k)) & 15] as char)
        .collect();
    format!("{}{}{tail}", "AKIA", "Q3EGRT4WZYPL")
}

/// Log lines, a key on every 7th, and what the default redaction makes of them.
fn log(lines: usize) -> (Vec<u8>, Vec<u8>) {
    let (mut input, mut expected) = (Vec::new(), Vec::new());
    for i in 0..lines {
        let (a, b) = if i % 7 == 3 {
            let k = key(i);
            (
                format!("{i} level=info login key={k} ok\n"),
                format!("{i} level=info login key=[REDACTED:aws-access-key-id] ok\n"),
            )
        } else {
            let l = format!("{i} level=debug request handled path=/api/{}\n", i * 31);
            (l.clone(), l)
        };
        input.extend_from_slice(a.as_bytes());
        expected.extend_from_slice(b.as_bytes());
    }
    (input, expected)
}

/// Starts `secretsift redact` and feeds it `input` from a thread (until it stops reading).
fn spawn_fed(input: Vec<u8>, stdout: Stdio) -> std::process::Child {
    let mut child = bin()
        .args(["redact", "--no-config"])
        .stdin(Stdio::piped())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    std::thread::spawn(move || {
        // Fails with EPIPE once the redactor has exited: that is expected here.
        let _ = stdin.write_all(&input);
    });
    child
}

fn stderr_of(child: &mut std::process::Child) -> String {
    let mut s = String::new();
    child.stderr.take().unwrap().read_to_string(&mut s).unwrap();
    s
}

#[test]
fn piped_into_head_the_reader_gets_an_exact_prefix_and_the_tool_says_it_stopped() {
    let (input, expected) = log(400_000); // ~16 MiB: far more than head takes
    let n = 1_000_003;
    let mut child = spawn_fed(input, Stdio::piped());
    let head = Command::new("head")
        .arg("-c")
        .arg(n.to_string())
        .stdin(Stdio::from(child.stdout.take().unwrap()))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let got = head.wait_with_output().unwrap().stdout;
    let err = stderr_of(&mut child);
    let status = child.wait().unwrap();
    assert_eq!(got.len(), n);
    assert!(
        got == expected[..n],
        "head did not get the start of the redacted stream"
    );
    assert_eq!(status.code(), Some(141), "{err}");
    assert!(
        err.contains("secretsift: error: stdout was closed by its reader after")
            && err.contains("the rest of the input was not passed on"),
        "{err}"
    );
    // The count it reports covers at least what head read.
    let count: u64 = err
        .split("after ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no byte count in {err:?}"));
    assert!(count >= n as u64, "{err}");
}

#[test]
fn a_reader_that_closes_mid_stream_got_every_byte_before_it_closed() {
    let (input, expected) = log(400_000);
    let mut child = spawn_fed(input, Stdio::piped());
    let mut out = child.stdout.take().unwrap();
    // Read an odd amount in odd pieces, then close.
    let mut got = Vec::new();
    let mut buf = [0u8; 7919];
    while got.len() < 300_000 {
        let k = out.read(&mut buf).unwrap();
        assert!(k > 0, "output ended early");
        got.extend_from_slice(&buf[..k]);
    }
    drop(out);
    let err = stderr_of(&mut child);
    let status = child.wait().unwrap();
    assert!(
        got == expected[..got.len()],
        "bytes read differ from the redacted stream"
    );
    assert_eq!(status.code(), Some(141), "{err}");
    assert!(err.contains("stdout was closed by its reader"), "{err}");
}

#[test]
fn a_failing_write_exits_2_naming_the_error() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let (input, _) = log(50_000);
    let mut child = spawn_fed(input, Stdio::from(full));
    let err = stderr_of(&mut child);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(
        err.contains("secretsift: error: stdout: write failed after 0 bytes of output")
            && err.contains("No space left on device"),
        "{err}"
    );
}

#[test]
fn a_complete_stream_still_ends_cleanly() {
    // The counterpart of the tests above: nothing fails, every byte arrives, exit 0.
    let (input, expected) = log(20_000);
    let child = spawn_fed(input, Stdio::piped());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout == expected);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2857 secret(s) redacted"), "{err}");
}
