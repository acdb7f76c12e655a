//! [`MarcFile`]: the bytes, their Phase 1 index, and Phase 2 views on demand.

use crate::control_number::ControlNumberIndex;
use crate::error::{open_error, Error, ErrorKind, Position, Result};
use crate::format::Format;
use crate::frame;
use crate::index::{Framing, RecordIndex, RecoveredRecord, SkippedRange};
use crate::layout;
use crate::output::FileId;
use crate::parallel;
use crate::read::{Input, InputPosition};
use crate::record::{RecordHandle, RecordRef};
use crate::repair::Validation;
use crate::sidecar::{self, sidecar_error, DataIdentity, SidecarProblem, SidecarStatus};
use crate::sniff::Compression;
use crate::storage::{AccessPattern, Storage};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

/// How the records were obtained from the input: the one thing that decides
/// where a record's input position, the skipped ranges and the framing error
/// come from.
#[derive(Debug)]
pub(crate) enum Obtained {
    /// ISO 2709: the input's own bytes (decompressed, if it was compressed).
    Iso2709 { compression: Option<Compression> },
    /// Transcoded to ISO 2709 from another format: `input` says where each
    /// record was in it, which failed and what was skipped.
    Converted {
        /// The format read (JSON lines and a JSON array share one reader, whose
        /// `Input` says `Json` for both).
        format: Format,
        compression: Option<Compression>,
        input: Input,
    },
}

impl Obtained {
    /// An input of `format`, in `compression`, with none of its records (a
    /// byte range that does not hold the start of a converted input).
    pub(crate) fn nothing_of(format: Format, compression: Option<Compression>) -> Obtained {
        match format {
            Format::Iso2709 => Obtained::Iso2709 { compression },
            format => Obtained::Converted {
                format,
                compression,
                input: Input::without_records(format),
            },
        }
    }
}

/// Where a whole file came from, for its sidecar.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    pub(crate) path: PathBuf,
    pub(crate) size: u64,
    pub(crate) modified: Option<SystemTime>,
}

pub(crate) struct Inner {
    pub(crate) storage: Storage,
    /// How Phase 1 framed the records (the sidecar records it).
    pub(crate) framing: Framing,
    /// Set for a whole file opened from a path.
    pub(crate) origin: Option<Origin>,
    pub(crate) sidecar: SidecarStatus,
    /// The absolute offset of the storage's first byte: 0 for a whole file, the
    /// first record's for a byte range.
    pub(crate) data_offset: u64,
    pub(crate) validation: Validation,
    pub(crate) index: RecordIndex,
    pub(crate) control_numbers: OnceLock<ControlNumberIndex>,
    pub(crate) obtained: Obtained,
    /// Opened from a sidecar and advised for random access: the first scan
    /// advises normal readahead again.
    pub(crate) random_until_scan: AtomicBool,
    /// The file read, where it was one: an output must not be this file.
    pub(crate) file_id: Option<FileId>,
    /// The threads it was opened with, which also release its mapping.
    pub(crate) threads: usize,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // The last reader of a large mapped file lets go of it on the threads
        // it was opened with, not one page at a time on its own.
        self.storage.release(self.threads);
    }
}

/// A MARC file: its bytes (mapped or owned) and the start of every record.
///
/// Cloning is cheap (an `Arc`), and a `MarcFile` can be shared across threads.
/// Records are parsed only when asked for, from a borrowed slice of the bytes.
///
/// ```
/// # fn main() -> marcmap::Result<()> {
/// let raw = b"00042nam a2200037 a 4500001000400000\x1e123\x1e\x1d".to_vec();
/// let file = marcmap::MarcFile::from_bytes(raw);
/// assert_eq!(file.len(), 1);
/// let record = file.record(0)?;
/// assert_eq!(record.control_number(), Some(&b"123"[..]));
/// assert_eq!(file.find_control_number(b"123"), vec![0]);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct MarcFile {
    pub(crate) inner: Arc<Inner>,
}

impl MarcFile {
    /// The format of the input the records were read from.
    pub fn format(&self) -> Format {
        match &self.inner.obtained {
            Obtained::Iso2709 { .. } => Format::Iso2709,
            Obtained::Converted { format, .. } => *format,
        }
    }

    /// The compression the input was in, if it was compressed.
    pub fn compression(&self) -> Option<Compression> {
        match &self.inner.obtained {
            Obtained::Iso2709 { compression } | Obtained::Converted { compression, .. } => {
                *compression
            }
        }
    }

