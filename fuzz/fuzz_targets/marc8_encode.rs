//! The MARC-8 encoder on any text: it decodes back to the text.
//! The checks live in tests/fuzz_checks, shared with the stable replay test.
#![no_main]

#[path = "../../tests/fuzz_checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check_marc8_encode(data));
