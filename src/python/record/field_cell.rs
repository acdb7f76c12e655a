//! Reading and changing a field that owns its data (a field of an edited
//! record, or one made with `Field(...)`), as pymarc 5.4's `Field` does.

use super::super::args::{one_char, subfields_arg, tag_arg, value_bytes};
use super::super::types;
use crate::{FieldBody, FieldEditError, OwnedField, OwnedSubfield};
use pyo3::exceptions::{PyKeyError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};
use std::borrow::Cow;

/// Tags at 6XX that pymarc formats as subject headings.
const SUBJECT_SUBDIVISIONS: &[u8] = b"vxyz";

/// A value as Python gets it: `str` for a text field (its bytes are UTF-8),
/// `bytes` for one read with `to_unicode=False`.
pub(crate) fn value_py<'py>(py: Python<'py>, value: &[u8], text: bool) -> Bound<'py, PyAny> {
    if text {
        PyString::new(py, &String::from_utf8_lossy(value)).into_any()
    } else {
        PyBytes::new(py, value).into_any()
    }
}

fn text_of(value: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(value)
}

/// The code as pymarc compares it: a one-character `str`.
fn code_matches(sf: &OwnedSubfield, code: &str) -> bool {
    code.as_bytes() == [sf.code]
}

pub(crate) fn data<'py>(py: Python<'py>, f: &OwnedField, text: bool) -> Option<Bound<'py, PyAny>> {
    match &f.body {
        FieldBody::Control(d) => Some(value_py(py, d, text)),
        FieldBody::Data { .. } => None,
    }
}

pub(crate) fn indicators_bytes(f: &OwnedField) -> Option<(u8, u8)> {
    match &f.body {
        FieldBody::Control(_) => None,
        FieldBody::Data { indicators, .. } => Some((indicators[0], indicators[1])),
    }
}

pub(crate) fn subfield_list<'py>(
    py: Python<'py>,
    f: &OwnedField,
    text: bool,
) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for s in f.subfields() {
        list.append(types::subfield(
            py,
            types::code_str(py, s.code),
            value_py(py, &s.value, text),
        )?)?;
    }
    Ok(list)
}

pub(crate) fn first<'py>(
    py: Python<'py>,
    f: &OwnedField,
    code: &str,
    text: bool,
) -> Option<Bound<'py, PyAny>> {
    f.subfields()
        .iter()
        .find(|s| code_matches(s, code))
        .map(|s| value_py(py, &s.value, text))
}

pub(crate) fn get_subfields<'py>(
    py: Python<'py>,
    f: &OwnedField,
    codes: &[String],
    text: bool,
) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for s in f.subfields() {
        if codes.iter().any(|c| code_matches(s, c)) {
            list.append(value_py(py, &s.value, text))?;
        }
    }
    Ok(list)
}

pub(crate) fn subfields_as_dict<'py>(
    py: Python<'py>,
    f: &OwnedField,
    text: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for s in f.subfields() {
        let code = types::code_str(py, s.code);
        let value = value_py(py, &s.value, text);
        match dict.get_item(&code)? {
            Some(list) => list.cast_into::<PyList>()?.append(value)?,
            None => dict.set_item(code, PyList::new(py, [value])?)?,
        }
    }
    Ok(dict)
}

/// pymarc's `value()`.
pub(crate) fn value(f: &OwnedField) -> String {
    match &f.body {
        FieldBody::Control(d) => text_of(d).into_owned(),
        FieldBody::Data { subfields, .. } => subfields
            .iter()
            .map(|s| text_of(&s.value).trim().to_string())
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// pymarc's `format_field()`.
pub(crate) fn format_field(f: &OwnedField) -> String {
    let subfields = match &f.body {
        FieldBody::Control(d) => return text_of(d).into_owned(),
        FieldBody::Data { subfields, .. } => subfields,
    };
    let subject = f.tag[0] == b'6';
    let mut out = String::new();
    for s in subfields.iter().filter(|s| s.code != b'6') {
        if subject && SUBJECT_SUBDIVISIONS.contains(&s.code) {
            out.push_str(" -- ");
        } else {
            out.push(' ');
        }
        out.push_str(&text_of(&s.value));
    }
    out.trim().to_string()
}

/// pymarc's text form: `=245  10$aTitle`.
pub(crate) fn to_text(f: &OwnedField) -> String {
    let mut out = format!("={}  ", f.tag_str());
    match &f.body {
        FieldBody::Control(d) => out.push_str(&text_of(d).replace(' ', "\\")),
        FieldBody::Data {
            indicators,
            subfields,
        } => {
            for &i in indicators {
                out.push(if i == b' ' || i == b'\\' {
                    '\\'
                } else {
                    i as char
                });
            }
            for s in subfields {
                out.push('$');
                out.push(s.code as char);
                out.push_str(&text_of(&s.value));
            }
        }
    }
    out
}

/// The field in ISO 2709 (its terminator included): text encoded in
/// `encoding`, as pymarc's `Field.as_marc(encoding)`; bytes as they are.
pub(crate) fn as_marc<'py>(
    py: Python<'py>,
    f: &OwnedField,
    encoding: &str,
    text: bool,
) -> PyResult<Bound<'py, PyBytes>> {
    let mut raw = Vec::new();
    match &f.body {
        FieldBody::Control(d) => raw.extend_from_slice(d),
        FieldBody::Data {
            indicators,
            subfields,
        } => {
            raw.extend_from_slice(indicators);
            for s in subfields {
                raw.push(crate::layout::SUBFIELD_DELIMITER);
                raw.push(s.code);
                raw.extend_from_slice(&s.value);
            }
        }
    }
    raw.push(crate::layout::FIELD_TERMINATOR);
    if !text || encoding.eq_ignore_ascii_case("utf-8") || encoding.eq_ignore_ascii_case("utf8") {
        return Ok(PyBytes::new(py, &raw));
    }
    let s = PyString::new(py, &String::from_utf8_lossy(&raw));
    Ok(s.call_method1("encode", (encoding,))?
        .cast_into::<PyBytes>()?)
}

