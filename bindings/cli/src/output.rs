//! Findings as reports: text, JSON lines and SARIF 2.1.0; fingerprints and baselines.

use std::collections::HashSet;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;

use owo_colors::OwoColorize;
use secretsift::{Engine, Finding};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::Format;

/// The commit a history finding was added in.
#[derive(Debug, Clone)]
pub struct CommitInfo {
    pub id: String,
    /// Author date, ISO 8601 (`git log %aI`).
    pub author_date: String,
}

/// One reported finding, owned and ready to print. Holds the raw secret only when the user
/// asked for it with `--show-secrets`.
#[derive(Debug, Clone)]
pub struct Hit {
    pub path: String,
    pub line: u64,
    pub column: u64,
    pub end_line: u64,
    /// Exclusive, 1-based.
    pub end_column: u64,
    pub rule_index: usize,
    pub preview: String,
    pub fingerprint: String,
    pub secret: Option<String>,
    pub commit: Option<Arc<CommitInfo>>,
}

/// A stable identifier of a finding that never reveals the secret: the first 128 bits of
/// SHA-256 over a domain tag, the rule id, the path and the secret. Line numbers are left out on
/// purpose, so a baseline survives edits elsewhere in the file; the secret is only an input to a
/// one-way hash of high-entropy data, never stored.
pub fn fingerprint(rule_id: &str, path: &str, secret: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(b"secretsift-fingerprint-v1\0");
    h.update(rule_id.as_bytes());
    h.update(b"\0");
    h.update(path.as_bytes());
    h.update(b"\0");
    h.update(secret);
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Hit {
    /// Builds a hit from an engine finding. `line_map` turns the stream's line into the line
    /// reported (git diffs scan only added lines).
    pub fn new(
        f: &Finding<'_>,
        path: &str,
        show_secret: bool,
        line_map: impl Fn(u64) -> u64,
        commit: Option<Arc<CommitInfo>>,
    ) -> Hit {
        let secret = f.expose_secret();
        let (end_line, end_column) = match memchr::memrchr(b'\n', secret) {
            None => (f.line(), f.column() + secret.len() as u64),
            Some(last) => (
                f.line() + memchr::memchr_iter(b'\n', secret).count() as u64,
                (secret.len() - last) as u64,
            ),
        };
        Hit {
            path: path.to_string(),
            line: line_map(f.line()),
            column: f.column(),
            end_line: line_map(end_line),
            end_column,
            rule_index: f.rule_index(),
            preview: f.preview().to_string(),
            fingerprint: fingerprint(f.rule_id(), path, secret),
            secret: show_secret.then(|| String::from_utf8_lossy(secret).into_owned()),
            commit,
        }
    }
}

/// Paths as reports show them: `/` separators, no leading `./`.
pub fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    let mut s = s.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_string()
}

/// Writes all of `bytes` to stdout and flushes.
pub fn write_stdout(bytes: &[u8]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()
}

pub fn render(format: Format, engine: &Engine, hits: &[Hit], color: bool) -> Vec<u8> {
    match format {
        Format::Text => text(engine, hits, color),
        Format::Json => json_lines(engine, hits),
        Format::Sarif => {
            let mut v =
                serde_json::to_vec_pretty(&sarif(engine, hits)).expect("JSON values serialise");
            v.push(b'\n');
            v
        }
    }
}

fn text(engine: &Engine, hits: &[Hit], color: bool) -> Vec<u8> {
    let mut out = String::new();
    for h in hits {
        let rule = engine.rule(h.rule_index).expect("hit from this engine");
        let publishable = rule.kind == secretsift::Kind::Publishable;
        let loc = format!("{}:{}:{}", h.path, h.line, h.column);
        if color {
            out.push_str(&format!("{}: ", loc.bold()));
            if publishable {
                out.push_str(&format!("{}", rule.id.yellow()));
            } else {
                out.push_str(&format!("{}", rule.id.red().bold()));
            }
        } else {
            out.push_str(&format!("{loc}: {}", rule.id));
        }
        out.push_str(&format!(" ({}) {}", rule.provider, h.preview));
        if publishable {
            out.push_str(" [publishable]");
        }
        if let Some(c) = &h.commit {
            let short = &c.id[..c.id.len().min(12)];
            if color {
                out.push_str(&format!(" commit {} {}", short.cyan(), c.author_date));
            } else {
                out.push_str(&format!(" commit {short} {}", c.author_date));
            }
        }
        if let Some(s) = &h.secret {
            out.push_str(&format!(" secret={s:?}"));
        }
        out.push('\n');
    }
    out.into_bytes()
}

