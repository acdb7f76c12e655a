//! [`MarcFile`]: the bytes, their Phase 1 index, and Phase 2 views on demand.

use crate::control_number::ControlNumberIndex;
use crate::decompress;
use crate::error::{open_error, Error, ErrorKind, Position, Result};
use crate::format::Format;
use crate::frame;
use crate::index::{Framing, RecordIndex, RecoveredRecord, SkippedRange};
use crate::layout;
use crate::output::FileId;
use crate::parallel;
use crate::partition;
use crate::read::{Input, InputPosition};
use crate::record::{RecordHandle, RecordRef};
use crate::repair::Validation;
use crate::sidecar::{self, DataIdentity, Sidecar, SidecarProblem};
use crate::sniff::{self, Compression, Sniffed};
use crate::storage::{Access, AccessPattern, MappedRange, RandomReads, ReadAt, ReadBytes, Storage};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

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
    sidecar: SidecarMode,
    decompressed_limit: decompress::Limit,
    /// Decompressed output kept in memory before a temporary file takes it
    /// (`decompress::IN_MEMORY` when `None`); set lower by tests.
    decompress_in_memory: Option<usize>,
}

/// Whether [`OpenOptions::open`] uses the file's sidecar (`FILE.mmi`, see
/// [`crate::sidecar`]) instead of scanning the file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum SidecarMode {
    /// Never look for one (the default).
    #[default]
    Off,
    /// Use a valid sidecar; without one, or with one that is stale or corrupt,
    /// index the file as usual, and say so in [`MarcFile::sidecar_status`].
    /// Nothing is written.
    Auto,
    /// Use the sidecar; a missing, stale or corrupt one is an error.
    Require,
    /// Index the file, whatever sidecar there is, and write a new sidecar.
    Rebuild,
}

crate::named_values!(SidecarMode, "index", {
    "auto" => SidecarMode::Auto,
    "require" => SidecarMode::Require,
    "rebuild" => SidecarMode::Rebuild,
    "off" => SidecarMode::Off,
});

/// What became of the sidecar when a file was opened.
#[derive(Debug)]
#[non_exhaustive]
pub enum SidecarStatus {
    /// None was looked for: [`SidecarMode::Off`], or not a whole regular file
    /// opened from a path.
    Off,
    /// The index (and the control-number index, if it holds one) came from the
    /// sidecar: the file was not scanned.
    Used,
    /// [`SidecarMode::Auto`] found none, and indexed the file.
    Missing,
    /// [`SidecarMode::Auto`] did not use the sidecar (why is said), and indexed the file.
    Ignored(SidecarProblem),
    /// [`SidecarMode::Rebuild`] indexed the file and wrote the sidecar.
    Written,
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

    /// Whether [`OpenOptions::open`] uses the file's sidecar.
    pub fn sidecar(mut self, sidecar: SidecarMode) -> Self {
        self.sidecar = sidecar;
        self
    }

