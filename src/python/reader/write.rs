//! `MARCReader.write()`: every record (or a list of them) serialised on N
//! threads with the GIL released, written in record order to a path or a
//! binary file object. The core does the work ([`crate::write::write_chunks`]).

use super::bulk::threads_arg;
use super::Reader;
use crate::output::CompressedOutput;
use crate::write::{write_chunks_matching, WriteOptions, WriteReport};
use crate::Format;
use crate::{Error, ErrorKind, Position};
use pyo3::exceptions::{PyIndexError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyString};
use std::io::Write as _;
use std::path::PathBuf;

/// A `format=` argument.
pub(crate) fn format_arg(format: &str) -> PyResult<Format> {
    format
        .parse::<Format>()
        .map_err(|e| PyValueError::new_err(e.to_string()))
}

static WRITE_RESULT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Records a progress step counts (the core's chunk); the last report is exact.
const CHUNK_HINT: usize = 1024;

impl Reader {
    /// `records` checked against the file: every index in range (negative
    /// ones count from the end, as in `reader[i]`).
    pub(super) fn record_list(&self, records: Option<Vec<isize>>) -> PyResult<Option<Vec<usize>>> {
        let Some(records) = records else {
            return Ok(None);
        };
        let n = self.file().len() as isize;
        records
            .into_iter()
            .map(|i| {
                let j = if i < 0 { i + n } else { i };
                if (0..n).contains(&j) {
                    Ok(j as usize)
                } else {
                    Err(PyIndexError::new_err(format!(
                        "record index {i} out of range for {n} records"
                    )))
                }
            })
            .collect::<PyResult<Vec<_>>>()
            .map(Some)
    }

    fn write_result<'py>(
        &self,
        py: Python<'py>,
        report: WriteReport,
        edits: Option<&crate::edit::Program>,
        filtered: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let cls = WRITE_RESULT
            .get_or_try_init(py, || {
                PyResult::Ok(
                    py.import("marcmap._types")?
                        .getattr("WriteResult")?
                        .unbind(),
                )
            })?
            .bind(py);
        let errors: Vec<Py<PyAny>> = report
            .errors
            .into_iter()
            .map(|e| self.py_error(py, e).into_value(py).into_any())
            .collect();
        let counts = match edits {
            Some(program) => super::super::edits::counts(py, program, &report.edits)?,
            None => pyo3::types::PyList::empty(py),
        };
        cls.call1((
            report.written,
            errors,
            report.replaced,
            report.reframed,
            counts,
            report.references,
            filtered.then_some(report.matched),
        ))
    }
}

