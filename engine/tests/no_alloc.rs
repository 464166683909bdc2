//! Once a stream is set up, feeding and finishing it allocate nothing.
//!
//! A counting global allocator wraps the system one; the test builds the engine and scanner
//! first, then feeds 64 MiB holding thousands of secrets in varied chunk sizes and asserts that
//! not one allocation happened while feeding.

mod common;
#[path = "../../benches/corpus.rs"]
mod corpus;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use secretsift::sink::Count;
use secretsift::RedactOptions;

struct Counting;

thread_local! {
    // Per thread, so allocations by the test harness or by other tests running in parallel
    // are not counted. `const` initialisers: reading them never allocates.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

fn note_allocation() {
    if COUNTING.with(Cell::get) {
        ALLOCS.with(|a| a.set(a.get() + 1));
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` and returns how many allocations this thread made meanwhile.
fn allocations(f: impl FnOnce()) -> u64 {
    ALLOCS.with(|a| a.set(0));
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    ALLOCS.with(Cell::get)
}

fn corpus() -> Vec<u8> {
    // ~1 MiB of generated text dense with secrets, repeated to 64 MiB.
    let block = common::input(0x5eed, 12_000);
    let mut data = Vec::with_capacity(64 << 20);
    while data.len() < 64 << 20 {
        data.extend_from_slice(&block);
    }
    data
}

/// Feeds `data` in chunks of 1 byte to 1 MiB, cycling through sizes, then finishes.
fn feed_in_varied_chunks(scanner: &mut secretsift::Scanner, data: &[u8], count: &mut Count) {
    let sizes = [1usize, 7, 100, 4096, 65_536, 1 << 20].into_iter().cycle();
    let mut at = 0;
    for size in sizes {
        if at == data.len() {
            break;
        }
        let end = (at + size).min(data.len());
        scanner.feed(&data[at..end], count).unwrap();
        at = end;
    }
    scanner.finish(count).unwrap();
}

#[test]
fn scanning_64_mib_allocates_nothing() {
    let engine = common::engine();
    let data = corpus();
    let mut scanner = engine.scanner();
    let mut count = Count::default();
    let n = allocations(|| feed_in_varied_chunks(&mut scanner, &data, &mut count));
    assert!(
        count.0 >= 1000,
        "the corpus should hold at least 1,000 findings, got {}",
        count.0
    );
    assert_eq!(
        n,
        0,
        "{n} allocations while feeding {} MiB ({} findings)",
        data.len() >> 20,
        count.0
    );
}

#[test]
fn line_mode_and_redaction_allocate_nothing() {
    let engine = common::engine();
    let data = corpus();
    let data = &data[..16 << 20];
    let mut redactor = engine.redactor(RedactOptions {
        line_mode: true,
        ..RedactOptions::default()
    });
    let mut out = std::io::sink();
    let n = allocations(|| {
        for chunk in data.chunks(3001) {
            redactor.feed(chunk, &mut out).unwrap();
        }
        redactor.finish(&mut out).unwrap();
    });
    let redacted: u64 = redactor.counts().iter().sum();
    assert!(
        redacted >= 1000,
        "expected at least 1,000 redactions, got {redacted}"
    );
    assert_eq!(n, 0, "{n} allocations while redacting");
}

#[test]
fn default_ruleset_on_its_own_examples_allocates_nothing() {
    // The shipped rules, over a corpus built from every rule's examples and counter-examples
    // (so every regex, validator and allowlist path runs) plus text the scanner's warm-up never
    // sees: generated logs and minified JavaScript with planted keys, text dense in keywords
    // (searched by the prefilter's automaton after its first block), and random noise.
    let engine = secretsift::Engine::with_default_rules().unwrap();
    let mut block = Vec::new();
    for (i, r) in secretsift::default_rules().iter().enumerate() {
        for ex in r.examples.iter().chain(&r.negative_examples) {
            block.extend_from_slice(format!("{i} INFO request done ").as_bytes());
            block.extend_from_slice(ex.as_bytes());
            block.extend_from_slice(b"\n");
        }
    }
    block.extend(corpus::logs(1 << 20, 50).data);
    block.extend(corpus::minified_js(1 << 20, 50).data);
    block.extend(corpus::keyword_dense(1 << 20, 50).data);
    block.extend(common::input(0xd1ce, 5_000));
    let mut data = Vec::with_capacity(64 << 20);
    while data.len() < 64 << 20 {
        data.extend_from_slice(&block);
    }
    let mut scanner = engine.scanner();
    let mut count = Count::default();
    let n = allocations(|| feed_in_varied_chunks(&mut scanner, &data, &mut count));
    assert!(
        count.0 >= 1000,
        "expected at least 1,000 findings, got {}",
        count.0
    );
    assert_eq!(
        n, 0,
        "{n} allocations while feeding the default ruleset's examples"
    );
}
