//! Field values as Python objects: `str` decoded by the record's encoding, or `bytes`.

use super::errors;
use crate::decode::{self, ErrorHandling};
use crate::error::{Error, ErrorKind, Position};
use crate::marc8;
use crate::record::RecordRef;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use std::borrow::Cow;

/// How a reader turns value bytes into Python values.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextOptions {
    /// `False` gives `bytes` values, as pymarc's `to_unicode=False`.
    pub to_unicode: bool,
    /// Treat every record as UTF-8, whatever LDR/09 says.
    pub force_utf8: bool,
    /// Invalid UTF-8 handling.
    pub utf8: ErrorHandling,
    /// MARC-8 decoding options.
    pub marc8: marc8::Marc8Options,
    /// Decode records that say MARC-8 but hold UTF-8 as UTF-8.
    pub detect_utf8: bool,
}

/// Where a value sits, for error messages.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ValueAt {
    pub record: u64,
    pub byte: u64,
    pub field: u32,
}

/// Why a value could not be decoded: which encoding, and the offset in the value.
#[derive(Debug, Clone)]
pub(crate) struct DecodeFailure {
    pub marc8: bool,
    pub offset: usize,
    pub reason: String,
}

impl DecodeFailure {
    fn utf8(offset: usize) -> Self {
        DecodeFailure {
            marc8: false,
            offset,
            reason: "invalid UTF-8".into(),
        }
    }

    /// As a plain `Error` (for GIL-free bulk work), at the absolute byte `value_at`
    /// where the value starts in record `record`, field `field`.
    pub(crate) fn into_error(self, record: usize, value_at: usize, field: usize) -> Error {
        let kind = if self.marc8 {
            ErrorKind::Marc8 {
                offset_in_value: self.offset,
                reason: self.reason,
            }
        } else {
            ErrorKind::Utf8 {
                offset_in_value: self.offset,
            }
        };
        let pos = Position {
            record: Some(record as u64),
            byte: Some((value_at + self.offset) as u64),
            field: Some(field as u32),
        };
        Error::new(kind, pos)
    }

    /// The failure an error made by [`DecodeFailure::into_error`] carries.
    pub(crate) fn from_kind(kind: &ErrorKind) -> Option<Self> {
        match kind {
            ErrorKind::Utf8 { offset_in_value } => Some(Self::utf8(*offset_in_value)),
            ErrorKind::Marc8 {
                offset_in_value,
                reason,
            } => Some(DecodeFailure {
                marc8: true,
                offset: *offset_in_value,
                reason: reason.clone(),
            }),
            _ => None,
        }
    }
}

pub(crate) fn parse_handling(name: &str) -> PyResult<ErrorHandling> {
    match name {
        "strict" => Ok(ErrorHandling::Strict),
        "replace" => Ok(ErrorHandling::Replace),
        "ignore" => Ok(ErrorHandling::Ignore),
        other => Err(PyValueError::new_err(format!(
            "utf8_handling must be 'strict', 'replace' or 'ignore', not {other:?}"
        ))),
    }
}

impl TextOptions {
    /// Whether `record`'s values are UTF-8: LDR/09 `a`, `force_utf8`, or (with
    /// `detect_utf8`) a MARC-8 label on UTF-8 bytes. Reads the whole record only
    /// when detection is on and the label says MARC-8.
    pub(crate) fn record_is_utf8(&self, record: &RecordRef<'_>) -> bool {
        record.leader().is_utf8()
            || self.force_utf8
            || (self.detect_utf8 && record.is_mislabelled_utf8())
    }

