//! Integration tests: the real `secretsift` binary on trees built at run time.
//!
//! Fake keys are assembled from parts here so this file does not itself look like a leak;
//! files with literal fake keys live under `tests/fixtures/` (allowlisted).

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn aws() -> String {
    format!("{}{}", "AKIA", "Q3EGRT4WZYPLN5DX")
}
fn aws2() -> String {
    format!("{}{}", "AKIA", "Y7MB4XQ2KC3JDL6W")
}
fn aws3() -> String {
    format!("{}{}", "ASIA", "J5RT2WQ7MPL3XZ4N")
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_secretsift"))
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A fresh directory for one test.
fn tmp(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("secretsift-cli")
        .join(name);
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

fn write(dir: &Path, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(&p, content).unwrap();
    p
}

struct Run {
    code: i32,
    out: String,
    err: String,
}

fn run(cmd: &mut Command, stdin: Option<&[u8]>) -> Run {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.map(<[u8]>::to_vec).unwrap_or_default();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().unwrap();
    writer.join().unwrap();
    Run {
        code: status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&stdout).into_owned(),
        err: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// `secretsift scan --no-config <args>` run inside `dir`.
fn scan(dir: &Path, args: &[&str]) -> Run {
    run(
        bin()
            .current_dir(dir)
            .arg("scan")
            .arg("--no-config")
            .args(args),
        None,
    )
}

fn json_lines(s: &str) -> Vec<Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .env("GIT_AUTHOR_DATE", "2024-03-01T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2024-03-01T12:00:00Z")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn text_output_exit_codes_gitignore_and_hidden_files() {
    let d = tmp("text");
    write(&d, ".env", format!("APP=1\nAWS_ACCESS_KEY_ID={}\n", aws()));
    write(
        &d,
        "src/deep/app.js",
        format!("const clean = 1;\nconst k = \"{}\";\n", aws2()),
    );
    write(&d, ".gitignore", "ignored.txt\n");
    write(&d, "ignored.txt", format!("k={}\n", aws3()));
    write(&d, "clean.txt", "nothing here\n");
    let r = scan(&d, &["--color", "never"]);
    assert_eq!(r.code, 1, "{}", r.err);
    let lines: Vec<&str> = r.out.lines().collect();
    assert_eq!(
        lines,
        [
            ".env:2:19: aws-access-key-id (aws) AKIA************",
            "src/deep/app.js:2:12: aws-access-key-id (aws) AKIA************"
        ]
    );
    assert!(
        !r.out.contains(&aws()) && !r.err.contains(&aws()),
        "raw secret printed"
    );
    assert!(r.err.contains("2 finding(s)"), "{}", r.err);

    // --no-ignore also reads ignored.txt.
    let r = scan(&d, &["--no-ignore", "-j", "1"]);
    assert_eq!(r.out.lines().count(), 3, "{}", r.out);
    assert!(r.out.contains("ignored.txt:1:3:"));

    // A clean tree exits 0; --quiet prints nothing on stderr.
    let r = scan(&d, &["clean.txt", "--quiet"]);
    assert_eq!((r.code, r.out.as_str(), r.err.as_str()), (0, "", ""));

    // --color always colours.
    let r = scan(&d, &[".env", "--color", "always"]);
    assert!(r.out.contains("\u{1b}["), "{}", r.out);
}

#[test]
fn json_lines_have_the_documented_fields() {
    let d = tmp("json");
    write(
        &d,
        "a/config.py",
        format!("# settings\nAWS = '{}'\n", aws()),
    );
    let r = scan(&d, &["--format", "json"]);
    assert_eq!(r.code, 1);
    let v = json_lines(&r.out);
    assert_eq!(v.len(), 1);
    let f = &v[0];
    let mut keys: Vec<&str> = f.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "author_date",
            "column",
            "commit",
            "description",
            "end_column",
            "end_line",
            "fingerprint",
            "line",
            "path",
            "preview",
            "provider",
            "publishable",
            "rule_id"
        ]
    );
    assert_eq!(f["path"], "a/config.py");
    assert_eq!(
        (
            f["line"].as_u64(),
            f["column"].as_u64(),
            f["end_column"].as_u64()
        ),
        (Some(2), Some(8), Some(28))
    );
    assert_eq!(f["rule_id"], "aws-access-key-id");
    assert_eq!(f["provider"], "aws");
    assert_eq!(f["publishable"], false);
    assert_eq!(f["preview"], "AKIA************");
    assert_eq!(f["fingerprint"].as_str().unwrap().len(), 32);
    assert!(f["commit"].is_null());
    assert!(!r.out.contains(&aws()));

    // The raw secret only with --show-secrets.
    let r = scan(&d, &["--format", "json", "--show-secrets"]);
    assert_eq!(json_lines(&r.out)[0]["secret"], aws());

    // --output writes the report to a file.
    let out = d.join("report.jsonl");
    let r = scan(
        &d,
        &["--format", "json", "a", "--output", out.to_str().unwrap()],
    );
    assert_eq!((r.code, r.out.as_str()), (1, ""));
    assert_eq!(json_lines(&fs::read_to_string(&out).unwrap()).len(), 1);
}

#[test]
fn sarif_matches_the_2_1_0_schema() {
    let d = tmp("sarif");
    write(
        &d,
        "deploy/run.sh",
        format!("export AWS_ACCESS_KEY_ID={}\n", aws()),
    );
    write(&d, "dir with space/x.txt", format!("\n\n  {}\n", aws2()));
    let r = scan(&d, &["--format", "sarif"]);
    assert_eq!(r.code, 1, "{}", r.err);
    let doc: Value = serde_json::from_str(&r.out).unwrap();

    let schema: Value =
        serde_json::from_str(&fs::read_to_string(fixture("sarif-schema-2.1.0.json")).unwrap())
            .unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    let url = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json";
    compiler.add_resource(url, schema).unwrap();
    let idx = compiler.compile(url, &mut schemas).unwrap();
    if let Err(e) = schemas.validate(&doc, idx) {
        panic!("SARIF output does not match the schema: {e:#}");
    }

    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "secretsift");
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let loc = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "deploy/run.sh");
    assert_eq!(loc["region"]["startLine"], 1);
    assert_eq!(loc["region"]["startColumn"], 26);
    assert_eq!(
        results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "dir%20with%20space/x.txt"
    );
    assert_eq!(
        results[1]["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    let idx = results[0]["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(
        run["tool"]["driver"]["rules"][idx]["id"],
        results[0]["ruleId"]
    );
    assert!(results[0]["partialFingerprints"]["secretsift/v1"].is_string());
    assert!(!r.out.contains(&aws()));
}

#[test]
fn stdin_is_streamed() {
    let d = tmp("stdin");
    // The key sits past the first 64 KiB chunk, on line 3001.
    let mut input = "filler line without secrets, just text\n".repeat(3000);
    input.push_str(&format!("token {}\n", aws()));
    let r = run(
        bin()
            .current_dir(&d)
            .args(["scan", "--no-config", "-", "--format", "json"]),
        Some(input.as_bytes()),
    );
    assert_eq!(r.code, 1, "{}", r.err);
    let v = json_lines(&r.out);
    assert_eq!(
        (
            v[0]["path"].as_str(),
            v[0]["line"].as_u64(),
            v[0]["column"].as_u64()
        ),
        (Some("<stdin>"), Some(3001), Some(7))
    );
    let r = run(
        bin().current_dir(&d).args(["scan", "--no-config", "-"]),
        Some(b"nothing\n"),
    );
    assert_eq!(r.code, 0);
}

#[test]
fn large_file_is_scanned_in_chunks() {
    let d = tmp("large");
    let mut content = Vec::with_capacity(6 << 20);
    for i in 0..120_000 {
        content.extend_from_slice(
            format!("{i:08} lorem ipsum dolor sit amet, consectetur\n").as_bytes(),
        );
    }
    content.extend_from_slice(format!("at the end {}", aws()).as_bytes());
    write(&d, "big.log", &content);
    let r = scan(&d, &["big.log", "--format", "json"]);
    let v = json_lines(&r.out);
    assert_eq!(v.len(), 1);
    assert_eq!(
        (v[0]["line"].as_u64(), v[0]["column"].as_u64()),
        (Some(120_001), Some(12))
    );
}

#[test]
fn binary_files_are_skipped_unless_asked() {
    let d = tmp("binary");
    let mut blob = vec![0x7f, b'E', b'L', b'F', 0, 0, 1, 0];
    blob.extend_from_slice(format!("\nkey={}\n", aws()).as_bytes());
    write(&d, "tool.bin", &blob);
    let r = scan(&d, &[]);
    assert_eq!(r.code, 0, "{}", r.out);
    assert!(r.err.contains("1 binary file(s) skipped"), "{}", r.err);
    let r = scan(&d, &["--include-binary", "--format", "json"]);
    assert_eq!(r.code, 1);
    assert_eq!(json_lines(&r.out)[0]["path"], "tool.bin");
}

#[test]
fn unreadable_paths_are_reported_and_the_rest_still_scanned() {
    let d = tmp("unreadable");
    write(&d, "tree/good.txt", format!("k={}\n", aws()));
    // A dangling symlink, followed with -L: opening it fails.
    #[cfg(unix)]
    std::os::unix::fs::symlink(d.join("tree/missing-target"), d.join("tree/dangling.txt")).unwrap();
    let r = scan(&d, &["tree", "missing.txt", "-L", "--format", "json"]);
    assert_eq!(r.code, 2, "errors win over findings: {}", r.err);
    assert!(
        r.err.contains("missing.txt: No such file or directory"),
        "{}",
        r.err
    );
    #[cfg(unix)]
    assert!(r.err.contains("dangling.txt"), "{}", r.err);
    assert_eq!(json_lines(&r.out)[0]["path"], "tree/good.txt");

    // chmod 000 blocks reads for ordinary users only: as root (CI containers) the file stays
    // readable, so this part checks itself and is skipped there.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let locked = write(&d, "locked/secret.txt", format!("k={}\n", aws2()));
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
        if fs::read(&locked).is_err() {
            let r = scan(&d, &["locked", "tree/good.txt"]);
            assert_eq!(r.code, 2);
            assert!(
                r.err.contains("locked/secret.txt: Permission denied"),
                "{}",
                r.err
            );
            assert!(r.out.contains("tree/good.txt"));
        } else {
            eprintln!(
                "running as root: chmod 000 does not block reads, skipping the permission case"
            );
        }
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o644)).unwrap();
    }
}

