//! [`MarcFile`]: the bytes, their Phase 1 index, and Phase 2 views on demand.

use crate::control_number::ControlNumberIndex;
use crate::error::{Error, ErrorKind, Position, Result};
use crate::frame;
use crate::index::{Framing, RecordIndex, RecoveredRecord, SkippedRange};
use crate::layout;
use crate::parallel;
use crate::record::RecordRef;
use crate::repair::Validation;
use crate::storage::{Access, AccessPattern, Storage};
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// How to open a file.
///
/// ```
/// use marcmap::{Access, Framing, OpenOptions};
/// let options = OpenOptions::new().framing(Framing::Strict).access(Access::Read);
/// let file = options.open_bytes(Vec::new());
/// assert_eq!(file.len(), 0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenOptions {
    framing: Framing,
    access: Access,
    validation: Validation,
}

impl OpenOptions {
    /// Lenient framing, mapped access, records repaired where they can be.
    pub fn new() -> Self {
        Self::default()
    }

    /// How Phase 2 treats a record whose directory does not match its data.
    pub fn validation(mut self, validation: Validation) -> Self {
        self.validation = validation;
        self
    }

    /// How Phase 1 treats framing damage.
    pub fn framing(mut self, framing: Framing) -> Self {
        self.framing = framing;
        self
    }

    /// Map the file, or read it into memory.
    pub fn access(mut self, access: Access) -> Self {
        self.access = access;
        self
    }

    /// Opens and indexes the file at `path`.
    pub fn open(&self, path: impl AsRef<Path>) -> Result<MarcFile> {
        let path = path.as_ref();
        let storage = Storage::open(path, self.access).map_err(|source| {
            let path = path.to_path_buf();
            Error::new(ErrorKind::Open { path, source }, Position::default())
        })?;
        Ok(MarcFile::index(storage, *self))
    }

    /// Opens and indexes a file that is already open (from its first byte,
    /// whatever its position): mapped when it is a regular file, read otherwise.
    pub fn open_file(&self, file: std::fs::File) -> Result<MarcFile> {
        let storage = Storage::from_file(file, self.access).map_err(Error::from)?;
        Ok(MarcFile::index(storage, *self))
    }

    /// Indexes bytes already in memory.
    pub fn open_bytes<B>(&self, bytes: B) -> MarcFile
    where
        B: AsRef<[u8]> + Send + Sync + 'static,
    {
        MarcFile::index(Storage::Owned(Box::new(bytes)), *self)
    }
}

struct Inner {
    storage: Storage,
    validation: Validation,
    index: RecordIndex,
    control_numbers: OnceLock<ControlNumberIndex>,
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
    inner: Arc<Inner>,
}

impl MarcFile {
    /// Maps (or, where mapping fails, reads) the file at `path` and indexes it
    /// with lenient framing. See [`OpenOptions`] for the choices.
    pub fn open(path: impl AsRef<Path>) -> Result<MarcFile> {
        OpenOptions::new().open(path)
    }

    /// Indexes any owned bytes (a `Vec<u8>`, a `Box<[u8]>`, an `Arc<[u8]>`, ...), for
    /// pipes, standard input, decompressed data and fuzzing.
    pub fn from_bytes<B>(bytes: B) -> MarcFile
    where
        B: AsRef<[u8]> + Send + Sync + 'static,
    {
        OpenOptions::new().open_bytes(bytes)
    }

    fn index(storage: Storage, options: OpenOptions) -> MarcFile {
        storage.advise(AccessPattern::Sequential);
        let index = RecordIndex::build(storage.bytes(), options.framing);
        storage.advise(AccessPattern::Normal);
        let control_numbers = OnceLock::new();
        MarcFile {
            inner: Arc::new(Inner {
                storage,
                validation: options.validation,
                index,
                control_numbers,
            }),
        }
    }

    /// All the bytes.
    #[inline]
    pub fn bytes(&self) -> &[u8] {
        self.inner.storage.bytes()
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
        let start = self.inner.index.start(i)? as usize;
        let rest = self.bytes().get(start..)?;
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
        let raw = self.raw(i).unwrap_or_default();
        match RecordRef::parse_with(raw, self.inner.validation) {
            Ok(r) => Ok(r.located(i as u64, start)),
            Err(e) => Err(e.located(i as u64, start)),
        }
    }

    /// Every record in file order. With strict framing, the framing error that
    /// stopped Phase 1 (if any) comes last.
    pub fn iter(&self) -> Records<'_> {
        Records {
            file: self,
            next: 0,
            stop_reported: false,
        }
    }

    /// The byte ranges lenient framing skipped.
    pub fn skipped(&self) -> &[SkippedRange] {
        self.inner.index.skipped()
    }

    /// The records lenient framing accepted despite a wrong declared length.
    pub fn recovered(&self) -> &[RecoveredRecord] {
        self.inner.index.recovered()
    }

    /// The error strict framing stopped at.
    pub fn framing_error(&self) -> Option<Error> {
        self.inner.index.framing_error(self.bytes())
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
        self.inner
            .control_numbers
            .get_or_init(|| ControlNumberIndex::build(self, threads))
    }

    fn control_number_index(&self) -> &ControlNumberIndex {
        self.control_number_index_with(parallel::default_threads())
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
        parallel::map_range(self.len(), threads, |i| f(i, self.record(i)))
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
    fn marc_file_is_send_sync_clone() {
        fn assert_traits<T: Send + Sync + Clone + 'static>() {}
        assert_traits::<MarcFile>();
    }
}
