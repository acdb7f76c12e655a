//! marcmap: a memory-mapped, zero-copy reader for MARC 21 (ISO 2709) files.
//!
//! Library catalogues travel as ISO 2709 files: millions of records, gigabytes,
//! with broken records and MARC-8 text among them. marcmap reads them in two phases.
//!
//! **Phase 1, the index.** [`MarcFile::open`] maps the file read-only and finds
//! where each record starts, and nothing else: it streams over the bytes for
//! record terminators (0x1D) and checks each against the length in the leader.
//! The index is one `u64` a record. In lenient framing (the default) damage
//! between records is skipped and reported ([`MarcFile::skipped`]); in strict
//! framing the scan stops at the first damage ([`MarcFile::framing_error`]).
//!
//! **Phase 2, the record.** [`MarcFile::record`] parses one record from a
//! borrowed slice of the mapping. The leader and directory are read in place
//! ([`layout::Leader`], [`layout::DirEntry`]); fields and subfields are slices.
//! The record is validated once, so no accessor can fail after that.
//!
//! ```
//! # fn main() -> marcmap::Result<()> {
//! let raw = b"00056nam a2200037 a 4500245001800000\x1e10\x1faA title\x1fbpart\x1e\x1d".to_vec();
//! let file = marcmap::MarcFile::from_bytes(raw);
//! for record in &file {
//!     let record = record?;
//!     let title = record.first(b"245").and_then(|f| f.subfield(b'a'));
//!     assert_eq!(title, Some(&b"A title"[..]));
//! }
//! # Ok(()) }
//! ```
//!
//! Text stays bytes in the core. Decoding is its own step, in one place: a
//! [`TextDecoder`] decides each record's encoding (LDR/09, MARC-8 options,
//! legacy encodings) and decodes values with positioned errors. Records to
//! build or edit are [`OwnedRecord`]s, the one way marcmap writes ISO 2709.
//!
//! The [`tutorial`] walks through opening, iterating, decoding, random
//! access, lookup by 001, threads, errors and damaged files.
//!
//! # The mmap contract
//!
//! A mapped file must not be modified while it is read: another process that
//! rewrites it changes what the reader sees, and one that truncates it can kill
//! the reader with SIGBUS. Every offset taken from the data is bounds-checked, so
//! changed bytes give errors, not unsound reads. Where the contract cannot be
//! kept, read the file into memory instead with
//! `OpenOptions::new().access(Access::Read)`, or pass owned bytes to
//! [`MarcFile::from_bytes`].
//!
//! # Threads
//!
//! [`MarcFile`] is `Send + Sync` and cheap to clone. [`MarcFile::par_map`]
//! visits every record on N threads and returns results in record order.

#![deny(missing_docs)]

#[cfg(feature = "arbitrary")]
pub mod arbitrary;
#[cfg(feature = "arrow")]
pub mod arrow;
mod chunked_index;
mod control_number;
mod decode;
mod decompress;
pub mod edit;
mod encoding;
mod error;
mod file;
pub mod filter;
mod format;
mod frame;
mod index;
pub mod layout;
pub mod lint;
pub mod marc8;
mod mnemonic;
pub mod names;
pub mod open;
pub mod output;
mod owned;
// Hidden: the Python bindings build Python objects from each chunk of a
// parallel map on the calling thread, with the GIL, while the workers go on
// (`map_range_in_order`), and size their work by `default_threads`. Not an API
// to design around: `MarcFile::par_map` is the public parallel map.
#[doc(hidden)]
pub mod parallel;
pub mod partition;
pub mod profile;
pub mod query;
pub mod read;
mod record;
mod repair;
pub mod select;
pub mod sidecar;
pub mod sniff;
pub mod spec;
mod storage;
pub mod subfield_code;
pub mod text;
pub mod tutorial;
mod words;
pub mod write;

#[cfg(feature = "python")]
mod python;

pub use control_number::ControlNumberIndex;
pub use decode::ErrorHandling;
pub use error::{Error, ErrorKind, Position, Result};
pub use file::{MarcFile, Records};
pub use format::{Format, UnknownFormat};
pub use index::{Framing, RecordIndex, RecoveredRecord, SkipReason, SkippedRange};
pub use open::OpenOptions;
pub use owned::{write_spliced, FieldSource};
pub use owned::{BadTagPattern, FieldEditError, TagPattern};
pub use owned::{
    FieldBody, OwnedField, OwnedRecord, OwnedSubfield, RecordBuilder, DEFAULT_LEADER,
    MAX_FIELD_LEN, MAX_RECORD_LEN,
};
pub use record::{FieldRef, Fields, RecordHandle, RecordRef, Subfield, Subfields};
pub use repair::{Repair, RepairKind, Validation};
pub use sidecar::{SidecarMode, SidecarStatus};
pub use storage::{Access, AccessPattern};
pub use text::{Encoding, TextDecoder};
