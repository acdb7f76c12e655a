//! The bulk methods of `MARCReader` (`extract`, `filter`, `validate`,
//! `mislabelled_utf8`, `repaired_records`): the core's GIL-free work ([`crate::query`]) runs on N
//! threads, and the results become Python objects here, after the GIL is back.

use super::super::gc;
use super::super::spec::{expr_arg, spec_arg, PyExpr};
use super::Reader;
use crate::filter::Expr;
use crate::parallel;
use crate::query::{self, Condition};
use crate::spec::{Spec, ValueRef};
use crate::Error;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};

#[pymethods]
impl Reader {
    /// Values from every record, on `threads` threads with the GIL released.
    ///
    /// Each spec is `"001"` (a control field; a data field's whole value) or
    /// `"245$a"` (subfield values, every repeat; `"650$ax"` for several codes).
    /// One spec gives one entry per record: a list of values (or, with
    /// `first=True`, the first value or `None`). Several specs give a tuple of
    /// those per record. A malformed record (or one whose text does not decode)
    /// gives empty entries (an empty list, or `None` with `first=True`), as
    /// iteration gives it as `None`, and is reported: one
    /// `SkippedRecordsWarning` holds each such record's error. A reader made
    /// with `raise_errors=True` raises instead. `validate()` lists such records.
    ///
    /// A spec is a MARCspec (`"650[0]$a"`, `"245$a{$6}"`, `"LDR/6"`; see
    /// `marcmap.Spec`), as text or a `Spec`. `records`, a list of record
    /// indices, takes those records (in that order) instead of all.
    #[pyo3(signature = (*specs, threads = None, first = false, records = None))]
    fn extract<'py>(
        &self,
        py: Python<'py>,
        specs: Vec<Bound<'py, PyAny>>,
        threads: Option<usize>,
        first: bool,
        records: Option<Vec<isize>>,
    ) -> PyResult<Bound<'py, PyList>> {
        self.check_open()?;
        self.file().expect_scan();
        if specs.is_empty() {
            return Err(PyTypeError::new_err(
                "extract() needs at least one spec, e.g. '245$a'",
            ));
        }
        let parsed: Vec<Spec> = specs.iter().map(spec_arg).collect::<PyResult<_>>()?;
        let threads = threads_arg(threads)?;
        let records = self.record_list(records)?;
        let (file, text) = (&self.shared.file, &self.shared.text);
        let out = PyList::empty(py);
        // The records are read on `threads` threads without the GIL; this thread
        // turns each finished chunk into Python objects, in order, while the
        // others go on reading.
        let (decoder, binary) = (&text.decoder, !text.to_unicode);
        // The records that gave empty entries because they could not be read:
        // reported at the end, never left out unsaid.
        let mut unreadable: Vec<crate::Error> = Vec::new();
        parallel::map_range_in_order(
            records.as_ref().map_or(file.len(), Vec::len),
            threads,
            |range| match &records {
                None => query::extract_range(file, &parsed, decoder, binary, first, range),
                Some(r) => query::extract_records(file, &parsed, decoder, binary, first, &r[range]),
            },
            |work| py.detach(work),
            |_, values| {
                // A bad record stops the build as a plain `Error`; its exception
                // (whose constructor is Python code) is made after the GC is back on.
                let built = gc::deferred(py, || {
                    values.for_each_record(|record| {
                        let record = match record {
                            Ok(v) => Some(v),
                            Err(e) if self.mode.raise_errors => return Err(Stop::Record(e)),
                            // By default a bad record gives empty entries.
                            Err(e) => {
                                unreadable.push(e);
                                None
                            }
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
                    Stop::Record(e) => self.py_error(py, e),
                })
            },
        )?;
        self.report_left_out(py, "extract", unreadable)?;
        Ok(out)
    }

    /// The indices of the records that meet the filter expression `expr`
    /// (`"245$a ~ /^the/i and not 856"`, `"count(650) >= 3"`; a `str`, an
    /// `Expr`, or a `Spec`: the records with a value for it), on `threads`
    /// threads with the GIL released.
    ///
    /// With `contains`, `expr` is a spec, and the records are those with a
    /// value for it that contains `contains` (`ignore_case` folds Unicode case
    /// on text, ASCII case on raw bytes). The values compared are those
    /// `extract(spec)` gives.
    #[pyo3(signature = (expr, contains = None, *, ignore_case = false, threads = None))]
    fn filter(
        &self,
        py: Python<'_>,
        expr: &Bound<'_, PyAny>,
        contains: Option<String>,
        ignore_case: bool,
        threads: Option<usize>,
    ) -> PyResult<Vec<usize>> {
        self.check_open()?;
        self.file().expect_scan();
        let cond = match contains {
            Some(contains) => {
                Test::Contains(Condition::new(spec_arg(expr)?, Some(contains), ignore_case))
            }
            None if ignore_case => return Err(PyValueError::new_err(
                "ignore_case goes with contains=; in an expression use a regex: '245$a ~ /the/i'",
            )),
            None => Test::Expr(expr_arg(expr)?),
        };
        let threads = threads_arg(threads)?;
        let shared = self.shared.clone();
        let found = py.detach(move || {
            let text = &shared.text;
            let (file, decoder, binary) = (&shared.file, &text.decoder, !text.to_unicode);
            match &cond {
                Test::Contains(c) => query::filter(file, c, decoder, binary, threads),
                Test::Expr(e) => query::filter(file, e, decoder, binary, threads),
            }
        });
        self.report_left_out(py, "filter", found.errors)?;
        Ok(found.records)
    }

    /// The records that meet the filter expression `expr`, as a lazy
    /// `Selection`: nothing is read until it is used. `write` tests each
    /// record as it writes it, in one pass; the other uses (`to_arrow`,
    /// `to_parquet`, `extract`, `len`, iteration) find the records once, on
    /// all cores without the GIL, and then read only those.
    #[pyo3(name = "where")]
    fn where_<'py>(
        slf: &Bound<'py, Self>,
        expr: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let expr = Bound::new(
            py,
            PyExpr {
                expr: expr_arg(expr)?,
            },
        )?;
        py.import("marcmap._selection")?
            .getattr("Selection")?
            .call1((slf, expr))
    }

    /// Every malformed record (and, with `decode=True`, every record with a value
    /// that does not decode) as a list of `MarcError`s, in file order. With
    /// `strict_text=True` (the default) text is checked strictly, whatever the
    /// reader's handling says: every invalid byte is a problem. With
    /// `strict_text=False` it is checked as the reader decodes it, so the
    /// errors are exactly the records iteration gives as `None`.
    /// Framing damage skipped by lenient framing is in `skipped`, not here.
    #[pyo3(signature = (*, decode = true, strict_text = true, threads = None))]
    fn validate<'py>(
        &self,
        py: Python<'py>,
        decode: bool,
        strict_text: bool,
        threads: Option<usize>,
    ) -> PyResult<Vec<Py<PyAny>>> {
        self.check_open()?;
        self.file().expect_scan();
        let threads = threads_arg(threads)?;
        let shared = self.shared.clone();
        let decoder = if strict_text {
            shared.text.decoder.strict()
        } else {
            shared.text.decoder
        };
        let found = py.detach(move || query::validate(&shared.file, &decoder, decode, threads));
        Ok(found
            .into_iter()
            .map(|e| self.py_error(py, e).into_value(py).into_any())
            .collect())
    }

    /// The indices of the records labelled MARC-8 (LDR/09 blank) whose bytes are
    /// UTF-8: multibyte sequences, no escapes. With `detect_utf8=True` these are
    /// the records the reader decodes as UTF-8. Runs without the GIL.
    #[pyo3(signature = (*, threads = None))]
    fn mislabelled_utf8(&self, py: Python<'_>, threads: Option<usize>) -> PyResult<Vec<usize>> {
        self.check_open()?;
        self.file().expect_scan();
        let threads = threads_arg(threads)?;
        let file = self.file().clone();
        Ok(py.detach(move || query::mislabelled_utf8(&file, threads)))
    }

    /// The indices of the records that validation read by repair (their
    /// `record.repairs` is not empty; none with `validation="strict"`, which
    /// refuses them). Runs without the GIL.
    #[pyo3(signature = (*, threads = None))]
    fn repaired_records(&self, py: Python<'_>, threads: Option<usize>) -> PyResult<Vec<usize>> {
        self.check_open()?;
        self.file().expect_scan();
        let threads = threads_arg(threads)?;
        let file = self.file().clone();
        Ok(py.detach(move || query::repaired(&file, threads)))
    }
}

pub(crate) fn threads_arg(threads: Option<usize>) -> PyResult<usize> {
    match threads {
        None => Ok(parallel::default_threads()),
        Some(0) => Err(PyValueError::new_err("threads must be at least 1")),
        Some(n) => Ok(n),
    }
}

/// What `filter` looks for.
enum Test {
    Contains(Condition),
    Expr(Expr),
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
