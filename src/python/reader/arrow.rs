//! `MARCReader.to_arrow()` and `to_parquet()`: the core's Arrow batches
//! (`crate::arrow`), as an `ArrowStream` (the Arrow PyCapsule interface, in
//! `python/arrow.rs`) or written to Parquet by the Rust `parquet` crate.

use super::super::arrow::ArrowStream;
use super::super::spec::spec_arg;
use super::bulk::threads_arg;
use super::Reader;
use crate::arrow::parquet::{ParquetCompression, ParquetOptions, ParquetSink};
use crate::arrow::{ArrowOptions, BadRecords, Shape, DEFAULT_BATCH_SIZE};
use crate::output::OutputFile;
use crate::spec::Spec;
use crate::Error;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use std::path::PathBuf;
use std::sync::Arc;

/// Records per batch, at most: more gains nothing and risks Arrow's 32-bit offsets.
const MAX_BATCH_SIZE: usize = 1 << 20;

/// The `columns=` argument: a dict of name to spec, or a list of specs (each
/// named by itself).
pub(super) fn columns_arg(columns: &Bound<'_, PyAny>) -> PyResult<Vec<(String, Spec)>> {
    let pairs: Vec<(String, Bound<'_, PyAny>)> = if let Ok(dict) = columns.cast::<PyDict>() {
        dict.iter()
            .map(|(k, v)| Ok((k.extract::<String>()?, v)))
            .collect::<PyResult<_>>()?
    } else if columns.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(
            "columns must be a dict of name to spec or a list of specs, not a str",
        ));
    } else {
        columns
            .try_iter()?
            .map(|s| {
                let s = s?;
                Ok((s.str()?.to_string(), s))
            })
            .collect::<PyResult<_>>()?
    };
    if pairs.is_empty() {
        return Err(PyValueError::new_err(
            "columns is empty: give at least one, e.g. {'title': '245$a'}",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    pairs
        .into_iter()
        .map(|(name, spec)| {
            if !seen.insert(name.clone()) {
                return Err(PyValueError::new_err(format!(
                    "column {name:?} is named twice"
                )));
            }
            Ok((name, spec_arg(&spec)?))
        })
        .collect()
}

/// The arguments `to_arrow` and `to_parquet` share.
struct ShapeArgs<'a, 'py> {
    shape: &'a str,
    columns: Option<&'a Bound<'py, PyAny>>,
    first: bool,
    binary: bool,
    raw: bool,
    batch_size: Option<usize>,
    threads: Option<usize>,
    records: Option<Vec<isize>>,
}

impl Reader {
    fn arrow_options(&self, a: ShapeArgs<'_, '_>) -> PyResult<ArrowOptions> {
        self.check_open()?;
        self.file().expect_scan();
        let shape = match (a.shape, a.columns) {
            ("records", None) => Shape::Records,
            ("subfields", None) => Shape::Subfields,
            ("columns", Some(c)) => Shape::Columns {
                columns: columns_arg(c)?,
                first: a.first,
            },
            ("columns", None) => {
                return Err(PyValueError::new_err(
                    "shape='columns' needs columns, e.g. {'title': '245$a'}",
                ))
            }
            ("records" | "subfields", Some(_)) => {
                return Err(PyValueError::new_err("columns= goes with shape='columns'"))
            }
            (other, _) => {
                return Err(PyValueError::new_err(format!(
                    "shape must be 'records', 'subfields' or 'columns', not {other:?}"
                )))
            }
        };
        if a.first && !matches!(shape, Shape::Columns { .. }) {
            return Err(PyValueError::new_err(
                "first=True goes with shape='columns'",
            ));
        }
        if a.raw && shape != Shape::Records {
            return Err(PyValueError::new_err("raw=True goes with shape='records'"));
        }
        let batch_size = match a.batch_size {
            None => DEFAULT_BATCH_SIZE,
            Some(0) => return Err(PyValueError::new_err("batch_size must be at least 1")),
            Some(n) => n.min(MAX_BATCH_SIZE),
        };
        Ok(ArrowOptions {
            shape,
            decoder: self.shared.text.decoder,
            binary: a.binary,
            raw: a.raw,
            batch_size,
            threads: threads_arg(a.threads)?,
            bad_records: if self.mode.raise_errors {
                BadRecords::Fail
            } else {
                BadRecords::Null
            },
            records: self.record_list(a.records)?.map(Arc::from),
        })
    }
}

#[pymethods]
impl Reader {
    /// The records as a stream of Arrow record batches (an ``ArrowStream``,
    /// which implements the Arrow PyCapsule interface; marcmap needs no pyarrow).
    ///
    /// ``shape``: ``"records"`` (one row a record, nested and lossless:
    /// ``record_index``, ``byte_offset``, ``leader``, ``control_number``,
    /// ``fields: list<struct<tag, ind1, ind2, data, subfields:
    /// list<struct<code, value>>>>``; ``raw=True`` adds ``raw: binary``),
    /// ``"subfields"`` (one row a subfield and one a control field:
    /// ``record_index``, ``control_number``, ``field_index``, ``tag``,
    /// ``ind1``, ``ind2``, ``subfield_index``, ``code``, ``value``) or
    /// ``"columns"`` (one column a spec of ``columns``, a dict of name to
    /// ``extract`` spec such as ``{"id": "001", "title": "245$a"}`` or a list of
    /// specs: ``list<string>``, or ``string`` with ``first=True``; position
    /// specs ``"LDR/06"``, ``"008/35-37"`` give ``string``).
    ///
    /// Text is decoded as the reader decodes it; ``binary=True`` gives the value
    /// columns as bytes. A bad record is null (its row in ``records``, every
    /// column in ``columns``) or has no rows (``subfields``), and the stream's
    /// ``errors`` names it once read; with ``raise_errors=True`` its error
    /// (naming its record index and byte offset) ends the stream. ``batch_size`` records a batch (8192),
    /// built on ``threads`` threads (all cores) without the GIL. ``records``, a
    /// list of record indices, takes those records (in that order) instead of
    /// all; a column spec is a MARCspec, as text or a ``Spec``.
    #[pyo3(signature = (shape = "records", columns = None, *, first = false, binary = false, raw = false, batch_size = None, threads = None, records = None))]
    #[allow(clippy::too_many_arguments)]
    fn to_arrow(
        &self,
        shape: &str,
        columns: Option<Bound<'_, PyAny>>,
        first: bool,
        binary: bool,
        raw: bool,
        batch_size: Option<usize>,
        threads: Option<usize>,
        records: Option<Vec<isize>>,
    ) -> PyResult<ArrowStream> {
        let opts = self.arrow_options(ShapeArgs {
            shape,
            columns: columns.as_ref(),
            first,
            binary,
            raw,
            batch_size,
            threads,
            records,
        })?;
        Ok(ArrowStream::new(self.file().clone(), opts))
    }

    /// Writes the records to a Parquet file at ``path``, in the shape
    /// ``to_arrow()`` gives (same arguments), through the Rust ``parquet``
    /// crate: no pyarrow needed. ``compression``: ``"zstd"`` (default),
    /// ``"snappy"`` or ``"none"``. A row group is closed once its writers hold
    /// 32 MiB, so memory stays bounded. ``progress(done, total)`` is
    /// called after each batch. Returns the number of rows written. A bad
    /// record is handled as in ``to_arrow()``, and named: one
    /// ``SkippedRecordsWarning`` holds the error of each record made null
    /// (or given no rows). The file is written beside
    /// ``path`` and renamed into place when it is complete, so an error leaves
    /// ``path`` as it was; ``path`` must not be the file being read
    /// (``ValueError``).
    #[pyo3(signature = (path, shape = "records", columns = None, *, first = false, binary = false, raw = false, compression = "zstd", batch_size = None, threads = None, progress = None, records = None))]
    #[allow(clippy::too_many_arguments)]
    fn to_parquet(
        &self,
        py: Python<'_>,
        path: PathBuf,
        shape: &str,
        columns: Option<Bound<'_, PyAny>>,
        first: bool,
        binary: bool,
        raw: bool,
        compression: &str,
        batch_size: Option<usize>,
        threads: Option<usize>,
        progress: Option<Bound<'_, PyAny>>,
        records: Option<Vec<isize>>,
    ) -> PyResult<u64> {
        let opts = self.arrow_options(ShapeArgs {
            shape,
            columns: columns.as_ref(),
            first,
            binary,
            raw,
            batch_size,
            threads,
            records,
        })?;
        let compression: ParquetCompression = compression
            .parse()
            .map_err(|e: Error| PyValueError::new_err(e.to_string()))?;
        let parquet = ParquetOptions {
            compression,
            ..ParquetOptions::default()
        };
        let mut batches = crate::arrow::batches(self.file().clone(), opts);
        let total = batches.records();
        let target = path.clone();
        let input = self.file().file_id();
        let schema = batches.schema();
        let written = py
            .detach(move || -> crate::Result<_> {
                let out = OutputFile::create(&target, input)?;
                let out = std::io::BufWriter::with_capacity(1 << 20, out);
                ParquetSink::new(out, schema, parquet)
            })
            .and_then(|mut sink| {
                // Batch by batch without the GIL; the progress callback between
                // batches, with it.
                loop {
                    let step = py.detach(|| -> crate::Result<Option<usize>> {
                        match batches.next_batch() {
                            None => Ok(None),
                            Some(batch) => {
                                sink.write(&batch?)?;
                                Ok(Some(batches.records_done()))
                            }
                        }
                    });
                    match step {
                        Ok(Some(done)) => {
                            if let Some(progress) = &progress {
                                if let Err(e) = progress.call1((done, total)) {
                                    return Ok(Err(e));
                                }
                            }
                        }
                        Ok(None) => break,
                        Err(e) => return Err(e),
                    }
                }
                py.detach(move || {
                    let (rows, out) = sink.finish_into_inner()?;
                    let out = out.into_inner().map_err(|e| Error::from(e.into_error()))?;
                    out.commit()?;
                    Ok(rows)
                })
                .map(Ok)
            });
        // On an error, the output (not yet renamed into place) is removed when
        // it is dropped: the target is left as it was.
        match written {
            Ok(Ok(rows)) => {
                // The records made null are named, never left null unsaid.
                self.report_left_out(py, "to_parquet", batches.take_nulled())?;
                Ok(rows)
            }
            Ok(Err(py_err)) => Err(py_err),
            Err(e) => Err(self.py_error(py, e)),
        }
    }
}
