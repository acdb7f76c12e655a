//! `marcmap.ArrowStream`, what `MARCReader.to_arrow()` returns: the core's
//! Arrow batches (`crate::arrow`), handed to Python through the Arrow PyCapsule
//! interface, so pyarrow, Polars and DuckDB read them without a copy and
//! marcmap needs no pyarrow. `to_arrow()` and `to_parquet()` are in
//! `reader/arrow.rs`.

use super::errors;
use super::shared::lock;
use crate::arrow::{ArrowOptions, BatchReader};
use crate::MarcFile;
use arrow_array::ffi::FFI_ArrowSchema;
use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{RecordBatch, RecordBatchIterator, RecordBatchReader};
use arrow_schema::{ArrowError, SchemaRef};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use std::ffi::CString;
use std::sync::{Arc, Mutex};

/// The records of a reader as a stream of Arrow record batches, made by
/// ``MARCReader.to_arrow()``.
///
/// It implements the Arrow PyCapsule interface: ``pyarrow.table(s)``,
/// ``pyarrow.RecordBatchReader.from_stream(s)``, ``polars.DataFrame(s)`` and
/// DuckDB (``duckdb.sql("select ... from s")``) read it without a copy.
/// ``__arrow_c_schema__()`` reads no record. The batches are built on their own
/// threads without the GIL, in record order. The stream can be consumed once:
/// a second ``__arrow_c_stream__()`` raises ``ValueError`` (call ``to_arrow()``
/// again for a fresh one). A record that cannot be read is a null row (no
/// rows in the ``"subfields"`` shape), and its error is in ``errors`` once the
/// consumer has read its batch, in the order of the stream's rows.
#[pyclass(frozen, name = "ArrowStream", module = "marcmap._marcmap")]
pub(crate) struct ArrowStream {
    schema: SchemaRef,
    shape: &'static str,
    records: usize,
    /// What the stream reads; taken by the first `__arrow_c_stream__`.
    pending: Mutex<Option<(MarcFile, ArrowOptions)>>,
    /// The records made null in the batches consumed so far, in row order,
    /// not yet made Python exceptions, and how many were taken before them:
    /// the consumer's thread appends, Python takes.
    nulled: Arc<Mutex<(usize, Vec<Nulled>)>>,
    /// The records taken from `nulled` as Python exceptions, each with its
    /// place in row order.
    reported: Mutex<Vec<(usize, Py<PyAny>)>>,
}

/// A record made null, as the stream met it: its error in the input's terms,
/// and its bytes (a decode error's `.object`), so that the stream's errors
/// do not hold the file open after the stream is done.
struct Nulled {
    error: crate::Error,
    record: Vec<u8>,
}

/// The core's batches, each batch's null records moved to a list the
/// [`ArrowStream`] shares: what the consumer of the C stream reads.
struct Noting {
    batches: BatchReader,
    file: MarcFile,
    nulled: Arc<Mutex<(usize, Vec<Nulled>)>>,
}

impl Iterator for Noting {
    type Item = Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        let batch = self.batches.next();
        let more = self.batches.take_nulled();
        if !more.is_empty() {
            let more = more.into_iter().map(|e| {
                let (error, record) = errors::located(&self.file, e);
                let record = record.to_vec();
                Nulled { error, record }
            });
            lock(&self.nulled).1.extend(more);
        }
        batch
    }
}

impl RecordBatchReader for Noting {
    fn schema(&self) -> SchemaRef {
        self.batches.schema()
    }
}

/// An Arrow PyCapsule's name, as the interface spells it.
fn capsule_name(name: &str) -> CString {
    // Names without NUL bytes: `CString::new` cannot fail on them.
    CString::new(name).unwrap_or_default()
}

/// One Arrow record batch that Python may read any number of times through the
/// Arrow PyCapsule interface: what `LintTable` and `ProfileTable` hold, and
/// their `__arrow_c_schema__` / `__arrow_c_stream__`.
pub(super) struct OneBatch(pub(super) RecordBatch);

