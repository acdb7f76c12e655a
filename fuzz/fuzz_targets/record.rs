//! Phase 2 (RecordRef::parse) on arbitrary bytes as one record: every accessor, Debug, Display, UTF-8 decoding.
//! The checks live in tests/fuzz_checks, shared with the stable replay test.
#![no_main]

#[path = "../../tests/fuzz_checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check_record(data));
