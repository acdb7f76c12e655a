//! pymarc's iteration: the next record, or `None` with `current_exception` and
//! `current_chunk` set for a bad one; records are validated in GIL-free batches.

use super::super::record::Record;
use super::super::shared::lock;
use super::{check_record, Checked, Reader};
use crate::Error;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// How many records one GIL-free Phase 2 batch validates during iteration.
const BATCH: usize = 1024;

/// Iteration state: the next record, and validation results for a batch ahead.
#[derive(Default)]
pub(crate) struct Cursor {
    next: usize,
    batch_start: usize,
    /// Each record's layout (`None` for a clean record), or its error.
    batch: Vec<Option<Result<Checked, Error>>>,
    framing_reported: bool,
}

/// pymarc's `current_exception` / `current_chunk`.
#[derive(Default)]
pub(crate) struct Current {
    exception: Option<Py<PyAny>>,
    /// The record (index) or framing stop (offset) the exception is about.
    chunk: Option<Chunk>,
}

#[derive(Clone, Copy)]
pub(crate) enum Chunk {
    Record(usize),
    Framing(u64),
}

impl Reader {
    /// Record `i` if `result` says it is good; else `None` with
    /// `current_exception` set, or the error raised with `raise_errors=True`.
    pub(crate) fn checked(
        &self,
        py: Python<'_>,
        i: usize,
        result: Result<Checked, Error>,
        chunk_on_success: bool,
    ) -> PyResult<Option<Record>> {
        match result {
            Ok(checked) => {
                self.validated.mark(i, checked.layout.clone());
                if chunk_on_success {
                    self.set_current(None, Chunk::Record(i));
                }
                Ok(self.record_object(i, checked))
            }
            Err(e) => {
                let err = self.py_error(py, e);
                self.fail(py, err, Chunk::Record(i))
            }
        }
    }

    fn fail(&self, py: Python<'_>, err: PyErr, chunk: Chunk) -> PyResult<Option<Record>> {
        if self.mode.raise_errors {
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

    fn next_item(&self, py: Python<'_>) -> PyResult<Option<Record>> {
        self.check_open()?;
        loop {
            let mut cur = lock(&self.cursor);
            let i = cur.next;
            if i >= cur.batch_start && i < cur.batch_start + cur.batch.len() {
                let at = i - cur.batch_start;
                let result = cur.batch[at].take().unwrap_or(Ok(Checked::default()));
                cur.next += 1;
                drop(cur);
                return self.checked(py, i, result, true);
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
                let offset = e.position().byte.unwrap_or(0);
                let err = self.py_error(py, e);
                return self.fail(py, err, Chunk::Framing(offset));
            }
            drop(cur);
            // Phase 2 (and the text check) for the next batch, with the GIL released.
            self.file().expect_scan();
            let (shared, mode) = (self.shared.clone(), self.mode);
            let end = (i + BATCH).min(shared.file.len());
            let batch = py.detach(move || {
                (i..end)
                    .map(|j| Some(check_record(&shared.file, &shared.text, mode, j)))
                    .collect::<Vec<_>>()
            });
            let mut cur = lock(&self.cursor);
            // Another thread may have moved the cursor meanwhile: then just retry.
            if cur.next == i {
                cur.batch_start = i;
                cur.batch = batch;
            }
        }
    }
}

#[pymethods]
impl Reader {
    fn __iter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    /// The next record; `None` for a bad one (see `current_exception`), unless
    /// the reader was made with `raise_errors=True`. The `None` must be a Python
    /// value here: returned as `Option::None` from `__next__`, PyO3 would turn it
    /// into `StopIteration` and end the iteration at the first bad record.
    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.next_item(py)?.into_pyobject(py)?.into_any())
    }

    /// pymarc's `current_exception`: the error behind the last `None`.
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
                let rest = self.file().bytes_from(offset)?;
                let end = memchr::memchr(0x1D, rest).map_or(rest.len(), |e| e + 1);
                &rest[..end]
            }
        };
        Some(PyBytes::new(py, bytes))
    }
}
