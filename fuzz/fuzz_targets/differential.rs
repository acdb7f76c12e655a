//! Structure-aware: a valid record from `marcmap::arbitrary` must parse back to
//! exactly its fields, and one mutation of it (a byte flipped, inserted or
//! deleted) must be rejected with a position or read as the reference parser
//! reads it. The checks live in tests/fuzz_checks, shared with the stable replay
//! test; on a failure cargo-fuzz prints the input's `Debug`, a ready-to-paste test.
#![no_main]

#[path = "../../tests/fuzz_checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|input: checks::DifferentialInput| {
    checks::check_differential_input(&input)
});
