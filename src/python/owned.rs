//! `marcmap.OwnedRecord`: a record to build and edit without pymarc, wrapping
//! the core [`OwnedRecord`]. Its text is UTF-8: values given as `str` are
//! stored as UTF-8, and `as_marc()` writes LDR/09 `a`, as pymarc's `as_marc()`.
//!
//! Also what a writer needs of an `OwnedRecord` or a pymarc `Record`
//! ([`PyOwnedRecord::record`], [`record_from_object`]), and the `OwnedRecord`
//! that `Record.to_owned()` returns (from an [`OwnedCopy`]).

use super::errors;
use super::field::Field;
use super::record::Record;
use super::shared::OwnedCopy;
use super::text::TextOptions;
use crate::text::TextDecoder;
use crate::{FieldBody, OwnedField, OwnedRecord, OwnedSubfield, DEFAULT_LEADER};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString, PyTuple};
use std::sync::{Mutex, MutexGuard};

/// A record that owns its fields: built with `add_control_field`,
/// `add_data_field` and `add_field`, edited with `remove_fields` and the
/// `leader` setter, and written with `as_marc()` or any writer.
#[pyclass(frozen, name = "OwnedRecord", module = "marcmap._marcmap")]
pub(crate) struct PyOwnedRecord {
    inner: Mutex<OwnedRecord>,
}

fn lock(m: &Mutex<OwnedRecord>) -> MutexGuard<'_, OwnedRecord> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The decoder for an owned record's text: UTF-8, whatever its leader says.
pub(crate) fn utf8_decoder() -> TextDecoder {
    TextDecoder::new().force_utf8(true)
}

fn tag_arg(tag: &str) -> PyResult<[u8; 3]> {
    tag.as_bytes()
        .try_into()
        .ok()
        .filter(|t: &[u8; 3]| t.iter().all(u8::is_ascii))
        .ok_or_else(|| {
            PyValueError::new_err(format!("a tag is three ASCII characters, not {tag:?}"))
        })
}

fn one_char(what: &str, value: &str) -> PyResult<u8> {
    match value.as_bytes() {
        [b] if b.is_ascii() => Ok(*b),
        [] if what != "a subfield code" => Ok(b' '),
        _ => Err(PyValueError::new_err(format!(
            "{what} is one ASCII character, not {value:?}"
        ))),
    }
}

