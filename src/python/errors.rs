//! Turning `marcmap::Error` into Python exceptions, after the GIL is reacquired:
//! [`to_py`] is the one place where that happens.
//!
//! The exception classes are defined in Python (`marcmap/errors.py`), so that they
//! are ordinary, picklable, subclassable classes with pymarc's names as aliases.

use crate::text::Encoding;
use crate::{Error, ErrorKind};
use pyo3::exceptions::{PyIndexError, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyType};

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
        ErrorKind::Sidecar { .. } => "SidecarError",
        ErrorKind::FieldOutOfBounds { .. } => "FieldOutOfBounds",
        ErrorKind::FieldTerminatorMissing => "FieldTerminatorMissing",
        ErrorKind::Malformed { .. } => "FormatError",
        ErrorKind::NotMarc { .. } => "NotMarcError",
        ErrorKind::Decode(d) => match d.encoding {
            Encoding::Utf8 | Encoding::DetectedUtf8 => "Utf8DecodeError",
            Encoding::Marc8 => "Marc8DecodeError",
            _ => "MarcDecodeError",
        },
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

/// The Python exception for `e`, an error about `file`: in the input's terms
/// (a MARCXML record's number, say), with the record's bytes for a decode
/// error. Call only with the GIL held.
pub(crate) fn file_error(py: Python<'_>, file: &crate::MarcFile, e: Error) -> PyErr {
    let (e, record) = located(file, e);
    to_py(py, e, record)
}

/// `e`, an error about `file`, in the input's terms, and the bytes of the
/// record it names (empty if none): what [`to_py`] takes. No GIL needed.
pub(crate) fn located(file: &crate::MarcFile, e: Error) -> (Error, &[u8]) {
    let e = file.in_input_terms(e);
    let record = e
        .position()
        .record
        .and_then(|i| file.raw(usize::try_from(i).ok()?))
        .unwrap_or_default();
    (e, record)
}

/// The Python exception for `e`. Call only with the GIL held.
///
/// `record` holds the bytes of the record the error is about (or, for a value
/// decoded on its own, the value itself): a decode error's value sits in it at
/// the value's start. A decode error becomes a `MarcDecodeError` with the
/// value's bytes as `.object` and the bad byte as `.start`.
pub(crate) fn to_py(py: Python<'_>, e: Error, record: &[u8]) -> PyErr {
    let pos = e.position();
    let cls = class_name(e.kind());
    let message = e.to_string();
    match e.into_kind() {
        // A Python exception raised while reading (an fsspec read) comes back as it was.
        ErrorKind::Io(io) if io.get_ref().is_some_and(|e| e.is::<PyErr>()) => {
            match io.into_inner().map(|e| e.downcast::<PyErr>()) {
                Some(Ok(err)) => *err,
                _ => PyOSError::new_err(message),
            }
        }
        ErrorKind::Io(io) => PyErr::from(io),
        ErrorKind::Sidecar { path, .. } => {
            let err = build(py, &message, None, None, None, cls);
            let _ = err
                .value(py)
                .setattr("path", path.to_string_lossy().as_ref());
            err
        }
        ErrorKind::Open { path, source } | ErrorKind::Create { path, source } => {
            os_error(&path, source)
        }
        ErrorKind::OutputIsInput { .. } => PyValueError::new_err(message),
        ErrorKind::IndexOutOfRange { .. } => PyIndexError::new_err(message),
        ErrorKind::ByteRangeInvalid { .. } | ErrorKind::OptionConflict { .. } => {
            PyValueError::new_err(message)
        }
        ErrorKind::Decode(d) => {
            let value = record
                .get(d.value_start..d.value_start.saturating_add(d.value_len))
                .unwrap_or_default();
            // A value decoded on its own has no place in a file: its offsets are
            // the value's own (`.start`), not a byte offset.
            let byte = pos.record_offset.and(pos.byte);
            let made = class(py, cls).and_then(|c| {
                c.call1((
                    message.as_str(),
                    pos.record,
                    byte,
                    pos.field,
                    PyBytes::new(py, value),
                    d.offset_in_value,
                    d.encoding.name().as_ref(),
                ))
            });
            made.map_or_else(|e| e, PyErr::from_value)
        }
        ErrorKind::Malformed { line, column, .. } => {
            let err = build(py, &message, pos.record, pos.byte, pos.field, cls);
            let value = err.value(py);
            // The position in the input's text, beside the byte offset.
            let _ = value.setattr("line", line);
            let _ = value.setattr("column", column);
            err
        }
        // Without a failing byte, the byte offset is where the record starts.
        _ => build(
            py,
            &message,
            pos.record,
            pos.byte.or(pos.record_offset),
            pos.field,
            cls,
        ),
    }
}

/// `FileNotFoundError(errno, strerror, filename)` and its kin, so that Python
/// sets `.filename`.
fn os_error(path: &std::path::Path, e: std::io::Error) -> PyErr {
    use pyo3::exceptions::{PyFileNotFoundError, PyIsADirectoryError, PyPermissionError};
    use std::io::ErrorKind as K;
    let errno = e.raw_os_error().unwrap_or(0);
    // The OS's message without Rust's " (os error N)" suffix.
    let text = e.to_string();
    let strerror = text.split(" (os error").next().unwrap_or(&text).to_string();
    let args = (errno, strerror, path.to_string_lossy().into_owned());
    match e.kind() {
        K::NotFound => PyFileNotFoundError::new_err(args),
        K::PermissionDenied => PyPermissionError::new_err(args),
        K::IsADirectory => PyIsADirectoryError::new_err(args),
        _ => PyOSError::new_err(args),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{DecodeError, DecodeReason};

    #[test]
    fn every_kind_has_its_pymarc_class() {
        let decode = |encoding| {
            ErrorKind::Decode(DecodeError {
                encoding,
                reason: DecodeReason::InvalidUtf8,
                value_start: 0,
                value_len: 0,
                offset_in_value: 0,
                utf8_under_marc8: false,
            })
        };
        assert_eq!(class_name(&decode(Encoding::Utf8)), "Utf8DecodeError");
        assert_eq!(
            class_name(&decode(Encoding::DetectedUtf8)),
            "Utf8DecodeError"
        );
        assert_eq!(class_name(&decode(Encoding::Marc8)), "Marc8DecodeError");
        assert_eq!(class_name(&decode(Encoding::Latin1)), "MarcDecodeError");
        assert_eq!(class_name(&ErrorKind::NoFields), "NoFieldsFound");
        assert_eq!(
            class_name(&ErrorKind::LengthPastTerminator {
                declared: 1,
                terminator: 0
            }),
            "RecordLengthInvalid"
        );
    }
}
