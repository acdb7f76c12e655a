//! Random access (`reader[i]`, slices, `offset`) and lookup by 001.

use super::super::record::Record;
use super::super::shared::lock;
use super::{check_record, Reader};
use crate::parallel;
use crate::RecordHandle;
use pyo3::exceptions::{PyIndexError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyInt, PyList, PySlice};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

/// Which records have validated, so that random access validates each record
/// once, not on every `reader[i]`: one bit a record, and the handles of the few
/// that needed repair.
pub(crate) struct Validated {
    bits: Box<[AtomicU64]>,
    repaired: Mutex<HashMap<usize, RecordHandle>>,
    /// Whether `repaired` holds anything: clean files never take its lock.
    any_repaired: AtomicBool,
}

impl Validated {
    pub(crate) fn new(records: usize) -> Self {
        Validated {
            bits: (0..records.div_ceil(64))
                .map(|_| AtomicU64::new(0))
                .collect(),
            repaired: Mutex::new(HashMap::new()),
            any_repaired: AtomicBool::new(false),
        }
    }

    /// `Some(handle)` if record `i` has validated before (its handle if it
    /// was repaired).
    fn get(&self, i: usize) -> Option<Option<RecordHandle>> {
        let known = self
            .bits
            .get(i / 64)
            .is_some_and(|w| w.load(Ordering::Acquire) & (1 << (i % 64)) != 0);
        known.then(|| {
            if self.any_repaired.load(Ordering::Acquire) {
                lock(&self.repaired).get(&i).cloned()
            } else {
                None
            }
        })
    }

    pub(crate) fn mark(&self, i: usize, repaired: Option<RecordHandle>) {
        if let Some(handle) = repaired {
            lock(&self.repaired).insert(i, handle);
            self.any_repaired.store(true, Ordering::Release);
        }
        if let Some(w) = self.bits.get(i / 64) {
            w.fetch_or(1 << (i % 64), Ordering::Release);
        }
    }
}

impl Reader {
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
        if let Some(layout) = self.validated.get(i) {
            return Ok(self.record_object(
                i,
                super::Checked {
                    layout,
                    encoding: None,
                },
            ));
        }
        let result = check_record(self.file(), &self.shared.text, self.mode, i);
        self.checked(py, i, result, false)
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

    /// The byte offset where record `i` starts in the input (for MARCXML, JSON
    /// and MARCMaker, where its text starts).
    fn offset(&self, i: isize) -> PyResult<u64> {
        let i = self.normalise_index(i)?;
        Ok(self.file().input_position(i).map_or(0, |p| p.offset))
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
}