    /// The most bytes a gzip or zstd input may decompress to: past it,
    /// decompression stops with [`ErrorKind::DecompressionLimit`], which guards
    /// against decompression bombs (a few megabytes that decompress to
    /// gigabytes). `Some(bytes)` sets the limit, `None` removes it.
    ///
    /// The default allows 100 times the compressed size, and at least 1 GiB
    /// whatever the ratio: MARC compresses about 4 to 8 times with gzip (MARCXML
    /// and zstd somewhat more), while a bomb of zeros decompresses about 1000
    /// times with gzip and far more with zstd, so genuine files pass and bombs
    /// stop after at most 1 GiB (or 100 times their size). Raise it for an
    /// unusually compressible genuine file.
    ///
    /// Whatever the limit, memory stays bounded: input that is not MARC is
    /// refused after its first MiB is decompressed, and output past 64 MiB is
    /// written to a temporary file (in [`std::env::temp_dir`], `TMPDIR` on Unix,
    /// with no name, so nothing is left behind) which is then mapped, whatever
    /// the [`Access`] (no other process can change it). The limit bounds the
    /// disk that file takes, and the time spent.
    ///
    /// ```
    /// use marcmap::{ErrorKind, OpenOptions};
    /// use std::io::Write;
    /// let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    /// gz.write_all(&b"00042nam a2200037 a 4500001000400000\x1e123\x1e\x1d".repeat(100))?;
    /// let data = gz.finish()?;
    /// let options = OpenOptions::new().decompressed_limit(Some(1000));
    /// let err = options.read_bytes(data.clone()).err().expect("past the limit");
    /// assert!(matches!(err.kind(), ErrorKind::DecompressionLimit { limit: 1000, .. }));
    /// assert_eq!(OpenOptions::new().decompressed_limit(None).read_bytes(data)?.len(), 100);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn decompressed_limit(mut self, limit: Option<u64>) -> Self {
        self.decompressed_limit = match limit {
            Some(bytes) => decompress::Limit::Bytes(bytes),
            None => decompress::Limit::Unlimited,
        };
        self
    }

    /// Decompressed output kept in memory before a temporary file takes it.
    #[cfg(test)]
    pub(crate) fn decompress_in_memory(mut self, bytes: usize) -> Self {
        self.decompress_in_memory = Some(bytes);
        self
    }

    /// The sidecar mode set.
    pub fn sidecar_mode(&self) -> SidecarMode {
        self.sidecar
    }

    /// Opens and indexes the file at `path`, whatever its format: scans it, or
    /// with a [`SidecarMode`] other than `Off`, loads its sidecar where it is
    /// valid.
    ///
    /// ISO 2709 is mapped and indexed in place. gzip and zstd are decompressed
    /// into memory, or past 64 MiB into a temporary file that is mapped, up to
    /// a limit ([`OpenOptions::decompressed_limit`]). MARCXML, MARC-in-JSON and
    /// MARCMaker are read and transcoded to ISO 2709 in memory
    /// ([`crate::read`]); the mapping of the input is released after that. Input that is none of these is an
    /// [`ErrorKind::NotMarc`] error naming what it looks like. Only an ISO 2709
    /// file (not compressed) has a sidecar.
    ///
    /// A sidecar is valid when it is not corrupt and describes this file (size,
    /// modification time, a fingerprint of its first and last 64 KiB) indexed
    /// with this framing: see [`crate::sidecar`]. Byte ranges
    /// ([`OpenOptions::open_range`]) never use one.
    pub fn open(&self, path: impl AsRef<Path>) -> Result<MarcFile> {
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(|e| open_error(path, e))?;
        let meta = file.metadata().map_err(|e| open_error(path, e))?;
        let id = FileId::of(&meta);
        match self.open_opened(path, file, meta) {
            Ok(file) => Ok(file.with_file_id(id)),
            Err(e) if matches!(e.kind(), ErrorKind::NotMarc { .. }) => Err(naming_path(e, path)),
            Err(e) => Err(e),
        }
    }

    fn open_opened(
        &self,
        path: &Path,
        file: std::fs::File,
        meta: std::fs::Metadata,
    ) -> Result<MarcFile> {
        let origin = Origin {
            path: path.to_path_buf(),
            size: meta.len(),
            modified: meta.modified().ok(),
        };
        let sidecar_path = sidecar::path_for(path);
        let mode = match self.sidecar {
            SidecarMode::Require if !meta.is_file() => {
                let why = "the data is not a regular file".to_string();
                return Err(sidecar_error(
                    sidecar_path,
                    SidecarProblem::Unsupported(why),
                ));
            }
            _ if !meta.is_file() => SidecarMode::Off,
            mode => mode,
        };
        // The sidecar is checked before the data is mapped: its fingerprint is read
        // with no readahead, and a valid one means the data is never scanned.
        let loaded = match mode {
            SidecarMode::Auto | SidecarMode::Require => {
                Some(Sidecar::read(&sidecar_path).and_then(|sc| {
                    let identity = DataIdentity::of_file(&file)?;
                    sc.check_matches(&identity, self.framing).map(|()| sc)
                }))
            }
            SidecarMode::Off | SidecarMode::Rebuild => None,
        };
        let loaded = match loaded {
            Some(Err(problem)) if mode == SidecarMode::Require => {
                return Err(sidecar_error(sidecar_path, problem));
            }
            loaded => loaded,
        };
        let storage =
            Storage::from_file_with(file, &meta, self.access).map_err(|e| open_error(path, e))?;
        let status = match loaded {
            Some(Ok(sc)) => {
                // Opened for lookups: only the pages asked for are read, until a
                // scan (`MarcFile::expect_scan`) asks for readahead again.
                let file = MarcFile::from_index(storage, 0, sc.index, *self);
                file.advise(AccessPattern::Random);
                if let Some(cn) = sc.control_numbers {
                    let _ = file.inner.control_numbers.set(cn);
                }
                file.inner.random_until_scan.store(true, Ordering::Relaxed);
                return Ok(file.with_origin(origin, SidecarStatus::Used));
            }
            Some(Err(SidecarProblem::Missing)) => SidecarStatus::Missing,
            Some(Err(problem)) => SidecarStatus::Ignored(problem),
            None if mode == SidecarMode::Rebuild => SidecarStatus::Written,
            None => SidecarStatus::Off,
        };
        let file = self.open_storage(storage, None, Some(path))?;
        if file.format() != Format::Iso2709 || file.compression().is_some() {
            // Transcoded or decompressed: the records are not the file's bytes.
            if mode == SidecarMode::Rebuild {
                let why = "only an ISO 2709 file (not compressed) has a sidecar".to_string();
                return Err(sidecar_error(
                    sidecar_path,
                    SidecarProblem::Unsupported(why),
                ));
            }
            return Ok(file);
        }
        let file = file.with_origin(origin, status);
        if mode == SidecarMode::Rebuild {
            // With the 001 index, as `marcmap index` and `save_index()` write it.
            let threads = self.threads.unwrap_or_else(parallel::default_threads);
            file.control_number_index_with(threads);
            file.save_index(None)?;
        }
        Ok(file)
    }

    /// Opens and indexes a file that is already open (from its first byte,
    /// whatever its position): mapped when it is a regular file, read otherwise.
    pub fn open_file(&self, file: std::fs::File) -> Result<MarcFile> {
        let id = file.metadata().ok().as_ref().and_then(FileId::of);
        let storage = Storage::from_file(file, self.access).map_err(Error::from)?;
        Ok(self.open_storage(storage, None, None)?.with_file_id(id))
    }

    /// Indexes ISO 2709 bytes already in memory, as they are (no sniffing, no
    /// decompression): see [`OpenOptions::read_bytes`] for any format.
    pub fn open_bytes<B>(&self, bytes: B) -> MarcFile
    where
        B: AsRef<[u8]> + Send + Sync + 'static,
    {
        MarcFile::index(Storage::Owned(Box::new(bytes)), *self)
    }

    /// Indexes bytes in memory in any format, as [`OpenOptions::open`] does a file.
    pub fn read_bytes<B>(&self, bytes: B) -> Result<MarcFile>
    where
        B: AsRef<[u8]> + Send + Sync + 'static,
    {
        self.open_storage(Storage::Owned(Box::new(bytes)), None, None)
    }

    /// Indexes `storage`, whatever its format; `path` names it in errors.
    fn open_storage(
        &self,
        storage: Storage,
        compression: Option<Compression>,
        path: Option<&Path>,
    ) -> Result<MarcFile> {
        let data = storage.bytes();
        if let Some(kind) = sniff::compression(data) {
            if let Some(outer) = compression {
                return Err(nested(kind, outer));
            }
            storage.advise(AccessPattern::Sequential);
            let plan = decompress::Plan {
                kind,
                limit: self.decompressed_limit,
                in_memory: self.decompress_in_memory.unwrap_or(decompress::IN_MEMORY),
                path,
            };
            // What is not MARC is refused from its first bytes, before the rest
            // is decompressed.
            let inner = decompress::decompress(data, &plan, |prefix, complete| {
                if let Some(inner) = sniff::compression(prefix) {
                    return Err(nested(inner, kind));
                }
                match sniff::sniff_prefix(prefix, complete) {
                    Some(Sniffed::Other(what)) if self.format.is_none() => Err(not_marc(what)),
                    _ => Ok(()),
                }
            })?;
            drop(storage);
            return self.open_storage(inner, Some(kind), path);
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
            return Ok(MarcFile::index(storage, *self).with_source(source, None));
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
        let file = MarcFile::index(Storage::Owned(Box::new(transcoded.bytes)), *self);
        Ok(file.with_source(source, Some(transcoded.input)))
    }

    /// Opens the records of the file at `path` that start in the byte range
    /// `range`, as the whole file's lenient index has them, without indexing the
    /// whole file.
    ///
    /// Only a window around `range.start` is read to find its first record (see
    /// [`partition`]), and only the range is mapped, with the tail of its last
    /// record (which may run past `range.end`) and any damage after it up to the
    /// next record. Ranges that meet ([`partition::partitions`], or any cuts)
    /// give every record of the file once, in order.
    ///
    /// Offsets (record offsets, skipped ranges, error positions) stay the file's.
    /// Record indices count from the range's first record: [`MarcFile::record`]`(0)`
    /// is the first record that starts in the range. Its index in the whole file
    /// is known only for a range from 0 ([`MarcFile::first_record_index`]).
    ///
    /// With strict framing, the range stops at its first framing error: the
    /// whole file's strict reading is the ranges' records up to and including
    /// the first range that stopped.
    ///
    /// A range past the end of the file is cut at the end; a range that ends
    /// before it starts is an error.
    ///
    /// ```no_run
    /// # fn main() -> marcmap::Result<()> {
    /// use marcmap::{partition, MarcFile, OpenOptions};
    /// let file = std::fs::File::open("catalogue.mrc")?;
    /// let size = file.metadata()?.len();
    /// for range in partition::partitions(&file, size, 8)? {
    ///     let part = OpenOptions::new().open_range("catalogue.mrc", range)?;
    ///     println!("{} records from byte {}", part.len(), part.data_offset());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn open_range(&self, path: impl AsRef<Path>, range: Range<u64>) -> Result<MarcFile> {
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(|e| open_error(path, e))?;
        self.file_range(&file, range).map_err(|e| match e {
            RangeError::Io(e) => open_error(path, e),
            RangeError::Marc(e) => e,
        })
    }

    /// [`OpenOptions::open_range`] for a file that is already open (read at
    /// offsets, whatever its position).
    pub fn open_file_range(&self, file: &std::fs::File, range: Range<u64>) -> Result<MarcFile> {
        self.file_range(file, range).map_err(|e| match e {
            RangeError::Io(e) => Error::from(e),
            RangeError::Marc(e) => e,
        })
    }

    fn file_range(
        &self,
        file: &std::fs::File,
        range: Range<u64>,
    ) -> std::result::Result<MarcFile, RangeError> {
        let meta = file.metadata()?;
        let size = meta.len();
        let range = check_range(range, size).map_err(RangeError::Marc)?;
        if let Some(source) = self.whole_input(&RandomReads::new(file), size)? {
            let piece = if owns_whole_input(&range) {
                let storage = Storage::from_file(file.try_clone()?, self.access)?;
                self.open_storage(storage, None, None)
                    .map_err(RangeError::Marc)?
            } else {
                self.empty_piece(source, range.start)
            };
            return Ok(piece.with_file_id(FileId::of(&meta)));
        }
        let start = partition::align_cut(&RandomReads::new(file), size, range.start)?;
        let (index, storage) = match self.access {
            Access::Map => {
                let mut bytes = MappedRange::new(file, start);
                let (index, end) =
                    partition::index_range(&mut bytes, size, start, range.end, self.framing)?;
                (index, bytes.into_storage((end - start) as usize)?)
            }
            Access::Read => {
                let (index, _, bytes) = self.read_range(file, size, start, range.end)?;
                (index, Storage::Owned(Box::new(bytes)))
            }
        };
        Ok(MarcFile::from_index(storage, start, index, *self).with_file_id(FileId::of(&meta)))
    }

    /// [`OpenOptions::open_range`] for any [`ReadAt`] source of `size` bytes (an
    /// object store, a file system of your own), read into memory: only a window
    /// around `range.start`, and the range with the tail of its last record.
    ///
    /// ```
    /// # fn main() -> marcmap::Result<()> {
    /// let record = b"00042nam a2200037 a 4500001000400000\x1e123\x1e\x1d";
    /// let data = record.repeat(10);
    /// let options = marcmap::OpenOptions::new();
    /// // Bytes 100 to 200: records 3 and 4 start there (at 126 and 168).
    /// let part = options.open_range_with(&data[..], data.len() as u64, 100..200)?;
    /// assert_eq!(part.len(), 2);
    /// assert_eq!(part.offset(0), Some(126));
    /// assert_eq!(part.raw(1), Some(&record[..]));
    /// # Ok(()) }
    /// ```
    pub fn open_range_with<S: ReadAt + ?Sized>(
        &self,
        source: &S,
        size: u64,
        range: Range<u64>,
    ) -> Result<MarcFile> {
        let range = check_range(range, size)?;
        if let Some(kind) = self.whole_input(source, size)? {
            if !owns_whole_input(&range) {
                return Ok(self.empty_piece(kind, range.start));
            }
            let mut bytes = vec![0; usize::try_from(size).map_err(|_| too_large(size))?];
            source.read_exact_at(&mut bytes, 0)?;
            return self.read_bytes(bytes);
        }
        let start = partition::align_cut(source, size, range.start)?;
        let (index, _, bytes) = self.read_range(source, size, start, range.end)?;
        Ok(MarcFile::from_index(
            Storage::Owned(Box::new(bytes)),
            start,
            index,
            *self,
        ))
    }

    /// For an input whose records are not its own bytes (compressed, or a
    /// format transcoded to ISO 2709), what it is; `None` for plain ISO 2709.
    /// Such an input has no record offsets in the file that a cut could move
    /// to: see [`owns_whole_input`].
    fn whole_input<S: ReadAt + ?Sized>(
        &self,
        source: &S,
        size: u64,
    ) -> std::io::Result<Option<Source>> {
        if self.format == Some(Format::Iso2709) {
            return Ok(None);
        }
        let head = partition::head(source, size)?;
        let (format, compression) = match sniff::sniff(&head) {
            Sniffed::Compressed(kind) => {
                let inner = match sniff::sniff(&decompressed_prefix(&head, kind)) {
                    Sniffed::Marc(f) => f,
                    _ => Format::Iso2709,
                };
                (self.format.unwrap_or(inner), Some(kind))
            }
            Sniffed::Marc(f) => (self.format.unwrap_or(f), None),
            _ => (self.format.unwrap_or(Format::Iso2709), None),
        };
        Ok(
            (format != Format::Iso2709 || compression.is_some()).then_some(Source {
                format,
                compression,
            }),
        )
    }

    /// A range of a compressed or transcoded input that does not hold byte 0:
    /// no records (they all belong to the range that does).
    fn empty_piece(&self, source: Source, start: u64) -> MarcFile {
        let index = RecordIndex::build(&[], self.framing);
        MarcFile::from_index(Storage::Owned(Box::new(Vec::new())), start, index, *self)
            .with_source(source, None)
    }

    fn read_range<S: ReadAt + ?Sized>(
        &self,
        source: &S,
        size: u64,
        start: u64,
        end: u64,
    ) -> std::io::Result<(RecordIndex, u64, Vec<u8>)> {
        let mut bytes = ReadBytes::new(source, start);
        let (index, own_end) = partition::index_range(&mut bytes, size, start, end, self.framing)?;
        Ok((index, own_end, bytes.into_vec((own_end - start) as usize)))
    }
}