    /// For an input that was transcoded (MARCXML, MARC-in-JSON, MARCMaker):
    /// where its records were, which failed, what was skipped.
    pub fn input(&self) -> Option<&Input> {
        match &self.inner.obtained {
            Obtained::Iso2709 { .. } => None,
            Obtained::Converted { input, .. } => Some(input),
        }
    }

    /// Where record `i` starts in the input: in a transcoded input, its
    /// position there (line and column too); else its byte offset in the file.
    pub fn input_position(&self, i: usize) -> Option<InputPosition> {
        match self.input() {
            Some(input) => input.origin(i),
            None => self.offset(i).map(|offset| InputPosition {
                offset,
                ..InputPosition::default()
            }),
        }
    }

    /// `e`, about a record of this file, with its positions in terms of the
    /// input: a transcoded record's byte offsets in the ISO 2709 buffer mean
    /// nothing to a reader of the input, so they become the record's offset in
    /// the input. Other errors are returned as they are.
    pub fn in_input_terms(&self, e: Error) -> Error {
        let Some(input) = self.input() else {
            return e;
        };
        if matches!(e.kind(), ErrorKind::Malformed { .. }) {
            return e;
        }
        let pos = e.position();
        let Some(origin) = pos.record.and_then(|i| input.origin(i as usize)) else {
            return e;
        };
        Error::new(
            e.into_kind(),
            Position {
                record_offset: Some(origin.offset),
                byte: Some(origin.offset),
                ..pos
            },
        )
    }

