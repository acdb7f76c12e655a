//! Phase 1 on several threads, in tiny chunks, equals the serial scan on
//! arbitrary bytes, strict and lenient. The check lives in tests/fuzz_checks,
//! shared with the stable replay test.
#![no_main]

#[path = "../../tests/fuzz_checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check_chunked_index(data));