pub(crate) fn not_marc(looks_like: String) -> Error {
    Error::new(
        ErrorKind::NotMarc {
            looks_like,
            path: None,
        },
        Position::default(),
    )
}

/// `e`, naming `path` when it says the input is not MARC.
fn naming_path(e: Error, path: &Path) -> Error {
    match e.into_kind() {
        ErrorKind::NotMarc { looks_like, .. } => Error::new(
            ErrorKind::NotMarc {
                looks_like,
                path: Some(path.to_path_buf()),
            },
            Position::default(),
        ),
        kind => Error::new(kind, Position::default()),
    }
}

/// Compressed data inside compressed data.
fn nested(inner: Compression, outer: Compression) -> Error {
    not_marc(format!(
        "{}-compressed data inside {}",
        inner.name(),
        outer.name()
    ))
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

/// Reading a range of a file: an I/O error (named with the path by the caller)
/// or a MARC error.
enum RangeError {
    Io(std::io::Error),
    Marc(Error),
}

impl From<std::io::Error> for RangeError {
    fn from(e: std::io::Error) -> Self {
        RangeError::Io(e)
    }
}

/// The error for a sidecar that cannot be used or written, naming it.
fn sidecar_error(path: PathBuf, problem: SidecarProblem) -> Error {
    Error::new(ErrorKind::Sidecar { path, problem }, Position::default())
}

/// `range` cut at the end of a file of `size` bytes; an error if it runs backwards.
fn check_range(range: Range<u64>, size: u64) -> Result<Range<u64>> {
    if range.start > range.end {
        let (start, end) = (range.start, range.end);
        return Err(Error::new(
            ErrorKind::ByteRangeInvalid { start, end },
            Position::default(),
        ));
    }
    Ok(range.start.min(size)..range.end.min(size))
}

/// Whether a range of a compressed or transcoded input reads its records: the
/// range that holds byte 0 reads them all, and every other range none. Ranges
/// that meet (equal blocks, [`partition::partitions`]) so still give every
/// record once, in the first.
fn owns_whole_input(range: &Range<u64>) -> bool {
    range.start == 0 && range.end > 0
}

/// What the first bytes of `head`, a compressed input's first bytes,
/// decompress to (as much as they hold), to tell its format.
fn decompressed_prefix(head: &[u8], kind: Compression) -> Vec<u8> {
    use std::io::Read;
    let mut out = vec![0; 4096];
    let mut filled = 0;
    let mut reader: Box<dyn Read + '_> = match kind {
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(head)),
        Compression::Zstd => match zstd::stream::read::Decoder::new(head) {
            Ok(d) => Box::new(d),
            Err(_) => return Vec::new(),
        },
    };
    // A truncated stream ends in an error after what it could give.
    while filled < out.len() {
        match reader.read(&mut out[filled..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => filled += n,
        }
    }
    out.truncate(filled);
    out
}