/// A value given as `str` (stored as UTF-8) or `bytes` (stored as they are).
fn value_bytes(value: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
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

fn leader_arg(leader: &Bound<'_, PyAny>) -> PyResult<[u8; 24]> {
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
fn subfields_arg(subfields: &Bound<'_, PyAny>) -> PyResult<Vec<OwnedSubfield>> {
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
            let code = item.get_item(0)?;
            let value = item.get_item(1)?;
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

/// Any object shaped like a pymarc `Record`: `leader` and `fields`.
pub(crate) fn record_from_object(record: &Bound<'_, PyAny>) -> PyResult<OwnedRecord> {
    let leader = record.getattr("leader")?;
    let mut out = OwnedRecord::new(leader_arg(&leader)?);
    for field in record.getattr("fields")?.try_iter()? {
        out.push(field_from_object(&field?)?);
    }
    Ok(out)
}

impl PyOwnedRecord {
    pub(crate) fn new_from(record: OwnedRecord) -> Self {
        PyOwnedRecord {
            inner: Mutex::new(record),
        }
    }

    /// A copy of the record as it is now.
    pub(crate) fn record(&self) -> OwnedRecord {
        lock(&self.inner).clone()
    }

    /// The record's ISO 2709 bytes, LDR/09 `a` (its text is UTF-8).
    fn iso2709(&self, py: Python<'_>) -> PyResult<Vec<u8>> {
        let mut record = lock(&self.inner).clone();
        record.leader[9] = b'a';
        record.to_iso2709().map_err(|e| errors::to_py(py, e, &[]))
    }

    fn record_view(&self, py: Python<'_>) -> PyResult<Record> {
        let text = TextOptions {
            to_unicode: true,
            decoder: utf8_decoder(),
        };
        Record::owning(self.iso2709(py)?, 0, 0, text)
    }
}

/// `Record.to_owned()`'s copy, as a new `OwnedRecord`.
impl<'py> IntoPyObject<'py> for OwnedCopy {
    type Target = PyOwnedRecord;
    type Output = Bound<'py, PyOwnedRecord>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        Bound::new(py, PyOwnedRecord::new_from(self.0))
    }
}

#[pymethods]
impl PyOwnedRecord {
    /// `OwnedRecord(leader=None, fields=())`: an empty record (with a UTF-8
    /// leader whose lengths are computed when it is written), or one with
    /// `leader` and copies of `fields` (marcmap or pymarc `Field`s).
    #[new]
    #[pyo3(signature = (leader = None, fields = None))]
    fn py_new(
        leader: Option<&Bound<'_, PyAny>>,
        fields: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let leader = match leader {
            Some(l) if !l.is_none() => leader_arg(l)?,
            _ => DEFAULT_LEADER,
        };
        let mut record = OwnedRecord::new(leader);
        if let Some(fields) = fields {
            for f in fields.try_iter()? {
                record.push(field_from_object(&f?)?);
            }
        }
        Ok(PyOwnedRecord::new_from(record))
    }

    /// The 24-character leader (a `marcmap.Leader`); its lengths are computed
    /// when the record is written.
    #[getter]
    fn get_leader<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let leader = lock(&self.inner).leader;
        let text = PyString::new(py, std::str::from_utf8(&leader).unwrap_or_default());
        super::types::leader(py, text)
    }

    #[setter]
    fn set_leader(&self, leader: &Bound<'_, PyAny>) -> PyResult<()> {
        lock(&self.inner).leader = leader_arg(leader)?;
        Ok(())
    }

    /// Adds a control field (tags 001-009).
    fn add_control_field(&self, tag: &str, data: &Bound<'_, PyAny>) -> PyResult<()> {
        let field = OwnedField::control(tag_arg(tag)?, value_bytes(data)?);
        lock(&self.inner).push(field);
        Ok(())
    }

    /// Adds a data field: `subfields` is a list of `(code, value)` pairs or
    /// `Subfield`s.
    #[pyo3(signature = (tag, ind1, ind2, subfields))]
    fn add_data_field(
        &self,
        tag: &str,
        ind1: &str,
        ind2: &str,
        subfields: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let mut field = OwnedField::data(
            tag_arg(tag)?,
            one_char("an indicator", ind1)?,
            one_char("an indicator", ind2)?,
        );
        if let FieldBody::Data { subfields: s, .. } = &mut field.body {
            *s = subfields_arg(subfields)?;
        }
        lock(&self.inner).push(field);
        Ok(())
    }

    /// Adds copies of `fields` (marcmap `Field`s or pymarc `Field`s) at the end.
    #[pyo3(signature = (*fields))]
    fn add_field(&self, fields: &Bound<'_, PyTuple>) -> PyResult<()> {
        let made: Vec<OwnedField> = fields
            .iter()
            .map(|f| field_from_object(&f))
            .collect::<PyResult<_>>()?;
        lock(&self.inner).fields.extend(made);
        Ok(())
    }

    /// Removes every field with one of `tags`; returns how many were removed.
    #[pyo3(signature = (*tags))]
    fn remove_fields(&self, tags: Vec<String>) -> usize {
        let mut record = lock(&self.inner);
        let before = record.fields.len();
        record
            .fields
            .retain(|f| !tags.iter().any(|t| t.as_bytes() == f.tag));
        before - record.fields.len()
    }

    /// The fields, as read-only `Field` views of the record as it is now.
    #[getter(fields)]
    fn field_list<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let record = self.record_view(py)?;
        let view = record.view();
        let list = PyList::empty(py);
        for f in view.fields() {
            list.append(record.field_object(&view, &f))?;
        }
        Ok(list)
    }

    /// The fields with any of `tags` (every field when none is given).
    #[pyo3(signature = (*tags))]
    fn get_fields<'py>(&self, py: Python<'py>, tags: Vec<String>) -> PyResult<Bound<'py, PyList>> {
        let all = self.field_list(py)?;
        if tags.is_empty() {
            return Ok(all);
        }
        let list = PyList::empty(py);
        for f in all.iter() {
            let field = f.cast::<Field>()?;
            if tags.iter().any(|t| t == field.get().tag_str()) {
                list.append(f)?;
            }
        }
        Ok(list)
    }

    fn __len__(&self) -> usize {
        lock(&self.inner).fields.len()
    }

    /// ISO 2709 bytes: leader and directory computed, LDR/09 `a` (UTF-8).
    fn as_marc<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, &self.iso2709(py)?))
    }

    /// A read-only `marcmap.Record` over this record's bytes as they are now,
    /// with every accessor and pymarc property.
    fn as_record(&self, py: Python<'_>) -> PyResult<Record> {
        self.record_view(py)
    }

    /// One `<record>` element of MARCXML (UTF-8 bytes), as `record_to_xml`.
    #[pyo3(signature = (namespace = false))]
    fn as_xml<'py>(&self, py: Python<'py>, namespace: bool) -> PyResult<Bound<'py, PyBytes>> {
        self.record_view(py)?.xml(py, namespace)
    }

    /// pymarc's text form.
    fn __str__(&self) -> String {
        lock(&self.inner).to_string()
    }

    fn __repr__(&self) -> String {
        let record = lock(&self.inner);
        format!("<OwnedRecord: {} fields>", record.fields.len())
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<PyOwnedRecord>() {
            // The same object: one lock, not two (the second would wait forever).
            Ok(o) if std::ptr::eq(self, o.get()) => true,
            Ok(o) => *lock(&self.inner) == *lock(&o.get().inner),
            Err(_) => false,
        }
    }
}
