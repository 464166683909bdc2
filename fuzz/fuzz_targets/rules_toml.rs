#![no_main]
//! See fuzz/README.md and `secretsift_fuzz::check_rules_toml`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| secretsift_fuzz::check_rules_toml(data));
