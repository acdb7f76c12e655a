//! The checks behind every fuzz target: this hub names the targets and
//! dispatches to their checks, one file a target.
//!
//! Both the cargo-fuzz targets (`fuzz/fuzz_targets/*.rs`) and the stable replay
//! test (`tests/fuzz_replay.rs`) include this module with `#[path]`, so a crash
//! input committed under `tests/fuzz_regressions/<target>/` is replayed through
//! exactly the checks that found it. A check fails by panicking.
//!
//! The invariants are written against small, deliberately simple oracles (the
//! framing rule, subfield splitting, a linear control-number search), in the
//! style of memchr's reference implementations.
//!
//! | target | check | file |
//! |---|---|---|
//! | `index` | [`check_index`] (and the byte ranges: `partition.rs`) | `index.rs` |
//! | `chunked_index` | [`check_chunked_index`] | `chunked_index.rs` |
//! | `record` | [`check_record`] | `record.rs` |
//! | `file` | [`check_file`] | `file.rs` |
//! | `differential` | `check_differential` (feature `arbitrary`) | `differential.rs` |
//! | `marc8` | [`check_marc8`] | `marc8.rs` |
//! | `marc8_encode` | [`check_marc8_encode`] | `marc8_encode.rs` |
//! | `marcxml`, `json`, `mrk` | [`check_reader`] | `readers.rs` |
//! | `sidecar` | [`check_sidecar`] | `sidecar.rs` |
//! | `edit` | [`check_edit`] | `edit.rs` |
//! | `arrow` | `check_arrow` (feature `arrow`) | `arrow.rs` |
//!
//! The framing oracles and the terminators they share are in `common.rs`.
//! `partition.rs` and `sidecar.rs` stand alone: the property and corpus tests
//! (`tests/core.rs`) include each of them by itself.

// Each fuzz target uses one check; the replay test uses them all.
#![allow(dead_code)]

#[cfg(feature = "arrow")]
pub mod arrow;
pub mod chunked_index;
pub mod common;
#[cfg(feature = "arbitrary")]
pub mod differential;
pub mod edit;
pub mod file;
pub mod index;
pub mod marc8;
pub mod marc8_encode;
pub mod partition;
pub mod readers;
pub mod record;
pub mod sidecar;

/// The reference parser the differential check's mutated records are checked
/// against (the property tests' own, `tests/core/oracle.rs`).
#[cfg(feature = "arbitrary")]
#[path = "../core/oracle.rs"]
mod oracle;

#[cfg(feature = "arrow")]
pub use arrow::check_arrow;
pub use chunked_index::check_chunked_index;
#[cfg(feature = "arbitrary")]
pub use differential::*;
pub use edit::check_edit;
pub use file::check_file;
pub use index::check_index;
pub use marc8::check_marc8;
pub use marc8_encode::check_marc8_encode;
pub use readers::check_reader;
pub use record::check_record;
pub use sidecar::check_sidecar;

/// The names of the targets, as used for `fuzz/seeds/<target>` and
/// `tests/fuzz_regressions/<target>`.
pub const TARGETS: &[&str] = &[
    "index",
    "record",
    "file",
    "differential",
    "marc8",
    "marc8_encode",
    "marcxml",
    "json",
    "mrk",
    "sidecar",
    "arrow",
    "edit",
    "chunked_index",
];

/// Whether the `differential` check is compiled in: it needs the `arbitrary`
/// feature (on in the fuzz crate; `cargo test --features arbitrary` for the
/// replay test).
pub const DIFFERENTIAL: bool = cfg!(feature = "arbitrary");

/// Whether the `arrow` check is compiled in: it needs the main crate's `arrow`
/// feature (on in the fuzz crate; `cargo test --features arrow --test
/// fuzz_replay` for the replay test).
pub const ARROW: bool = cfg!(feature = "arrow");

/// Runs the check for `target` on `data`.
pub fn check(target: &str, data: &[u8]) {
    match target {
        "index" => check_index(data),
        "record" => check_record(data),
        "file" => check_file(data),
        "differential" => {
            #[cfg(feature = "arbitrary")]
            check_differential(data);
        }
        "marc8" => check_marc8(data),
        "marc8_encode" => check_marc8_encode(data),
        "marcxml" => check_reader(marcmap::Format::MarcXml, data),
        "json" => check_reader(marcmap::Format::Json, data),
        "mrk" => check_reader(marcmap::Format::MarcMaker, data),
        "sidecar" => {
            check_sidecar(data);
        }
        "arrow" => {
            #[cfg(feature = "arrow")]
            check_arrow(data);
        }
        "edit" => check_edit(data),
        "chunked_index" => check_chunked_index(data),
        _ => panic!("unknown fuzz target {target:?}"),
    }
}
