//! Engine throughput on generated corpora, fed in 4 KiB and 1 MiB chunks.
//!
//! Run: `cargo bench -p secretsift --bench throughput`. Each bench first checks that the
//! engine finds exactly the planted secrets, so a bench that stops detecting fails.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use secretsift::sink::Count;
use secretsift::Engine;

#[path = "corpus.rs"]
mod corpus;

const SIZE: usize = 32 << 20;

fn scan_chunked(
    engine: &Engine,
    scanner: &mut secretsift::Scanner,
    data: &[u8],
    chunk: usize,
) -> u64 {
    let _ = engine;
    let mut count = Count::default();
    for c in data.chunks(chunk) {
        scanner.feed(c, &mut count).unwrap();
    }
    scanner.finish(&mut count).unwrap();
    count.0
}

fn bench(c: &mut Criterion) {
    let engine = Engine::with_default_rules().expect("default rules compile");
    let corpora = [
        corpus::logs(SIZE, 5000),
        corpus::minified_js(SIZE, 2000),
        corpus::dense_base64_hex(SIZE),
    ];
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    for corpus in &corpora {
        let mut scanner = engine.scanner();
        let found = scan_chunked(&engine, &mut scanner, &corpus.data, 1 << 20);
        assert_eq!(
            found, corpus.planted,
            "{}: expected exactly the planted secrets",
            corpus.name
        );
        group.throughput(Throughput::Bytes(corpus.data.len() as u64));
        for chunk in [4 << 10, 1 << 20] {
            group.bench_with_input(
                BenchmarkId::new(corpus.name, format!("{}KiB", chunk >> 10)),
                &chunk,
                |b, &chunk| b.iter(|| scan_chunked(&engine, &mut scanner, &corpus.data, chunk)),
            );
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
