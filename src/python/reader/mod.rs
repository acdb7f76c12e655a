//! `marcmap.MARCReader`: pymarc's reader, over a memory-mapped, indexed file.
//!
//! The class is split by job: `options` (the constructor's keywords), `iteration`
//! (pymarc's iteration and `current_exception`), `access` (random access and
//! lookup by 001), `bulk` (`extract`, `filter`, `validate`...: the GIL-free work
//! is the core's `query`), `write` (`write()`) and `arrow` (`to_arrow()`,
//! `to_parquet()`).

mod access;
mod arrow;
mod bulk;
mod iteration;
mod options;
mod select;
mod stats;
mod write;

use super::errors;
use super::record::Record;
use super::shared::Shared;
use super::source::Source;
use super::text::TextOptions;
use crate::query;
use crate::{MarcFile, RecordHandle, Result};
use access::Validated;
pub(crate) use bulk::threads_arg;
use iteration::{Current, Cursor};
pub(crate) use options::Mode;
use options::{Args, ReaderOptions};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// A reader over a MARC file, a memory-mapped index of its records.
///
/// Iterate it like pymarc's ``MARCReader`` (a bad record is ``None``, with
/// ``current_exception`` and ``current_chunk`` set), index it like a list
/// (``reader[i]``, slices), look records up by 001 (``get_by_control_number``),
/// and run bulk work on all cores with the GIL released (``extract``,
/// ``filter``, ``validate``).
///
/// ``source``: a path, ``bytes`` (shared, no copy), another bytes-like object
/// (copied), a binary file object, or an fsspec URL (``s3://``, ``gs://``,
/// ``file://``, ``memory://``...: read into memory through fsspec).
///
/// pymarc's options:
///
/// - ``to_unicode=True``: values are ``str``; ``False`` gives ``bytes``.
/// - ``force_utf8=False``: read every record as UTF-8, whatever LDR/09 says.
/// - ``utf8_handling="strict"``: invalid UTF-8 makes the record bad (``None``);
///   ``"replace"`` gives U+FFFD, ``"ignore"`` drops the bytes.
/// - ``file_encoding=None``: the encoding of records that LDR/09 does not mark
///   UTF-8: MARC-8 (pymarc's ``"iso8859-1"`` means MARC-8 too), or a legacy
///   one such as ``"cp1251"``, ``"iso8859-5"`` or ``"latin-1"``.
/// - ``permissive``, ``hide_utf8_warnings``: accepted; as in pymarc 5.4 a bad
///   record is ``None`` whatever ``permissive`` says, and marcmap never prints.
///
/// marcmap's options:
///
/// - ``raise_errors=False``: raise a bad record's error instead of giving
///   ``None`` (bulk work then raises too, instead of empty entries).
/// - ``lazy_decoding=False``: ``True`` skips the text check while records are
///   validated; a bad value then raises ``MarcDecodeError`` when it is read.
/// - ``framing="lenient"``: skip and report damage between records
///   (``skipped``, ``recovered``); ``"strict"`` stops at the first.
/// - ``validation="repair"``: read records whose directory disagrees with their
///   data when their fields can be located, listing each repair in
///   ``record.repairs``; ``"strict"`` refuses them.
/// - ``mmap=True``: map the file; ``False`` reads it into memory.
/// - ``marc8_handling="replace"``: invalid MARC-8 becomes U+FFFD (pymarc
///   garbles it); ``"strict"`` makes the record bad, ``"ignore"`` drops it.
/// - ``marc8_normalization="NFC"``: or ``"NFD"`` (what LC's converters give).
/// - ``marc8_ligatures="lc"``: the LC mapping of the ligature and double-tilde
///   halves (U+0361/U+0360); ``"pymarc"`` gives U+FE20-U+FE23.
/// - ``detect_utf8=True``: records labelled MARC-8 whose bytes are UTF-8 are
///   read as UTF-8 (``record.encoding`` says ``"utf-8-detected"``).
/// - ``byte_range=None``: ``(start, end)`` reads only the records that start in
///   those bytes of the file, as the whole file's reading has them (see
///   ``marcmap.partitions``): offsets stay the file's, indices count from the
///   range's first record (``first_record_index``: 0 for a range from the
///   start, else ``None``).
/// - ``index="auto"``: the sidecar ``FILE.mmi`` of a local file read whole
///   (``save_index()``, ``marcmap index FILE``) is used when valid, and a stale
///   or corrupt one is warned about (``SidecarWarning``) and the file indexed;
///   ``"require"`` raises ``SidecarError`` without a valid one, ``"rebuild"``
///   indexes the file and writes one, ``"off"`` never looks.
/// - ``format="auto"``: the input's format, found from its first bytes (ISO
///   2709, MARCXML, MARC-in-JSON, JSON lines, MARCMaker, inside gzip or zstd or
///   not), or ``"marc"``, ``"marcxml"``, ``"json"``, ``"jsonl"``, ``"mrk"``.
///   MARCXML, JSON and MARCMaker are transcoded to ISO 2709 in memory; a
///   malformed record is ``None`` with a ``FormatError`` (record, line, column,
///   byte). Input that is none of these raises ``NotMarcError``, saying what it
///   looks like.
/// - ``threads=None``: threads for finding where the records start (the index
///   scan) and for reading a large MARCXML input (all cores); 1 scans serially.
/// - ``max_decompressed=None``: the most bytes a gzip or zstd input may
///   decompress to before it is stopped as a runaway (a decompression bomb):
///   by default 100 times its compressed size, and at least 1 GiB. Raise it for
///   an unusually compressible genuine file. Whatever it is, memory stays
///   bounded: output past 64 MiB goes to a temporary file (in ``TMPDIR``) that
///   is mapped.
#[pyclass(frozen, name = "MARCReader", module = "marcmap._marcmap")]
pub(crate) struct Reader {
    pub(crate) shared: Arc<Shared>,
    pub(crate) mode: Mode,
    validated: Validated,
    cursor: Mutex<Cursor>,
    current: Mutex<Current>,
    closed: AtomicBool,
}

