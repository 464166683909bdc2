//! Runs every case in `tests/vectors/*.toml` through `Engine::scan`, a `Scanner` fed at chunk
//! sizes 1, 7, 4096 and whole, and (when the case has `redacted`) the redactor at the same
//! sizes. `SECRETSIFT_TEST=substr,-skip` filters cases by name.

use secretsift_harness::{filter_matches, load_dir, run_case};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors");

#[test]
fn vectors() {
    let cases = load_dir(VECTORS);
    assert!(!cases.is_empty(), "no vectors found in {VECTORS}");
    let filter = std::env::var("SECRETSIFT_TEST").unwrap_or_default();
    let mut ran = 0;
    let mut failed = Vec::new();
    for (file, case) in &cases {
        if !filter_matches(&filter, &case.name) {
            continue;
        }
        ran += 1;
        let problems = run_case(case);
        if !problems.is_empty() {
            failed.push(format!(
                "{file}: {}\n    {}",
                case.name,
                problems.join("\n    ")
            ));
        }
    }
    eprintln!("{ran} vector case(s) run, {} failed", failed.len());
    assert!(ran > 0 || !filter.is_empty(), "no case ran");
    assert!(
        failed.is_empty(),
        "{} of {ran} case(s) failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}
