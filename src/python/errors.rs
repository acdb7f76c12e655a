//! Turning `marcmap::Error` into Python exceptions, after the GIL is reacquired.
//!
//! The exception classes are defined in Python (`marcmap/errors.py`), so that they
//! are ordinary, picklable, subclassable classes with pymarc's names as aliases.

use super::subfield_code;
use super::text::{decode_error, DecodeFailure, ValueAt};
use crate::error::{Error, ErrorKind};
use crate::file::MarcFile;
use pyo3::exceptions::{PyIndexError, PyOSError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

/// The Python class for an error kind.
fn class_name(kind: &ErrorKind) -> &'static str {
    match kind {
        ErrorKind::RecordLengthInvalid { .. }
        | ErrorKind::RecordTooShort { .. }
        | ErrorKind::LengthPastTerminator { .. } => "RecordLengthInvalid",
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

/// The Python exception for `e`, an error about `file`. A value that did not
/// decode becomes the same `MarcDecodeError` that the value's own accessor raises,
/// with the value's bytes as `.object` and the bad byte as `.start`: bulk work
/// (`extract`, `filter`, `validate`) reports only the record, the field and the
/// bad byte, so the value is found again here, as the accessors split it.
pub(crate) fn to_py_in(py: Python<'_>, e: Error, file: &MarcFile) -> PyErr {
    let pos = e.position();
    let Some(failure) = DecodeFailure::from_kind(e.kind()) else {
        return to_py(py, e);
    };
    let (Some(record), Some(byte), Some(field)) = (pos.record, pos.byte, pos.field) else {
        return to_py(py, e);
    };
    let Some((value, start)) = value_holding(file, record, field, byte) else {
        return to_py(py, e);
    };
    if start + failure.offset as u64 != byte {
        return to_py(py, e);
    }
    let at = ValueAt {
        record,
        byte: start,
        field,
    };
    decode_error(py, value, &failure, Some(at))
}

/// The value of field `field` of record `record` (its data, or one of its
/// subfield values) that holds the file's byte `byte`, and where it starts.
fn value_holding(file: &MarcFile, record: u64, field: u32, byte: u64) -> Option<(&[u8], u64)> {
    let record = file.record(usize::try_from(record).ok()?).ok()?;
    let field = record.field(usize::try_from(field).ok()?)?;
    let base = file.bytes().as_ptr() as usize;
    let start_of = |v: &[u8]| (v.as_ptr() as usize).saturating_sub(base) as u64;
    let holds = |v: &[u8]| (start_of(v)..start_of(v) + v.len() as u64).contains(&byte);
    let value = if field.is_control() {
        Some(field.data()).filter(|v| holds(v))
    } else {
        field
            .subfields()
            .map(|sf| subfield_code::value(sf.code, sf.value))
            .find(|v| holds(v))
    }?;
    Some((value, start_of(value)))
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
