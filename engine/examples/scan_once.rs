//! Scans one file once, in 1 MiB chunks, with the default engine: a target for
//! `valgrind --tool=callgrind --toggle-collect='*scan_chunks*'`
//! (instructions of the scan only, without the engine build).
//!
//! `cargo run --release -p secretsift --example scan_once -- FILE`; with `RULES=half`, every
//! other default rule only (the throughput bench's rules-doubling comparison, in instructions).
use secretsift::sink::Collect;
use secretsift::Engine;

fn main() {
    let path = std::env::args().nth(1).expect("usage: scan_once FILE");
    let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut engine = Engine::with_default_rules().expect("default rules compile");
    if std::env::var("RULES").is_ok_and(|r| r == "half") {
        let ids: Vec<String> = engine.rules().step_by(2).map(|r| r.id.clone()).collect();
        engine = Engine::builder().only(ids).build().expect("half compiles");
    }
    let mut scanner = engine.scanner();
    let mut sink = Collect::default();
    scan_chunks(&mut scanner, &data, &mut sink);
    println!("{} bytes, {} findings", data.len(), sink.findings.len());
}

/// The measured part (callgrind: `--toggle-collect='*scan_chunks*'`).
#[inline(never)]
fn scan_chunks(scanner: &mut secretsift::Scanner, data: &[u8], sink: &mut Collect) {
    for chunk in data.chunks(1 << 20) {
        let Ok(()) = scanner.feed(chunk, sink);
    }
    let Ok(()) = scanner.finish(sink);
}