#[test]
fn project_config_allowlists_disables_and_adds_rules() {
    let d = tmp("config");
    write(
        &d,
        ".secretsift.toml",
        r#"
disable = ["stripe-secret-key-live"]
[allowlist]
paths = ["vendor/", "**/testdata/**", "docs/keys.md"]
[[rules]]
id = "acme-session"
provider = "acme"
regex = '''acme_session=([A-Za-z0-9-]{12,40})'''
keywords = ["acme_session"]
tags = ["generic"]
"#,
    );
    let key = aws();
    write(
        &d,
        "src/main.txt",
        format!("k={key}\nacme_session=Zq8vN3pX-r5tYw2kL\n"),
    );
    write(&d, "vendor/lib.txt", format!("k={key}\n"));
    write(&d, "pkg/testdata/case.txt", format!("k={key}\n"));
    write(&d, "docs/keys.md", format!("k={key}\n"));
    write(&d, "docs/other.md", format!("k={key}\n"));
    // The config is found above the scanned path.
    let r = run(
        bin()
            .current_dir(&d)
            .args(["scan", "--format", "json", "."]),
        None,
    );
    assert_eq!(r.code, 1, "{}", r.err);
    let v = json_lines(&r.out);
    let got: Vec<(String, String)> = v
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().into(),
                f["rule_id"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("docs/other.md".into(), "aws-access-key-id".into()),
            ("src/main.txt".into(), "aws-access-key-id".into()),
            ("src/main.txt".into(), "acme-session".into()),
        ]
    );
    // `entropy` (or --entropy) raises the bar for generic rules: that value has ~4 bits/byte.
    let r = run(
        bin()
            .current_dir(&d)
            .args(["scan", "src", "--entropy", "4.5", "--format", "json"]),
        None,
    );
    assert_eq!(json_lines(&r.out).len(), 1);
    fs::write(d.join("cfg2.toml"), "entropy = 4.5\n").unwrap();
    let r = run(
        bin()
            .current_dir(&d)
            .args(["scan", "src", "--config", "cfg2.toml", "--format", "json"]),
        None,
    );
    assert_eq!(json_lines(&r.out).len(), 1, "{}", r.err);
    // --no-config ignores it all.
    let r = scan(&d, &["--format", "json"]);
    assert_eq!(json_lines(&r.out).len(), 5);
}