#[pymethods]
impl Reader {
    /// Writes every record (or those at the indices in `records`, such as
    /// `filter()`'s result, in that order) to `target` in `format`: `"marc"`
    /// (ISO 2709), `"marcxml"` (a `<collection>`), `"json"` (an array),
    /// `"jsonl"` (one record a line) or `"mrk"` (MARCMaker text).
    ///
    /// `target` is a path or a binary file object. A path is written beside
    /// itself and renamed into place when every record is written, so an error
    /// leaves it as it was; a path that is the file being read is refused with
    /// `ValueError`. A path ending in `.gz` is written gzip-compressed, one
    /// ending in `.zst` Zstandard-compressed. The records are serialised
    /// on `threads` threads with the GIL released, and written in order.
    /// `to_marc8=True` (ISO 2709 only) writes records as MARC-8 with LDR/09
    /// blank, characters MARC-8 lacks as `&#xHHHH;` (counted per record in the
    /// result's `references`); records already MARC-8 are kept as they are.
    /// `to_utf8=True` writes MARC-8 records as UTF-8 with LDR/09 `a` (text
    /// formats are always UTF-8). A record that cannot be written is left out
    /// and reported in the result's `errors` (with `raise_errors=True` it
    /// raises, after the records before it were written). `progress`, if
    /// given, is called as `progress(done, total)` as the work goes on.
    /// `edits` (an `Edits`, or a list of rules) changes each record as it is
    /// written (see the docs' "Editing" page); the result's `edits` counts what
    /// each rule changed. `where` (a filter expression, or an `Expr`) writes
    /// only the records that meet it (of `records`, when given), each tested
    /// as it is written, before any `edits`: finding and writing are one pass
    /// (`reader.where(expr).write(...)` uses it); the result's `matched`
    /// counts them. Returns a
    /// `WriteResult(written, errors, replaced, reframed, edits, references, matched)`.
    #[pyo3(signature = (target, format = "marc", *, to_utf8 = false, to_marc8 = false, threads = None, records = None, progress = None, edits = None, r#where = None))]
    // Written out: pyo3 cannot render the default of a raw identifier (`where`).
    #[pyo3(
        text_signature = "($self, target, format='marc', *, to_utf8=False, to_marc8=False, threads=None, records=None, progress=None, edits=None, where=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn write<'py>(
        &self,
        py: Python<'py>,
        target: &Bound<'py, PyAny>,
        format: &str,
        to_utf8: bool,
        to_marc8: bool,
        threads: Option<usize>,
        records: Option<Vec<isize>>,
        progress: Option<Bound<'py, PyAny>>,
        edits: Option<Bound<'py, PyAny>>,
        r#where: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.check_open()?;
        let matching = r#where
            .as_ref()
            .map(crate::python::spec::expr_arg)
            .transpose()?;
        let matching = matching.as_ref();
        let program = edits
            .as_ref()
            .map(super::super::edits::edits_arg)
            .transpose()?;
        let program = program.as_deref();
        let format = format_arg(format)?;
        let threads = threads_arg(threads)?;
        let records = self.record_list(records)?;
        if to_marc8 && (to_utf8 || format != Format::Iso2709) {
            return Err(PyValueError::new_err(
                "to_marc8=True writes ISO 2709 (format='marc') and cannot go with to_utf8=True",
            ));
        }
        let options = WriteOptions::new(format)
            .to_utf8(to_utf8)
            .to_marc8(to_marc8)
            .decoder(self.shared.text.decoder);
        let stop = self.mode.raise_errors;
        let file = &self.shared.file;
        let total = records.as_ref().map_or(file.len(), Vec::len);
        let is_path = target.is_instance_of::<PyString>() || target.hasattr("__fspath__")?;
        if !is_path && !target.hasattr("write")? {
            let type_name = target.get_type().name()?;
            return Err(PyTypeError::new_err(format!(
                "write() needs a path or a binary file object, not {type_name}"
            )));
        }
        let mut out = if is_path {
            let path: PathBuf = target.extract()?;
            match CompressedOutput::create(&path, file.file_id()) {
                Ok(out) => Some(out),
                Err(e) => return Err(self.py_error(py, e)),
            }
        } else {
            None
        };
        let report = match (&mut out, &progress) {
            // A path and no progress to report: all of it without the GIL.
            (Some(out), None) => {
                let records = records.as_deref();
                py.detach(|| {
                    write_chunks_matching(
                        file,
                        records,
                        matching,
                        &options,
                        program,
                        threads,
                        stop,
                        |work| work(),
                        |bytes| out.write_all(bytes).map_err(Error::from),
                    )
                })
            }
            (out, progress) => {
                // The workers run without the GIL; this thread writes each
                // chunk (to the file, or through the object's `write()`) and
                // reports progress.
                let mut failed: Option<PyErr> = None;
                let mut done = 0usize;
                // The first call is the format's head; each one after it is a
                // chunk of records, written or not (`where=` may leave a chunk
                // empty), and moves the progress on.
                let mut head = true;
                let report = write_chunks_matching(
                    file,
                    records.as_deref(),
                    matching,
                    &options,
                    program,
                    threads,
                    stop,
                    |work| py.detach(work),
                    |bytes| {
                        let written = match out {
                            Some(out) => out.write_all(bytes).map_err(PyErr::from),
                            None if bytes.is_empty() => Ok(()),
                            None => target
                                .call_method1("write", (PyBytes::new(py, bytes),))
                                .map(drop),
                        };
                        let chunk = !std::mem::replace(&mut head, false);
                        let reported = match (written, progress) {
                            // Each step once: the last (`total`) is reported
                            // after the writing ends.
                            (Ok(()), Some(callback)) if chunk => {
                                let next = (done + CHUNK_HINT).min(total);
                                if next > done && next < total {
                                    done = next;
                                    callback.call1((done, total)).map(drop)
                                } else {
                                    Ok(())
                                }
                            }
                            (r, _) => r,
                        };
                        reported.map_err(|e| {
                            failed = Some(e);
                            Error::new(
                                ErrorKind::Io(std::io::Error::other("writing stopped")),
                                Position::default(),
                            )
                        })
                    },
                );
                if let Some(e) = failed {
                    return Err(e);
                }
                report
            }
        };
        // The last progress step is reported before the file is renamed into
        // place: a callback that raises (an interrupt) then leaves the target as
        // it was, as any error does.
        if let (true, Some(callback)) = (report.is_ok(), &progress) {
            callback.call1((total, total))?;
        }
        let report = report.and_then(|r| {
            if let Some(out) = out {
                out.commit()?;
            }
            Ok(r)
        });
        match report {
            Ok(report) => self.write_result(py, report, program, matching.is_some()),
            Err(e) => Err(self.py_error(py, e)),
        }
    }
}
