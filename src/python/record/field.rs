//! `marcmap.Field`: a field of a record, as pymarc's.
//!
//! A field of a record read from its file is a view of the file's bytes
//! ([`View`], `field_view.rs`) while the record is unchanged; once the record
//! changes (copy on write, `edited.rs`), the same `Field` stands for the
//! record's owned field. A field made with `Field(...)`, or taken from an
//! edited record, holds its owned field directly (`field_cell.rs` reads and
//! changes it). Either way, a change through a `Field` is a change of its record.

use super::super::shared::lock;
use super::super::types;
use super::edited::{cell, FieldCell};
use super::field_cell as owned;
use super::field_view::View;
use super::lists::SubfieldList;
use super::Record;
use crate::OwnedField;
use pyo3::exceptions::{PyIndexError, PyKeyError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyMemoryView, PyString, PyTuple};
use std::sync::Arc;

/// A field of a record (or of none yet).
#[pyclass(frozen, module = "marcmap._marcmap")]
pub(crate) struct Field {
    link: Link,
}

enum Link {
    /// A field of a record read from its file (see [`Field::now`]).
    View(View),
    /// A field that owns its data; `text`: its values are `str` (UTF-8).
    Cell { cell: Arc<FieldCell>, text: bool },
}

/// What a field is now: a view of an unchanged record's bytes, or an owned field.
pub(crate) enum Now<'a> {
    View(&'a View),
    Cell(Arc<FieldCell>, bool),
}

impl Field {
    pub(crate) fn view(view: View) -> Field {
        Field {
            link: Link::View(view),
        }
    }

    pub(crate) fn of_cell(cell: Arc<FieldCell>, text: bool) -> Field {
        Field {
            link: Link::Cell { cell, text },
        }
    }

    /// The field now: a view while it is the bytes of its record as read
    /// (unchanged), else its owned field.
    pub(crate) fn now(&self) -> Now<'_> {
        match &self.link {
            Link::Cell { cell, text } => Now::Cell(cell.clone(), *text),
            Link::View(v) => match v.owner.get().edits.get() {
                None => Now::View(v),
                Some(edited) => {
                    let edited = lock(edited);
                    match edited.cells.get(v.index as usize) {
                        Some(Some(c)) => Now::Cell(c.clone(), edited.text),
                        _ => Now::View(v),
                    }
                }
            },
        }
    }

    /// The owned field, made now if the field is still the bytes of its
    /// record as read (the record becoming an edited one): what a change,
    /// or adding the field to another record, needs.
    pub(crate) fn cell(&self, py: Python<'_>) -> PyResult<(Arc<FieldCell>, bool)> {
        match &self.link {
            Link::Cell { cell, text } => Ok((cell.clone(), *text)),
            Link::View(v) => {
                let owner = v.owner.get();
                let view = owner.view();
                let mut edited = owner.edit(py)?;
                let c = edited.cell_of_read(v.index, &view).ok_or_else(|| {
                    pyo3::exceptions::PyIndexError::new_err("the record has no such field")
                })?;
                Ok((c, edited.text))
            }
        }
    }

    /// The index of this field in `record` as read, if it is a field of
    /// `record` that is still its bytes.
    pub(crate) fn read_index_in(&self, record: &Bound<'_, Record>) -> Option<u32> {
        match (&self.link, self.now()) {
            (Link::View(v), Now::View(_)) if v.owner.bind(record.py()).is(record) => Some(v.index),
            _ => None,
        }
    }

    /// Changes the owned field with `f`.
    fn change<R>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut OwnedField) -> PyResult<R>,
    ) -> PyResult<R> {
        let (cell, _) = self.cell(py)?;
        let mut field = lock(&cell);
        f(&mut field)
    }

    pub(crate) fn tag_string(&self) -> String {
        match self.now() {
            Now::View(v) => v.tag_str().to_string(),
            Now::Cell(c, _) => lock(&c).tag_str().to_string(),
        }
    }

    /// The two indicators (blanks for a control field).
    pub(crate) fn indicators_bytes(&self) -> (u8, u8) {
        match self.now() {
            Now::View(v) => v.indicators_bytes(),
            Now::Cell(c, _) => owned::indicators_bytes(&lock(&c)).unwrap_or((b' ', b' ')),
        }
    }

    /// The first value of subfield `code`.
    pub(crate) fn first<'py>(
        &self,
        py: Python<'py>,
        code: &str,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        match self.now() {
            Now::View(v) => v.first(py, code),
            Now::Cell(c, text) => Ok(owned::first(py, &lock(&c), code, text)),
        }
    }

    pub(crate) fn format_field(&self, py: Python<'_>) -> PyResult<String> {
        match self.now() {
            Now::View(v) => v.format_field(py),
            Now::Cell(c, _) => Ok(owned::format_field(&lock(&c))),
        }
    }

    pub(crate) fn is_control(&self) -> bool {
        match self.now() {
            Now::View(v) => v.is_control(),
            Now::Cell(c, _) => lock(&c).is_control(),
        }
    }

    /// The subfields as a plain list of `Subfield`s (what `SubfieldList` reads).
    pub(crate) fn subfields_now<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        match self.now() {
            Now::View(v) => v.subfield_list(py),
            Now::Cell(c, text) => owned::subfield_list(py, &lock(&c), text),
        }
    }

    /// Replaces the subfields (what `SubfieldList`'s changes write).
    pub(crate) fn set_subfields_from(
        &self,
        py: Python<'_>,
        subfields: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        self.change(py, |f| owned::set_subfields(f, subfields))
    }

    fn same(&self, other: &Field) -> bool {
        match (self.now(), other.now()) {
            (Now::View(a), Now::View(b)) => a.same(b),
            (Now::Cell(a, _), Now::Cell(b, _)) => Arc::ptr_eq(&a, &b),
            _ => false,
        }
    }
}

