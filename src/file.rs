//! [`MarcFile`]: the bytes, their Phase 1 index, and Phase 2 views on demand.

use crate::control_number::ControlNumberIndex;
use crate::error::{Error, ErrorKind, Position, Result};
use crate::format::Format;
use crate::frame;
use crate::index::{Framing, RecordIndex, RecoveredRecord, SkippedRange};
use crate::layout;
use crate::parallel;
use crate::read::{Input, InputPosition};
use crate::record::RecordRef;
use crate::repair::Validation;
use crate::sniff::{self, Compression, Sniffed};
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
    format: Option<Format>,
    threads: Option<usize>,
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

    /// The input's format: `None` (the default) finds it from the input's
    /// first bytes ([`crate::sniff`]); `Some(format)` reads it as `format`.
    /// gzip and zstd input is decompressed either way.
    pub fn format(mut self, format: Option<Format>) -> Self {
        self.format = format;
        self
    }

    /// Threads for reading a large MARCXML input (all cores by default).
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads.max(1));
        self
    }

    /// Opens the file at `path` and indexes it, whatever its format.
    ///
    /// ISO 2709 is mapped and indexed in place. gzip and zstd are
    /// decompressed into memory. MARCXML, MARC-in-JSON and MARCMaker are read
    /// and transcoded to ISO 2709 in memory ([`crate::read`]); the mapping of
    /// the input is released after that. Input that is none of these is an
    /// [`ErrorKind::NotMarc`] error naming what it looks like.
    pub fn open(&self, path: impl AsRef<Path>) -> Result<MarcFile> {
        let path = path.as_ref();
        let storage = Storage::open(path, self.access).map_err(|source| {
            let path = path.to_path_buf();
            Error::new(ErrorKind::Open { path, source }, Position::default())
        })?;
        self.open_storage(storage, None)
    }

    /// Indexes ISO 2709 bytes already in memory, as they are (no sniffing, no
    /// decompression): see [`OpenOptions::read_bytes`] for any format.
    pub fn open_bytes<B>(&self, bytes: B) -> MarcFile
    where
        B: AsRef<[u8]> + Send + Sync + 'static,
    {
        MarcFile::index(Storage::Owned(Box::new(bytes)), *self, Source::default())
    }

    /// Indexes bytes in memory in any format, as [`OpenOptions::open`] does a file.
    pub fn read_bytes<B>(&self, bytes: B) -> Result<MarcFile>
    where
        B: AsRef<[u8]> + Send + Sync + 'static,
    {
        self.open_storage(Storage::Owned(Box::new(bytes)), None)
    }

    fn open_storage(&self, storage: Storage, compression: Option<Compression>) -> Result<MarcFile> {
        let data = storage.bytes();
        if let Some(kind) = sniff::compression(data) {
            if compression.is_some() {
                return Err(not_marc(format!(
                    "{}-compressed data inside {}",
                    kind.name(),
                    kind.name()
                )));
            }
            storage.advise(AccessPattern::Sequential);
            let inner = sniff::decompress(data, kind).map_err(|e| {
                let e = std::io::Error::new(e.kind(), format!("{} data: {e}", kind.name()));
                Error::from(e)
            })?;
            drop(storage);
            return self.open_storage(Storage::Owned(Box::new(inner)), Some(kind));
        }
        let format = match self.format {
            Some(f) => f,
            None => match sniff::sniff(data) {
                Sniffed::Marc(f) => f,
                Sniffed::Empty => Format::Iso2709,
                Sniffed::Compressed(_) => unreachable!("compression is handled above"),
                Sniffed::Other(what) => return Err(not_marc(what)),
            },
        };
        let source = Source {
            format,
            compression,
        };
        if format == Format::Iso2709 {
            return Ok(MarcFile::index(storage, *self, source));
        }
        storage.advise(AccessPattern::Sequential);
        let threads = self.threads.unwrap_or_else(parallel::default_threads);
        let transcoded = match format {
            Format::MarcXml => crate::read::marcxml::read(
                data,
                &crate::read::marcxml::XmlOptions {
                    framing: self.framing,
                    threads,
                    ..Default::default()
                },
            ),
            Format::Json | Format::JsonLines => crate::read::json::read(data, self.framing),
            Format::MarcMaker => crate::read::mrk::read(data, self.framing),
            Format::Iso2709 => unreachable!("ISO 2709 is indexed above"),
        };
        let input = &transcoded.input;
        if format == Format::MarcXml
            && input.origin(0).is_none()
            && input.skipped().is_empty()
            && input.stop_error().is_none()
        {
            if let Some(what) = crate::read::marcxml::not_marcxml(data) {
                return Err(not_marc(what));
            }
        }
        drop(storage);
        let mut file = MarcFile::index(Storage::Owned(Box::new(transcoded.bytes)), *self, source);
        if let Some(inner) = Arc::get_mut(&mut file.inner) {
            inner.input = Some(transcoded.input);
        }
        Ok(file)
    }
}

fn not_marc(looks_like: String) -> Error {
    Error::new(ErrorKind::NotMarc { looks_like }, Position::default())
}

/// What the input was: its format and compression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Source {
    format: Format,
    compression: Option<Compression>,
}

impl Default for Source {
    fn default() -> Self {
        Source {
            format: Format::Iso2709,
            compression: None,
        }
    }
}

struct Inner {
    storage: Storage,
    validation: Validation,
    index: RecordIndex,
    control_numbers: OnceLock<ControlNumberIndex>,
    source: Source,
    /// For an input that was transcoded: where each record was in it, the
    /// records that failed, the damage skipped.
    input: Option<Input>,
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

    fn index(storage: Storage, options: OpenOptions, source: Source) -> MarcFile {
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
                source,
                input: None,
            }),
        }
    }

    /// The format of the input the records were read from.
    pub fn format(&self) -> Format {
        self.inner.source.format
    }

    /// The compression the input was in, if it was compressed.
    pub fn compression(&self) -> Option<Compression> {
        self.inner.source.compression
    }

    /// For an input that was transcoded (MARCXML, MARC-in-JSON, MARCMaker):
    /// where its records were, which failed, what was skipped.
    pub fn input(&self) -> Option<&Input> {
        self.inner.input.as_ref()
    }

    /// Where record `i` starts in the input: in a transcoded input, its
    /// position there (line and column too); else its byte offset in the file.
    pub fn input_position(&self, i: usize) -> Option<InputPosition> {
        match &self.inner.input {
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
        let Some(input) = &self.inner.input else {
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
        if let Some(input) = &self.inner.input {
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

    /// Every record in file order. With strict framing, the framing error that
    /// stopped Phase 1 (if any) comes last.
    pub fn iter(&self) -> Records<'_> {
        Records {
            file: self,
            next: 0,
            stop_reported: false,
        }
    }

    /// The byte ranges lenient framing skipped (in a transcoded input, the
    /// damage between its records, at offsets in the input).
    pub fn skipped(&self) -> &[SkippedRange] {
        match &self.inner.input {
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
        match &self.inner.input {
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
