//! Hostile inputs at full size: a 1 GiB line with no newline, a million keyword hits per MiB,
//! dense findings, invalid UTF-8 and NULs, nested encodings, an endless base64 run.
//!
//! Each case is streamed at a size and at twice that size; the report shows the time per MiB
//! of both (linear time: about equal), the engine's work counters, and the process's peak
//! resident memory after the case (bounded memory: it does not follow the input size).
//!
//! Run: `cargo bench -p secretsift --bench hostile` (several minutes). With `-- --test` (as CI
//! runs it) every case runs once at a small size and asserts its finding count and that its
//! work doubles with its input.

#[path = "hostile_inputs.rs"]
mod hostile_inputs;

use std::time::Instant;

use hostile_inputs::*;
use secretsift::Engine;

struct Case {
    name: &'static str,
    engine: Engine,
    pattern: Vec<u8>,
    tail: Vec<u8>,
    line_mode: bool,
    /// Full size, in MiB (the run at twice this size follows).
    mib: usize,
    /// Size with `--test`, in KiB.
    test_kib: usize,
    /// Findings expected per pattern repetition, and in the tail.
    per_pattern: u64,
    in_tail: u64,
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let test_mode = std::env::args().any(|a| a == "--test");
    let default = Engine::with_default_rules().expect("default rules compile");
    let key_line = format!("aws_access_key_id={}", aws_key(11));
    let dense_findings = format!("{} ", aws_key(3));
    let (binary, planted) = binary_with_keys(64 << 10, 997, 0xbad5eed);
    let nested: Vec<u8> = [
        nested_base64(key_line.as_bytes(), 6),
        b"\n".to_vec(),
        nested_percent(key_line.as_bytes(), 6),
        b"\n".to_vec(),
        nested_json(&key_line, 6).into_bytes(),
        b"\n".to_vec(),
    ]
    .concat();
    let cases = [
        Case {
            name: "1 GiB line, no newline, key at the end",
            engine: default.clone(),
            pattern: plain_line_pattern(),
            tail: format!(" {}", aws_key(7)).into_bytes(),
            line_mode: true,
            mib: 1024,
            test_kib: 256,
            per_pattern: 0,
            in_tail: 1,
        },
        Case {
            name: "1M keyword hits per MiB (user rule `aa` on aaaa...)",
            engine: dense_engine(),
            pattern: b"a".to_vec(),
            tail: Vec::new(),
            line_mode: false,
            mib: 64,
            test_kib: 256,
            per_pattern: 0,
            in_tail: 0,
        },
        Case {
            name: "default rules on `eaa` repeated (a keyword every 3 bytes)",
            engine: default.clone(),
            pattern: b"eaa".to_vec(),
            tail: Vec::new(),
            line_mode: false,
            mib: 1,
            test_kib: 32,
            per_pattern: 0,
            in_tail: 0,
        },
        Case {
            name: "default rules on `aaaa...` (the 22-byte twitter keyword at every byte)",
            engine: default.clone(),
            pattern: b"a".to_vec(),
            tail: Vec::new(),
            line_mode: false,
            mib: 1,
            test_kib: 32,
            per_pattern: 0,
            in_tail: 0,
        },
        Case {
            name: "a finding every 21 bytes",
            engine: default.clone(),
            pattern: dense_findings.clone().into_bytes(),
            tail: Vec::new(),
            line_mode: false,
            mib: 64,
            test_kib: 256,
            per_pattern: 1,
            in_tail: 0,
        },
        Case {
            name: "invalid UTF-8 and NULs, a key per KiB",
            engine: default.clone(),
            pattern: binary.clone(),
            tail: Vec::new(),
            line_mode: true,
            mib: 256,
            test_kib: 256,
            per_pattern: planted.len() as u64,
            in_tail: 0,
        },
        Case {
            name: "nested encodings (base64, %, JSON escapes; 6 deep)",
            engine: default.clone(),
            pattern: nested.clone(),
            tail: Vec::new(),
            line_mode: false,
            mib: 64,
            test_kib: 256,
            // Percent-encoding and JSON quoting leave the key's letters as they are.
            per_pattern: default.scan(&nested).len() as u64,
            in_tail: 0,
        },
        Case {
            name: "endless base64 run",
            engine: default.clone(),
            pattern: base64_run_pattern(),
            tail: Vec::new(),
            line_mode: false,
            mib: 1024,
            test_kib: 256,
            per_pattern: 0,
            in_tail: 0,
        },
    ];
    println!(
        "{:<72} {:>9} {:>9} {:>12} {:>12} {:>10}",
        "case", "MiB", "s/MiB", "hits", "findings", "peak RSS"
    );
    // `cargo bench -p secretsift --bench hostile -- base64`: only the cases whose name has it.
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    for case in cases
        .iter()
        .filter(|c| filter.is_empty() || filter.iter().any(|f| c.name.contains(f.as_str())))
    {
        let mut sc = case.engine.scanner();
        sc.set_line_mode(case.line_mode);
        let mut runs = Vec::new();
        for factor in [1, 2] {
            // Whole repetitions of the pattern, the same number again for the second run.
            let base = if test_mode {
                case.test_kib << 10
            } else {
                case.mib << 20
            };
            let size = (base / case.pattern.len()).max(1) * case.pattern.len() * factor;
            let t = Instant::now();
            let w = feed_repeated(&mut sc, &case.pattern, size, &case.tail, 1 << 20);
            let secs = t.elapsed().as_secs_f64();
            let mib = size as f64 / (1 << 20) as f64;
            println!(
                "{:<72} {:>9.1} {:>9.4} {:>12} {:>12} {:>7} MiB",
                case.name,
                mib,
                secs / mib,
                w.candidates,
                w.findings,
                peak_rss_kib() >> 10
            );
            let expected = (size / case.pattern.len()) as u64 * case.per_pattern + case.in_tail;
            assert_eq!(w.findings, expected, "{}: findings", case.name);
            runs.push(w);
        }
        // Linear work: the second run (twice the input) did about twice the work.
        let (a, b) = (runs[0], runs[1]);
        for (what, x, y) in [
            ("hits", a.candidates, b.candidates),
            ("searched", a.searched, b.searched),
        ] {
            // Slack for the stream's edges and the tail (a key's own hit and window).
            let slack = x / 20 + 1024;
            assert!(
                ((2 * x).saturating_sub(slack)..=2 * x + slack).contains(&y),
                "{}: {what} {x} then {y}",
                case.name
            );
        }
    }
}