#[pymethods]
impl Field {
    /// `Field(tag, indicators=None, subfields=None, data=None)`, as pymarc's: a
    /// control field (001-009) from `data`; a data field from `indicators` (a
    /// list, tuple or `Indicators` of two; blanks by default) and `subfields`
    /// (`Subfield`s or `(code, value)` pairs).
    #[new]
    #[pyo3(signature = (tag, indicators = None, subfields = None, data = None))]
    fn py_new(
        tag: &Bound<'_, PyAny>,
        indicators: Option<&Bound<'_, PyAny>>,
        subfields: Option<&Bound<'_, PyAny>>,
        data: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let field = owned::new_field(tag, indicators, subfields, data)?;
        Ok(Field::of_cell(cell(field), true))
    }

    /// The three-character tag.
    #[getter]
    fn get_tag<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        match self.now() {
            Now::View(v) => v.tag(py),
            Now::Cell(c, _) => types::tag_str(py, &lock(&c).tag),
        }
    }

    #[setter]
    fn set_tag(&self, py: Python<'_>, tag: &Bound<'_, PyAny>) -> PyResult<()> {
        let tag = owned::tag_from(tag)?;
        self.change(py, |f| {
            f.tag = tag;
            Ok(())
        })
    }

    /// Whether this is a control field (00X).
    #[getter]
    fn control_field(&self) -> bool {
        self.is_control()
    }

    fn is_control_field(&self) -> bool {
        self.is_control()
    }

    /// Whether this is a subject field (6XX).
    fn is_subject_field(&self) -> bool {
        self.tag_string().starts_with('6')
    }

    /// A control field's value; `None` for a data field.
    #[getter]
    fn get_data<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        match self.now() {
            Now::View(v) => v.data(py),
            Now::Cell(c, text) => Ok(owned::data(py, &lock(&c), text)),
        }
    }

    /// Sets a control field's value (`TypeError` for a data field).
    #[setter]
    fn set_data(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<()> {
        self.change(py, |f| owned::set_data(f, data))
    }

    /// `Indicators(first, second)`; `None` for a control field.
    #[getter]
    fn get_indicators<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        match self.now() {
            Now::View(v) => v.indicators(py),
            Now::Cell(c, _) => match owned::indicators_bytes(&lock(&c)) {
                None => Ok(None),
                Some((a, b)) => {
                    types::indicators(py, types::indicator_str(py, a), types::indicator_str(py, b))
                        .map(Some)
                }
            },
        }
    }

    #[setter]
    fn set_indicators(&self, py: Python<'_>, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        self.change(py, |f| owned::set_indicators(f, value))
    }

    #[getter]
    fn get_indicator1<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        match self.now() {
            Now::View(v) => v.indicator1(py),
            Now::Cell(c, _) => match owned::indicators_bytes(&lock(&c)) {
                None => PyString::new(py, ""),
                Some((a, _)) => types::indicator_str(py, a),
            },
        }
    }

    #[setter]
    fn set_indicator1(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.change(py, |f| owned::set_indicator(f, 1, value))
    }

    #[getter]
    fn get_indicator2<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        match self.now() {
            Now::View(v) => v.indicator2(py),
            Now::Cell(c, _) => match owned::indicators_bytes(&lock(&c)) {
                None => PyString::new(py, ""),
                Some((_, b)) => types::indicator_str(py, b),
            },
        }
    }

    #[setter]
    fn set_indicator2(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.change(py, |f| owned::set_indicator(f, 2, value))
    }

    /// The subfields, a live list of `Subfield(code, value)`s: its changes
    /// (`append`, `insert`, `pop`, `[i] = ...`, ...) are the field's.
    #[getter]
    fn get_subfields(slf: &Bound<'_, Self>) -> SubfieldList {
        SubfieldList::new(slf.clone().unbind())
    }

    /// Replaces the subfields (`Subfield`s or `(code, value)` pairs).
    #[setter]
    fn set_subfields(&self, py: Python<'_>, subfields: &Bound<'_, PyAny>) -> PyResult<()> {
        self.set_subfields_from(py, subfields)
    }

    /// The first value of subfield `code`; `KeyError` if there is none (or a control field).
    fn __getitem__<'py>(&self, py: Python<'py>, code: &str) -> PyResult<Bound<'py, PyAny>> {
        match self.first(py, code)? {
            Some(v) => Ok(v),
            None => Err(PyKeyError::new_err(code.to_string())),
        }
    }

    /// `field[code] = value`: sets the one subfield `code` (`KeyError` when
    /// there is none or more than one, as pymarc).
    fn __setitem__(&self, py: Python<'_>, code: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.change(py, |f| owned::set_subfield(f, code, value))
    }

    /// The first value of subfield `code`, or `default`.
    #[pyo3(signature = (code, default = None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        code: &str,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        Ok(self.first(py, code)?.or(default))
    }

    /// Whether the field has a subfield `code`.
    fn __contains__(&self, py: Python<'_>, code: &str) -> PyResult<bool> {
        match self.now() {
            Now::View(v) => v.__contains__(py, code),
            Now::Cell(c, _) => Ok(lock(&c)
                .subfields()
                .iter()
                .any(|s| code.as_bytes() == [s.code])),
        }
    }

    /// Adds subfield `code` with `value`: at the end, or before position `pos`
    /// (`TypeError` for a control field, which has no subfields).
    #[pyo3(signature = (code, value, pos = None))]
    fn add_subfield(
        &self,
        py: Python<'_>,
        code: &str,
        value: &Bound<'_, PyAny>,
        pos: Option<isize>,
    ) -> PyResult<()> {
        self.change(py, |f| owned::add_subfield(f, code, value, pos))
    }

    /// Removes the first subfield `code` and gives its value; `None` when
    /// there is none.
    fn delete_subfield<'py>(
        &self,
        py: Python<'py>,
        code: &str,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let (cell, text) = self.cell(py)?;
        let removed = owned::delete_subfield(&mut lock(&cell), code);
        Ok(removed.map(|v| owned::value_py(py, &v, text)))
    }

    /// The values of the subfields whose code is one of `codes`, in field order.
    #[pyo3(name = "get_subfields", signature = (*codes))]
    fn get_subfields_of<'py>(
        &self,
        py: Python<'py>,
        codes: Vec<String>,
    ) -> PyResult<Bound<'py, PyList>> {
        match self.now() {
            Now::View(v) => v.get_subfields(py, codes),
            Now::Cell(c, text) => owned::get_subfields(py, &lock(&c), &codes, text),
        }
    }

    /// `{code: [values]}`.
    fn subfields_as_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        match self.now() {
            Now::View(v) => v.subfields_as_dict(py),
            Now::Cell(c, text) => owned::subfields_as_dict(py, &lock(&c), text),
        }
    }

    /// The data of a control field, or the subfield values joined by spaces (pymarc's `value()`).
    fn value(&self, py: Python<'_>) -> PyResult<String> {
        match self.now() {
            Now::View(v) => v.value(py),
            Now::Cell(c, _) => Ok(owned::value(&lock(&c))),
        }
    }

    /// pymarc's `format_field()`: values with spaces, subject subdivisions after ` -- `,
    /// and `$6` left out.
    #[pyo3(name = "format_field")]
    fn py_format_field(&self, py: Python<'_>) -> PyResult<String> {
        self.format_field(py)
    }

    /// The field's bytes (without its terminator): a read-only memoryview
    /// into the file for a field of an unchanged record.
    #[getter]
    fn raw<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.now() {
            Now::View(v) => v.raw(py),
            Now::Cell(c, _) => {
                let bytes = PyBytes::new(py, &owned::raw_bytes(&lock(&c)));
                Ok(PyMemoryView::from(&bytes.into_any())?.into_any())
            }
        }
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.subfields_now(py)?.try_iter().map(|i| i.into_any())
    }

    /// pymarc's text form: `=245  10$aTitle`.
    fn __str__(&self, py: Python<'_>) -> PyResult<String> {
        match self.now() {
            Now::View(v) => v.__str__(py),
            Now::Cell(c, _) => Ok(owned::to_text(&lock(&c))),
        }
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let text = self.__str__(py)?;
        Ok(format!("<Field {}>", PyString::new(py, &text).repr()?))
    }

    /// The field in ISO 2709, its terminator included: its text encoded in
    /// `encoding` (UTF-8 by default), as pymarc's `Field.as_marc(encoding)`; with
    /// `to_unicode=False`, its bytes as they are.
    #[pyo3(signature = (encoding = "utf-8"))]
    fn as_marc<'py>(&self, py: Python<'py>, encoding: &str) -> PyResult<Bound<'py, PyBytes>> {
        match self.now() {
            Now::View(v) => v.as_marc(py, encoding),
            Now::Cell(c, text) => owned::as_marc(py, &lock(&c), encoding, text),
        }
    }

    /// pymarc's old name for `as_marc()`.
    #[pyo3(signature = (encoding = "utf-8"))]
    fn as_marc21<'py>(&self, py: Python<'py>, encoding: &str) -> PyResult<Bound<'py, PyBytes>> {
        self.as_marc(py, encoding)
    }

    /// The occurrence number of the field's `$6` linkage (`"01"` in
    /// `880-01/(S`), or `None` without a `$6`.
    fn linkage_occurrence_num(&self, py: Python<'_>) -> PyResult<Option<String>> {
        let c = match self.now() {
            Now::View(v) => return v.linkage_occurrence_num(py),
            Now::Cell(c, _) => c,
        };
        let text = match lock(&c).subfield(b'6') {
            Some(v) if !v.is_empty() => String::from_utf8_lossy(v).into_owned(),
            _ => return Ok(None),
        };
        match text.split('-').nth(1) {
            Some(rest) => Ok(Some(rest.split('/').next().unwrap_or("").to_string())),
            None => Err(PyIndexError::new_err(format!(
                "$6 {text:?} has no occurrence number (no '-')"
            ))),
        }
    }

    /// Equal when they are the same field: views of the same place in an
    /// unchanged record (another reader of the same file, or a pickled copy,
    /// gives equal views; two identical fields of a record are not equal, so
    /// `fields.index(f)` finds `f` itself), or the same owned field (as
    /// pymarc's fields compare: by identity).
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<Field>() {
            Ok(o) => self.same(o.get()),
            Err(_) => false,
        }
    }

    fn __ne__(&self, other: &Bound<'_, PyAny>) -> bool {
        !self.__eq__(other)
    }

    fn __hash__(&self) -> u64 {
        match &self.link {
            Link::View(v) => v.__hash__(),
            Link::Cell { cell, .. } => Arc::as_ptr(cell) as usize as u64,
        }
    }

    /// Pickled by value: a view as its record's bytes and index; an owned
    /// field as `Field(tag, indicators, subfields, data)`.
    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        match self.now() {
            Now::View(v) => v.__reduce__(py),
            Now::Cell(c, text) => {
                let args = owned::constructor_args(py, &lock(&c), text)?;
                let cls = py.get_type::<Field>().into_any();
                Ok((cls, args))
            }
        }
    }
}