    /// This file, its records obtained as `obtained` says.
    pub(crate) fn with_obtained(mut self, obtained: Obtained) -> MarcFile {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.obtained = obtained;
        }
        self
    }

    /// This file, read from the file `id` identifies.
    pub(crate) fn with_file_id(mut self, id: Option<FileId>) -> MarcFile {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.file_id = id;
        }
        self
    }

    /// The identity of the file the records were read from (a path or an open
    /// file; `None` for bytes in memory). Writers refuse an output that is this
    /// file: see [`crate::output`].
    pub fn file_id(&self) -> Option<FileId> {
        self.inner.file_id
    }

    /// This file, as opened from `origin`, with what became of its sidecar.
    pub(crate) fn with_origin(self, origin: Origin, sidecar: SidecarStatus) -> MarcFile {
        let mut inner = match Arc::try_unwrap(self.inner) {
            Ok(inner) => inner,
            // Only just made: there is no other reference.
            Err(shared) => return MarcFile { inner: shared },
        };
        inner.origin = Some(origin);
        inner.sidecar = sidecar;
        MarcFile {
            inner: Arc::new(inner),
        }
    }

    /// Says that every record (or most) is about to be read in order: a file
    /// opened from its sidecar, advised for random access so that lookups read
    /// only the pages they need, goes back to normal readahead. Iteration,
    /// [`MarcFile::par_map`] and building the control-number index call it; so
    /// do the Python bindings' iteration and bulk work. Cheap when there is
    /// nothing to do.
    pub fn expect_scan(&self) {
        if self.inner.random_until_scan.load(Ordering::Relaxed)
            && self.inner.random_until_scan.swap(false, Ordering::Relaxed)
        {
            self.inner.storage.advise(AccessPattern::Normal);
        }
    }

    /// What became of the sidecar when this file was opened.
    pub fn sidecar_status(&self) -> &SidecarStatus {
        &self.inner.sidecar
    }

    /// Writes this file's index to a sidecar: `path`, or beside the file
    /// (`FILE.mmi`). It holds the record offsets, the skipped ranges, the
    /// recovered records, and the control-number index if it has been built
    /// (see [`MarcFile::control_number_index_with`]). Gives the path written.
    ///
    /// Only a whole file opened from a path has a sidecar, and only while the
    /// file is as it was when opened (same size and modification time).
    pub fn save_index(&self, path: Option<&Path>) -> Result<PathBuf> {
        let Some(origin) = &self.inner.origin else {
            let why = match (self.compression(), self.format()) {
                (Some(c), _) => format!(
                    "only an uncompressed ISO 2709 file has a sidecar, and this input is {}-compressed",
                    c.name()
                ),
                (None, f) if f != Format::Iso2709 => format!(
                    "only an ISO 2709 file has a sidecar, and this input is {}",
                    f.title()
                ),
                _ => "only a whole file opened from a path has a sidecar, not a byte range or bytes in memory".into(),
            };
            let target = path.map(Path::to_path_buf).unwrap_or_default();
            return Err(sidecar_error(target, SidecarProblem::Unsupported(why)));
        };
        let target = path.map_or_else(|| sidecar::path_for(&origin.path), Path::to_path_buf);
        crate::output::check_not_input(&target, self.inner.file_id)?;
        let now = std::fs::metadata(&origin.path).map_err(|e| open_error(&origin.path, e))?;
        if now.len() != origin.size || now.modified().ok() != origin.modified {
            let why = "the data file changed after it was opened".to_string();
            return Err(sidecar_error(target, SidecarProblem::Stale(why)));
        }
        let identity = DataIdentity::of_bytes(self.bytes(), origin.modified);
        let bytes = sidecar::encode(
            &identity,
            self.inner.framing,
            &self.inner.index,
            self.inner.control_numbers.get(),
        );
        sidecar::write_atomically(&target, &bytes)
            .map_err(|e| sidecar_error(target.clone(), SidecarProblem::Io(e)))?;
        Ok(target)
    }

    /// All the bytes: the whole file's, or for a byte range
    /// ([`crate::OpenOptions::open_range`]) the range's, which start at the file's byte
    /// [`MarcFile::data_offset`].
    #[inline]
    pub fn bytes(&self) -> &[u8] {
        self.inner.storage.bytes()
    }

    /// The offset in the file of the first byte of [`MarcFile::bytes`]: 0, or
    /// where a byte range's first record (or the damage before it) starts.
    pub fn data_offset(&self) -> u64 {
        self.inner.data_offset
    }

    /// The file's bytes from absolute `offset`, `len` of them, if they are all in
    /// [`MarcFile::bytes`].
    pub fn bytes_at(&self, offset: u64, len: usize) -> Option<&[u8]> {
        let start = usize::try_from(offset.checked_sub(self.inner.data_offset)?).ok()?;
        self.bytes().get(start..start.checked_add(len)?)
    }

    /// The file's bytes from absolute `offset` to the end of [`MarcFile::bytes`].
    pub fn bytes_from(&self, offset: u64) -> Option<&[u8]> {
        let start = usize::try_from(offset.checked_sub(self.inner.data_offset)?).ok()?;
        self.bytes().get(start..)
    }

    /// The index in the whole file of record 0 here, where it is known: 0 for a
    /// whole file and for a byte range from its start; `None` for a range that
    /// starts later (counting the records before it would mean indexing them).
    pub fn first_record_index(&self) -> Option<u64> {
        (self.inner.data_offset == 0).then_some(0)
    }

    /// Whether the bytes are a memory mapping (not a copy in memory).
    pub fn is_mapped(&self) -> bool {
        self.inner.storage.is_mapped()
    }

    /// Tells the kernel how the mapping will be read next (a hint; no-op for bytes in memory).
    pub fn advise(&self, pattern: AccessPattern) {
        self.inner.storage.advise(pattern);
    }

    /// The Phase 1 index.
    pub fn record_index(&self) -> &RecordIndex {
        &self.inner.index
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.inner.index.len()
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.inner.index.is_empty()
    }

    /// The byte offset where record `i` starts.
    pub fn offset(&self, i: usize) -> Option<u64> {
        self.inner.index.start(i)
    }

    /// The raw bytes of record `i`, leader to terminator, without parsing them.
    pub fn raw(&self, i: usize) -> Option<&[u8]> {
        let rest = self.bytes_from(self.inner.index.start(i)?)?;
        // Phase 1 checked that every record it did not recover is framed exactly by
        // its declared length, so only the leader is read here: random access then
        // costs no extra cache miss at the record's far end.
        let len = if self.inner.index.is_recovered(i) {
            frame::terminated_length(rest, 0)?
        } else {
            layout::declared_length(rest)?
        };
        rest.get(..len)
    }

    /// How Phase 2 validates records.
    pub fn validation(&self) -> Validation {
        self.inner.validation
    }

    /// Record `i`, parsed and validated (and repaired, under
    /// [`Validation::Repair`]). Errors carry the record index and absolute byte offset.
    pub fn record(&self, i: usize) -> Result<RecordRef<'_>> {
        let len = self.len();
        let Some(start) = self.inner.index.start(i) else {
            let kind = ErrorKind::IndexOutOfRange { index: i, len };
            return Err(Error::new(
                kind,
                Position {
                    record: Some(i as u64),
                    ..Default::default()
                },
            ));
        };
        if let Some(input) = self.input() {
            if let Some(m) = input.failure(i) {
                return Err(input.error(i, m));
            }
        }
        let raw = self.raw(i).unwrap_or_default();
        match RecordRef::parse_with(raw, self.inner.validation) {
            Ok(r) => Ok(r.located(i as u64, start)),
            Err(e) => Err(self.in_input_terms(e.located(i as u64, start))),
        }
    }

    /// A handle to record `i`, validated (and repaired, under
    /// [`Validation::Repair`]) as [`MarcFile::record`] does: to keep, and read
    /// the record again with [`MarcFile::record_at`] without validating it again.
    pub fn handle(&self, i: usize) -> Result<RecordHandle> {
        let record = self.record(i)?;
        let offset = self.inner.index.start(i).unwrap_or_default();
        Ok(record.handle_at(i as u64, offset))
    }

    /// The record `handle` names, read again in O(1), without validating it
    /// (its validation made the handle): located as record
    /// [`RecordHandle::index`] at [`RecordHandle::offset`].
    ///
    /// The handle must come from this file ([`MarcFile::handle`],
    /// [`RecordRef::handle`] of one of its records). A handle from another file
    /// reads whatever is at its place here: a wrong record, or, where there is
    /// no record, one with no fields; never out of bounds, and nothing panics.
    pub fn record_at(&self, handle: &RecordHandle) -> RecordRef<'_> {
        self.bytes_at(handle.offset(), handle.byte_len())
            .and_then(|bytes| handle.read(bytes))
            .unwrap_or_else(|| {
                RecordHandle::clean(0, 0, EMPTY_RECORD.len())
                    .read(EMPTY_RECORD)
                    .expect("the constant record has a leader and a directory")
            })
            .located(handle.index(), handle.offset())
    }

    /// A handle to record `i` without validating it, as if it had validated
    /// clean (no repairs): for a caller that remembers which records validated
    /// clean (a bit each) rather than keeping their handles. Read through it, a
    /// record that would not validate clean stays memory-safe (every slice is
    /// bounds-checked, nothing panics) but may read wrongly: fields missing,
    /// empty or misplaced. `None` when there is no record `i`.
    pub fn handle_unvalidated(&self, i: usize) -> Option<RecordHandle> {
        let offset = self.inner.index.start(i)?;
        Some(RecordHandle::clean(i as u64, offset, self.raw(i)?.len()))
    }

    /// Every record in file order. With strict framing, the framing error that
    /// stopped Phase 1 (if any) comes last.
    pub fn iter(&self) -> Records<'_> {
        self.expect_scan();
        Records {
            file: self,
            next: 0,
            stop_reported: false,
        }
    }

    /// The byte ranges lenient framing skipped (in a transcoded input, the
    /// damage between its records, at offsets in the input).
    pub fn skipped(&self) -> &[SkippedRange] {
        match self.input() {
            Some(input) => input.skipped(),
            None => self.inner.index.skipped(),
        }
    }

    /// The records lenient framing accepted despite a wrong declared length.
    pub fn recovered(&self) -> &[RecoveredRecord] {
        self.inner.index.recovered()
    }

    /// The error strict framing stopped at (in a transcoded input, the first
    /// malformed record).
    pub fn framing_error(&self) -> Option<Error> {
        match self.input() {
            Some(input) => input.stop_error(),
            None => self.inner.index.framing_error(self.bytes()),
        }
    }

    /// The indices of every record whose 001 equals `control_number`, in file order.
    ///
    /// Leading and trailing ASCII whitespace is ignored on both sides (LC pads its
    /// 001s). Duplicates are all kept. The index behind this is built on first use,
    /// on all cores.
    pub fn find_control_number(&self, control_number: &[u8]) -> Vec<usize> {
        self.control_number_index().find(self, control_number)
    }

    /// Builds the control-number index now, on `threads` threads, if it isn't built yet.
    pub fn control_number_index_with(&self, threads: usize) -> &ControlNumberIndex {
        self.inner.control_numbers.get_or_init(|| {
            self.expect_scan();
            ControlNumberIndex::build(self.len(), threads, |i| self.control_number_of(i))
        })
    }

    fn control_number_index(&self) -> &ControlNumberIndex {
        self.control_number_index_with(parallel::default_threads())
    }

    /// Record `i`'s 001, if it parses and has one.
    fn control_number_of(&self, i: usize) -> Option<&[u8]> {
        self.record(i).ok()?.control_number()
    }

    /// Applies `f` to every record on `threads` threads and returns the results in
    /// record order. `f` gets the record index and the parsed record (or its error).
    ///
    /// ```
    /// let raw = b"00042nam a2200037 a 4500001000400000\x1e123\x1e\x1d".repeat(100);
    /// let file = marcmap::MarcFile::from_bytes(raw);
    /// let counts = file.par_map(2, |_, record| record.map(|r| r.field_count()).unwrap_or(0));
    /// assert_eq!(counts, vec![1; 100]);
    /// ```
    pub fn par_map<T, F>(&self, threads: usize, f: F) -> Vec<T>
    where
        T: Send,
        F: Fn(usize, Result<RecordRef<'_>>) -> T + Sync,
    {
        self.expect_scan();
        parallel::map_range(self.len(), threads, |i| f(i, self.record(i)))
    }

    /// [`MarcFile::par_map`] keeping only the `Some` results, in record order:
    /// for passes that find few things (errors, matches) in many records.
    ///
    /// ```
    /// let raw = b"00042nam a2200037 a 4500001000400000\x1e123\x1e\x1d".repeat(100);
    /// let file = marcmap::MarcFile::from_bytes(raw);
    /// let odd = file.par_filter_map(2, |i, _| (i % 2 == 1).then_some(i));
    /// assert_eq!(odd, (1..100).step_by(2).collect::<Vec<_>>());
    /// ```
    pub fn par_filter_map<T, F>(&self, threads: usize, f: F) -> Vec<T>
    where
        T: Send,
        F: Fn(usize, Result<RecordRef<'_>>) -> Option<T> + Sync,
    {
        self.expect_scan();
        parallel::filter_map_range(self.len(), threads, |i| f(i, self.record(i)))
    }
}

/// What [`MarcFile::record_at`] reads for a handle that names no record here: a
/// leader and an empty directory (no fields).
const EMPTY_RECORD: &[u8] = b"00026     2200025   4500\x1e\x1d";

// `ControlNumberIndex::find` is defined here, beside the file it reads: the
// control-number module builds and searches the index from what it is given.
impl ControlNumberIndex {
    /// The records of `file` (the file this index was built from) whose 001
    /// equals `cn` (whitespace-trimmed), in file order.
    pub fn find(&self, file: &MarcFile, cn: &[u8]) -> Vec<usize> {
        self.find_in(cn, |i| file.raw(i), |i| file.control_number_of(i))
    }
}

/// The records of a [`MarcFile`], in order.
pub struct Records<'a> {
    file: &'a MarcFile,
    next: usize,
    stop_reported: bool,
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<RecordRef<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next < self.file.len() {
            self.next += 1;
            return Some(self.file.record(self.next - 1));
        }
        if self.stop_reported {
            return None;
        }
        self.stop_reported = true;
        self.file.framing_error().map(Err)
    }
}