/// What validating a record found: the handle of a repaired record (which
/// carries where repair located its fields; `None` for a clean record, whose
/// handle the file gives without validating it again), and the encoding of its
/// text when the text was checked (so that it is not worked out again, with
/// the GIL, when the record is read).
#[derive(Clone, Default)]
pub(crate) struct Checked {
    pub layout: Option<RecordHandle>,
    pub encoding: Option<crate::text::Encoding>,
}

/// Validates record `i` as the reader's mode asks (its structure, and its text
/// unless decoding is lazy), by the core's one rule ([`query::check_record`]).
/// Plain Rust: runs without the GIL.
pub(crate) fn check_record(
    file: &MarcFile,
    text: &TextOptions,
    mode: Mode,
    i: usize,
) -> Result<Checked> {
    let good = query::check_record(file, i, mode.check_text.then_some(&text.decoder))?;
    Ok(Checked {
        layout: good.record().handle().filter(RecordHandle::is_repaired),
        encoding: good.text().map(|t| t.encoding()),
    })
}

impl Reader {
    pub(crate) fn file(&self) -> &MarcFile {
        &self.shared.file
    }

    pub(crate) fn check_open(&self) -> PyResult<()> {
        if self.closed.load(Ordering::Relaxed) {
            return Err(PyValueError::new_err(
                "I/O operation on a closed MARCReader",
            ));
        }
        Ok(())
    }

    /// The Python view of record `i`, validated before.
    fn record_object(&self, i: usize, checked: Checked) -> Option<Record> {
        let handle = match checked.layout {
            Some(handle) => handle,
            None => self.file().handle_unvalidated(i)?,
        };
        Some(Record::new(&self.shared, handle, checked.encoding))
    }

    /// The Python exception for an error about this reader's file.
    pub(crate) fn py_error(&self, py: Python<'_>, e: crate::Error) -> PyErr {
        errors::file_error(py, self.file(), e)
    }

