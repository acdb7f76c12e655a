//! Arrow batches of every shape over arbitrary bytes (see `check_arrow`).
//! The checks live in tests/fuzz_checks, shared with the stable replay test.
#![no_main]

#[path = "../../tests/fuzz_checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check_arrow(data));