impl<'a> IntoIterator for &'a MarcFile {
    type Item = Result<RecordRef<'a>>;
    type IntoIter = Records<'a>;

    fn into_iter(self) -> Records<'a> {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handle_reads_its_record_again() {
        let clean = b"00042nam a2200037 a 4500001000400000\x1e123\x1e\x1d";
        // The 001's directory length says 3, but the field is "1234": repaired.
        let repaired = b"00043nam a2200037 a 4500001000300000\x1e1234\x1e\x1d";
        let file = MarcFile::from_bytes([&clean[..], &repaired[..]].concat());
        let (a, b) = (file.handle(0).unwrap(), file.handle(1).unwrap());
        assert_eq!((a.index(), a.offset(), a.byte_len()), (0, 0, 42));
        assert_eq!((b.index(), b.offset(), b.byte_len()), (1, 42, 43));
        assert!(!a.is_repaired() && a.repairs().is_empty());
        assert!(b.is_repaired());
        assert_eq!(b.repairs(), file.record(1).unwrap().repairs());
        for (i, handle) in [(0, &a), (1, &b)] {
            let record = file.record_at(handle);
            let fresh = file.record(i).unwrap();
            assert_eq!(record.as_bytes(), fresh.as_bytes());
            assert_eq!(record.control_number(), fresh.control_number());
            assert_eq!(
                (record.index(), record.offset()),
                (fresh.index(), fresh.offset())
            );
            assert_eq!(record.handle().as_ref(), Some(handle));
        }
        assert_eq!(file.handle_unvalidated(0), Some(a));
        assert_eq!(file.handle_unvalidated(2), None);
        assert!(file.handle(2).is_err());
        // A handle from another file: whatever is there, never a panic.
        let other = MarcFile::from_bytes(&clean[..]);
        assert_eq!(other.record_at(&b).field_count(), 0);
        assert_eq!(other.record_at(&b).index(), Some(1));
    }

    #[test]
    fn marc_file_is_send_sync_clone() {
        fn assert_traits<T: Send + Sync + Clone + 'static>() {}
        assert_traits::<MarcFile>();
    }
}
