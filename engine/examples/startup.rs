//! Start-up cost of the default engine: `cargo run --release -p secretsift --example startup`.
//!
//! Prints the median, over 15 runs, of: building the default engine (eager, the default, and
//! lazy), and creating a scanner on each. `RUNS=n` changes the count. Build is what every process and browser tab pays
//! before its first scan; a scanner is what each stream pays.
use std::time::Instant;

use secretsift::Engine;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

fn main() {
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    // `MODE=eager` or `MODE=lazy` measures one only (for profiling). `THREADS=n` sets
    // `EngineBuilder::build_threads` (default: the builder's, the machine's cores up to 4).
    let mode = std::env::var("MODE").unwrap_or_default();
    let threads: Option<usize> = std::env::var("THREADS").ok().and_then(|s| s.parse().ok());
    for lazy in [false, true] {
        if (lazy && mode == "eager") || (!lazy && mode == "lazy") {
            continue;
        }
        let (mut build, mut scanner) = (Vec::new(), Vec::new());
        for _ in 0..runs {
            let t = Instant::now();
            let mut b = Engine::builder();
            b.lazy(lazy);
            if let Some(n) = threads {
                b.build_threads(n);
            }
            let engine = b.build().expect("default rules compile");
            build.push(ms(t));
            let t = Instant::now();
            let s = engine.scanner();
            scanner.push(ms(t));
            drop(s);
        }
        println!(
            "{:5}: build {:6.2} ms, scanner {:6.2} ms (median of {runs})",
            if lazy { "lazy" } else { "eager" },
            median(build),
            median(scanner)
        );
    }
}
