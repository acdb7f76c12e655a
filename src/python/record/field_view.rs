//! A field of a record read from its file, while the record is unchanged:
//! read from the file's bytes, values decoded when asked for (`Field`'s
//! methods in `field.rs` come here until the record's first change).

use super::super::errors;
use super::super::raw::{self, RawBytes};
use super::super::shared::Place;
use super::super::types;
use super::Record;
use crate::subfield_code;
use crate::text::{Encoding, ValueAt};
use crate::{FieldRef, RecordRef, Subfield};
use pyo3::exceptions::PyKeyError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};
use std::hash::{Hash, Hasher};

/// A field of a record, read in place. `owner` is the record, which a change
/// turns into an owned one.
pub(crate) struct View {
    pub(crate) owner: Py<Record>,
    pub(crate) index: u32,
    tag: [u8; 3],
    /// Offset (in the record's file, as `Place::start`) and length of the
    /// field's bytes, without its terminator.
    start: usize,
    len: usize,
    encoding: Encoding,
}

/// A minimal valid record, for the never-taken fallback in [`Field::view`].
const MINIMAL_RECORD: &[u8] = b"00042nam a2200037 a 4500001000400000\x1e123\x1e\x1d";

/// Tags at 6XX that pymarc formats as subject headings.
const SUBJECT_SUBDIVISIONS: &[u8] = b"vxyz";

impl View {
    pub(crate) fn new(
        owner: Py<Record>,
        record: &Place,
        encoding: Encoding,
        field: &FieldRef<'_>,
    ) -> View {
        let start = record.start() + field.offset_in_record();
        View {
            owner,
            index: field.index() as u32,
            tag: *field.tag(),
            start,
            len: field.data().len(),
            encoding,
        }
    }

    /// Where the field is: its record's index and offset, its own index.
    pub(crate) fn place(&self) -> (u64, u64, u32) {
        (
            self.owner.get().place.index,
            self.owner.get().place.origin,
            self.index,
        )
    }

    /// The bytes of the record the field is in.
    pub(crate) fn record_bytes(&self) -> &[u8] {
        raw::slice(
            &self.owner.get().shared.file,
            self.owner.get().place.start(),
            self.owner.get().place.len(),
        )
    }

    pub(crate) fn data_bytes(&self) -> &[u8] {
        raw::slice(&self.owner.get().shared.file, self.start, self.len)
    }

    pub(crate) fn is_control(&self) -> bool {
        self.tag[0] == b'0' && self.tag[1] == b'0' && self.tag[2].is_ascii_digit()
    }

    pub(crate) fn tag_str(&self) -> &str {
        std::str::from_utf8(&self.tag).unwrap_or("???")
    }

    /// The field as a core view: field `index` of its record, re-read in O(1)
    /// from the record's handle.
    pub(crate) fn view(&self) -> FieldRef<'_> {
        self.owner
            .get()
            .shared
            .file
            .record_at(&self.owner.get().place.handle)
            .field(self.index as usize)
            .unwrap_or_else(|| {
                // Unreachable for a field of a validated record; a field of no
                // bytes is still memory-safe.
                RecordRef::parse(MINIMAL_RECORD)
                    .ok()
                    .and_then(|r| r.field(0))
                    .expect("the constant record is well-formed")
            })
    }

    /// Where `bytes`, a part of this field, sits: for decode errors.
    pub(crate) fn at(&self, bytes: &[u8]) -> ValueAt {
        ValueAt {
            record: Some(self.owner.get().place.index),
            record_offset: Some(self.owner.get().place.origin),
            field: Some(self.index),
            start_in_record: self
                .view()
                .offset_of(bytes)
                .unwrap_or(self.start - self.owner.get().place.start()),
        }
    }

    pub(crate) fn value_py<'py>(
        &self,
        py: Python<'py>,
        bytes: &[u8],
    ) -> PyResult<Bound<'py, PyAny>> {
        self.owner.get().shared.text.value_to_py(
            py,
            bytes,
            self.encoding,
            self.at(bytes),
            self.record_bytes(),
        )
    }

    /// The value as text, whatever `to_unicode` says (for `value()`, `str()` and friends).
    pub(crate) fn decoded(&self, py: Python<'_>, bytes: &[u8]) -> PyResult<String> {
        match self
            .owner
            .get()
            .shared
            .text
            .decode(bytes, self.encoding, self.at(bytes))
        {
            Ok(text) => Ok(text.into_owned()),
            Err(e) => Err(errors::to_py(py, e, self.record_bytes())),
        }
    }

    /// A subfield's code as pymarc gives it: the code byte, or for a non-ASCII code
    /// byte pymarc's normalisation (which may also move where the value starts).
    pub(crate) fn code_and_value<'a, 'py>(
        &self,
        py: Python<'py>,
        sf: &Subfield<'a>,
    ) -> PyResult<(Bound<'py, PyString>, &'a [u8])> {
        if sf.code.is_ascii() {
            return Ok((types::code_str(py, sf.code), sf.value));
        }
        let (code, value) = subfield_code::normalize(sf.code, sf.value);
        Ok((PyString::new(py, &code), value))
    }
}

