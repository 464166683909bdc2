//! Scores the default ruleset on the labelled samples in `../shared/eval` (relative to the
//! repository; override with `SECRETSIFT_EVAL=<dir>`).
//!
//! ```text
//! cargo run -q --release -p secretsift --example eval_report [-- --json] [-- --verbose]
//! tests/eval/report.sh [--json] [--verbose]
//! ```
//!
//! - Recall is measured on positives whose `target_kind` is `secret`. A positive is found when
//!   a finding overlaps its `secret` (every occurrence of it in the text counts), or, where
//!   `secret` is null, when there is any finding in the text.
//! - gitleaks writes each secret into ~25 templates, so its recall is weighed by distinct
//!   secret: each distinct secret weighs 1, shared evenly by its lines. The other sources weigh
//!   one per sample. Raw line counts are shown too.
//! - A false positive is any finding on a negative; negatives that no other scanner's regex
//!   fires on (`peer_regex_hits` empty) are counted separately.
//! - `--verbose` lists misses and false positives by sample id and rule id, never the secret.
//! - `--misses` also prints each missed sample's and each false positive's text, with every
//!   letter and digit of a long token masked except its first four characters (enough to see
//!   the shape of an assignment and the value's length and alphabet, not the value).
//!
//! One scanner is reused for every sample: creating a scanner sizes every rule's regex scratch
//! and runs each rule on its examples (a warm-up for allocation-free feeding), which is what
//! `Engine::scan` does per call and what made this report take over a minute.
//!
//! The samples are evaluation data: they are read in place, never copied into the repository.
//! When the folder is absent the report says so and exits 0.
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use secretsift::{sink::Collect, Engine, FindingBuf, Scanner};
use serde_json::{json, Value};

const SOURCES: [&str; 3] = ["gitleaks", "noseyparker", "detect-secrets"];

/// Found/total, with fractional weights (gitleaks' distinct secrets).
#[derive(Default, Clone, Copy)]
struct Score {
    found: f64,
    total: f64,
    lines_found: usize,
    lines: usize,
}

impl Score {
    fn add(&mut self, weight: f64, found: bool) {
        self.total += weight;
        self.lines += 1;
        if found {
            self.found += weight;
            self.lines_found += 1;
        }
    }
    fn pct(&self) -> f64 {
        if self.total == 0.0 {
            100.0
        } else {
            100.0 * self.found / self.total
        }
    }
    fn cell(&self) -> String {
        if self.lines == 0 {
            "".into()
        } else if (self.total - self.lines as f64).abs() < 1e-9 {
            format!("{}/{} ({:.1}%)", self.lines_found, self.lines, self.pct())
        } else {
            format!("{:.1}/{:.0} ({:.1}%)", self.found, self.total, self.pct())
        }
    }
    fn to_json(self) -> Value {
        json!({"found": round2(self.found), "total": round2(self.total), "recall": round2(self.pct()),
               "lines_found": self.lines_found, "lines": self.lines})
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[derive(Default)]
struct Fp {
    negatives: usize,
    fp: usize,
    clean_negatives: usize,
    clean_fp: usize,
}

fn eval_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("SECRETSIFT_EVAL") {
        return PathBuf::from(d);
    }
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/eval");
    d.canonicalize().unwrap_or(d)
}

fn read_jsonl(path: &PathBuf) -> Vec<Value> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .collect()
}

/// Whether a finding overlaps some occurrence of `secret` in `text`.
fn overlaps_secret(text: &str, secret: &str, findings: &[FindingBuf]) -> bool {
    if secret.is_empty() {
        return !findings.is_empty();
    }
    text.match_indices(secret).any(|(s, _)| {
        let (s, e) = (s as u64, (s + secret.len()) as u64);
        findings.iter().any(|f| f.start < e && s < f.end)
    })
}