/// The field's bytes without its terminator.
pub(crate) fn raw_bytes(f: &OwnedField) -> Vec<u8> {
    let mut out = Vec::new();
    match &f.body {
        FieldBody::Control(d) => out.extend_from_slice(d),
        FieldBody::Data {
            indicators,
            subfields,
        } => {
            out.extend_from_slice(indicators);
            for s in subfields {
                out.push(crate::layout::SUBFIELD_DELIMITER);
                out.push(s.code);
                out.extend_from_slice(&s.value);
            }
        }
    }
    out
}

/// `Field(tag, indicators, subfields, data)`'s arguments for pickling.
pub(crate) fn constructor_args<'py>(
    py: Python<'py>,
    f: &OwnedField,
    text: bool,
) -> PyResult<Bound<'py, PyTuple>> {
    let tag = PyString::new(py, f.tag_str()).into_any();
    match &f.body {
        FieldBody::Control(d) => PyTuple::new(
            py,
            [
                tag,
                py.None().into_bound(py),
                py.None().into_bound(py),
                value_py(py, d, text),
            ],
        ),
        FieldBody::Data { indicators, .. } => {
            let ind = types::indicators(
                py,
                types::indicator_str(py, indicators[0]),
                types::indicator_str(py, indicators[1]),
            )?;
            let subs = subfield_list(py, f, text)?.into_any();
            PyTuple::new(py, [tag, ind, subs, py.None().into_bound(py)])
        }
    }
}

// ---- Changes ----

/// A tag as pymarc's `Field` takes it: a `str` (digits shorter than three are
/// zero-padded, `"1"` is `"001"`) or an `int`.
pub(crate) fn tag_from(tag: &Bound<'_, PyAny>) -> PyResult<[u8; 3]> {
    if let Ok(s) = tag.cast::<PyString>() {
        let s = s.to_str()?;
        if !s.is_empty() && s.len() < 3 && s.bytes().all(|b| b.is_ascii_digit()) {
            return tag_arg(&format!("{:03}", s.parse::<u32>().unwrap_or(0)));
        }
        return tag_arg(s);
    }
    if let Ok(n) = tag.extract::<u32>() {
        return tag_arg(&format!("{n:03}"));
    }
    Err(PyTypeError::new_err(format!(
        "a tag is a str such as '245', not {}",
        tag.get_type().name()?
    )))
}

/// Indicators as pymarc takes them: `None` (two blanks), or a sequence of two
/// one-character strings (a list, a tuple, `Indicators`).
pub(crate) fn indicators_from(indicators: Option<&Bound<'_, PyAny>>) -> PyResult<[u8; 2]> {
    let Some(ind) = indicators.filter(|i| !i.is_none()) else {
        return Ok([b' ', b' ']);
    };
    if ind.is_instance_of::<PyString>() {
        return Err(PyValueError::new_err(
            "indicators are a list or tuple of two one-character strings, such as ['4', '0']",
        ));
    }
    // The common forms, a list or tuple of two `str`s, read in place.
    let pair = if let Ok(l) = ind.cast::<PyList>() {
        (l.len() == 2).then(|| (l.get_item(0), l.get_item(1)))
    } else if let Ok(t) = ind.cast::<PyTuple>() {
        (t.len() == 2).then(|| (t.get_item(0), t.get_item(1)))
    } else {
        None
    };
    if let Some((Ok(a), Ok(b))) = pair {
        return Ok([indicator_from(&a)?, indicator_from(&b)?]);
    }
    let items: Vec<Bound<'_, PyAny>> = ind.try_iter()?.collect::<PyResult<_>>()?;
    if items.is_empty() {
        return Ok([b' ', b' ']);
    }
    if items.len() != 2 {
        return Err(PyValueError::new_err(format!(
            "a field has two indicators, not {}",
            items.len()
        )));
    }
    Ok([indicator_from(&items[0])?, indicator_from(&items[1])?])
}

