//! The edit language (marcmap::edit): each line of the input is a rule, parsed,
//! and applied to a small record when the program parses.
//! The checks live in tests/fuzz_checks, shared with the stable replay test.
#![no_main]

#[path = "../../tests/fuzz_checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check("edit", data));
