//! Leak audit (issue 9): run everything that prints over inputs holding fake secrets, capture
//! all of it, and assert no full secret appears, except where the user asked for raw values
//! with `--show-secrets` (checked too, so this test can tell output that hides secrets from
//! output that never had them).
//!
//! Covers the CLI's text, JSON and SARIF reports (files, stdin, git history, staged), its
//! baseline file, `redact` in both formats, `rules`, error messages (bad rules, unreadable
//! paths, bad baseline), and the engine's `Debug`/`Display` of findings, scanners, engines,
//! redactors' counts and errors. The Python and JS hosts have their own audits
//! (`bindings/python/tests/test_leak_audit.py`, `bindings/node/test/leak-audit.test.mjs`,
//! `wasm/test/reliability-node.mjs`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use secretsift::sink::Collect;
use secretsift::{Engine, RedactOptions};

/// Fake secrets of several rules, assembled at run time.
fn secrets() -> Vec<(&'static str, String)> {
    vec![
        (
            "aws-access-key-id",
            format!("{}{}", "AKIA", "Q3EGRT4WZYPLN5DX"),
        ),
        (
            "github-pat-classic",
            format!("{}{}", "ghp_", "T7kun60ePONxZti3ElM6fuVCUHNjcr4TTydK"),
        ),
        (
            "stripe-secret-key-live",
            format!("{}{}", "sk_live_", "pdOAHLUUIyNzCHjmlBFJp1vm"),
        ),
    ]
}

fn document() -> String {
    let s = secrets();
    format!(
        "# config\naws_access_key_id = {}\nGITHUB_TOKEN={}\nstripe: \"{}\"\n",
        s[0].1, s[1].1, s[2].1
    )
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_secretsift"));
    c.env("NO_COLOR", "1");
    c
}