/// The JSON-lines object of one finding. Field names are a stable interface (documented in
/// the README): add fields, never rename or remove them.
pub fn json_value(engine: &Engine, h: &Hit) -> Value {
    let rule = engine.rule(h.rule_index).expect("hit from this engine");
    let mut v = json!({
        "path": h.path,
        "line": h.line,
        "column": h.column,
        "end_line": h.end_line,
        "end_column": h.end_column,
        "rule_id": rule.id,
        "provider": rule.provider,
        "publishable": rule.kind == secretsift::Kind::Publishable,
        "description": rule.description,
        "preview": h.preview,
        "fingerprint": h.fingerprint,
        "commit": h.commit.as_ref().map(|c| c.id.clone()),
        "author_date": h.commit.as_ref().map(|c| c.author_date.clone()),
    });
    if let Some(s) = &h.secret {
        v["secret"] = Value::String(s.clone());
    }
    v
}

fn json_lines(engine: &Engine, hits: &[Hit]) -> Vec<u8> {
    let mut out = Vec::new();
    for h in hits {
        serde_json::to_writer(&mut out, &json_value(engine, h)).expect("JSON values serialise");
        out.push(b'\n');
    }
    out
}

/// A relative path as a URI reference (percent-encoding what a URI cannot hold).
fn uri(path: &str) -> String {
    let mut s = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    if path.starts_with('/') {
        format!("file://{s}")
    } else {
        s
    }
}

/// SARIF 2.1.0 as GitHub code scanning reads it: the tool's rules (all loaded rules, so
/// `ruleIndex` is the engine's rule index), one result per finding with a physical location
/// and `partialFingerprints`.
pub fn sarif(engine: &Engine, hits: &[Hit]) -> Value {
    let rules: Vec<Value> = engine
        .rules()
        .map(|r| {
            let publishable = r.kind == secretsift::Kind::Publishable;
            let desc = if r.description.is_empty() { format!("{} secret", r.provider) } else { r.description.clone() };
            let mut tags = vec!["security".to_string(), "secret".to_string()];
            for t in &r.tags {
                // SARIF requires unique tags.
                if !tags.contains(t) {
                    tags.push(t.clone());
                }
            }
            json!({
                "id": r.id,
                "name": r.id,
                "shortDescription": { "text": desc },
                "fullDescription": { "text": desc },
                "help": { "text": format!("{desc}. Revoke the credential, remove it from the code (and history), and load it from a secret store instead.") },
                "defaultConfiguration": { "level": if publishable { "note" } else { "error" } },
                "properties": { "tags": tags, "provider": r.provider, "security-severity": if publishable { "3.0" } else { "8.0" } },
            })
        })
        .collect();
    let results: Vec<Value> = hits
        .iter()
        .map(|h| {
            let rule = engine.rule(h.rule_index).expect("hit from this engine");
            let publishable = rule.kind == secretsift::Kind::Publishable;
            let mut region = json!({ "startLine": h.line, "startColumn": h.column });
            if h.end_line == h.line {
                region["endColumn"] = json!(h.end_column);
            } else {
                region["endLine"] = json!(h.end_line);
            }
            let mut result = json!({
                "ruleId": rule.id,
                "ruleIndex": h.rule_index,
                "level": if publishable { "note" } else { "error" },
                "message": { "text": format!("{} ({}): {}", rule.id, rule.provider, h.preview) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&h.path) },
                        "region": region,
                    }
                }],
                "partialFingerprints": { "secretsift/v1": h.fingerprint },
            });
            if let Some(c) = &h.commit {
                result["properties"] = json!({ "commit": c.id, "authorDate": c.author_date });
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "secretsift",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/secretsift/secretsift",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// Reads the fingerprints of a baseline file.
pub fn read_baseline(path: &Path) -> Result<HashSet<String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not a secretsift baseline: {e}", path.display()))?;
    let findings = v.get("findings").and_then(Value::as_array).ok_or_else(|| {
        format!(
            "{}: not a secretsift baseline: no `findings` array",
            path.display()
        )
    })?;
    Ok(findings
        .iter()
        .filter_map(|f| {
            f.get("fingerprint")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect())
}

/// Writes a baseline: fingerprints plus rule, path and line for a human reviewing it. No
/// secret, no preview.
pub fn write_baseline(path: &Path, engine: &Engine, hits: &[Hit]) -> Result<(), String> {
    let mut seen = HashSet::new();
    let findings: Vec<Value> = hits
        .iter()
        .filter(|h| seen.insert(h.fingerprint.clone()))
        .map(|h| {
            let rule = engine.rule(h.rule_index).expect("hit from this engine");
            json!({ "fingerprint": h.fingerprint, "rule_id": rule.id, "path": h.path, "line": h.line })
        })
        .collect();
    let doc = json!({ "version": 1, "tool": "secretsift", "findings": findings });
    let mut text = serde_json::to_string_pretty(&doc).expect("JSON values serialise");
    text.push('\n');
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}