    /// Reports the records a bulk method (`method`) left out because it could
    /// not read them: the first raised with `raise_errors=True`, else all of
    /// them warned as one `SkippedRecordsWarning`, so that none is dropped
    /// unsaid. Call with the GIL held.
    pub(crate) fn report_left_out(
        &self,
        py: Python<'_>,
        method: &str,
        left_out: Vec<crate::Error>,
    ) -> PyResult<()> {
        let mut left_out = left_out.into_iter();
        let Some(first) = left_out.next() else {
            return Ok(());
        };
        if self.mode.raise_errors {
            return Err(self.py_error(py, first));
        }
        let n = 1 + left_out.len();
        let first = self.py_error(py, first).into_value(py);
        let message = format!(
            "{method}: {n} record{} could not be read and {} left out; the first: {}",
            if n == 1 { "" } else { "s" },
            if n == 1 { "was" } else { "were" },
            first.bind(py).str()?
        );
        let all = PyList::new(py, [first])?;
        for e in left_out {
            all.append(self.py_error(py, e).into_value(py))?;
        }
        let warning = errors::class(py, "SkippedRecordsWarning")?.call1((message, all))?;
        py.import("warnings")?.call_method1("warn", (warning,))?;
        Ok(())
    }
}

#[pymethods]
impl Reader {
    #[new]
    #[pyo3(signature = (
        source,
        *,
        to_unicode = true,
        force_utf8 = false,
        hide_utf8_warnings = false,
        utf8_handling = "strict",
        file_encoding = None,
        permissive = false,
        raise_errors = false,
        lazy_decoding = false,
        framing = "lenient",
        validation = "repair",
        mmap = true,
        marc8_handling = "replace",
        marc8_normalization = "NFC",
        marc8_ligatures = "lc",
        detect_utf8 = true,
        byte_range = None,
        index = "auto",
        format = "auto",
        threads = None,
        max_decompressed = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        source: &Bound<'_, PyAny>,
        to_unicode: bool,
        force_utf8: bool,
        hide_utf8_warnings: bool,
        utf8_handling: &str,
        file_encoding: Option<&str>,
        permissive: bool,
        raise_errors: bool,
        lazy_decoding: bool,
        framing: &str,
        validation: &str,
        mmap: bool,
        marc8_handling: &str,
        marc8_normalization: &str,
        marc8_ligatures: &str,
        detect_utf8: bool,
        byte_range: Option<(u64, u64)>,
        index: &str,
        format: &str,
        threads: Option<usize>,
        max_decompressed: Option<u64>,
    ) -> PyResult<Reader> {
        // marcmap never prints warnings, so there is nothing to hide; and, as in
        // pymarc 5.4, a bad record is `None` whatever `permissive` says.
        let _ = (hide_utf8_warnings, permissive);
        let options = ReaderOptions::from_args(
            py,
            &Args {
                to_unicode,
                force_utf8,
                utf8_handling,
                marc8_handling,
                file_encoding,
                framing,
                validation,
                mmap,
                marc8_normalization,
                marc8_ligatures,
                detect_utf8,
                raise_errors,
                lazy_decoding,
                index,
                format,
                threads,
                max_decompressed,
            },
        )?;
        let range = match byte_range {
            Some((start, end)) if start > end => {
                return Err(PyValueError::new_err(format!(
                    "byte_range ({start}, {end}) ends before it starts"
                )))
            }
            Some((start, end)) => Some(start..end),
            None => None,
        };
        let file = Source::extract(py, source)?.open(py, options.open, range)?;
        let validated = Validated::new(file.len());
        Ok(Reader {
            shared: Arc::new(Shared {
                file,
                text: options.text,
            }),
            mode: options.mode,
            validated,
            cursor: Mutex::new(Cursor::default()),
            current: Mutex::new(Current::default()),
            closed: AtomicBool::new(false),
        })
    }

    fn __len__(&self) -> usize {
        self.file().len()
    }

    /// The byte ranges lenient framing skipped: `(offset, length, reason)` tuples.
    #[getter]
    fn skipped<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for s in self.file().skipped() {
            list.append(PyTuple::new(
                py,
                [
                    s.offset.into_pyobject(py)?.into_any(),
                    s.length.into_pyobject(py)?.into_any(),
                    s.reason.to_string().into_pyobject(py)?.into_any(),
                ],
            )?)?;
        }
        Ok(list)
    }

    /// Records accepted although their leader's length was wrong:
    /// `(index, offset, declared_length or None, actual_length)` tuples.
    #[getter]
    fn recovered(&self) -> Vec<(u64, u64, Option<usize>, usize)> {
        self.file()
            .recovered()
            .iter()
            .map(|r| (r.record, r.offset, r.declared, r.actual))
            .collect()
    }

    /// With strict framing, the error that stopped indexing (else `None`).
    #[getter]
    fn framing_error(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        let e = self.file().framing_error()?;
        Some(self.py_error(py, e).into_value(py).into_any())
    }

    /// The bytes this reader's records and skipped ranges cover, `(start, end)`
    /// as offsets in the file: `(0, size)` for a whole file; for a byte range,
    /// from its first record to the next range's first record.
    #[getter]
    fn byte_range(&self) -> (u64, u64) {
        let start = self.file().data_offset();
        (start, start + self.file().bytes().len() as u64)
    }

    /// The index in the whole file of this reader's record 0, where it is known:
    /// 0 for a whole file or a byte range from 0, else `None` (a range's records
    /// are numbered from its first; their offsets are the file's).
    #[getter]
    fn first_record_index(&self) -> Option<u64> {
        self.file().first_record_index()
    }

    /// What became of the sidecar (`FILE.mmi`) when the reader was opened:
    /// `"used"`, `"missing"`, `"stale"`, `"corrupt"`, `"unreadable"` (under
    /// `index="auto"` the last three were warned about, and the file indexed),
    /// `"written"` (`index="rebuild"`), or `"off"` (not looked for).
    #[getter]
    fn index_status(&self) -> &'static str {
        use crate::sidecar::SidecarProblem as P;
        use crate::SidecarStatus as S;
        match self.file().sidecar_status() {
            S::Used => "used",
            S::Missing | S::Ignored(P::Missing) => "missing",
            S::Ignored(P::Stale(_)) => "stale",
            S::Ignored(P::Corrupt(_)) => "corrupt",
            S::Ignored(_) => "unreadable",
            S::Written => "written",
            _ => "off",
        }
    }

    /// Writes the index to a sidecar, `path` or beside the file (`FILE.mmi`),
    /// and gives its path. It holds the record offsets, skipped ranges and
    /// recovered records, and the control-number index (built first, as
    /// `get_by_control_number` does, and as `marcmap index` writes it):
    /// `control_numbers=False` leaves it out unless it is already built. `path`
    /// must not be the data file (`ValueError`).
    #[pyo3(signature = (path = None, *, control_numbers = true))]
    fn save_index(
        &self,
        py: Python<'_>,
        path: Option<std::path::PathBuf>,
        control_numbers: bool,
    ) -> PyResult<String> {
        self.check_open()?;
        let file = self.file().clone();
        let written = py.detach(move || {
            if control_numbers {
                file.control_number_index_with(crate::parallel::default_threads());
            }
            file.save_index(path.as_deref())
        });
        match written {
            Ok(p) => Ok(p.to_string_lossy().into_owned()),
            Err(e) => Err(self.py_error(py, e)),
        }
    }

    /// Whether the file is memory-mapped (rather than read into memory).
    #[getter]
    fn is_mapped(&self) -> bool {
        self.file().is_mapped()
    }

    /// The input's format: `"marc"`, `"marcxml"`, `"json"`, `"jsonl"` or `"mrk"`
    /// (MARCXML, JSON and MARCMaker are transcoded to ISO 2709 in memory).
    #[getter]
    fn format(&self) -> &'static str {
        self.file().format().name()
    }

    /// `"gzip"` or `"zstd"` if the input was compressed (and decompressed), else `None`.
    #[getter]
    fn compression(&self) -> Option<&'static str> {
        self.file().compression().map(|c| c.name())
    }

    /// Stops iteration, indexing, lookups and bulk work. Records already made stay
    /// valid; the mapping is released when the reader and the last of them are gone.
    fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
    }

    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, PyTuple>) -> bool {
        self.close();
        false
    }

    fn __repr__(&self) -> String {
        format!("<MARCReader: {} records>", self.file().len())
    }
}