fn tmp(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("secretsift-leak-audit")
        .join(name);
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

/// Everything a command printed (stdout and stderr), with its exit code.
fn capture(cmd: &mut Command, stdin: Option<&str>) -> (i32, String) {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    {
        use std::io::Write;
        let mut i = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            i.write_all(s.as_bytes()).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// Asserts no planted secret appears in `text`; `what` names the output.
fn assert_clean(what: &str, text: &str) {
    for (rule, s) in secrets() {
        assert!(
            !text.contains(s.as_str()),
            "{what}: the full {rule} secret appears in the output:\n{text}"
        );
    }
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .unwrap()
        .status
        .success();
    assert!(ok, "git {args:?}");
}

#[test]
fn cli_outputs_never_show_a_secret_unless_asked() {
    let d = tmp("cli");
    fs::write(d.join("config.env"), document()).unwrap();
    fs::write(d.join("second.txt"), document()).unwrap();
    let mut findings_seen = 0;
    for format in ["text", "json", "sarif"] {
        let (code, out) = capture(
            bin()
                .current_dir(&d)
                .args(["scan", "--no-config", "-f", format, "."]),
            None,
        );
        assert_eq!(code, 1, "{format}: findings exit 1\n{out}");
        assert!(out.contains("aws-access-key-id"), "{format}: {out}");
        assert_clean(&format!("scan -f {format}"), &out);
        findings_seen += 1;
        // stdin, and the report written to a file
        let (_, out) = capture(
            bin().args(["scan", "--no-config", "-f", format, "-"]),
            Some(&document()),
        );
        assert_clean(&format!("scan - -f {format}"), &out);
        let report = d.join(format!("report.{format}"));
        let (_, out) = capture(
            bin().current_dir(&d).args([
                "scan",
                "--no-config",
                "-f",
                format,
                "-o",
                report.to_str().unwrap(),
                "config.env",
            ]),
            None,
        );
        assert_clean("scan -o (terminal)", &out);
        assert_clean("scan -o (file)", &fs::read_to_string(&report).unwrap());
    }
    assert_eq!(findings_seen, 3);

    // Baseline file and scans against it.
    let baseline = d.join("baseline.json");
    let (_, out) = capture(
        bin().current_dir(&d).args([
            "scan",
            "--no-config",
            "--write-baseline",
            baseline.to_str().unwrap(),
            "config.env",
        ]),
        None,
    );
    assert_clean("--write-baseline", &out);
    assert_clean("baseline file", &fs::read_to_string(&baseline).unwrap());

    // Git history and the index.
    let repo = tmp("repo");
    git(&repo, &["init", "-q"]);
    fs::write(repo.join("app.env"), document()).unwrap();
    git(&repo, &["add", "app.env"]);
    git(&repo, &["commit", "-qm", "add config"]);
    fs::write(repo.join("app.env"), "cleaned\n").unwrap();
    git(&repo, &["commit", "-qam", "remove"]);
    fs::write(repo.join("staged.env"), document()).unwrap();
    git(&repo, &["add", "staged.env"]);
    for args in [&["--git"][..], &["--staged"]] {
        for format in ["text", "json", "sarif"] {
            let (code, out) = capture(
                bin()
                    .current_dir(&repo)
                    .args(["scan", "--no-config", "-f", format])
                    .args(args),
                None,
            );
            assert_eq!(code, 1, "{args:?} {format}: {out}");
            assert_clean(&format!("scan {args:?} -f {format}"), &out);
        }
    }

    // redact, both formats, and its summary on stderr.
    let (_, out) = capture(bin().args(["redact", "--no-config"]), Some(&document()));
    assert!(out.contains("[REDACTED:aws-access-key-id]"), "{out}");
    assert_clean("redact", &out);
    let json = secrets()
        .iter()
        .map(|(_, s)| format!("{{\"msg\":\"key {s}\",\"token\":\"{s}\"}}\n"))
        .collect::<String>();
    let (_, out) = capture(
        bin().args(["redact", "--no-config", "-f", "json"]),
        Some(&json),
    );
    assert_clean("redact -f json", &out);

    // Errors: rules files with secrets in them, unreadable paths, a bad baseline.
    let bad_rules = d.join("bad-rules.toml");
    for text in [
        // a syntax error on a line that holds a secret
        format!("[[rules]]\nid = \"x\"\nregex = {}\n", secrets()[0].1),
        // a regex error in a rule whose allowlist names a secret
        format!(
            "[[rules]]\nid = \"x\"\nprovider = \"p\"\nregex = '''(ab'''\nkeywords = [\"ab\"]\nallowlist = {{ stopwords = [\"{}\"] }}\n",
            secrets()[1].1
        ),
    ] {
        fs::write(&bad_rules, text).unwrap();
        let (code, out) = capture(
            bin().current_dir(&d).args([
                "scan",
                "--no-config",
                "--rules",
                bad_rules.to_str().unwrap(),
                ".",
            ]),
            None,
        );
        assert_eq!(code, 2, "{out}");
        assert_clean("bad rules error", &out);
    }
    fs::write(d.join("bad-baseline.json"), document()).unwrap();
    let (code, out) = capture(
        bin().current_dir(&d).args([
            "scan",
            "--no-config",
            "--baseline",
            "bad-baseline.json",
            "config.env",
        ]),
        None,
    );
    assert_eq!(code, 2, "{out}");
    assert_clean("bad baseline error", &out);
    let (_, out) = capture(
        bin()
            .current_dir(&d)
            .args(["scan", "--no-config", "does-not-exist", "config.env"]),
        None,
    );
    assert_clean("missing path error", &out);
    let (_, out) = capture(bin().args(["rules", "--no-config", "-f", "json"]), None);
    assert_clean("rules", &out);

    // The explicit flag shows them: so the checks above would see a leak.
    let (_, out) = capture(
        bin().current_dir(&d).args([
            "scan",
            "--no-config",
            "-f",
            "json",
            "--show-secrets",
            "config.env",
        ]),
        None,
    );
    for (rule, s) in secrets() {
        assert!(
            out.contains(s.as_str()),
            "--show-secrets shows the {rule} secret:\n{out}"
        );
    }
}

#[test]
fn engine_debug_and_display_never_show_a_secret() {
    let engine = Engine::with_default_rules().unwrap();
    let doc = document();
    let mut shown = String::new();
    let mut sc = engine.scanner();
    let mut sink = secretsift::sink::FnSink(|f: &secretsift::Finding<'_>| {
        shown.push_str(&format!("{f:?}\n{f}\n{:?}\n{}\n", f.preview(), f.preview()));
        let buf = f.to_buf();
        shown.push_str(&format!("{buf:?}\n{buf}\n"));
    });
    let Ok(()) = sc.feed(doc.as_bytes(), &mut sink);
    let Ok(()) = sc.finish(&mut sink);
    let mut collect = Collect::default();
    let Ok(()) = sc.scan(doc.as_bytes(), &mut collect);
    assert_eq!(collect.findings.len(), 3, "{:?}", collect.findings);
    shown.push_str(&format!("{collect:?}\n{sc:?}\n{engine:?}\n"));
    let mut r = engine.redactor(RedactOptions::default());
    let mut out = Vec::new();
    r.feed(doc.as_bytes(), &mut out).unwrap();
    r.finish(&mut out).unwrap();
    shown.push_str(&String::from_utf8_lossy(&out));
    // A rule error about a rule that names a secret.
    let mut b = Engine::builder();
    b.default_rules(false);
    let e = b
        .add_toml(
            &format!("[[rules]]\nid = \"x\"\nregex = {}\n", secrets()[0].1),
            "rules.toml",
        )
        .unwrap_err();
    shown.push_str(&format!("{e}\n{e:?}\n"));
    assert!(shown.contains("AKIA************"), "{shown}");
    assert_clean("engine Debug/Display", &shown);
    // The raw bytes come out through the explicit accessor only.
    let raw: Vec<String> = collect
        .findings
        .iter()
        .map(|f| String::from_utf8_lossy(f.expose_secret()).into_owned())
        .collect();
    for (rule, s) in secrets() {
        assert!(raw.contains(&s), "expose_secret returns the {rule} secret");
    }
}
