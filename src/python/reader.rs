//! `marcmap.MARCReader`: pymarc's reader, over a memory-mapped, indexed file.

use super::bulk::{self, Condition, Spec, ValueRef};
use super::errors;
use super::gc;
use super::record::Record;
use super::source::Source;
use super::text::{self, TextOptions};
use crate::decode::ErrorHandling;
use crate::error::{Error, Result};
use crate::file::{MarcFile, OpenOptions};
use crate::index::Framing;
use crate::parallel;
use crate::storage::Access;
use pyo3::exceptions::{PyIndexError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyInt, PyList, PySlice, PyTuple};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// How many records one GIL-free Phase 2 batch validates during iteration.
const BATCH: usize = 1024;

/// What every record and field of a reader shares: the file and how to decode it.
pub(crate) struct Shared {
    pub file: MarcFile,
    pub text: TextOptions,
}

/// Iteration state: the next record, and validation results for a batch ahead.
#[derive(Default)]
struct Cursor {
    next: usize,
    batch_start: usize,
    /// `None` for a valid record, else its error.
    batch: Vec<Option<Error>>,
    framing_reported: bool,
}

/// pymarc's `current_exception` / `current_chunk`.
#[derive(Default)]
struct Current {
    exception: Option<Py<PyAny>>,
    /// The record (index) or framing stop (offset) the exception is about.
    chunk: Option<Chunk>,
}

#[derive(Clone, Copy)]
enum Chunk {
    Record(usize),
    Framing(usize),
}

/// A reader over a MARC file. Iterate it like pymarc's; index it like a list.
#[pyclass(frozen, name = "MARCReader", module = "marcmap._marcmap")]
pub(crate) struct Reader {
    shared: Arc<Shared>,
    /// One bit a record: set once the record has validated, so random access
    /// validates each record once, not on every `reader[i]`.
    valid: Box<[AtomicU64]>,
    permissive: bool,
    cursor: Mutex<Cursor>,
    current: Mutex<Current>,
    closed: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding these locks cannot leave them inconsistent: recover.
    m.lock().unwrap_or_else(|e| e.into_inner())
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

    fn record_object(&self, i: usize) -> Option<Record> {
        let start = self.file().offset(i)? as usize;
        let len = self.file().raw(i)?.len();
        Some(Record::new(&self.shared, i, start, len))
    }

    fn is_known_valid(&self, i: usize) -> bool {
        self.valid
            .get(i / 64)
            .is_some_and(|w| w.load(Ordering::Relaxed) & (1 << (i % 64)) != 0)
    }

    fn mark_valid(&self, i: usize) {
        if let Some(w) = self.valid.get(i / 64) {
            w.fetch_or(1 << (i % 64), Ordering::Relaxed);
        }
    }

    /// Record `i` if valid; in permissive mode `None` (and `current_exception`) if not.
    fn checked(&self, py: Python<'_>, i: usize, result: Result<()>) -> PyResult<Option<Record>> {
        match result {
            Ok(()) => {
                self.mark_valid(i);
                self.set_current(None, Chunk::Record(i));
                Ok(self.record_object(i))
            }
            Err(e) => self.fail(py, errors::to_py(py, e), Chunk::Record(i)),
        }
    }

    fn fail(&self, py: Python<'_>, err: PyErr, chunk: Chunk) -> PyResult<Option<Record>> {
        if !self.permissive {
            return Err(err);
        }
        self.set_current(Some(err.into_value(py).into_any()), chunk);
        Ok(None)
    }

    /// Sets pymarc's `current_exception` / `current_chunk`. The old exception is
    /// dropped after the lock is released: dropping a Python object can run Python
    /// code, which may switch threads, and another thread must never find this
    /// lock held by a thread that waits for the GIL.
    fn set_current(&self, exception: Option<Py<PyAny>>, chunk: Chunk) {
        let old = {
            let mut cur = lock(&self.current);
            cur.chunk = Some(chunk);
            std::mem::replace(&mut cur.exception, exception)
        };
        drop(old);
    }

