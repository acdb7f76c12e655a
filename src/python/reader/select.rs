//! `MARCReader.frequency()` and `MARCReader.to_csv()`: the core's tables of
//! spec values ([`crate::select`]), made on N threads without the GIL.

use super::super::spec::spec_arg;
use super::arrow::columns_arg;
use super::bulk::threads_arg;
use super::Reader;
use crate::output::OutputFile;
use crate::select::{self, CsvOptions};
use crate::Error;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use std::io::Write as _;
use std::path::PathBuf;

#[pymethods]
impl Reader {
    /// How often each value of `spec` (a MARCspec, text or a `Spec`) occurs,
    /// every occurrence counted: `(value, count)` pairs, most frequent first,
    /// ties in value order. Counted on `threads` threads without the GIL; a
    /// bad record is left out (with `raise_errors=True` it raises).
    #[pyo3(signature = (spec, *, threads = None))]
    fn frequency(
        &self,
        py: Python<'_>,
        spec: &Bound<'_, PyAny>,
        threads: Option<usize>,
    ) -> PyResult<Vec<(String, u64)>> {
        self.check_open()?;
        self.file().expect_scan();
        let spec = spec_arg(spec)?;
        let threads = threads_arg(threads)?;
        let shared = self.shared.clone();
        let found = py
            .detach(move || select::frequency(&shared.file, &spec, &shared.text.decoder, threads));
        self.report_left_out(py, "frequency", found.errors)?;
        Ok(found.values)
    }

    /// Writes the values of `columns` (a dict of name to spec, or a list of
    /// specs, as `to_arrow`'s) as CSV to `target`, a path or a binary file
    /// object: one row a record, a cell the spec's values joined by
    /// `separator`; with `explode=True` one row an occurrence (the k-th row
    /// holds each spec's k-th value; a record with no value gives no row).
    /// `delimiter="\t"` writes TSV; `header` writes the names first. A bad
    /// record has empty cells, and is reported: one `SkippedRecordsWarning`
    /// holds each such record's error. With `raise_errors=True` the first is
    /// raised (a path is then left as it was; a file object has had the rows
    /// written). Rows are made on `threads` threads without the GIL. Returns
    /// nothing.
    #[pyo3(signature = (target, columns, *, delimiter = ",", separator = "|", explode = false, header = true, threads = None))]
    #[allow(clippy::too_many_arguments)]
    fn to_csv(
        &self,
        py: Python<'_>,
        target: &Bound<'_, PyAny>,
        columns: &Bound<'_, PyAny>,
        delimiter: &str,
        separator: &str,
        explode: bool,
        header: bool,
        threads: Option<usize>,
    ) -> PyResult<()> {
        self.check_open()?;
        self.file().expect_scan();
        let columns = columns_arg(columns)?;
        let delimiter = match delimiter.as_bytes() {
            [b] if b.is_ascii() && *b != b'"' && *b != b'\n' => *b,
            _ => {
                return Err(PyValueError::new_err(
                    "delimiter must be one ASCII character, e.g. ',' or '\\t'",
                ))
            }
        };
        let threads = threads_arg(threads)?;
        let (names, specs): (Vec<String>, Vec<_>) = columns.into_iter().unzip();
        let opts = CsvOptions {
            delimiter,
            separator: separator.to_string(),
            explode,
            header: header.then_some(names),
        };
        let (file, decoder) = (&self.shared.file, &self.shared.text.decoder);
        let raise = self.mode.raise_errors;
        if target.is_instance_of::<PyString>() || target.hasattr("__fspath__")? {
            let path: PathBuf = target.extract()?;
            let input = self.file().file_id();
            let written = py.detach(|| -> crate::Result<Vec<Error>> {
                // Through OutputFile, as every writer: the target appears whole
                // on commit, and the input file itself is refused.
                let out = OutputFile::create(&path, input)?;
                let mut out = std::io::BufWriter::with_capacity(1 << 20, out);
                let mut unreadable = select::write_csv(
                    file,
                    &specs,
                    decoder,
                    &opts,
                    threads,
                    |w| w(),
                    |bytes| out.write_all(bytes).map_err(Error::from),
                )?;
                // With raise_errors the first is raised and the path is left
                // as it was (the unfinished file is dropped), as every writer.
                if raise && !unreadable.is_empty() {
                    return Err(unreadable.swap_remove(0));
                }
                out.into_inner()
                    .map_err(|e| Error::from(e.into_error()))?
                    .commit()
                    .map_err(Error::from)?;
                Ok(unreadable)
            });
            let unreadable = written.map_err(|e| self.py_error(py, e))?;
            return self.report_left_out(py, "to_csv", unreadable);
        }
        if !target.hasattr("write")? {
            return Err(PyTypeError::new_err(format!(
                "to_csv() needs a path or a binary file object, not {}",
                target.get_type().name()?
            )));
        }
        let unreadable = select::write_csv(
            file,
            &specs,
            decoder,
            &opts,
            threads,
            |w| py.detach(w),
            |bytes| {
                target
                    .call_method1("write", (PyBytes::new(py, bytes),))
                    .map(drop)
            },
        )?;
        self.report_left_out(py, "to_csv", unreadable)
    }
}