#[test]
fn bad_config_is_reported_with_its_path_and_the_scan_goes_on() {
    let d = tmp("badconfig");
    write(&d, ".secretsift.toml", "disable = [\"x\"\n[allowlist]\n");
    write(&d, "a.txt", format!("k={}\n", aws()));
    let r = run(bin().current_dir(&d).args(["scan", "."]), None);
    assert_eq!(r.code, 2);
    assert!(
        r.err.contains(".secretsift.toml") && r.err.contains("line"),
        "{}",
        r.err
    );
    assert!(
        r.out.contains("a.txt:1:3:"),
        "the scan still ran: {}",
        r.out
    );

    // Unknown keys are errors too, not silently ignored.
    write(&d, ".secretsift.toml", "allowlist_paths = [\"a.txt\"]\n");
    let r = run(bin().current_dir(&d).args(["scan", "."]), None);
    assert_eq!(r.code, 2);
    assert!(r.err.contains("allowlist_paths"), "{}", r.err);

    // A bad --rules file names the file and the rule.
    let bad = fixture("bad-regex.toml");
    let r = scan(&d, &["a.txt", "--rules", bad.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(
        r.err.contains("bad-regex.toml")
            && r.err.contains("broken-rule")
            && r.err.contains("regex"),
        "{}",
        r.err
    );
    assert!(r.out.contains("a.txt:1:3:"));
    // So does a missing one.
    let r = scan(&d, &["a.txt", "--rules", "nope.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.err.contains("nope.toml: No such file"), "{}", r.err);
}

#[test]
fn rules_files_in_our_format_and_gitleaks_format() {
    let d = tmp("rulesfiles");
    let tok = format!("{}{}", "acmetok_", "q8w7e6r5t4y3u2i1o9p8a7s6");
    let zero = format!("{}{}", "acmetok_", "0".repeat(24));
    let stop = format!("{}{}", "acmetok_", "sample0000000000000000ab");
    let widget = format!("{}{}", "wdg_", "Zq8vN3pXr5tYw2kL9mB4");
    // In parts, so the repository's own scan (whose generic rules read `_PASS="…"`) stays clean.
    let pw = format!("{}{}", "hunter2", "hunter2x");
    write(
        &d,
        "app.cfg",
        format!(
            "a={tok}\nb={zero}\nc={stop}\nACME_DB_PASS=\"{pw}\"\nw={widget}\nk={}\n",
            aws()
        ),
    );
    let gl = fixture("gitleaks.toml");
    let ours = fixture("ours.toml");
    let r = scan(
        &d,
        &[
            "--rules",
            gl.to_str().unwrap(),
            "--rules",
            ours.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.err);
    let ids: Vec<String> = json_lines(&r.out)
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        ids,
        [
            "acme-api-token",
            "acme-db-password",
            "acme-widget-key",
            "aws-access-key-id"
        ]
    );

    // --no-default-rules, --only and --disable.
    let r = scan(
        &d,
        &[
            "--rules",
            ours.to_str().unwrap(),
            "--no-default-rules",
            "--format",
            "json",
        ],
    );
    let ids: Vec<String> = json_lines(&r.out)
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["acme-widget-key"]);
    let r = scan(
        &d,
        &[
            "--rules",
            ours.to_str().unwrap(),
            "--only",
            "aws-access-key-id",
            "--format",
            "json",
        ],
    );
    assert_eq!(json_lines(&r.out).len(), 1);
    let r = scan(
        &d,
        &[
            "--rules",
            ours.to_str().unwrap(),
            "--disable",
            "aws-access-key-id",
            "--disable",
            "acme-widget-key",
            // `ACME_DB_PASS="…"` is also a password to the default generic rules.
            "--disable",
            "generic-password-literal",
        ],
    );
    assert_eq!((r.code, r.out.as_str()), (0, ""));

    // A gitleaks rule without keywords whose regex has no literal to derive them from.
    let nk = fixture("no-keyword-gitleaks.toml");
    let r = scan(&d, &["--rules", nk.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(
        r.err.contains("shapeless") && r.err.contains("keywords"),
        "{}",
        r.err
    );

    // `secretsift rules` lists what was loaded.
    let r = run(
        bin()
            .current_dir(&d)
            .args(["rules", "--no-config", "--rules", gl.to_str().unwrap()]),
        None,
    );
    assert_eq!(r.code, 0);
    let line = r
        .out
        .lines()
        .find(|l| l.starts_with("acme-api-token "))
        .expect("listed");
    assert!(
        line.contains(" acme ") && line.contains("secret") && line.contains("Acme API token"),
        "{line}"
    );
    assert!(r.out.lines().next().unwrap().starts_with("ID "));
    let r = run(
        bin()
            .current_dir(&d)
            .args(["rules", "--no-config", "--format", "json"]),
        None,
    );
    let all = json_lines(&r.out);
    let aws_rule = all.iter().find(|v| v["id"] == "aws-access-key-id").unwrap();
    assert_eq!(
        (aws_rule["provider"].as_str(), aws_rule["kind"].as_str()),
        (Some("aws"), Some("secret"))
    );
}

#[test]
fn inline_allow_comments() {
    let d = tmp("allow");
    write(
        &d,
        "a.py",
        format!(
            "x = '{}'  # secretsift:allow\ny = '{}'  # gitleaks:allow\nz = '{}'\n",
            aws(),
            aws2(),
            aws3()
        ),
    );
    let r = scan(&d, &["--format", "json"]);
    let v = json_lines(&r.out);
    assert_eq!(v.len(), 1, "{}", r.out);
    assert_eq!(v[0]["line"], 3);
    // A marker split across the 64 KiB read boundary still counts.
    let mut s = "x".repeat(64 * 1024 - 30);
    s.push_str(&format!(" {} # secretsift:allow\n", aws()));
    assert!(
        s.find("secretsift:allow").unwrap() < 64 * 1024
            && s.find("secretsift:allow").unwrap() + 16 > 64 * 1024
    );
    write(&d, "a.py", s);
    let r = scan(&d, &[]);
    assert_eq!((r.code, r.out.as_str()), (0, ""));
    // A marker counts for its whole line, however far along: here the line starts in the
    // first 64 KiB read and the marker comes two reads later.
    let long = format!(
        "k = '{}' {} # gitleaks:allow\nk = '{}'\n",
        aws(),
        "y".repeat(150 * 1024),
        aws2()
    );
    write(&d, "a.py", long);
    let v = json_lines(&scan(&d, &["--format", "json"]).out);
    assert_eq!(v.len(), 1, "only the unmarked line's key");
    assert_eq!(v[0]["line"], 2);
    // A marker on the next line, or on the line before, silences nothing here.
    write(
        &d,
        "a.py",
        format!("# secretsift:allow\nk = '{}'\n# gitleaks:allow\n", aws()),
    );
    let v = json_lines(&scan(&d, &["--format", "json"]).out);
    assert_eq!(v.len(), 1, "the marker lines are not the key's line");
    assert_eq!(v[0]["line"], 2);
}

#[test]
fn baselines_report_only_new_findings() {
    let d = tmp("baseline");
    write(&d, "old.env", format!("A={}\n", aws()));
    let base = d.join("baseline.json");
    let r = scan(&d, &["--write-baseline", base.to_str().unwrap(), "."]);
    assert_eq!(
        r.code, 0,
        "writing a baseline accepts today's findings: {}",
        r.err
    );
    let text = fs::read_to_string(&base).unwrap();
    assert!(
        !text.contains(&aws()) && !text.contains("Q3EGRT"),
        "baseline leaks the secret: {text}"
    );
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["findings"].as_array().unwrap().len(), 1);

    let r = scan(&d, &["--baseline", base.to_str().unwrap(), "."]);
    assert_eq!((r.code, r.out.as_str()), (0, ""), "{}", r.err);
    assert!(r.err.contains("1 in the baseline"), "{}", r.err);

    // Moving the key within the file keeps it baselined; a new key is reported.
    write(&d, "old.env", format!("# moved down\n\nA={}\n", aws()));
    write(&d, "new.env", format!("B={}\n", aws2()));
    let r = scan(
        &d,
        &[
            "--baseline",
            base.to_str().unwrap(),
            ".",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 1);
    let v = json_lines(&r.out);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0]["path"], "new.env");

    let r = scan(&d, &["--baseline", "missing-baseline.json", "."]);
    assert_eq!(r.code, 2);
    assert!(r.err.contains("missing-baseline.json"), "{}", r.err);
}

#[test]
fn git_history_finds_deleted_keys_and_staged_changes() {
    let d = tmp("git");
    git(&d, &["init", "-q", "-b", "main"]);
    write(&d, "README.md", "hello\n");
    git(&d, &["add", "."]);
    git(&d, &["commit", "-q", "-m", "init"]);
    write(
        &d,
        "config/app.env",
        format!("A=1\nB=2\nAWS_KEY={}\n", aws()),
    );
    git(&d, &["add", "."]);
    git(&d, &["commit", "-q", "-m", "add key"]);
    let added = git(&d, &["rev-parse", "HEAD"]);
    write(&d, "config/app.env", "A=1\nB=2\n");
    git(&d, &["commit", "-q", "-am", "remove key"]);
    // A key on another branch only.
    git(&d, &["checkout", "-q", "-b", "side"]);
    write(&d, "side.txt", format!("{}\n", aws2()));
    git(&d, &["add", "."]);
    git(&d, &["commit", "-q", "-m", "side"]);
    let side = git(&d, &["rev-parse", "HEAD"]);
    git(&d, &["checkout", "-q", "main"]);

    // The working tree is clean...
    let r = scan(&d, &[]);
    assert_eq!(r.code, 0, "{}", r.out);
    // ...but history is not.
    let r = scan(&d, &["--git", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.err);
    let v = json_lines(&r.out);
    assert_eq!(v.len(), 2, "{}", r.out);
    let f = v.iter().find(|f| f["path"] == "config/app.env").unwrap();
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(3), Some(9))
    );
    assert_eq!(f["commit"].as_str(), Some(added.as_str()));
    assert!(
        f["author_date"]
            .as_str()
            .unwrap()
            .starts_with("2024-03-01T12:00:00"),
        "{f}"
    );
    assert_eq!(
        v.iter().find(|f| f["path"] == "side.txt").unwrap()["commit"].as_str(),
        Some(side.as_str())
    );
    // --git REPO from elsewhere, text format names the commit.
    let r = run(bin().args(["scan", "--no-config", "--git"]).arg(&d), None);
    assert!(
        r.out.contains(&format!(
            "config/app.env:3:9: aws-access-key-id (aws) AKIA************ commit {}",
            &added[..12]
        )),
        "{}",
        r.out
    );
    // SARIF for history validates structurally too (properties carry the commit).
    let r = scan(&d, &["--git", "--format", "sarif"]);
    let doc: Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(doc["runs"][0]["results"].as_array().unwrap().len(), 2);

    // --staged sees the index, not the working tree.
    write(&d, "staged.txt", format!("one\nk={}\n", aws3()));
    let r = scan(&d, &["--staged"]);
    assert_eq!(r.code, 0, "not staged yet: {}", r.out);
    git(&d, &["add", "staged.txt"]);
    let r = scan(&d, &["--staged", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.err);
    let v = json_lines(&r.out);
    assert_eq!(
        (
            v[0]["path"].as_str(),
            v[0]["line"].as_u64(),
            v[0]["column"].as_u64()
        ),
        (Some("staged.txt"), Some(2), Some(3))
    );
    // An allow comment in a staged line is honoured.
    write(
        &d,
        "staged.txt",
        format!("one\nk={} # gitleaks:allow\n", aws3()),
    );
    git(&d, &["add", "staged.txt"]);
    assert_eq!(scan(&d, &["--staged"]).code, 0);

    // Not a repository: exit 2 with the path.
    // (outside the checkout this test runs in, which is itself a repository)
    let plain =
        std::env::temp_dir().join(format!("secretsift-cli-git-plain-{}", std::process::id()));
    fs::create_dir_all(&plain).unwrap();
    let r = run(
        bin()
            .current_dir(&plain)
            .env("GIT_CEILING_DIRECTORIES", std::env::temp_dir())
            .args(["scan", "--no-config", "--git", "."]),
        None,
    );
    let _ = fs::remove_dir_all(&plain);
    assert_eq!(r.code, 2);
    assert!(r.err.contains("not a git repository"), "{}", r.err);
    // PATH arguments with --git are refused.
    assert_eq!(scan(&d, &["--git", ".", "x"]).code, 2);
}

/// The expected output of the default redaction: `input` with each key replaced.
fn redacted(input: &str) -> String {
    input
        .replace(&aws(), "[REDACTED:aws-access-key-id]")
        .replace(&aws2(), "[REDACTED:aws-access-key-id]")
}

/// `secretsift redact` running with an open stdin, and a receiver of everything it has written
/// so far (sent again after each read of its stdout).
fn live_redact() -> (
    std::process::Child,
    std::process::ChildStdin,
    std::sync::mpsc::Receiver<Vec<u8>>,
) {
    let mut child = bin()
        .args(["redact", "--no-config", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        let mut got = Vec::new();
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
            let _ = tx.send(got.clone());
        }
    });
    (child, stdin, rx)
}

#[test]
fn redact_keeps_every_other_byte_on_a_multi_megabyte_stream() {
    let mut input = String::with_capacity(5 << 20);
    let mut i = 0u64;
    while input.len() < 4 << 20 {
        match i % 997 {
            0 => input.push_str(&format!("{i} level=info user login key={} ok\r\n", aws())),
            500 => input.push_str(&format!(
                "{i} level=warn two keys {} and {}\n",
                aws2(),
                aws()
            )),
            _ => input.push_str(&format!(
                "{i} level=debug request handled in {}ms path=/api/v1/items/{}\r\n",
                i % 89,
                i * 7
            )),
        }
        i += 1;
    }
    input.push_str(&format!("last line without newline {}", aws()));
    let n_keys = input.matches(&aws()).count() + input.matches(&aws2()).count();
    let r = run(
        bin().args(["redact", "--no-config"]),
        Some(input.as_bytes()),
    );
    assert_eq!(r.code, 0, "{}", r.err);
    assert!(
        r.out == redacted(&input),
        "output differs from the input outside the secrets"
    );
    assert!(
        r.err.contains(&format!(
            "{n_keys} secret(s) redacted: aws-access-key-id={n_keys}"
        )),
        "{}",
        r.err
    );

    // --quiet and --template.
    let r = run(
        bin().args([
            "redact",
            "--no-config",
            "--quiet",
            "--template",
            "<{provider}:{prefix}>",
        ]),
        Some(format!("a {} b", aws()).as_bytes()),
    );
    assert_eq!((r.out.as_str(), r.err.as_str()), ("a <aws:AKIA> b", ""));
}

#[test]
fn redact_is_line_buffered() {
    let (mut child, mut stdin, rx) = live_redact();
    // One complete line must come out while stdin stays open.
    stdin
        .write_all(format!("first {}\nsecond, incomplete", aws()).as_bytes())
        .unwrap();
    stdin.flush().unwrap();
    let got = rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the first line was not written before stdin closed");
    assert_eq!(
        String::from_utf8(got).unwrap(),
        "first [REDACTED:aws-access-key-id]\n"
    );
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

/// A PEM private key over the lines of one message: a pseudo-random body (no literal key in
/// this file), 64 base64 characters a line.
fn pem_key(seed: u64) -> String {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut x = seed | 1;
    let mut line = || -> String {
        (0..64)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                B64[(x % 64) as usize] as char
            })
            .collect()
    };
    let kind = format!("{} {}", "RSA PRIVATE", "KEY");
    let body: Vec<String> = (0..6).map(|_| line()).collect();
    format!(
        "-----BEGIN {kind}-----\n{}\n-----END {kind}-----",
        body.join("\n")
    )
}

#[test]
fn redact_finds_a_key_across_the_lines_of_a_message_and_still_writes_lines_at_once() {
    let key = pem_key(7);
    let (head, rest) = key.split_once('\n').unwrap();
    let input = format!("first {}\ndump:\n{key}\nafter\n", aws());
    let expected = "first [REDACTED:aws-access-key-id]\ndump:\n[REDACTED:private-key-pem]\nafter\n";
    let r = run(
        bin().args(["redact", "--no-config"]),
        Some(input.as_bytes()),
    );
    assert_eq!(r.out, expected);
    assert!(r.err.contains("private-key-pem=1"), "{}", r.err);

    // Live: lines before the key leave at once; the key's lines are held until the line that
    // closes the block, then leave redacted; the input stays open throughout.
    let (mut child, mut stdin, rx) = live_redact();
    let wait_for = |want: &str| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let got = rx
                .recv_timeout(left)
                .expect("output did not come while stdin was open");
            if got.len() >= want.len() {
                assert_eq!(String::from_utf8(got).unwrap(), want);
                return;
            }
        }
    };
    let before = format!("first {}\ndump:\n", aws());
    stdin
        .write_all(format!("{before}{head}\n").as_bytes())
        .unwrap();
    stdin.flush().unwrap();
    wait_for("first [REDACTED:aws-access-key-id]\ndump:\n");
    stdin
        .write_all(format!("{rest}\nafter\n").as_bytes())
        .unwrap();
    stdin.flush().unwrap();
    wait_for(expected);
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

