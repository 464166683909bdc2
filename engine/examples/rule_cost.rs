//! Which rules cost the most: `cargo run --release -p secretsift --example rule_cost [FILE...]`.
//!
//! Scans the bench corpora (logs, minified JS, dense base64/hex, keyword-dense; no secrets
//! planted) and any
//! files given, then prints the rules whose regexes searched the most bytes, with how many
//! keyword occurrences selected them and how many findings they reported. A rule near the top
//! has a keyword that is too common or a regex whose window is too wide (unbounded `+`/`*`).
//! `ROWS=N` prints N rules per input (15 by default); `SORT=candidates` orders them by keyword
//! occurrences that selected them (for anchored rules, `searched` counts the whole span a
//! match could take, not the bytes their gates read).
use secretsift::sink::Collect;
use secretsift::Engine;

#[path = "../../benches/corpus.rs"]
mod corpus;

fn main() {
    let engine = Engine::with_default_rules().expect("default rules compile");
    let mut inputs: Vec<(String, Vec<u8>)> = vec![
        ("logs".into(), corpus::logs(16 << 20, u64::MAX).data),
        (
            "minified-js".into(),
            corpus::minified_js(16 << 20, u64::MAX).data,
        ),
        (
            "dense-base64-hex".into(),
            corpus::dense_base64_hex(16 << 20).data,
        ),
        (
            "keyword-dense".into(),
            corpus::keyword_dense(1 << 20, u64::MAX).data,
        ),
    ];
    for path in std::env::args().skip(1) {
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        inputs.push((path, data));
    }
    for (name, data) in &inputs {
        let mut scanner = engine.scanner();
        let mut found = Collect::default();
        scanner.scan(data, &mut found).unwrap();
        let mut rows: Vec<(usize, &secretsift::RuleStats)> = scanner
            .rule_stats()
            .iter()
            .enumerate()
            .filter(|(_, s)| s.candidates > 0)
            .collect();
        if std::env::var("SORT").is_ok_and(|s| s == "candidates") {
            rows.sort_by_key(|(_, s)| std::cmp::Reverse(s.candidates));
        } else {
            rows.sort_by_key(|(_, s)| std::cmp::Reverse(s.searched));
        }
        let mib = data.len() as f64 / 1048576.0;
        println!("\n{name} ({mib:.1} MiB, {} findings)", found.findings.len());
        println!(
            "{:>14} {:>12} {:>12} {:>8}  rule",
            "searched B/MiB", "cand./MiB", "PikeVM/MiB", "findings"
        );
        let top = std::env::var("ROWS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(15);
        for (i, s) in rows.iter().take(top) {
            let id = &engine.rule(*i).unwrap().id;
            let n = found.findings.iter().filter(|f| &f.rule_id == id).count();
            println!(
                "{:>14.0} {:>12.1} {:>12.1} {:>8}  {id}",
                s.searched as f64 / mib,
                s.candidates as f64 / mib,
                s.pikevm_runs as f64 / mib,
                n
            );
        }
    }
}
