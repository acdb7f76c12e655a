//! Field values as Python objects: `str` decoded by the core [`TextDecoder`], or `bytes`.

use super::errors;
use crate::text::{Encoding, TextDecoder, ValueAt};
use crate::ErrorHandling;
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

/// A Python option value read as the core option `T`, by the names the core
/// gives it (`crate::names`): an unknown name is a `ValueError` naming the
/// keyword and the names it takes.
pub(crate) fn named<T>(keyword: &'static str, value: &str) -> PyResult<T>
where
    T: std::str::FromStr<Err = crate::names::UnknownName>,
{
    value
        .parse::<T>()
        .map_err(|e| PyValueError::new_err(e.for_option(keyword).to_string()))
}

pub(crate) fn parse_handling(name: &str) -> PyResult<ErrorHandling> {
    named("utf8_handling", name)
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

/// The decoder for an owned record's text: UTF-8, whatever its leader says.
pub(crate) fn utf8_decoder() -> TextDecoder {
    TextDecoder::new().force_utf8(true)
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

/// `marcmap.unicode_to_marc8(text)`: encodes text as MARC-8 on its own (a
/// field or subfield value), `&#xHHHH;` for what MARC-8 lacks.
#[pyfunction]
pub(crate) fn unicode_to_marc8<'py>(py: Python<'py>, text: &str) -> Bound<'py, PyBytes> {
    // As decoding: only large inputs are worth releasing the GIL for.
    let bytes = if text.len() < DETACH_ABOVE {
        crate::marc8::encode(text)
    } else {
        let text = text.to_owned();
        py.detach(move || crate::marc8::encode(&text))
    };
    PyBytes::new(py, &bytes)
}

/// A decoder from the Python spellings of its MARC-8 options.
pub(crate) fn decoder(errors: &str, normalization: &str, ligatures: &str) -> PyResult<TextDecoder> {
    let errors = parse_handling(errors)?;
    // "nfc" is read as "NFC", as Python's unicodedata does.
    let normalization = named("marc8_normalization", &normalization.to_ascii_uppercase())?;
    let ligatures = named("marc8_ligatures", ligatures)?;
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
            d.error_handling().name().into(),
            m.errors.name().into(),
            m.normalization.name().into(),
            m.ligatures.name().into(),
        )
    }

    /// The options back from [`TextOptions::state`].
    pub(crate) fn from_state(py: Python<'_>, state: TextState) -> PyResult<TextOptions> {
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
            Some(name) => Some(resolve_file_encoding(py, &name)?),
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

/// The encoding a `file_encoding` name means, as pymarc would decode with it:
/// pymarc's own names (`"iso8859-1"` is MARC-8, see
/// [`TextDecoder::encoding_for_name`]), and otherwise Python's codec of that
/// name: a single-byte codec becomes a table of its 256 characters (exactly
/// Python's, bytes it leaves undefined included), `utf-8`/`utf-8-sig` is UTF-8,
/// and a multibyte codec is encoding_rs's of the same name.
pub(crate) fn resolve_file_encoding(py: Python<'_>, name: &str) -> PyResult<Encoding> {
    if let Ok(special @ (Encoding::Marc8 | Encoding::Utf8 | Encoding::Latin1)) =
        TextDecoder::encoding_for_name(name)
    {
        return Ok(special);
    }
    let unknown = || {
        PyValueError::new_err(format!(
            "unknown file encoding {name:?}: give MARC-8, UTF-8, or a Python codec name \
             such as 'cp1251', 'iso8859-5', 'latin-1' or 'ascii'"
        ))
    };
    let codecs = py.import("codecs")?;
    let canonical: String = match codecs.call_method1("lookup", (name,)) {
        Ok(info) => info.getattr("name")?.extract()?,
        Err(_) => return Err(unknown()),
    };
    if canonical == "utf-8" || canonical == "utf-8-sig" {
        return Ok(Encoding::Utf8);
    }
    // A single-byte codec decodes every byte on its own to at most one character.
    let mut chars = [None; 256];
    let mut single_byte = true;
    for b in 0..=255u8 {
        let one = PyBytes::new(py, &[b]);
        // An error: undefined in this codec, or the start of a multibyte sequence.
        if let Ok(text) = one.call_method1("decode", (canonical.as_str(),)) {
            let text: String = text.extract()?;
            let mut it = text.chars();
            match (it.next(), it.next()) {
                (Some(c), None) => chars[b as usize] = Some(c),
                _ => single_byte = false,
            }
        }
    }
    let ascii_ok = (0..128).all(|b| chars[b].is_some());
    if single_byte && ascii_ok && !is_multibyte(&canonical) {
        return Ok(Encoding::Table(crate::text::ByteTable::interned(
            &canonical, chars,
        )));
    }
    match encoding_rs::Encoding::for_label(canonical.replace('_', "-").as_bytes()) {
        Some(e) if e != encoding_rs::UTF_8 => Ok(Encoding::Legacy(e)),
        _ => Err(unknown()),
    }
}

/// Python codecs whose single bytes decode although they are multibyte
/// encodings (their lead bytes fail alone, but ASCII and some bytes do not).
fn is_multibyte(canonical: &str) -> bool {
    const MULTIBYTE: &[&str] = &[
        "shift_jis",
        "cp932",
        "euc_jp",
        "euc_jis_2004",
        "euc_jisx0213",
        "euc_kr",
        "cp949",
        "gb2312",
        "gbk",
        "gb18030",
        "big5",
        "big5hkscs",
        "cp950",
        "iso2022_jp",
        "iso2022_kr",
        "hz",
        "johab",
        "utf-16",
        "utf-32",
        "utf-7",
    ];
    MULTIBYTE.contains(&canonical)
}
