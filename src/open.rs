//! Opening MARC data: [`OpenOptions`] and the one dispatch over a source (a
//! path, an open file, bytes in memory, any [`ReadAt`]) and an optional byte
//! range. What it gives is a [`MarcFile`]; how the records were obtained
//! (ISO 2709 in place, or converted) is the file's.

use crate::decompress;
use crate::error::{not_marc, open_error, Error, ErrorKind, Position, Result};
use crate::file::{Inner, MarcFile, Obtained, Origin};
use crate::format::Format;
use crate::index::{Framing, RecordIndex};
use crate::output::FileId;
use crate::parallel;
use crate::partition;
use crate::repair::Validation;
use crate::sidecar::{
    self, sidecar_error, DataIdentity, Sidecar, SidecarMode, SidecarProblem, SidecarStatus,
};
use crate::sniff::{self, Compression, Sniffed};
use crate::storage::{Access, AccessPattern, MappedRange, RandomReads, ReadAt, ReadBytes, Storage};
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
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
    sidecar: SidecarMode,
    decompressed_limit: decompress::Limit,
    /// Decompressed output kept in memory before a temporary file takes it
    /// (`decompress::IN_MEMORY` when `None`); set lower by tests.
    decompress_in_memory: Option<usize>,
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

    /// Threads for indexing the records (Phase 1, see
    /// [`RecordIndex::build_parallel`]) and for reading a large MARCXML input:
    /// all cores by default; 1 scans serially.
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

    /// Opens the records of `source`, all of them or (with `range`) those that
    /// start in that byte range: the one dispatch the other `open_*` methods
    /// and the Python bindings share, with one sidecar rule.
    ///
    /// A sidecar is used only for a whole file opened from a path: with a byte
    /// range, or any other source, [`SidecarMode::Require`] and
    /// [`SidecarMode::Rebuild`] are an [`ErrorKind::OptionConflict`], and
    /// [`SidecarMode::Auto`] reads the data as `Off` does.
    ///
    /// ```
    /// # fn main() -> marcmap::Result<()> {
    /// use marcmap::open::DataSource;
    /// use marcmap::{OpenOptions, SidecarMode};
    /// let record = b"00042nam a2200037 a 4500001000400000\x1e123\x1e\x1d";
    /// let bytes = DataSource::Bytes(Box::new(record.repeat(3)));
    /// let file = OpenOptions::new().open_source(bytes, None)?;
    /// assert_eq!(file.len(), 3);
    /// let part = DataSource::Bytes(Box::new(record.repeat(3)));
    /// let part = OpenOptions::new().open_source(part, Some(40..200))?;
    /// assert_eq!(part.len(), 2);
    /// let refused = DataSource::Bytes(Box::new(Vec::new()));
    /// let refused = OpenOptions::new().sidecar(SidecarMode::Require).open_source(refused, None);
    /// assert!(refused.is_err());
    /// # Ok(()) }
    /// ```
    pub fn open_source(
        &self,
        source: DataSource<'_>,
        range: Option<Range<u64>>,
    ) -> Result<MarcFile> {
        let whole_path = matches!(source, DataSource::Path(_)) && range.is_none();
        if !whole_path {
            let what = if range.is_some() {
                "a byte range"
            } else {
                "this source"
            };
            self.without_sidecar(what)?;
        }
        let options = if whole_path {
            *self
        } else {
            self.sidecar(SidecarMode::Off)
        };
        match (source, range) {
            (DataSource::Path(path), None) => options.open(path),
            (DataSource::Path(path), Some(range)) => options.open_range(path, range),
            (DataSource::File(file), None) => options.open_file(file),
            (DataSource::File(file), Some(range)) => options.open_file_range(&file, range),
            (DataSource::Bytes(bytes), None) => options.read_bytes(OwnedBytes(bytes)),
            (DataSource::Bytes(bytes), Some(range)) => {
                let data: &[u8] = (*bytes).as_ref();
                options.open_range_with(data, data.len() as u64, range)
            }
            (DataSource::ReadAt { source, size }, range) => {
                options.open_range_with(source, size, range.unwrap_or(0..size))
            }
        }
    }

    /// An error when a sidecar is required (or to be rebuilt) for `what`,
    /// which is read without one.
    fn without_sidecar(&self, what: &str) -> Result<()> {
        match self.sidecar {
            SidecarMode::Require | SidecarMode::Rebuild => Err(Error::new(
                ErrorKind::OptionConflict {
                    reason: format!(
                        "{what} is read without a sidecar: index must be 'auto' or 'off'"
                    ),
                },
                Position::default(),
            )),
            SidecarMode::Auto | SidecarMode::Off => Ok(()),
        }
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
        self.without_sidecar("an open file")?;
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
        self.without_sidecar("bytes in memory")?;
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
        if format == Format::Iso2709 {
            let obtained = Obtained::Iso2709 { compression };
            return Ok(MarcFile::index(storage, *self).with_obtained(obtained));
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
        Ok(file.with_obtained(Obtained::Converted {
            format,
            compression,
            input: transcoded.input,
        }))
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
        self.without_sidecar("a byte range")
            .map_err(RangeError::Marc)?;
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
        self.without_sidecar("a byte range")?;
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
    ) -> std::io::Result<Option<(Format, Option<Compression>)>> {
        if self.format == Some(Format::Iso2709) {
            return Ok(None);
        }
        Ok(sniff::converted(
            &partition::head(source, size)?,
            self.format,
        ))
    }

    /// A range of a compressed or transcoded input that does not hold byte 0:
    /// no records (they all belong to the range that does).
    fn empty_piece(
        &self,
        (format, compression): (Format, Option<Compression>),
        start: u64,
    ) -> MarcFile {
        let index = RecordIndex::build(&[], self.framing);
        MarcFile::from_index(Storage::Owned(Box::new(Vec::new())), start, index, *self)
            .with_obtained(Obtained::nothing_of(format, compression))
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

fn too_large(size: u64) -> Error {
    Error::from(std::io::Error::other(format!(
        "an input of {size} bytes does not fit in memory here"
    )))
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
        let threads = options.threads.unwrap_or_else(parallel::default_threads);
        let index = RecordIndex::build_parallel(storage.bytes(), options.framing, threads);
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
                framing: options.framing,
                origin: None,
                sidecar: SidecarStatus::Off,
                data_offset,
                validation: options.validation,
                index,
                control_numbers: OnceLock::new(),
                random_until_scan: AtomicBool::new(false),
                obtained: Obtained::Iso2709 { compression: None },
                file_id: None,
                threads: options.threads.unwrap_or_else(parallel::default_threads),
            }),
        }
    }
}

/// Where [`OpenOptions::open_source`] reads from.
#[non_exhaustive]
pub enum DataSource<'a> {
    /// A file by its path: mapped (or read), and the only source with a sidecar.
    Path(&'a Path),
    /// A file already open, from its first byte.
    File(std::fs::File),
    /// Bytes in memory, in any format.
    Bytes(Box<dyn AsRef<[u8]> + Send + Sync>),
    /// Any source that reads at offsets (an object store), `size` bytes long.
    ReadAt {
        /// The source.
        source: &'a (dyn ReadAt + Sync),
        /// Its length in bytes.
        size: u64,
    },
}

/// A [`DataSource::Bytes`] as the bytes `read_bytes` keeps.
struct OwnedBytes(Box<dyn AsRef<[u8]> + Send + Sync>);

impl AsRef<[u8]> for OwnedBytes {
    fn as_ref(&self) -> &[u8] {
        (*self.0).as_ref()
    }
}
