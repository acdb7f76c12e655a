//! `marcmap.OwnedRecord`: a record to build and edit without pymarc, wrapping
//! the core [`OwnedRecord`]. Its text is UTF-8: values given as `str` are
//! stored as UTF-8, and `as_marc()` writes LDR/09 `a`, as pymarc's `as_marc()`.
//!
//! Also what a writer needs of an `OwnedRecord` or a pymarc `Record`
//! ([`PyOwnedRecord::record`], [`record_from_object`]), and the `OwnedRecord`
//! that `Record.to_owned()` returns (from an [`OwnedCopy`]).

use super::args::{field_from_object, leader_arg, one_char, subfields_arg, tag_arg, value_bytes};
use super::errors;
use super::record::Field;
use super::record::Record;
use super::shared::OwnedCopy;
use super::text::TextOptions;
use crate::{FieldBody, OwnedField, OwnedRecord, DEFAULT_LEADER};
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

pub(crate) use super::text::utf8_decoder;

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
        let record = Bound::new(py, self.record_view(py)?)?;
        Record::fields_matching(&record, |_| true)
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
            if tags.iter().any(|t| *t == field.get().tag_string()) {
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