    fn normalise_index(&self, i: isize) -> PyResult<usize> {
        let n = self.file().len() as isize;
        let j = if i < 0 { i + n } else { i };
        if j < 0 || j >= n {
            return Err(PyIndexError::new_err(format!(
                "record index {i} out of range for {n} records"
            )));
        }
        Ok(j as usize)
    }

    /// Record `i` for random access: validated on first access only. Unlike
    /// iteration, a valid record leaves `current_chunk` alone.
    fn get_one(&self, py: Python<'_>, i: usize) -> PyResult<Option<Record>> {
        if !self.is_known_valid(i) {
            if let Err(e) = self.file().record(i) {
                return self.fail(py, errors::to_py(py, e), Chunk::Record(i));
            }
            self.mark_valid(i);
        }
        Ok(self.record_object(i))
    }

    fn next_item(&self, py: Python<'_>) -> PyResult<Option<Record>> {
        self.check_open()?;
        loop {
            let mut cur = lock(&self.cursor);
            let i = cur.next;
            if i >= cur.batch_start && i < cur.batch_start + cur.batch.len() {
                let at = i - cur.batch_start;
                let result = cur.batch[at].take();
                cur.next += 1;
                drop(cur);
                return self.checked(py, i, result.map_or(Ok(()), Err));
            }
            if i >= self.file().len() {
                if cur.framing_reported {
                    return Err(pyo3::exceptions::PyStopIteration::new_err(()));
                }
                cur.framing_reported = true;
                drop(cur);
                let Some(e) = self.file().framing_error() else {
                    return Err(pyo3::exceptions::PyStopIteration::new_err(()));
                };
                let offset = e.position().byte.unwrap_or(0) as usize;
                return self.fail(py, errors::to_py(py, e), Chunk::Framing(offset));
            }
            drop(cur);
            // Phase 2 for the next batch, with the GIL released.
            let file = self.file().clone();
            let end = (i + BATCH).min(file.len());
            let batch: Vec<Option<Error>> =
                py.detach(move || (i..end).map(|j| file.record(j).err()).collect());
            let mut cur = lock(&self.cursor);
            // Another thread may have moved the cursor meanwhile: then just retry.
            if cur.next == i {
                cur.batch_start = i;
                cur.batch = batch;
            }
        }
    }

    fn by_control_number(&self, py: Python<'_>, cn: &Bound<'_, PyAny>) -> PyResult<Vec<usize>> {
        let cn: Vec<u8> = if let Ok(s) = cn.extract::<String>() {
            s.into_bytes()
        } else if let Ok(b) = cn.extract::<Vec<u8>>() {
            b
        } else {
            return Err(PyTypeError::new_err("a control number is a str or bytes"));
        };
        let file = self.file().clone();
        Ok(py.detach(move || {
            file.control_number_index_with(parallel::default_threads());
            file.find_control_number(&cn)
        }))
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
        framing = "lenient",
        mmap = true,
        marc8_normalization = "NFC",
        marc8_ligatures = "lc",
        detect_utf8 = false,
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
        framing: &str,
        mmap: bool,
        marc8_normalization: &str,
        marc8_ligatures: &str,
        detect_utf8: bool,
    ) -> PyResult<Reader> {
        // marcmap never prints warnings, so there is nothing to hide.
        let _ = hide_utf8_warnings;
        if let Some(enc) = file_encoding {
            let enc = enc.to_ascii_lowercase().replace(['-', '_'], "");
            if !matches!(enc.as_str(), "iso88591" | "latin1" | "marc8") {
                return Err(PyValueError::new_err(format!(
                    "file_encoding {enc:?} is not supported: records are MARC-8 or UTF-8 (LDR/09)"
                )));
            }
        }
        let framing = match framing {
            "lenient" => Framing::Lenient,
            "strict" => Framing::Strict,
            other => {
                return Err(PyValueError::new_err(format!(
                    "framing must be 'lenient' or 'strict', not {other:?}"
                )))
            }
        };
        let text = TextOptions {
            to_unicode,
            force_utf8,
            utf8: text::parse_handling(utf8_handling)?,
            marc8: text::marc8_options(utf8_handling, marc8_normalization, marc8_ligatures)?,
            detect_utf8,
        };
        let access = if mmap { Access::Map } else { Access::Read };
        let options = OpenOptions::new().framing(framing).access(access);
        let file = Source::extract(py, source)?.open(py, options)?;
        let valid = (0..file.len().div_ceil(64))
            .map(|_| AtomicU64::new(0))
            .collect();
        Ok(Reader {
            shared: Arc::new(Shared { file, text }),
            valid,
            permissive,
            cursor: Mutex::new(Cursor::default()),
            current: Mutex::new(Current::default()),
            closed: AtomicBool::new(false),
        })
    }

