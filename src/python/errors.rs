//! Turning `marcmap::Error` into Python exceptions, after the GIL is reacquired.
//!
//! The exception classes are defined in Python (`marcmap/errors.py`), so that they
//! are ordinary, picklable, subclassable classes with pymarc's names as aliases.

use super::text::{decode_error, DecodeFailure, ValueAt};
use crate::error::{Error, ErrorKind};
use crate::layout::{FIELD_TERMINATOR, RECORD_TERMINATOR, SUBFIELD_DELIMITER};
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

/// The Python exception for `e`, an error about the file `data`. A value that did
/// not decode becomes the same `MarcDecodeError` that the value's own accessor
/// raises, with the value's bytes as `.object` and the bad byte as `.start`: bulk
/// work (`extract`, `filter`, `validate`) reports only where the bad byte is, and
/// the value runs from there back `offset_in_value` bytes and on to its delimiter.
pub(crate) fn to_py_in(py: Python<'_>, e: Error, data: &[u8]) -> PyErr {
    let pos = e.position();
    let (marc8, offset, reason) = match e.kind() {
        ErrorKind::Utf8 { offset_in_value } => (false, *offset_in_value, String::new()),
        ErrorKind::Marc8 {
            offset_in_value,
            reason,
        } => (true, *offset_in_value, reason.clone()),
        _ => return to_py(py, e),
    };
    let (Some(record), Some(byte), Some(field)) = (pos.record, pos.byte, pos.field) else {
        return to_py(py, e);
    };
    let Some(start) = usize::try_from(byte)
        .ok()
        .and_then(|b| b.checked_sub(offset))
    else {
        return to_py(py, e);
    };
    let rest = data.get(start..).unwrap_or_default();
    // A value ends at the next delimiter; never before the bad byte itself.
    let end = memchr::memchr3(
        SUBFIELD_DELIMITER,
        FIELD_TERMINATOR,
        RECORD_TERMINATOR,
        rest,
    )
    .unwrap_or(rest.len())
    .max(offset + 1)
    .min(rest.len());
    let reason = if marc8 {
        reason
    } else {
        "invalid UTF-8".to_owned()
    };
    let failure = DecodeFailure {
        marc8,
        offset,
        reason,
    };
    let at = ValueAt {
        record,
        byte: start as u64,
        field,
    };
    decode_error(py, &rest[..end], &failure, Some(at))
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
