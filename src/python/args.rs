//! Python arguments read as the core's values: tags, indicators, codes,
//! values, leaders, subfield lists, and fields from any object shaped like a
//! marcmap or pymarc `Field`. Below every class (it names none).

use crate::{FieldBody, OwnedField, OwnedSubfield};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString, PyTuple};

pub(crate) fn tag_arg(tag: &str) -> PyResult<[u8; 3]> {
    tag.as_bytes()
        .try_into()
        .ok()
        .filter(|t: &[u8; 3]| t.iter().all(u8::is_ascii))
        .ok_or_else(|| {
            PyValueError::new_err(format!("a tag is three ASCII characters, not {tag:?}"))
        })
}

pub(crate) fn one_char(what: &str, value: &str) -> PyResult<u8> {
    match value.as_bytes() {
        [b] if b.is_ascii() => Ok(*b),
        [] if what != "a subfield code" => Ok(b' '),
        _ => Err(PyValueError::new_err(format!(
            "{what} is one ASCII character, not {value:?}"
        ))),
    }
}

/// A value given as `str` (stored as UTF-8) or `bytes` (stored as they are).
pub(crate) fn value_bytes(value: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(s.to_str()?.as_bytes().to_vec());
    }
    if let Ok(b) = value.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    Err(PyTypeError::new_err(format!(
        "a value is a str or bytes, not {}",
        value.get_type().name()?
    )))
}

pub(crate) fn leader_arg(leader: &Bound<'_, PyAny>) -> PyResult<[u8; 24]> {
    let text = leader.str()?;
    let text = text.to_str()?;
    text.as_bytes()
        .try_into()
        .ok()
        .filter(|l: &[u8; 24]| l.is_ascii())
        .ok_or_else(|| {
            PyValueError::new_err(format!(
                "a leader is 24 ASCII characters, not {} ({text:?})",
                text.chars().count()
            ))
        })
}

/// `subfields`: `(code, value)` pairs or `Subfield`s (any two-item sequence),
/// or pymarc 4's flat `[code, value, code, value, ...]` list.
pub(crate) fn subfields_arg(subfields: &Bound<'_, PyAny>) -> PyResult<Vec<OwnedSubfield>> {
    let items: Vec<Bound<'_, PyAny>> = subfields.try_iter()?.collect::<PyResult<_>>()?;
    if items.iter().all(|i| i.is_instance_of::<PyString>()) && !items.is_empty() {
        if !items.len().is_multiple_of(2) {
            return Err(PyValueError::new_err(
                "a flat subfield list has a code for every value",
            ));
        }
        return items
            .chunks(2)
            .map(|pair| {
                Ok(OwnedSubfield {
                    code: one_char("a subfield code", pair[0].extract::<&str>()?)?,
                    value: value_bytes(&pair[1])?,
                })
            })
            .collect();
    }
    items
        .iter()
        .map(|item| {
            // A `Subfield` (a tuple) read in place; any other pair indexed.
            let (code, value) = match item.cast::<PyTuple>() {
                Ok(t) if t.len() == 2 => (t.get_item(0)?, t.get_item(1)?),
                _ => (item.get_item(0)?, item.get_item(1)?),
            };
            Ok(OwnedSubfield {
                code: one_char("a subfield code", code.extract::<&str>()?)?,
                value: value_bytes(&value)?,
            })
        })
        .collect()
}

/// A field from any object shaped like a marcmap or pymarc `Field`: `tag`, and
/// `data` (a control field) or `indicators` and `subfields`.
pub(crate) fn field_from_object(field: &Bound<'_, PyAny>) -> PyResult<OwnedField> {
    let tag: String = field.getattr("tag")?.extract()?;
    let tag = tag_arg(&tag)?;
    let control = field
        .getattr("control_field")
        .and_then(|c| c.extract::<bool>())
        .unwrap_or_else(|_| tag[0] == b'0' && tag[1] == b'0');
    if control {
        let data = field.getattr("data")?;
        let data = if data.is_none() {
            Vec::new()
        } else {
            value_bytes(&data)?
        };
        return Ok(OwnedField::control(tag, data));
    }
    let indicators = field.getattr("indicators")?;
    let (i1, i2) = if indicators.is_none() {
        (b' ', b' ')
    } else {
        let first: String = indicators.get_item(0)?.extract()?;
        let second: String = indicators.get_item(1)?.extract()?;
        (
            one_char("an indicator", &first)?,
            one_char("an indicator", &second)?,
        )
    };
    let mut out = OwnedField::data(tag, i1, i2);
    if let FieldBody::Data { subfields, .. } = &mut out.body {
        *subfields = subfields_arg(&field.getattr("subfields")?)?;
    }
    Ok(out)
}
