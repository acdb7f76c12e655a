//! Phase 1 (RecordIndex::build) in strict and lenient mode on arbitrary bytes.
//! The checks live in tests/fuzz_checks, shared with the stable replay test.
#![no_main]

#[path = "../../tests/fuzz_checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check_index(data));