impl View {
    /// The three-character tag.
    pub(crate) fn tag<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        types::tag_str(py, &self.tag)
    }

    /// A control field's value; `None` for a data field.
    pub(crate) fn data<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        if !self.is_control() {
            return Ok(None);
        }
        self.value_py(py, self.data_bytes()).map(Some)
    }

    /// `Indicators(first, second)`; `None` for a control field.
    pub(crate) fn indicators<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        if self.is_control() {
            return Ok(None);
        }
        let (a, b) = self.view().indicators();
        types::indicators(py, types::indicator_str(py, a), types::indicator_str(py, b)).map(Some)
    }

    pub(crate) fn indicator1<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        if self.is_control() {
            return PyString::new(py, "");
        }
        types::indicator_str(py, self.view().indicators().0)
    }

    pub(crate) fn indicator2<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        if self.is_control() {
            return PyString::new(py, "");
        }
        types::indicator_str(py, self.view().indicators().1)
    }

    /// The subfields, as `Subfield(code, value)` named tuples, in order.
    pub(crate) fn subfield_list<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for sf in self.view().subfields() {
            let (code, value) = self.code_and_value(py, &sf)?;
            list.append(types::subfield(py, code, self.value_py(py, value)?)?)?;
        }
        Ok(list)
    }

    /// The first value of subfield `code`; `KeyError` if there is none (or a control field).
    pub(crate) fn __getitem__<'py>(
        &self,
        py: Python<'py>,
        code: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        match self.first(py, code)? {
            Some(v) => Ok(v),
            None => Err(PyKeyError::new_err(code.to_string())),
        }
    }

    /// Whether `field[code]` would find a value: the same code matching as
    /// `first` (a non-ASCII code byte is normalised as pymarc does, so `"e"`
    /// can match 0xE8), without decoding the value.
    pub(crate) fn __contains__(&self, py: Python<'_>, code: &str) -> PyResult<bool> {
        Ok(self.find_value(py, code)?.is_some())
    }

    /// The values of the subfields whose code is one of `codes`, in field order.
    pub(crate) fn get_subfields<'py>(
        &self,
        py: Python<'py>,
        codes: Vec<String>,
    ) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for sf in self.view().subfields() {
            let (code, value) = self.code_and_value(py, &sf)?;
            let code_s = code.to_str()?;
            if codes.iter().any(|c| c == code_s) {
                list.append(self.value_py(py, value)?)?;
            }
        }
        Ok(list)
    }

    /// `{code: [values]}`.
    pub(crate) fn subfields_as_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for sf in self.view().subfields() {
            let (code, value) = self.code_and_value(py, &sf)?;
            let value = self.value_py(py, value)?;
            match dict.get_item(&code)? {
                Some(list) => list.cast_into::<PyList>()?.append(value)?,
                None => dict.set_item(code, PyList::new(py, [value])?)?,
            }
        }
        Ok(dict)
    }

    /// The data of a control field, or the subfield values joined by spaces (pymarc's `value()`).
    pub(crate) fn value(&self, py: Python<'_>) -> PyResult<String> {
        if self.is_control() {
            return self.decoded(py, self.data_bytes());
        }
        let mut parts = Vec::new();
        for sf in self.view().subfields() {
            let (_, value) = self.code_and_value(py, &sf)?;
            parts.push(self.decoded(py, value)?.trim().to_string());
        }
        Ok(parts.join(" "))
    }

    /// pymarc's `format_field()`: values with spaces, subject subdivisions after ` -- `,
    /// and `$6` left out.
    pub(crate) fn format_field(&self, py: Python<'_>) -> PyResult<String> {
        if self.is_control() {
            return self.decoded(py, self.data_bytes());
        }
        let subject = self.tag[0] == b'6';
        let mut out = String::new();
        for sf in self.view().subfields() {
            let (code, value) = self.code_and_value(py, &sf)?;
            let code = code.to_str()?;
            if code == "6" {
                continue;
            }
            let text = self.decoded(py, value)?;
            let is_subdivision =
                code.len() == 1 && SUBJECT_SUBDIVISIONS.contains(&code.as_bytes()[0]);
            if subject && is_subdivision {
                out.push_str(" -- ");
            } else {
                out.push(' ');
            }
            out.push_str(&text);
        }
        Ok(out.trim().to_string())
    }

    /// The field's bytes (without its terminator), a read-only memoryview into the file.
    pub(crate) fn raw<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        RawBytes::memoryview(py, &self.owner.get().shared.file, self.start, self.len)
    }

    pub(crate) fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.subfield_list(py)?.try_iter().map(|i| i.into_any())
    }

    /// pymarc's text form: `=245  10$aTitle`.
    pub(crate) fn __str__(&self, py: Python<'_>) -> PyResult<String> {
        if self.is_control() {
            return Ok(format!(
                "={}  {}",
                self.tag_str(),
                self.decoded(py, self.data_bytes())?.replace(' ', "\\")
            ));
        }
        let (a, b) = self.view().indicators();
        let mut out = format!("={}  ", self.tag_str());
        for i in [a, b] {
            out.push(if i == b' ' || i == b'\\' {
                '\\'
            } else {
                i as char
            });
        }
        for sf in self.view().subfields() {
            let (code, value) = self.code_and_value(py, &sf)?;
            out.push('$');
            out.push_str(code.to_str()?);
            out.push_str(&self.decoded(py, value)?);
        }
        Ok(out)
    }

    pub(crate) fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let text = self.__str__(py)?;
        Ok(format!("<Field {}>", PyString::new(py, &text).repr()?))
    }

    /// The field in ISO 2709, its terminator included: its text encoded in
    /// `encoding` (UTF-8 by default), as pymarc's `Field.as_marc(encoding)`; with
    /// `to_unicode=False`, its bytes as they are.
    pub(crate) fn as_marc<'py>(
        &self,
        py: Python<'py>,
        encoding: &str,
    ) -> PyResult<Bound<'py, PyBytes>> {
        if !self.owner.get().shared.text.to_unicode {
            let mut raw = self.data_bytes().to_vec();
            raw.push(crate::layout::FIELD_TERMINATOR);
            return Ok(PyBytes::new(py, &raw));
        }
        let text = self.marc_text(py)?;
        let encoded = PyString::new(py, &text).call_method1("encode", (encoding,))?;
        Ok(encoded.cast_into::<PyBytes>()?)
    }

    /// The occurrence number of the field's `$6` linkage (`"01"` in
    /// `880-01/(S`), or `None` without a `$6`.
    pub(crate) fn linkage_occurrence_num(&self, py: Python<'_>) -> PyResult<Option<String>> {
        let Some(value) = self.find_value(py, "6")? else {
            return Ok(None);
        };
        let text = self.decoded(py, value)?;
        if text.is_empty() {
            return Ok(None);
        }
        // pymarc's `ocn.split("-")[1].split("/")[0]`: a `$6` without a hyphen
        // raises IndexError there, and here (so that `except IndexError` still
        // catches it), saying why.
        match text.split('-').nth(1) {
            Some(rest) => Ok(Some(rest.split('/').next().unwrap_or("").to_string())),
            None => Err(pyo3::exceptions::PyIndexError::new_err(format!(
                "$6 {text:?} has no occurrence number (no '-')"
            ))),
        }
    }

    /// Equal when they are views of the same field: the same place (record
    /// index and offset, field index), the same bytes, read the same way.
    /// Another reader of the same file, and a pickled copy, give equal views;
    /// two identical fields of a record (a repeated 999, say) are not equal,
    /// so `fields.index(f)` finds `f` itself.
    pub(crate) fn same(&self, other: &View) -> bool {
        self.place() == other.place()
            && self.tag == other.tag
            && self.data_bytes() == other.data_bytes()
            && self.encoding == other.encoding
            && self.owner.get().shared.text.state() == other.owner.get().shared.text.state()
    }

    pub(crate) fn __hash__(&self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (self.place(), self.tag, self.data_bytes()).hash(&mut h);
        h.finish()
    }

    /// Pickled by value: the record's bytes, the field's index and the reader's
    /// text options; unpickled, a `Field` of a record that owns its bytes.
    pub(crate) fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let rebuild = py
            .import("marcmap._marcmap")?
            .getattr("_field_from_state")?;
        let args = (
            PyBytes::new(py, self.record_bytes()),
            self.owner.get().place.index,
            self.owner.get().place.origin,
            self.index,
            self.owner.get().shared.text.state(),
        )
            .into_pyobject(py)?;
        Ok((rebuild, args))
    }
}

