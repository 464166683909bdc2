//! `secretsift redact --rsyslog`: rsyslog's mmexternal protocol, driven the way rsyslog drives
//! it (one message written, one reply read, then the next). The real daemon runs in
//! tests/syslog/run.sh.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::Value;

fn aws() -> String {
    format!("{}{}", "AKIA", "Q3EGRT4WZYPLN5DX")
}

fn tmp(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("secretsift-rsyslog")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

struct Plugin {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Plugin {
    fn start(args: &[&str]) -> Plugin {
        let mut child = Command::new(env!("CARGO_BIN_EXE_secretsift"))
            .args(["redact", "--no-config"])
            .args(args)
            // Like mmexternal: no environment, and stderr would be read as replies.
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Plugin {
            child,
            stdin,
            stdout,
        }
    }

    /// Sends one message line and reads its reply; blocks (the test would hang, then time out)
    /// if the reply is not flushed before the next message is sent.
    fn ask(&mut self, line: &[u8]) -> Vec<u8> {
        self.stdin.write_all(line).unwrap();
        self.stdin.write_all(b"\n").unwrap();
        self.stdin.flush().unwrap();
        let mut reply = Vec::new();
        self.stdout.read_until(b'\n', &mut reply).unwrap();
        assert_eq!(reply.last(), Some(&b'\n'), "one reply line per message");
        reply
    }

    /// Ends input and returns (exit code, stderr).
    fn finish(self) -> (i32, String) {
        let Plugin { child, stdin, .. } = self;
        drop(stdin);
        let out = child.wait_with_output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

fn json(reply: &[u8]) -> Value {
    serde_json::from_slice(reply).unwrap()
}

#[test]
fn msg_mode_replies_once_per_message_in_order() {
    let mut p = Plugin::start(&["--rsyslog"]);
    for i in 0..200 {
        let line = if i % 3 == 0 {
            format!("{i} login key={}", aws())
        } else {
            format!("{i} plain \"quoted\" \\ back\tslash")
        };
        let reply = p.ask(line.as_bytes());
        if i % 3 == 0 {
            assert_eq!(
                json(&reply),
                serde_json::json!({"msg": format!("{i} login key=[REDACTED:aws-access-key-id]")})
            );
        } else {
            // Nothing to change: the empty object, as the protocol asks.
            assert_eq!(reply, b"{}\n");
        }
    }
    let (code, err) = p.finish();
    assert_eq!(
        (code, err.as_str()),
        (0, ""),
        "nothing on stderr: mmexternal reads it"
    );
}

#[test]
fn fulljson_redacts_msg_keeping_every_other_byte_even_invalid_utf8() {
    let mut p = Plugin::start(&["--rsyslog", "fulljson"]);
    // As rsyslog writes it: bytes that are not UTF-8 copied raw into the JSON string.
    let mut line = b"{ \"msg\": \"line1\\nline2 \xff\xfe key=".to_vec();
    line.extend_from_slice(aws().as_bytes());
    line.extend_from_slice(b" \\u00e9\\/\\\"q\\\"\", \"rawmsg\": \"<13>1 - - line1\\nline2 key=");
    line.extend_from_slice(aws().as_bytes());
    line.extend_from_slice(b"\", \"hostname\": \"h\", \"$!\": null }");
    let reply = p.ask(&line);
    let mut want = b"{\"msg\":\"line1\\nline2 \xff\xfe key=[REDACTED:aws-access-key-id] ".to_vec();
    want.extend_from_slice("é/\\\"q\\\"\"}\n".as_bytes());
    assert_eq!(
        String::from_utf8_lossy(&reply),
        String::from_utf8_lossy(&want)
    );
    assert_eq!(reply, want);
    // A PEM key spans the lines of one message.
    let body = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\\n\
                VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK";
    let pem = format!(
        "{{\"msg\": \"dump:\\n-----BEGIN RSA {k}-----\\n{body}\\n-----END RSA {k}-----\\ndone\"}}",
        k = "PRIVATE KEY"
    );
    assert_eq!(
        json(&p.ask(pem.as_bytes())),
        serde_json::json!({"msg": "dump:\n[REDACTED:private-key-pem]\ndone"})
    );
    assert_eq!(p.finish(), (0, String::new()));
}

#[test]
fn failures_pass_through_marked_and_are_counted_in_the_stats_file() {
    let dir = tmp("stats");
    let stats = dir.join("stats.txt");
    let stats_arg = stats.to_str().unwrap();
    let mut p = Plugin::start(&[
        "--rsyslog",
        "fulljson",
        "--max-message",
        "40",
        "--stats",
        stats_arg,
    ]);
    let long = format!("{} {}", "x".repeat(40), aws());
    assert_eq!(
        json(&p.ask(format!("{{\"msg\": \"{long}\"}}").as_bytes())),
        serde_json::json!({"msg": format!("[secretsift: redaction failed] {long}")})
    );
    // Not a JSON object: still one reply, the message kept as rsyslog has it.
    assert_eq!(p.ask(b"not json"), b"{}\n");
    assert_eq!(
        json(&p.ask(format!("{{\"msg\": \"k={}\"}}", aws()).as_bytes())),
        serde_json::json!({"msg": "k=[REDACTED:aws-access-key-id]"})
    );
    assert_eq!(p.finish(), (0, String::new()));
    let text = std::fs::read_to_string(&stats).unwrap();
    assert!(
        text.ends_with(
            ": 3 message(s), 1 secret(s) redacted, 2 failed (passed through with the marker): \
             aws-access-key-id=1\n"
        ),
        "{text}"
    );
}

#[test]
fn rawmsg_mode_sets_rawmsg() {
    let mut p = Plugin::start(&["--rsyslog=rawmsg"]);
    assert_eq!(
        json(&p.ask(format!("<13>1 - h app - - - key={}", aws()).as_bytes())),
        serde_json::json!({"rawmsg": "<13>1 - h app - - - key=[REDACTED:aws-access-key-id]"})
    );
    assert_eq!(p.finish(), (0, String::new()));
}

#[test]
fn rsyslog_options_need_rsyslog_mode() {
    let out = Command::new(env!("CARGO_BIN_EXE_secretsift"))
        .args(["redact", "--no-config", "--max-message", "10"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--rsyslog"));
}
