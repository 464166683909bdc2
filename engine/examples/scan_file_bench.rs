//! The Rust core's time to scan one input, for comparing hosts (Python, Node, wasm) with it.
//!
//! ```text
//! cargo run --release -p secretsift --example scan_file_bench -- --write target/bench/logs-64k.log
//! cargo run --release -p secretsift --example scan_file_bench -- target/bench/logs-64k.log
//! ```
//!
//! `--write PATH [--size BYTES]` writes the shared input: application log lines (the bench
//! corpus generator), 64 KiB by default, one line in 100 holding a fake key assembled at run
//! time. `PATH` scans the file repeatedly with one reused scanner of the default engine (what
//! a host's `scan` does per call) and prints the median time per scan over batches, in ns,
//! with throughput and the number of findings. Time is this thread's CPU time (from
//! `/proc/thread-self/schedstat`; wall time where that is missing), so that other processes on
//! a shared machine do not count; the host benches measure CPU time too. `--wall` measures
//! wall time instead (to compare with a browser, where only wall time is known). The host benches (`bindings/python/bench/
//! scan_overhead.py`, `bindings/node/bench/scan-overhead.mjs`, `wasm/bench/scan-overhead.mjs`)
//! read the same file and print the same figures.
use std::time::Instant;

/// Nanoseconds this thread has run on a CPU, or wall-clock nanoseconds if unknown.
fn cpu_ns(wall: Instant) -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| wall.elapsed().as_nanos() as u64)
}

use secretsift::sink::Collect;
use secretsift::Engine;

#[path = "../../benches/corpus.rs"]
mod corpus;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    if let Some(path) = opt("--write") {
        let size = opt("--size").map_or(64 << 10, |s| s.parse().expect("--size BYTES"));
        let c = corpus::logs(size, 100);
        if let Some(dir) = std::path::Path::new(path).parent() {
            std::fs::create_dir_all(dir).expect("create the output folder");
        }
        std::fs::write(path, &c.data).expect("write the input");
        println!(
            "wrote {path}: {} bytes, {} planted secrets",
            c.data.len(),
            c.planted
        );
        return;
    }
    let path = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .expect("usage: scan_file_bench FILE | --write FILE [--size BYTES]");
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let engine = Engine::with_default_rules().expect("default rules compile");
    let mut scanner = engine.scanner();
    let mut sink = Collect::default();
    let mut scan = |sink: &mut Collect| {
        sink.findings.clear();
        let Ok(()) = scanner.scan(&data, sink);
    };
    // Warm-up, then batches of ~50 ms; the median batch gives ns per scan.
    let t = Instant::now();
    let mut n = 0u32;
    while t.elapsed().as_millis() < 200 || n < 3 {
        scan(&mut sink);
        n += 1;
    }
    let per_batch = (n / 4).max(1);
    let use_wall = args.iter().any(|a| a == "--wall");
    let wall = Instant::now();
    let now = || {
        if use_wall {
            wall.elapsed().as_nanos() as u64
        } else {
            cpu_ns(wall)
        }
    };
    let mut ns = Vec::new();
    for _ in 0..15 {
        let t = now();
        for _ in 0..per_batch {
            scan(&mut sink);
        }
        ns.push((now() - t) as f64 / per_batch as f64);
    }
    ns.sort_by(f64::total_cmp);
    let median = ns[ns.len() / 2];
    println!(
        "rust core: {} bytes, {} findings, {:.0} ns/scan ({:.1} MiB/s), {} time, median of 15 batches of {per_batch}",
        data.len(),
        sink.findings.len(),
        median,
        data.len() as f64 / (median / 1e9) / (1 << 20) as f64,
        if use_wall { "wall" } else { "CPU" }
    );
}