impl View {
    /// The field as pymarc writes it before encoding: indicators, `$code`
    /// and value for each subfield, and the terminator; or a control field's
    /// data and the terminator.
    pub(crate) fn marc_text(&self, py: Python<'_>) -> PyResult<String> {
        let mut out = String::new();
        if self.is_control() {
            out.push_str(&self.decoded(py, self.data_bytes())?);
        } else {
            let (a, b) = self.view().indicators();
            out.push(a as char);
            out.push(b as char);
            for sf in self.view().subfields() {
                let (code, value) = self.code_and_value(py, &sf)?;
                out.push('\x1f');
                out.push_str(code.to_str()?);
                out.push_str(&self.decoded(py, value)?);
            }
        }
        out.push('\x1e');
        Ok(out)
    }

    /// The two indicator bytes (blanks for a missing one, as pymarc reads them).
    pub(crate) fn indicators_bytes(&self) -> (u8, u8) {
        self.view().indicators()
    }

    pub(crate) fn first<'py>(
        &self,
        py: Python<'py>,
        code: &str,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        match self.find_value(py, code)? {
            Some(value) => self.value_py(py, value).map(Some),
            None => Ok(None),
        }
    }

    /// The bytes of the first subfield whose code is `code`, undecoded. ASCII codes
    /// compare as bytes (no Python string is made); a non-ASCII code byte is
    /// normalised as pymarc does, so `"e"` can match 0xE8.
    pub(crate) fn find_value(&self, py: Python<'_>, code: &str) -> PyResult<Option<&[u8]>> {
        for sf in self.view().subfields() {
            if sf.code.is_ascii() {
                if code.as_bytes() == [sf.code] {
                    return Ok(Some(sf.value));
                }
                continue;
            }
            let (c, value) = self.code_and_value(py, &sf)?;
            if c.to_str()? == code {
                return Ok(Some(value));
            }
        }
        Ok(None)
    }
}
