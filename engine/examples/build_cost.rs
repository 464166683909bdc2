//! Which rules cost the most to compile: `cargo run --release -p secretsift --example build_cost`.
//!
//! Builds an eager engine holding one default rule at a time (the best of 5 builds per rule, so
//! a busy machine inflates little) and prints the 25 slowest rules with their share of the sum.
//! For keeping the eager build of the default set under its 100 ms budget.
use std::time::Instant;

use secretsift::Engine;

fn main() {
    let all = Engine::with_default_rules().expect("default rules compile");
    let ids: Vec<String> = all.rules().map(|r| r.id.clone()).collect();
    let mut costs: Vec<(f64, String)> = ids
        .iter()
        .map(|id| {
            let best = (0..5)
                .map(|_| {
                    let t = Instant::now();
                    let e = Engine::builder().only([id.as_str()]).build();
                    let ms = t.elapsed().as_secs_f64() * 1e3;
                    assert!(e.is_ok(), "{id} failed to build");
                    ms
                })
                .fold(f64::INFINITY, f64::min);
            (best, id.clone())
        })
        .collect();
    let total: f64 = costs.iter().map(|c| c.0).sum();
    costs.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!(
        "{} rules, {total:.1} ms in all (one rule per engine, best of 5)",
        costs.len()
    );
    for (ms, id) in costs.iter().take(25) {
        println!("{ms:8.2} ms {:5.1}%  {id}", 100.0 * ms / total);
    }
}
