//! Field values as Python objects: `str` decoded by the core [`TextDecoder`], or `bytes`.

use super::errors;
use crate::decode::ErrorHandling;
use crate::marc8;
use crate::text::{Encoding, TextDecoder, ValueAt};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use std::borrow::Cow;

/// How a reader turns value bytes into Python values: the core decoder, and
/// whether values are `str` at all.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextOptions {
    /// `False` gives `bytes` values, as pymarc's `to_unicode=False`.
    pub to_unicode: bool,
    /// Every decoding choice.
    pub decoder: TextDecoder,
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
    /// Decodes `bytes`, which sit at `at`. Pure Rust: safe to call without the GIL.
    pub(crate) fn decode<'a>(
        &self,
        bytes: &'a [u8],
        encoding: Encoding,
        at: ValueAt,
    ) -> crate::Result<Cow<'a, str>> {
        self.decoder.decode(bytes, encoding, at)
    }

    /// `bytes` as a Python value: `str`, or `bytes` when `to_unicode` is off.
    /// `file` is the file the value is from, for the error's `.object`.
    pub(crate) fn value_to_py<'py>(
        &self,
        py: Python<'py>,
        bytes: &[u8],
        encoding: Encoding,
        at: ValueAt,
        file: &crate::MarcFile,
    ) -> PyResult<Bound<'py, PyAny>> {
        if !self.to_unicode {
            return Ok(PyBytes::new(py, bytes).into_any());
        }
        match self.decode(bytes, encoding, at) {
            Ok(text) => Ok(PyString::new(py, &text).into_any()),
            Err(e) => Err(errors::file_error(py, e, file)),
        }
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
    let decoder = decoder(errors, normalization, ligatures)?;
    let at = ValueAt::default();
    // Releasing the GIL costs more than decoding a typical value (tens of bytes):
    // only large inputs are decoded detached, from a copy the closure can own.
    let decoded = if data.len() < DETACH_ABOVE {
        decoder
            .decode(data, Encoding::Marc8, at)
            .map(Cow::into_owned)
    } else {
        let value = data.to_vec();
        py.detach(move || {
            decoder
                .decode(&value, Encoding::Marc8, at)
                .map(Cow::into_owned)
        })
    };
    decoded.map_err(|e| errors::to_py(py, e, data, 0))
}

/// A decoder from the Python spellings of its MARC-8 options.
pub(crate) fn decoder(errors: &str, normalization: &str, ligatures: &str) -> PyResult<TextDecoder> {
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
    Ok(TextDecoder::new()
        .errors(errors)
        .marc8_normalization(normalization)
        .marc8_ligatures(ligatures))
}