    /// Decodes `bytes` of a record whose LDR/09 says UTF-8 (`utf8`) or MARC-8.
    /// Pure Rust: safe to call without the GIL.
    pub(crate) fn decode<'a>(
        &self,
        bytes: &'a [u8],
        utf8: bool,
    ) -> Result<Cow<'a, str>, DecodeFailure> {
        if utf8 || self.force_utf8 {
            return decode::utf8(bytes, self.utf8).map_err(DecodeFailure::utf8);
        }
        if bytes
            .iter()
            .all(|&b| (0x20..0x7F).contains(&b) && b != b'&')
        {
            // Printable ASCII is MARC-8's default G0 and is UTF-8 as it is. Control
            // bytes (C0, DEL) and escapes go to the decoder, so that a value decodes
            // (or fails) the same whether or not it also holds non-ASCII bytes; so
            // does `&`, which may start a numeric character reference (`&#x3B1;`).
            return Ok(Cow::Borrowed(
                std::str::from_utf8(bytes).unwrap_or_default(),
            ));
        }
        marc8::decode(bytes, &self.marc8)
            .map(Cow::Owned)
            .map_err(|e| DecodeFailure {
                marc8: true,
                offset: e.offset,
                reason: e.to_string(),
            })
    }

    /// `bytes` as a Python value: `str`, or `bytes` when `to_unicode` is off.
    pub(crate) fn value_to_py<'py>(
        &self,
        py: Python<'py>,
        bytes: &[u8],
        utf8: bool,
        at: ValueAt,
    ) -> PyResult<Bound<'py, PyAny>> {
        if !self.to_unicode {
            return Ok(PyBytes::new(py, bytes).into_any());
        }
        match self.decode(bytes, utf8) {
            Ok(text) => Ok(PyString::new(py, &text).into_any()),
            Err(f) => Err(decode_error(py, bytes, &f, Some(at))),
        }
    }
}

/// The `Utf8DecodeError` / `Marc8DecodeError` for a failed value.
/// `at` is where the value sits in a file; `None` for a value decoded on its own.
pub(crate) fn decode_error(
    py: Python<'_>,
    value: &[u8],
    f: &DecodeFailure,
    at: Option<ValueAt>,
) -> PyErr {
    let (record, byte, field) = match at {
        Some(at) => (
            Some(at.record),
            Some(at.byte + f.offset as u64),
            Some(at.field),
        ),
        None => (None, None, None),
    };
    let message = match at {
        Some(at) => format!(
            "record {} at byte {}, field {}: {} at byte {} of the value",
            at.record,
            at.byte + f.offset as u64,
            at.field,
            f.reason,
            f.offset
        ),
        None => format!("{} at byte {}", f.reason, f.offset),
    };
    let cls = if f.marc8 {
        "Marc8DecodeError"
    } else {
        "Utf8DecodeError"
    };
    let made = errors::class(py, cls).and_then(|c| {
        c.call1((
            message.as_str(),
            record,
            byte,
            field,
            PyBytes::new(py, value),
            f.offset,
        ))
    });
    match made {
        Ok(obj) => PyErr::from_value(obj),
        Err(e) => e,
    }
}

/// Inputs at least this long are decoded with the GIL released.
const DETACH_ABOVE: usize = 64 * 1024;

/// `marcmap.marc8_to_unicode(data, *, errors="strict", normalization="NFC", ligatures="lc")`:
/// decodes MARC-8 bytes on their own.
#[pyfunction]
#[pyo3(signature = (data, *, errors = "strict", normalization = "NFC", ligatures = "lc"))]
pub(crate) fn marc8_to_unicode(
    py: Python<'_>,
    data: &[u8],
    errors: &str,
    normalization: &str,
    ligatures: &str,
) -> PyResult<String> {
    let opts = marc8_options(errors, normalization, ligatures)?;
    // Releasing the GIL costs more than decoding a typical value (tens of bytes):
    // only large inputs are decoded detached, from a copy the closure can own.
    let decoded = if data.len() < DETACH_ABOVE {
        marc8::decode(data, &opts)
    } else {
        let value = data.to_vec();
        py.detach(move || marc8::decode(&value, &opts))
    };
    match decoded {
        Ok(s) => Ok(s),
        Err(e) => {
            let f = DecodeFailure {
                marc8: true,
                offset: e.offset,
                reason: e.to_string(),
            };
            Err(decode_error(py, data, &f, None))
        }
    }
}

/// MARC-8 options from their Python spellings.
pub(crate) fn marc8_options(
    errors: &str,
    normalization: &str,
    ligatures: &str,
) -> PyResult<marc8::Marc8Options> {
    let errors = parse_handling(errors)?;
    let normalization = match normalization.to_ascii_uppercase().as_str() {
        "NFC" => marc8::Normalization::Nfc,
        "NFD" => marc8::Normalization::Nfd,
        other => {
            return Err(PyValueError::new_err(format!(
                "normalization must be 'NFC' or 'NFD', not {other:?}"
            )))
        }
    };
    let ligatures = match ligatures {
        "lc" => marc8::LigatureMapping::Lc,
        "pymarc" => marc8::LigatureMapping::Pymarc,
        other => {
            return Err(PyValueError::new_err(format!(
                "ligatures must be 'lc' or 'pymarc', not {other:?}"
            )))
        }
    };
    Ok(marc8::Marc8Options {
        errors,
        normalization,
        ligatures,
    })
}