fn rule_ids(findings: &[FindingBuf]) -> Vec<String> {
    let set: BTreeSet<&str> = findings.iter().map(|f| f.rule_id.as_str()).collect();
    set.into_iter().map(String::from).collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let as_json = args.iter().any(|a| a == "--json");
    let show_text = args.iter().any(|a| a == "--misses");
    let verbose = show_text || args.iter().any(|a| a == "--verbose" || a == "-v");
    let dir = eval_dir();
    if !dir.join("README.md").exists() && !dir.join("positives-gitleaks.jsonl").exists() {
        eprintln!(
            "eval_report: skipped, no eval samples at {} (set SECRETSIFT_EVAL to the folder holding positives-*.jsonl)",
            dir.display()
        );
        return;
    }
    let engine = Engine::builder().build().unwrap_or_else(|e| {
        eprintln!("eval_report: cannot build the default engine: {e}");
        std::process::exit(2);
    });
    let mut scanner = engine.scanner();

    let mut per_source: BTreeMap<&str, Score> = BTreeMap::new();
    // provider -> source -> score
    let mut per_provider: BTreeMap<String, BTreeMap<&str, Score>> = BTreeMap::new();
    let mut misses: Vec<Value> = Vec::new();
    let mut fps: BTreeMap<&str, Fp> = BTreeMap::new();
    let mut fp_list: Vec<Value> = Vec::new();
    let mut fp_rules: BTreeMap<String, usize> = BTreeMap::new();
    let mut wrong_rule: BTreeMap<String, usize> = BTreeMap::new();

    for source in SOURCES {
        let pos = read_jsonl(&dir.join(format!("positives-{source}.jsonl")));
        let neg = read_jsonl(&dir.join(format!("negatives-{source}.jsonl")));
        if pos.is_empty() && neg.is_empty() {
            continue;
        }
        let secrets: Vec<&Value> = pos
            .iter()
            .filter(|p| p["target_kind"] == "secret")
            .collect();
        // Distinct-secret weights for gitleaks: each distinct (provider, secret) weighs 1.
        let key = |p: &Value| -> String {
            match p["secret"].as_str() {
                Some(s) => format!("{}\u{0}{s}", p["provider"].as_str().unwrap_or("")),
                None => format!(
                    "{}\u{0}{}",
                    p["rule"].as_str().unwrap_or(""),
                    p["text"].as_str().unwrap_or("")
                ),
            }
        };
        let mut group_size: HashMap<String, usize> = HashMap::new();
        if source == "gitleaks" {
            for p in &secrets {
                *group_size.entry(key(p)).or_default() += 1;
            }
        }
        for p in secrets {
            let text = p["text"].as_str().unwrap_or("");
            let provider = p["provider"].as_str().unwrap_or("?").to_string();
            let findings = scan(&mut scanner, text);
            let found = match p["secret"].as_str() {
                Some(s) => overlaps_secret(text, s, &findings),
                None => !findings.is_empty(),
            };
            let weight = group_size.get(&key(p)).map_or(1.0, |&n| 1.0 / n as f64);
            per_source.entry(source).or_default().add(weight, found);
            per_provider
                .entry(provider.clone())
                .or_default()
                .entry(source)
                .or_default()
                .add(weight, found);
            if !found {
                if !findings.is_empty() {
                    for r in rule_ids(&findings) {
                        *wrong_rule.entry(r).or_default() += 1;
                    }
                }
                misses.push(json!({
                    "id": p["id"], "provider": provider, "rule": p["rule"],
                    "template": p.get("template").cloned().unwrap_or(Value::Null),
                    "needs_context": p.get("needs_context").cloned().unwrap_or(Value::Null),
                    "findings_elsewhere": rule_ids(&findings),
                    "path": p.get("path").cloned().unwrap_or(Value::Null),
                    "masked": mask(text),
                }));
            }
        }
        let fp = fps.entry(source).or_default();
        for n in &neg {
            let text = n["text"].as_str().unwrap_or("");
            let clean = n["peer_regex_hits"].as_array().is_none_or(|a| a.is_empty());
            fp.negatives += 1;
            fp.clean_negatives += usize::from(clean);
            let findings = scan(&mut scanner, text);
            if !findings.is_empty() {
                fp.fp += 1;
                fp.clean_fp += usize::from(clean);
                let ids = rule_ids(&findings);
                for r in &ids {
                    *fp_rules.entry(r.clone()).or_default() += 1;
                }
                fp_list.push(
                    json!({"id": n["id"], "provider": n["provider"], "clean": clean, "rules": ids,
                           "path": n.get("path").cloned().unwrap_or(Value::Null), "masked": mask(text)}),
                );
            }
        }
    }

    let mut total = Score::default();
    for s in per_source.values() {
        total.found += s.found;
        total.total += s.total;
        total.lines += s.lines;
        total.lines_found += s.lines_found;
    }

    if as_json {
        let mut out = json!({
            "eval_dir": dir.display().to_string(),
            "rules": engine.rules().len(),
            "recall": per_source.iter().map(|(k, v)| (k.to_string(), v.to_json())).collect::<serde_json::Map<_, _>>(),
            "recall_overall": total.to_json(),
            "providers": per_provider.iter().map(|(p, m)| (p.clone(), Value::Object(m.iter().map(|(s, v)| (s.to_string(), v.to_json())).collect()))).collect::<serde_json::Map<_, _>>(),
            "false_positives": fps.iter().map(|(k, f)| (k.to_string(), json!({"negatives": f.negatives, "fp": f.fp, "clean_negatives": f.clean_negatives, "clean_fp": f.clean_fp}))).collect::<serde_json::Map<_, _>>(),
            "fp_rules": fp_rules,
        });
        if verbose {
            out["misses"] = Value::Array(misses);
            out["fp_samples"] = Value::Array(fp_list);
        }
        println!("{}", serde_json::to_string_pretty(&out).unwrap());
        return;
    }

    println!("# secretsift eval report\n");
    println!(
        "Samples: `{}`; {} rules in the default set.\n",
        dir.display(),
        engine.rules().len()
    );
    println!("## Recall on secret positives\n");
    println!("| source | recall (weighted) | lines found |");
    println!("|---|---:|---:|");
    for (s, v) in &per_source {
        println!(
            "| {s} | {:.1}% ({:.1}/{:.0}) | {}/{} |",
            v.pct(),
            v.found,
            v.total,
            v.lines_found,
            v.lines
        );
    }
    println!(
        "| **all** | {:.1}% ({:.1}/{:.0}) | {}/{} |",
        total.pct(),
        total.found,
        total.total,
        total.lines_found,
        total.lines
    );
    println!(
        "\ngitleaks is weighted by distinct secret (each ~25 templated lines weigh 1 together).\n"
    );

    println!("## False positives on negatives\n");
    println!("| source | negatives | with a finding | no-peer-hit negatives | with a finding |");
    println!("|---|---:|---:|---:|---:|");
    let mut fsum = Fp::default();
    for (s, f) in &fps {
        println!(
            "| {s} | {} | {} | {} | {} |",
            f.negatives, f.fp, f.clean_negatives, f.clean_fp
        );
        fsum.negatives += f.negatives;
        fsum.fp += f.fp;
        fsum.clean_negatives += f.clean_negatives;
        fsum.clean_fp += f.clean_fp;
    }
    println!(
        "| **all** | {} | {} | {} | {} |",
        fsum.negatives, fsum.fp, fsum.clean_negatives, fsum.clean_fp
    );

    println!("\n## Recall per provider (worst first)\n");
    print!("| provider |");
    for s in SOURCES {
        print!(" {s} |");
    }
    println!(" missed (weighted) |");
    print!("|---|");
    for _ in SOURCES {
        print!("---:|");
    }
    println!("---:|");
    let mut rows: Vec<(&String, f64)> = per_provider
        .iter()
        .map(|(p, m)| (p, m.values().map(|s| s.total - s.found).sum::<f64>()))
        .collect();
    rows.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap().then(a.0.cmp(b.0)));
    for (p, missed) in rows {
        print!("| {p} |");
        for s in SOURCES {
            print!(
                " {} |",
                per_provider[p].get(s).map(|v| v.cell()).unwrap_or_default()
            );
        }
        println!(" {missed:.1} |");
    }
    if !fp_rules.is_empty() {
        println!("\n## Rules firing on negatives\n");
        println!("| rule | negatives |");
        println!("|---|---:|");
        let mut v: Vec<_> = fp_rules.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (r, n) in v {
            println!("| {r} | {n} |");
        }
    }
    if verbose {
        println!("\n## Misses ({})\n", misses.len());
        for m in &misses {
            let other = join_strs(&m["findings_elsewhere"]);
            println!(
                "- {} [{}]{}{}",
                m["id"].as_str().unwrap_or(""),
                m["provider"].as_str().unwrap_or(""),
                m["template"]
                    .as_str()
                    .map(|t| format!(" template={t}"))
                    .unwrap_or_default(),
                if other.is_empty() {
                    String::new()
                } else {
                    format!(" (fired elsewhere: {other})")
                }
            );
            if show_text {
                print_text(&m["path"], &m["masked"]);
            }
        }
        println!("\n## False positives ({})\n", fp_list.len());
        for f in &fp_list {
            let ids = join_strs(&f["rules"]);
            println!(
                "- {}{} -> {ids}",
                f["id"].as_str().unwrap_or(""),
                if f["clean"] == true {
                    " (no peer hit)"
                } else {
                    ""
                }
            );
            if show_text {
                print_text(&f["path"], &f["masked"]);
            }
        }
    }
}

