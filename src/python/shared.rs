//! What several classes share, below all of them (it names no class): the
//! file a reader's records and fields read and how they decode it
//! ([`Shared`]), where a record is in that file ([`Place`]), a core record on
//! its way to becoming an `OwnedRecord` ([`OwnedCopy`]), and [`lock`].

use super::text::TextOptions;
use crate::{MarcFile, OwnedRecord, RecordHandle};
use std::sync::{Mutex, MutexGuard};

/// What every record and field of a reader shares: the file and how to decode it.
pub(crate) struct Shared {
    pub file: MarcFile,
    pub text: TextOptions,
}

/// Where a record is: its handle in the `MarcFile` it is read from (its byte
/// range there, read with `MarcFile::record_at`: a byte range's bytes begin
/// past 0), and the index and offset it reports (the handle's, except for a
/// record that was pickled and now owns its bytes: there, where it was in its
/// file; and for a transcoded input, the offset is where the record was in the
/// input).
#[derive(Debug, Clone)]
pub(crate) struct Place {
    pub handle: RecordHandle,
    pub index: u64,
    pub origin: u64,
}

impl Place {
    /// Where the record's bytes start in its `MarcFile`.
    pub fn start(&self) -> usize {
        self.handle.offset() as usize
    }

    /// The record's length in bytes.
    pub fn len(&self) -> usize {
        self.handle.byte_len()
    }
}

/// A record copied out of a `Record` (`Record.to_owned()`), which Python gets
/// as a new `marcmap.OwnedRecord`: the conversion (`IntoPyObject`) is in
/// `owned.rs`, whose class sits above `Record` (an `OwnedRecord` is read
/// through a `Record` view of its bytes).
pub(crate) struct OwnedCopy(pub OwnedRecord);

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding these locks cannot leave them inconsistent: recover.
    m.lock().unwrap_or_else(|e| e.into_inner())
}
