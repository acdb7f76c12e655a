//! Turning `marcmap::Error` into Python exceptions, after the GIL is reacquired.
//!
//! The exception classes are defined in Python (`marcmap/errors.py`), so that they
//! are ordinary, picklable, subclassable classes with pymarc's names as aliases.

use crate::error::{Error, ErrorKind};
use pyo3::exceptions::{PyIndexError, PyOSError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

/// The Python class for an error kind.
fn class_name(kind: &ErrorKind) -> &'static str {
    match kind {
        ErrorKind::RecordLengthInvalid { .. }
        | ErrorKind::RecordTooShort { .. }
        | ErrorKind::LengthSpansNextRecord { .. } => "RecordLengthInvalid",
        ErrorKind::Truncated { .. } => "TruncatedRecord",
        ErrorKind::EndOfRecordNotFound => "EndOfRecordNotFound",
        ErrorKind::LeaderInvalid { .. } => "RecordLeaderInvalid",
        ErrorKind::BaseAddressNotFound { .. } => "BaseAddressNotFound",
        ErrorKind::BaseAddressInvalid { .. } => "BaseAddressInvalid",
        ErrorKind::DirectoryInvalid { .. } => "RecordDirectoryInvalid",
        ErrorKind::NoFields => "NoFieldsFound",
        ErrorKind::FieldOutOfBounds { .. } => "FieldOutOfBounds",
        ErrorKind::FieldTerminatorMissing => "FieldTerminatorMissing",
        ErrorKind::Utf8 { .. } => "Utf8DecodeError",
        ErrorKind::Marc8 { .. } => "Marc8DecodeError",
        _ => "MarcError",
    }
}

static ERRORS_MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// `marcmap.errors.<name>`.
pub(crate) fn class<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyType>> {
    let module = ERRORS_MODULE
        .get_or_try_init(py, || PyResult::Ok(py.import("marcmap.errors")?.unbind()))?;
    Ok(module.bind(py).getattr(name)?.cast_into::<PyType>()?)
}

/// The Python exception for `e`. Call only with the GIL held.
pub(crate) fn to_py(py: Python<'_>, e: Error) -> PyErr {
    let pos = e.position();
    let cls = class_name(e.kind());
    let message = e.to_string();
    match e.into_kind() {
        ErrorKind::Io(io) => PyErr::from(io),
        ErrorKind::IndexOutOfRange { .. } => PyIndexError::new_err(message),
        _ => build(py, &message, pos.record, pos.byte, pos.field, cls),
    }
}

/// Builds `cls(message, record_index=..., byte_offset=..., field_index=...)`.
pub(crate) fn build(
    py: Python<'_>,
    message: &str,
    record: Option<u64>,
    byte: Option<u64>,
    field: Option<u32>,
    cls: &str,
) -> PyErr {
    let made = class(py, cls).and_then(|c| c.call1((message, record, byte, field)));
    match made {
        Ok(obj) => PyErr::from_value(obj),
        Err(e) => PyOSError::new_err(format!(
            "{message} (and building the exception failed: {e})"
        )),
    }
}