    fn __iter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    /// The next record; in permissive mode `None` for a bad one. The `None` must be
    /// a Python value here: returned as `Option::None` from `__next__`, PyO3 would
    /// turn it into `StopIteration` and end the iteration at the first bad record.
    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.next_item(py)?.into_pyobject(py)?.into_any())
    }

    fn __len__(&self) -> usize {
        self.file().len()
    }

    /// `reader[i]` (negative counts from the end) or `reader[i:j:k]` (a list).
    fn __getitem__<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.check_open()?;
        if let Ok(i) = key.extract::<isize>() {
            let i = self.normalise_index(i)?;
            return Ok(self.get_one(py, i)?.into_pyobject(py)?.into_any());
        }
        if let Ok(slice) = key.cast::<PySlice>() {
            let ind = slice.indices(self.file().len() as isize)?;
            let list = PyList::empty(py);
            for k in 0..ind.slicelength as isize {
                // Every such index is in range, so this cannot overflow (stepping
                // past the last one could, with a huge step).
                let i = ind.start + k * ind.step;
                list.append(self.get_one(py, i as usize)?)?;
            }
            return Ok(list.into_any());
        }
        if key.is_instance_of::<PyInt>() {
            // An int too big for an index is out of range, as for a list.
            return Err(PyIndexError::new_err(
                "cannot fit 'int' into an index-sized integer",
            ));
        }
        Err(PyTypeError::new_err(
            "reader indices must be integers or slices",
        ))
    }

    /// The byte offset where record `i` starts.
    fn offset(&self, i: isize) -> PyResult<u64> {
        let i = self.normalise_index(i)?;
        Ok(self.file().offset(i).unwrap_or(0))
    }

    /// The first record whose 001 is `control_number` (whitespace-trimmed), or `None`.
    /// The lookup index is built on first use, on all cores, without the GIL.
    fn get_by_control_number(
        &self,
        py: Python<'_>,
        control_number: &Bound<'_, PyAny>,
    ) -> PyResult<Option<Record>> {
        self.check_open()?;
        match self.by_control_number(py, control_number)?.first() {
            Some(&i) => self.get_one(py, i),
            None => Ok(None),
        }
    }

    /// Every record whose 001 is `control_number`, in file order (duplicates are real).
    fn get_all_by_control_number(
        &self,
        py: Python<'_>,
        control_number: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<Option<Record>>> {
        self.check_open()?;
        let found = self.by_control_number(py, control_number)?;
        found.into_iter().map(|i| self.get_one(py, i)).collect()
    }

    /// Builds the control-number index now (it is otherwise built on first lookup).
    /// Returns the number of records that have a 001.
    #[pyo3(signature = (*, threads = None))]
    fn build_control_number_index(&self, py: Python<'_>, threads: Option<usize>) -> usize {
        let file = self.file().clone();
        let threads = threads.unwrap_or_else(parallel::default_threads);
        py.detach(move || file.control_number_index_with(threads).len())
    }

    /// Values from every record, on `threads` threads with the GIL released.
    ///
    /// Each spec is `"001"` (a control field; a data field's whole value) or
    /// `"245$a"` (subfield values, every repeat; `"650$ax"` for several codes).
    /// One spec gives one entry per record: a list of values (or, with
    /// `first=True`, the first value or `None`). Several specs give a tuple of
    /// those per record. A malformed record raises, or in permissive mode gives
    /// empty entries.
    #[pyo3(signature = (*specs, threads = None, first = false))]
    fn extract<'py>(
        &self,
        py: Python<'py>,
        specs: Vec<String>,
        threads: Option<usize>,
        first: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        self.check_open()?;
        if specs.is_empty() {
            return Err(PyTypeError::new_err(
                "extract() needs at least one spec, e.g. '245$a'",
            ));
        }
        let parsed: Vec<Spec> = specs
            .iter()
            .map(|s| Spec::parse(s))
            .collect::<std::result::Result<_, _>>()
            .map_err(PyValueError::new_err)?;
        let threads = threads_arg(threads)?;
        let (file, text) = (&self.shared.file, &self.shared.text);
        let out = PyList::empty(py);
        // The records are read on `threads` threads without the GIL; this thread
        // turns each finished chunk into Python objects, in order, while the
        // others go on reading.
        parallel::map_range_in_order(
            file.len(),
            threads,
            |range| bulk::extract_chunk(file, text, &parsed, first, range),
            |work| py.detach(work),
            |range, values| {
                // A bad record stops the build as a plain `Error`; its exception
                // (whose constructor is Python code) is made after the GC is back on.
                let built = gc::deferred(py, || {
                    values.for_each_record(range.len(), parsed.len(), |record| {
                        let record = match record {
                            Ok(v) => Some(v),
                            Err(e) if !self.permissive => return Err(Stop::Record(e)),
                            // Permissive: a bad record gives empty entries.
                            Err(_) => None,
                        };
                        let entry = |k: usize| -> PyResult<Bound<'py, PyAny>> {
                            match (&record, first) {
                                (Some(v), true) => Ok(v
                                    .spec(k)
                                    .next()
                                    .map_or_else(|| py.None().into_bound(py), |v| value_py(py, v))),
                                (Some(v), false) => {
                                    Ok(PyList::new(py, v.spec(k).map(|v| value_py(py, v)))?
                                        .into_any())
                                }
                                (None, true) => Ok(py.None().into_bound(py)),
                                (None, false) => Ok(PyList::empty(py).into_any()),
                            }
                        };
                        if parsed.len() == 1 {
                            out.append(entry(0)?)?;
                        } else {
                            let entries =
                                (0..parsed.len()).map(entry).collect::<PyResult<Vec<_>>>()?;
                            out.append(PyTuple::new(py, entries)?)?;
                        }
                        Ok(())
                    })
                })?;
                built.map_err(|stop| match stop {
                    Stop::Py(e) => e,
                    Stop::Record(e) => errors::to_py_in(py, e, file),
                })
            },
        )?;
        Ok(out)
    }

    /// The indices of the records with a value for `spec` that contains `contains`
    /// (any value when `None`), on `threads` threads with the GIL released. The
    /// values compared are those `extract(spec)` gives: a control field's data, a
    /// data field's joined `value()` (`"650"`), or subfield values (`"650$a"`).
    /// `ignore_case` folds Unicode case on text, ASCII case on raw bytes.
    #[pyo3(signature = (spec, contains = None, *, ignore_case = false, threads = None))]
    fn filter(
        &self,
        py: Python<'_>,
        spec: &str,
        contains: Option<String>,
        ignore_case: bool,
        threads: Option<usize>,
    ) -> PyResult<Vec<usize>> {
        self.check_open()?;
        let spec = Spec::parse(spec).map_err(PyValueError::new_err)?;
        let cond = Condition::new(spec, contains, ignore_case);
        let threads = threads_arg(threads)?;
        let shared = self.shared.clone();
        let file = shared.file.clone();
        let results = py.detach(move || bulk::filter(&shared.file, &shared.text, &cond, threads));
        let mut out = Vec::new();
        for (i, r) in results.into_iter().enumerate() {
            match r {
                Ok(true) => out.push(i),
                Ok(false) => {}
                Err(e) if !self.permissive => return Err(errors::to_py_in(py, e, &file)),
                Err(_) => {}
            }
        }
        Ok(out)
    }

    /// Every malformed record (and, with `decode=True`, every record with a value
    /// that does not decode strictly) as a list of `MarcError`s, in file order.
    /// Framing damage skipped by lenient framing is in `skipped`, not here.
    #[pyo3(signature = (*, decode = true, threads = None))]
    fn validate<'py>(
        &self,
        py: Python<'py>,
        decode: bool,
        threads: Option<usize>,
    ) -> PyResult<Vec<Py<PyAny>>> {
        self.check_open()?;
        let threads = threads_arg(threads)?;
        let shared = self.shared.clone();
        let strict = TextOptions {
            utf8: ErrorHandling::Strict,
            marc8: crate::marc8::Marc8Options {
                errors: ErrorHandling::Strict,
                ..shared.text.marc8
            },
            ..shared.text
        };
        let file = shared.file.clone();
        let found = py.detach(move || bulk::validate(&shared.file, &strict, decode, threads));
        Ok(found
            .into_iter()
            .map(|e| errors::to_py_in(py, e, &file).into_value(py).into_any())
            .collect())
    }

    /// The indices of the records labelled MARC-8 (LDR/09 blank) whose bytes are
    /// UTF-8: multibyte sequences, no escapes. With `detect_utf8=True` these are
    /// the records the reader decodes as UTF-8. Runs without the GIL.
    #[pyo3(signature = (*, threads = None))]
    fn mislabelled_utf8(&self, py: Python<'_>, threads: Option<usize>) -> PyResult<Vec<usize>> {
        self.check_open()?;
        let threads = threads_arg(threads)?;
        let file = self.file().clone();
        Ok(py.detach(move || bulk::mislabelled_utf8(&file, threads)))
    }

    /// pymarc's `current_exception`: the error behind the last `None` in permissive mode.
    #[getter]
    fn current_exception(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        lock(&self.current)
            .exception
            .as_ref()
            .map(|e| e.clone_ref(py))
    }

    /// pymarc's `current_chunk`: the bytes of the last record read (or of the damage).
    #[getter]
    fn current_chunk<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        let chunk = lock(&self.current).chunk?;
        let bytes = match chunk {
            Chunk::Record(i) => self.file().raw(i)?,
            Chunk::Framing(offset) => {
                let rest = self.file().bytes().get(offset..)?;
                let end = memchr::memchr(0x1D, rest).map_or(rest.len(), |e| e + 1);
                &rest[..end]
            }
        };
        Some(PyBytes::new(py, bytes))
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
        Some(errors::to_py(py, e).into_value(py).into_any())
    }

    /// Whether the file is memory-mapped (rather than read into memory).
    #[getter]
    fn is_mapped(&self) -> bool {
        self.file().is_mapped()
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

fn threads_arg(threads: Option<usize>) -> PyResult<usize> {
    match threads {
        None => Ok(parallel::default_threads()),
        Some(0) => Err(PyValueError::new_err("threads must be at least 1")),
        Some(n) => Ok(n),
    }
}

/// Why `extract` stopped building its result.
enum Stop {
    /// Making a Python object failed (out of memory).
    Py(PyErr),
    /// A record is malformed or has a value that does not decode.
    Record(Error),
}

impl From<PyErr> for Stop {
    fn from(e: PyErr) -> Self {
        Stop::Py(e)
    }
}

fn value_py<'py>(py: Python<'py>, v: ValueRef<'_>) -> Bound<'py, PyAny> {
    match v {
        ValueRef::Text(t) => pyo3::types::PyString::new(py, t).into_any(),
        ValueRef::Bytes(b) => PyBytes::new(py, b).into_any(),
    }
}
