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
    /// `record` is the bytes of the record the value is in, for the error's `.object`.
    pub(crate) fn value_to_py<'py>(
        &self,
        py: Python<'py>,
        bytes: &[u8],
        encoding: Encoding,
        at: ValueAt,
        record: &[u8],
    ) -> PyResult<Bound<'py, PyAny>> {
        if !self.to_unicode {
            return Ok(PyBytes::new(py, bytes).into_any());
        }
        match self.decode(bytes, encoding, at) {
            Ok(text) => Ok(PyString::new(py, &text).into_any()),
            Err(e) => Err(errors::to_py(py, e, record)),
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
    decoded.map_err(|e| errors::to_py(py, e, data))
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

/// A reader's text options as plain values, for pickling records and fields:
/// `(to_unicode, force_utf8, detect_utf8, file_encoding, utf8_handling,
/// marc8_handling, marc8_normalization, marc8_ligatures)`.
pub(crate) type TextState = (
    bool,
    bool,
    bool,
    Option<String>,
    String,
    String,
    String,
    String,
);

fn handling_name(h: ErrorHandling) -> &'static str {
    match h {
        ErrorHandling::Strict => "strict",
        ErrorHandling::Replace => "replace",
        ErrorHandling::Ignore => "ignore",
    }
}

impl TextOptions {
    /// The options as plain values (see [`TextState`]).
    pub(crate) fn state(&self) -> TextState {
        let d = &self.decoder;
        let m = d.marc8_options();
        (
            self.to_unicode,
            d.forces_utf8(),
            d.detects_utf8(),
            d.legacy_encoding().map(|e| e.name().into_owned()),
            handling_name(d.error_handling()).into(),
            handling_name(m.errors).into(),
            match m.normalization {
                marc8::Normalization::Nfc => "NFC",
                marc8::Normalization::Nfd => "NFD",
            }
            .into(),
            match m.ligatures {
                marc8::LigatureMapping::Lc => "lc",
                marc8::LigatureMapping::Pymarc => "pymarc",
            }
            .into(),
        )
    }

    /// The options back from [`TextOptions::state`].
    pub(crate) fn from_state(state: TextState) -> PyResult<TextOptions> {
        let (
            to_unicode,
            force_utf8,
            detect_utf8,
            file_encoding,
            utf8,
            marc8_errors,
            form,
            ligatures,
        ) = state;
        let legacy = match file_encoding {
            Some(name) => Some(
                TextDecoder::encoding_for_name(&name)
                    .map_err(|e| PyValueError::new_err(e.to_string()))?,
            ),
            None => None,
        };
        let decoder = decoder("strict", &form, &ligatures)?
            .marc8_errors(parse_handling(&marc8_errors)?)
            .errors(parse_handling(&utf8)?)
            .force_utf8(force_utf8)
            .detect_utf8(detect_utf8)
            .file_encoding(legacy);
        Ok(TextOptions {
            to_unicode,
            decoder,
        })
    }
}
