//! What several classes share, below all of them (it names no class): the
//! file a reader's records and fields read and how they decode it
//! ([`Shared`]), where a record is in that file ([`Place`]), a core record on
//! its way to becoming an `OwnedRecord` ([`OwnedCopy`]), and [`lock`].

use super::text::TextOptions;
use crate::file::MarcFile;
use crate::owned::OwnedRecord;
use std::sync::{Mutex, MutexGuard};

/// What every record and field of a reader shares: the file and how to decode it.
pub(crate) struct Shared {
    pub file: MarcFile,
    pub text: TextOptions,
}

/// Where a record is: its index, its byte range in the `MarcFile` it is read
/// from (`start` is an offset in that file, read with `MarcFile::bytes_at`: a
/// byte range's bytes begin past 0), and the offset it reports (the same as
/// `start`, except for a record that was pickled and now owns its bytes: there,
/// where it was in its file).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Place {
    pub index: u64,
    pub start: usize,
    pub len: usize,
    pub origin: u64,
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
