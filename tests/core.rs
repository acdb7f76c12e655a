//! marcmap's integration tests: one binary, modules in `tests/core/`.
//!
//! - `oracle`: a naive reference parser the zero-copy parser is checked against;
//! - `gen`: random structurally valid records;
//! - `props`: property tests (generated records, damaged files, arbitrary bytes);
//! - `corpus`: a sweep of every ISO 2709 file in `../shared/marc-corpus`;
//! - `owned`: the owned record and its serialiser;
//! - `edit`: the edit language on `tests/data` and the corpus;
//! - `chunked_index`: Phase 1 on several threads against the serial scan;
//! - `partition`: record-aligned byte ranges against the whole-file index;
//! - `sidecar`: the persisted index, written, read, stale, corrupt;
//! - `fixtures`: random access, control numbers, threads and open modes on `tests/data`;
//! - `marcspec`: MARCspec's test suite and the specification's examples;
//! - `query`: the bulk work (`marcmap::query`) on `tests/data`;
//! - `profile`: the whole-file profile against `validate` and `lint` on the corpus.

#[path = "core/chunked_index.rs"]
mod chunked_index;
#[path = "core/corpus.rs"]
mod corpus;
#[path = "common/corpus_dir.rs"]
mod corpus_dir;
#[path = "core/edit.rs"]
mod edit;
#[path = "core/fixtures.rs"]
mod fixtures;
#[path = "fuzz_checks/partition.rs"]
mod fuzz_checks;
#[path = "fuzz_checks/chunked_index.rs"]
mod fuzz_chunked_index;
#[path = "fuzz_checks/sidecar.rs"]
mod fuzz_sidecar;
#[path = "core/gen.rs"]
mod gen;
#[path = "core/marcspec.rs"]
mod marcspec;
#[path = "core/oracle.rs"]
mod oracle;
#[path = "core/owned.rs"]
mod owned;
#[path = "core/partition.rs"]
mod partition;
#[path = "core/profile.rs"]
mod profile;
#[path = "core/props.rs"]
mod props;
#[path = "core/query.rs"]
mod query;
#[path = "core/sidecar.rs"]
mod sidecar;
#[path = "core/util.rs"]
mod util;
