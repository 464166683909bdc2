//! Engine throughput on generated corpora (and real npm bundles when installed), fed in 4 KiB
//! and 1 MiB chunks, next to memchr's scan rate on the same buffer (the physical reference),
//! and the cost of doubling the rules.
//!
//! Run: `cargo bench -p secretsift --bench throughput`. Each corpus is first scanned once and
//! must yield exactly the planted secrets, so a bench that stops detecting fails; with
//! `-- --test` (CI) the corpora are smaller and each bench runs once. Figures and what they
//! mean: `benches/README.md`.

use std::time::Instant;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use secretsift::sink::Count;
use secretsift::Engine;

#[path = "corpus.rs"]
mod corpus;

/// Whether criterion runs each bench once as a test (`-- --test`): then corpora are small.
fn test_mode() -> bool {
    std::env::args().any(|a| a == "--test")
}

fn mib(n: usize) -> usize {
    if test_mode() {
        (n << 20) / 16
    } else {
        n << 20
    }
}

fn corpora() -> Vec<corpus::Corpus> {
    let mut all = vec![
        corpus::logs(mib(32), 5000),
        corpus::minified_js(mib(32), 2000),
        corpus::dense_base64_hex(mib(32)),
        // Slow by nature (a window per few bytes): smaller, to keep runs short.
        corpus::keyword_dense(mib(4), 2000),
        corpus::single_line(mib(100), 2000),
    ];
    all.extend(npm_bundles());
    all
}

/// Production builds of popular npm packages, at the versions `tests/bundles` pins: real
/// minified code, which the generated corpus only imitates (real bundles hold words such as
/// `zoom`, `segment` and `index` that are some rules' keywords). Not committed: present once
/// `bash tests/bundles/run.sh` (part of the test command) has installed them, else skipped.
/// No secret in them, so a scan must find none.
const NPM_BUNDLES: [&str; 8] = [
    "react-dom/cjs/react-dom-client.production.js",
    "three/build/three.core.js",
    "lodash/lodash.min.js",
    "vue/dist/vue.global.prod.js",
    "d3/dist/d3.min.js",
    "antd/dist/antd.min.js",
    "chart.js/dist/chart.umd.min.js",
    "moment/min/moment-with-locales.min.js",
];

fn npm_bundles() -> Option<corpus::Corpus> {
    let root =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/bundles/node_modules");
    let mut data = Vec::new();
    for file in NPM_BUNDLES {
        data.extend(std::fs::read(root.join(file)).ok()?);
        data.push(b'\n');
    }
    data.truncate(mib(4));
    Some(corpus::Corpus {
        name: "npm-bundles",
        data,
        planted: 0,
    })
}

fn scan_chunked(scanner: &mut secretsift::Scanner, data: &[u8], chunk: usize) -> u64 {
    let mut count = Count::default();
    for c in data.chunks(chunk) {
        scanner.feed(c, &mut count).unwrap();
    }
    scanner.finish(&mut count).unwrap();
    count.0
}

/// The reference: memchr counting newlines, one SIMD pass over the same bytes.
fn memchr_pass(data: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', data).count()
}

/// Every other rule of the default set (so both halves mix providers and generic rules).
fn half_engine() -> Engine {
    let ids: Vec<String> = Engine::with_default_rules()
        .expect("default rules compile")
        .rules()
        .step_by(2)
        .map(|r| r.id.clone())
        .collect();
    Engine::builder()
        .only(ids)
        .build()
        .expect("half of the rules compile")
}

fn bench(c: &mut Criterion) {
    let engine = Engine::with_default_rules().expect("default rules compile");
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    for corpus in &corpora() {
        let mut scanner = engine.scanner();
        let found = scan_chunked(&mut scanner, &corpus.data, 1 << 20);
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
                |b, &chunk| b.iter(|| scan_chunked(&mut scanner, &corpus.data, chunk)),
            );
        }
        group.bench_function(BenchmarkId::new(corpus.name, "memchr"), |b| {
            b.iter(|| memchr_pass(&corpus.data))
        });
    }
    group.finish();

    // Doubling the rules: half of the default set against all of it, on the realistic corpora.
    let half = half_engine();
    let mut group = c.benchmark_group("rules");
    group.sample_size(10);
    for corpus in &corpora()[..2] {
        group.throughput(Throughput::Bytes(corpus.data.len() as u64));
        for (name, e) in [("half", &half), ("all", &engine)] {
            let mut scanner = e.scanner();
            group.bench_function(BenchmarkId::new(corpus.name, name), |b| {
                b.iter(|| scan_chunked(&mut scanner, &corpus.data, 1 << 20))
            });
        }
    }
    group.finish();
    if !test_mode() {
        summary(&engine, &half);
    }
}

/// Best of `runs` wall-clock timings of `f`, in seconds.
fn best_of(runs: usize, mut f: impl FnMut()) -> f64 {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

/// A table for the README: engine MiB/s, memchr MiB/s and their ratio per corpus, and the
/// time ratio of all rules to half of them. Best of 3 (the machine is shared).
fn summary(engine: &Engine, half: &Engine) {
    println!("\ncorpus              engine MiB/s  memchr MiB/s  engine/memchr  all/half rules");
    for (i, corpus) in corpora().iter().enumerate() {
        let size = corpus.data.len() as f64 / (1 << 20) as f64;
        let mut scanner = engine.scanner();
        let t_all = best_of(3, || {
            scan_chunked(&mut scanner, &corpus.data, 1 << 20);
        });
        let t_mem = best_of(3, || {
            std::hint::black_box(memchr_pass(&corpus.data));
        });
        let ratio = if i < 2 {
            let mut scanner = half.scanner();
            let t_half = best_of(3, || {
                scan_chunked(&mut scanner, &corpus.data, 1 << 20);
            });
            format!("{:.2}x", t_all / t_half)
        } else {
            "-".into()
        };
        println!(
            "{:<18} {:>13.0} {:>13.0} {:>14.3} {:>15}",
            corpus.name,
            size / t_all,
            size / t_mem,
            t_mem / t_all,
            ratio
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