pub(crate) fn indicator_from(value: &Bound<'_, PyAny>) -> PyResult<u8> {
    let s = value
        .cast::<PyString>()
        .map_err(|_| PyTypeError::new_err("an indicator is a one-character str"))?;
    one_char("an indicator", &s.to_cow()?)
}

/// A new field, as `Field(tag, indicators=None, subfields=None, data=None)`:
/// a control field (tag 001-009) from `data`, a data field from
/// `indicators` and `subfields`.
pub(crate) fn new_field(
    tag: &Bound<'_, PyAny>,
    indicators: Option<&Bound<'_, PyAny>>,
    subfields: Option<&Bound<'_, PyAny>>,
    data: Option<&Bound<'_, PyAny>>,
) -> PyResult<OwnedField> {
    let tag = tag_from(tag)?;
    if tag[0] == b'0' && tag[1] == b'0' && tag[2].is_ascii_digit() {
        if subfields.is_some_and(|s| !s.is_none() && s.len().unwrap_or(0) > 0) {
            return Err(PyValueError::new_err(format!(
                "{} is a control field: give it data=..., not subfields",
                String::from_utf8_lossy(&tag)
            )));
        }
        let data = match data.filter(|d| !d.is_none()) {
            Some(d) => value_bytes(d)?,
            None => Vec::new(),
        };
        return Ok(OwnedField::control(tag, data));
    }
    let [i1, i2] = indicators_from(indicators)?;
    let mut field = OwnedField::data(tag, i1, i2);
    if let (FieldBody::Data { subfields: s, .. }, Some(given)) =
        (&mut field.body, subfields.filter(|s| !s.is_none()))
    {
        *s = subfields_arg(given)?;
    }
    Ok(field)
}

/// A core edit's refusal as Python's: `KeyError` where pymarc raises it (a
/// subfield to set that is missing or repeated, as `field[code] = value`),
/// `TypeError` for what a control or data field does not have (where pymarc
/// silently does nothing).
pub(crate) fn edit_error(e: FieldEditError) -> PyErr {
    match e {
        FieldEditError::NoSubfield { .. } | FieldEditError::RepeatedSubfield { .. } => {
            PyKeyError::new_err(e.to_string())
        }
        FieldEditError::NoSuchIndicator { .. } => PyValueError::new_err(e.to_string()),
        _ => PyTypeError::new_err(e.to_string()),
    }
}

/// `field[code] = value`: pymarc's rules (exactly one subfield `code`).
pub(crate) fn set_subfield(
    f: &mut OwnedField,
    code: &str,
    value: &Bound<'_, PyAny>,
) -> PyResult<()> {
    let value = value_bytes(value)?;
    let code = one_char("a subfield code", code)?;
    f.set_subfield(code, value).map_err(edit_error)
}

/// `add_subfield(code, value, pos=None)`: at the end, or before `pos`
/// (past the end: at the end, as pymarc; negative: from the end, as Python's
/// `list.insert`).
pub(crate) fn add_subfield(
    f: &mut OwnedField,
    code: &str,
    value: &Bound<'_, PyAny>,
    pos: Option<isize>,
) -> PyResult<()> {
    let code = one_char("a subfield code", code)?;
    let value = value_bytes(value)?;
    let len = f.subfields().len() as isize;
    let pos = pos.map(|p| if p < 0 { (len + p).max(0) } else { p } as usize);
    f.add_subfield(code, value, pos).map_err(edit_error)
}

/// `delete_subfield(code)`: removes the first subfield `code`, giving its
/// value (`None` when there is none, or for a control field).
pub(crate) fn delete_subfield(f: &mut OwnedField, code: &str) -> Option<Vec<u8>> {
    match code.as_bytes() {
        [c] => f.delete_subfield(*c),
        _ => None,
    }
}

pub(crate) fn set_subfields(f: &mut OwnedField, given: &Bound<'_, PyAny>) -> PyResult<()> {
    let new = if given.len()? == 0 {
        Vec::new()
    } else {
        subfields_arg(given)?
    };
    *f.subfields_mut().map_err(edit_error)? = new;
    Ok(())
}

pub(crate) fn set_indicators(f: &mut OwnedField, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    let new = indicators_from(value)?;
    f.set_indicators(new).map_err(edit_error)
}

pub(crate) fn set_indicator(
    f: &mut OwnedField,
    which: usize,
    value: &Bound<'_, PyAny>,
) -> PyResult<()> {
    let new = indicator_from(value)?;
    f.set_indicator(which, new).map_err(edit_error)
}

pub(crate) fn set_data(f: &mut OwnedField, value: &Bound<'_, PyAny>) -> PyResult<()> {
    let data = if value.is_none() {
        Vec::new()
    } else {
        value_bytes(value)?
    };
    f.set_data(data).map_err(edit_error)
}
