#![no_main]
//! See fuzz/README.md and `secretsift_fuzz::check_stream`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| secretsift_fuzz::check_stream(data));
