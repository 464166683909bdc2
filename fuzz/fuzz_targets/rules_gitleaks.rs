#![no_main]
//! See fuzz/README.md and `secretsift_fuzz::check_rules_gitleaks`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| secretsift_fuzz::check_rules_gitleaks(data));