#[test]
fn redact_says_so_and_exits_141_on_a_closed_pipe() {
    let mut child = bin()
        .args(["redact", "--no-config"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away
    let mut stdin = child.stdin.take().unwrap();
    let line = format!("log line {}\n", aws()).repeat(1000);
    for _ in 0..200 {
        if stdin.write_all(line.as_bytes()).is_err() {
            break; // the process has exited
        }
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(141));
    // A log pipeline that loses its consumer must not end without a word (issue 9).
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("secretsift: error: stdout was closed by its reader after 0 bytes"),
        "{err}"
    );
}

#[test]
fn redact_json_lines_stay_json() {
    let k = aws();
    let input = format!(
        "{{\"ts\":\"2026-01-01\",\"msg\":\"login with key {k} ok\",\"n\": 3, \"nested\": {{\"list\": [\"{k}\", 1, null]}}}}\r\nplain text line {k}\n{{\"clean\":\"nothing \\\"quoted\\\" here\"}}\n\n{{\"escaped\":\"a\\nb {k}\"}}"
    );
    let r = run(
        bin().args(["redact", "--no-config", "--format", "json"]),
        Some(input.as_bytes()),
    );
    assert_eq!(r.code, 0, "{}", r.err);
    let lines: Vec<&str> = r.out.split_inclusive('\n').collect();
    assert_eq!(lines.len(), 5, "{:?}", r.out);
    assert!(lines[0].ends_with("}\r\n"), "CRLF kept: {:?}", lines[0]);
    let first: Value = serde_json::from_str(lines[0].trim_end()).unwrap();
    assert_eq!(
        first["msg"],
        "login with key [REDACTED:aws-access-key-id] ok"
    );
    assert_eq!(first["nested"]["list"][0], "[REDACTED:aws-access-key-id]");
    assert_eq!(first["n"], 3);
    // Bytes outside changed strings are kept as they were (spacing, key order).
    assert!(
        lines[0].starts_with("{\"ts\":\"2026-01-01\",\"msg\":")
            && lines[0].contains("\"n\": 3, \"nested\": {\"list\": [")
    );
    assert_eq!(lines[1], "plain text line [REDACTED:aws-access-key-id]\n");
    assert_eq!(lines[2], "{\"clean\":\"nothing \\\"quoted\\\" here\"}\n");
    assert_eq!(lines[3], "\n");
    let last: Value = serde_json::from_str(lines[4]).unwrap();
    assert_eq!(last["escaped"], "a\nb [REDACTED:aws-access-key-id]");
    assert!(!r.out.contains(&k));
    assert!(r.err.contains("4 secret(s) redacted"), "{}", r.err);

    // A member's name is scanned with its value (`name=value`), so name-based rules work.
    let ours = fixture("ours.toml");
    let input = format!(
        "{{\"user\": \"bob\", \"acme_pass\": \"{}{}\", \"acme_pass_hint\": 7}}\n",
        "Zq8vN3pX", "r5tYw2kL"
    );
    let r = run(
        bin().args([
            "redact",
            "--no-config",
            "--format",
            "json",
            "--rules",
            ours.to_str().unwrap(),
        ]),
        Some(input.as_bytes()),
    );
    assert_eq!(r.out, "{\"user\": \"bob\", \"acme_pass\": \"[REDACTED:acme-member-password]\", \"acme_pass_hint\": 7}\n", "{}", r.err);
}

#[test]
fn scan_output_to_a_closed_pipe_is_quiet() {
    let d = tmp("scanpipe");
    for i in 0..50 {
        write(
            &d,
            &format!("f{i}.txt"),
            format!("k={}\n", aws()).repeat(200),
        );
    }
    let mut child = bin()
        .current_dir(&d)
        .args(["scan", "--no-config", "-q"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn the_repository_scans_clean_with_its_own_config() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let r = run(
        bin().current_dir(&root).args(["scan", "--quiet", "."]),
        None,
    );
    assert_eq!(r.code, 0, "findings in the repository:\n{}{}", r.out, r.err);
}

#[test]
fn the_demo_folder_has_findings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let r = run(
        bin()
            .current_dir(&root)
            .args(["scan", "examples/demo", "--format", "json"]),
        None,
    );
    assert_eq!(r.code, 1, "{}", r.err);
    let v = json_lines(&r.out);
    assert!(
        v.iter()
            .any(|f| f["path"] == "examples/demo/.env" && f["rule_id"] == "aws-access-key-id"),
        "{}",
        r.out
    );
    assert!(
        !v.iter()
            .any(|f| f["path"] == "examples/demo/app.js" && f["rule_id"] == "aws-access-key-id"),
        "the allow comment is honoured"
    );
}