fn too_large(size: u64) -> Error {
    Error::from(std::io::Error::other(format!(
        "an input of {size} bytes does not fit in memory here"
    )))
}

/// Where a whole file came from, for its sidecar.
#[derive(Debug, Clone)]
struct Origin {
    path: PathBuf,
    size: u64,
    modified: Option<SystemTime>,
}

struct Inner {
    storage: Storage,
    options: OpenOptions,
    /// Set for a whole file opened from a path.
    origin: Option<Origin>,
    sidecar: SidecarStatus,
    /// The absolute offset of the storage's first byte: 0 for a whole file, the
    /// first record's for a byte range.
    data_offset: u64,
    validation: Validation,
    index: RecordIndex,
    control_numbers: OnceLock<ControlNumberIndex>,
    source: Source,
    /// For an input that was transcoded: where each record was in it, the
    /// records that failed, the damage skipped.
    input: Option<Input>,
    /// Opened from a sidecar and advised for random access: the first scan
    /// advises normal readahead again.
    random_until_scan: AtomicBool,
    /// The file read, where it was one: an output must not be this file.
    file_id: Option<FileId>,
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
        MarcFile::from_index(storage, 0, index, options)
    }

    fn from_index(
        storage: Storage,
        data_offset: u64,
        index: RecordIndex,
        options: OpenOptions,
    ) -> MarcFile {
        storage.advise(AccessPattern::Normal);
        MarcFile {
            inner: Arc::new(Inner {
                storage,
                options,
                origin: None,
                sidecar: SidecarStatus::Off,
                data_offset,
                validation: options.validation,
                index,
                control_numbers: OnceLock::new(),
                random_until_scan: AtomicBool::new(false),
                source: Source::default(),
                input: None,
                file_id: None,
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

    /// This file, read from an input of `source`'s format (with what a reader
    /// found in it).
    fn with_source(mut self, source: Source, input: Option<Input>) -> MarcFile {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.source = source;
            inner.input = input;
        }
        self
    }

    /// This file, read from the file `id` identifies.
    fn with_file_id(mut self, id: Option<FileId>) -> MarcFile {
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
    fn with_origin(self, origin: Origin, sidecar: SidecarStatus) -> MarcFile {
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
            self.inner.options.framing,
            &self.inner.index,
            self.inner.control_numbers.get(),
        );
        sidecar::write_atomically(&target, &bytes)
            .map_err(|e| sidecar_error(target.clone(), SidecarProblem::Io(e)))?;
        Ok(target)
    }

    /// All the bytes: the whole file's, or for a byte range
    /// ([`OpenOptions::open_range`]) the range's, which start at the file's byte
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