/// Scans one sample with the shared scanner (`scan` resets it first).
fn scan(scanner: &mut Scanner, text: &str) -> Vec<FindingBuf> {
    let mut out = Collect::default();
    let Ok(()) = scanner.scan(text.as_bytes(), &mut out);
    out.findings
}

/// The sample with each token of 8+ letters, digits and `+/_-` shown as its first four
/// characters followed by a mask that keeps the character class (`a` lower, `A` upper, `9`
/// digit, other bytes as is): enough to judge a rule's shape, never the value. Word-shaped
/// tokens (letters, `_` and `-` only, mostly one case: `DB_PASSWORD`, `clientSecret`) stay
/// readable, since they are the names a rule keys on.
fn mask(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let is_tok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '_' | '-');
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !is_tok(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_tok(chars[i]) {
            i += 1;
        }
        let tok = &chars[start..i];
        let letters = tok.iter().filter(|c| c.is_ascii_alphabetic()).count();
        let upper = tok.iter().filter(|c| c.is_ascii_uppercase()).count();
        let wordish = tok
            .iter()
            .all(|&c| c.is_ascii_alphabetic() || c == '_' || c == '-')
            && (upper == letters || upper * 4 <= letters);
        if tok.len() < 8 || wordish {
            out.extend(tok);
            continue;
        }
        out.extend(&tok[..4]);
        out.extend(tok[4..].iter().map(|&c| match c {
            'a'..='z' => 'a',
            'A'..='Z' => 'A',
            '0'..='9' => '9',
            c => c,
        }));
    }
    out
}

/// Prints a masked sample, indented, with its scan path if it has one.
fn print_text(path: &Value, masked: &Value) {
    if let Some(p) = path.as_str() {
        println!("    path: {p}");
    }
    for line in masked.as_str().unwrap_or("").lines().take(40) {
        println!("    | {line}");
    }
}

/// The strings of a JSON array, comma-separated (empty for anything else).
fn join_strs(v: &Value) -> String {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str())
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}