impl OneBatch {
    /// The schema, as an ``arrow_schema`` PyCapsule.
    pub(super) fn schema_capsule<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        let ffi = FFI_ArrowSchema::try_from(self.0.schema().as_ref())
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        PyCapsule::new(py, ffi, Some(capsule_name("arrow_schema")))
    }

    /// The batch, as an ``arrow_array_stream`` PyCapsule of one batch (a fresh
    /// stream each call). A ``requested_schema`` is ignored (the interface allows it).
    pub(super) fn stream_capsule<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        let batches = RecordBatchIterator::new([Ok(self.0.clone())], self.0.schema());
        let ffi = FFI_ArrowArrayStream::new(Box::new(batches));
        PyCapsule::new(py, ffi, Some(capsule_name("arrow_array_stream")))
    }

    /// How many rows.
    pub(super) fn rows(&self) -> usize {
        self.0.num_rows()
    }
}

impl ArrowStream {
    /// The stream of `file`'s records with `opts` (nothing is read yet).
    pub(crate) fn new(file: MarcFile, opts: ArrowOptions) -> ArrowStream {
        ArrowStream {
            schema: opts.schema(),
            shape: opts.shape.name(),
            records: opts.record_count(&file),
            pending: Mutex::new(Some((file, opts))),
            nulled: Arc::default(),
            reported: Mutex::default(),
        }
    }
}

#[pymethods]
impl ArrowStream {
    /// The schema, as an ``arrow_schema`` PyCapsule. Reads no record.
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        let ffi = FFI_ArrowSchema::try_from(self.schema.as_ref())
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        // The capsule owns the struct; its destructor drops it, which calls the
        // struct's `release` unless a consumer has moved it out (and nulled it).
        PyCapsule::new(py, ffi, Some(capsule_name("arrow_schema")))
    }

    /// The batches, as an ``arrow_array_stream`` PyCapsule. ``requested_schema``
    /// is ignored (the interface allows it): the stream has its own schema.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let taken = lock(&self.pending).take();
        let Some((file, opts)) = taken else {
            return Err(PyValueError::new_err(
                "this Arrow stream was already consumed; call to_arrow() again for a fresh one",
            ));
        };
        let reader = Noting {
            batches: crate::arrow::batches(file.clone(), opts).on_own_thread(),
            file,
            nulled: self.nulled.clone(),
        };
        let ffi = FFI_ArrowArrayStream::new(Box::new(reader));
        // As for the schema: the capsule's destructor releases a stream no
        // consumer took.
        PyCapsule::new(py, ffi, Some(capsule_name("arrow_array_stream")))
    }

    /// ``"records"``, ``"subfields"`` or ``"columns"``.
    #[getter]
    fn shape(&self) -> &'static str {
        self.shape
    }

    /// Whether the stream was consumed.
    #[getter]
    fn consumed(&self) -> bool {
        lock(&self.pending).is_none()
    }

    /// The errors (``MarcError``) of the records made null in the batches
    /// read so far, in the order of the stream's rows: each names its record
    /// index and byte offset. Empty before the stream is read; complete once
    /// it is read to the end.
    #[getter]
    fn errors(&self, py: Python<'_>) -> Vec<Py<PyAny>> {
        let (first, new) = {
            let mut nulled = lock(&self.nulled);
            let first = nulled.0;
            nulled.0 += nulled.1.len();
            (first, std::mem::take(&mut nulled.1))
        };
        // Made before `reported` is locked: making them may run Python code,
        // which may let another thread in to ask too (hence the places).
        let new: Vec<(usize, Py<PyAny>)> = new
            .into_iter()
            .enumerate()
            .map(|(k, n)| {
                let e = errors::to_py(py, n.error, &n.record);
                (first + k, e.into_value(py).into_any())
            })
            .collect();
        let mut reported = lock(&self.reported);
        reported.extend(new);
        reported.sort_by_key(|(place, _)| *place);
        reported.iter().map(|(_, e)| e.clone_ref(py)).collect()
    }

    fn __repr__(&self) -> String {
        let names: Vec<&str> = self
            .schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        format!(
            "<marcmap.ArrowStream shape={:?} records={} columns={:?}>",
            self.shape, self.records, names
        )
    }
}
