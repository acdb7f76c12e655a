//! `marcmap.Record`: one record, as pymarc's.
//!
//! A record read from a file is a lazy view of its bytes until its first
//! change, which turns it into an owned record in place (copy on write,
//! `edited.rs`); `Record()` starts owned. Its fields are `Field`s
//! (`field.rs`), `record.fields` and `field.subfields` live lists
//! (`lists.rs`); the changes are in `edits.rs`. pymarc's derived properties
//! (`title`, `isbn`, ...) live in `properties.rs`; `as_xml()` and
//! `to_owned()` in `convert.rs`.

mod convert;
pub(crate) mod edited;
mod edits;
mod field;
mod field_cell;
mod field_view;
mod lists;
mod properties;

pub(crate) use field::Field;
pub(crate) use lists::{FieldList, SubfieldList};

use super::errors;
use super::raw::{self, RawBytes};
use super::shared::lock;
use super::shared::{Place, Shared};
use super::text::TextOptions;
use super::types;
use crate::text::Encoding;
use crate::{RecordHandle, RecordRef};
use edited::{Edited, Slot};
use field_view::View;
use pyo3::exceptions::{PyKeyError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

/// A record: the file it lives in, its index and its byte range. Validated when
/// made; fields are found and values decoded only when asked for.
#[pyclass(frozen, module = "marcmap._marcmap")]
pub(crate) struct Record {
    pub(crate) shared: Arc<Shared>,
    pub(crate) place: Place,
    encoding: OnceLock<Encoding>,
    /// The record once changed (or built in Python): then every accessor
    /// reads this, not the bytes.
    pub(crate) edits: OnceLock<Box<Mutex<Edited>>>,
}

static COMPAT: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// `marcmap._compat.<name>(record)`: conversions that need pymarc, kept in Python.
pub(crate) fn compat<'py>(
    py: Python<'py>,
    name: &str,
    record: (&Bound<'py, Record>,),
) -> PyResult<Bound<'py, PyAny>> {
    let module = COMPAT
        .get_or_try_init(py, || PyResult::Ok(py.import("marcmap._compat")?.unbind()))?
        .bind(py);
    module.getattr(name)?.call1(record)
}

impl Record {
    /// The record `handle` names (validated when it was made), whose text's
    /// encoding may be known already.
    pub(crate) fn new(
        shared: &Arc<Shared>,
        handle: RecordHandle,
        encoding: Option<Encoding>,
    ) -> Record {
        let index = handle.index();
        // Where the record is in the input (in a transcoded input, not where
        // its ISO 2709 bytes are).
        let origin = shared
            .file
            .input_position(index as usize)
            .map_or(handle.offset(), |p| p.offset);
        Record {
            shared: shared.clone(),
            place: Place {
                handle,
                index,
                origin,
            },
            encoding: encoding.map(OnceLock::from).unwrap_or_default(),
            edits: OnceLock::new(),
        }
    }

    /// The encoding of the record's values (decided once: with `detect_utf8` it
    /// reads the whole record).
    pub(crate) fn encoding_of(&self, record: &RecordRef<'_>) -> Encoding {
        *self
            .encoding
            .get_or_init(|| self.shared.text.decoder.encoding_of(record))
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        raw::slice(&self.shared.file, self.place.start(), self.place.len())
    }

    /// The record, re-read in O(1) (it was validated when this object was made).
    pub(crate) fn view(&self) -> RecordRef<'_> {
        self.shared
            .file
            .record_at(&self.place.handle)
            .located(self.place.index, self.place.origin)
    }

    /// The Python view of field `f` of `record`, the view of `slf`.
    pub(crate) fn field_object(
        slf: &Bound<'_, Self>,
        record: &RecordRef<'_>,
        f: &crate::FieldRef<'_>,
    ) -> Field {
        let this = slf.get();
        Field::view(View::new(
            slf.clone().unbind(),
            &this.place,
            this.encoding_of(record),
            f,
        ))
    }

    /// Whether the record's fields can stay its bytes when it is edited: each
    /// is written as the core's owned copy of it would be ([`edited::is_canonical`]),
    /// and, read as text, the record is read as UTF-8 and its bytes are valid
    /// UTF-8 (so decoding changes no value). Otherwise the record is decoded
    /// whole at its first change, as pymarc decodes it.
    fn reads_as_is(&self, view: &RecordRef<'_>) -> bool {
        if self.shared.text.to_unicode {
            if !matches!(
                self.encoding_of(view),
                Encoding::Utf8 | Encoding::DetectedUtf8
            ) {
                return false;
            }
            let bytes = view.as_bytes();
            let data = bytes
                .get(view.base_address()..bytes.len().saturating_sub(1))
                .unwrap_or_default();
            if simdutf8::basic::from_utf8(data).is_err() {
                return false;
            }
        }
        edited::all_canonical(view)
    }

    /// The record's changes, if it has been changed.
    pub(crate) fn edited(&self) -> Option<MutexGuard<'_, Edited>> {
        self.edits.get().map(|m| lock(m))
    }

    /// The record's changes, making them from its bytes at the first change:
    /// its values decoded to UTF-8 as pymarc decodes them (with
    /// `to_unicode=False`, its bytes as they are).
    pub(crate) fn edit(&self, py: Python<'_>) -> PyResult<MutexGuard<'_, Edited>> {
        if let Some(m) = self.edits.get() {
            return Ok(lock(m));
        }
        let view = self.view();
        let text = self.shared.text.to_unicode;
        let edited = if self.reads_as_is(&view) {
            Edited::read(*view.leader().as_bytes(), view.field_count(), text)
        } else {
            let owned = if text {
                crate::OwnedRecord::from_ref_utf8(&view, &self.shared.text.decoder)
            } else {
                Ok(crate::OwnedRecord::from_ref(&view))
            };
            let mut owned = owned.map_err(|e| errors::to_py(py, e, self.bytes()))?;
            // The leader stays as read (pymarc sets LDR/09 only when it writes).
            owned.leader = *view.leader().as_bytes();
            Edited::owned(owned, text)
        };
        let _ = self.edits.set(Box::new(Mutex::new(edited)));
        Ok(lock(self.edits.get().expect("set just above")))
    }

    /// A record that owns `bytes` (one whole record), read with `text`: what
    /// unpickling gives. It validates as the reader's default does.
    pub(crate) fn owning(
        bytes: Vec<u8>,
        index: u64,
        origin: u64,
        text: TextOptions,
    ) -> PyResult<Record> {
        let file = crate::MarcFile::from_bytes(bytes);
        let handle = match file.handle(0) {
            Ok(h) if file.len() == 1 => h,
            Ok(_) => return Err(PyValueError::new_err("the bytes hold more than one record")),
            Err(e) => return Err(PyValueError::new_err(format!("not a record: {e}"))),
        };
        Ok(Record {
            shared: Arc::new(Shared {
                file: file.clone(),
                text,
            }),
            place: Place {
                handle,
                index,
                origin,
            },
            encoding: OnceLock::new(),
            edits: OnceLock::new(),
        })
    }

    fn tag_bytes(tag: &str) -> Option<[u8; 3]> {
        tag.as_bytes().try_into().ok()
    }

    pub(crate) fn fields_matching<'py>(
        slf: &Bound<'py, Self>,
        keep: impl Fn(&[u8; 3]) -> bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let py = slf.py();
        let this = slf.get();
        let record = this.view();
        // The fields gathered first, so that the list is made at its size.
        let mut fields = Vec::with_capacity(record.field_count() + 2);
        if let Some(edited) = this.edited() {
            for slot in &edited.fields {
                match slot {
                    Slot::Read(i) => {
                        if let Some(f) = record.field(*i as usize).filter(|f| keep(f.tag())) {
                            fields.push(Self::field_object(slf, &record, &f));
                        }
                    }
                    Slot::Cell(c) => {
                        if keep(&lock(c).tag) {
                            fields.push(Field::of_cell(c.clone(), edited.text));
                        }
                    }
                }
            }
        } else {
            for f in record.fields() {
                if keep(f.tag()) {
                    fields.push(Self::field_object(slf, &record, &f));
                }
            }
        }
        PyList::new(py, fields)
    }

    /// The leader as a plain `str`.
    fn leader_str<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        if let Some(edited) = self.edited() {
            return PyString::new(py, &String::from_utf8_lossy(&edited.leader));
        }
        let leader = self.view().leader().as_bytes();
        PyString::new(py, std::str::from_utf8(leader).unwrap_or_default())
    }

    /// The first field with tag `tag`.
    pub(crate) fn find(slf: &Bound<'_, Self>, tag: &str) -> Option<Field> {
        let t = Self::tag_bytes(tag)?;
        let this = slf.get();
        let record = this.view();
        if let Some(edited) = this.edited() {
            let slot = edited
                .fields
                .iter()
                .find(|s| Edited::tag(s, &record) == t)?;
            return match slot {
                Slot::Read(i) => Some(Self::field_object(
                    slf,
                    &record,
                    &record.field(*i as usize)?,
                )),
                Slot::Cell(c) => Some(Field::of_cell(c.clone(), edited.text)),
            };
        }
        let f = record.first(&t)?;
        Some(Self::field_object(slf, &record, &f))
    }

    /// Field `index` of the record as read (for unpickling a field).
    pub(crate) fn field_at(slf: &Bound<'_, Self>, index: usize) -> Option<Field> {
        let record = slf.get().view();
        let f = record.field(index)?;
        Some(Self::field_object(slf, &record, &f))
    }

    /// The record as the core's `OwnedRecord` now, and the decoder of its
    /// values: for writers of an edited record.
    pub(crate) fn with_edited<R>(
        &self,
        f: impl FnOnce(&crate::OwnedRecord, &crate::text::TextDecoder, bool) -> R,
    ) -> Option<R> {
        let edited = self.edited()?;
        let decoder = if edited.text {
            super::text::utf8_decoder()
        } else {
            self.shared.text.decoder
        };
        let text = edited.text;
        Some(edited.with_record(&self.view(), |r| f(r, &decoder, text)))
    }

    /// Appends an edited record's ISO 2709 bytes to `out` (its text UTF-8, LDR/09
    /// `a`, with `to_unicode`): the fields no edit touched as the input's
    /// bytes. `None` for an unchanged record.
    pub(crate) fn write_edited(&self, out: &mut Vec<u8>) -> Option<crate::Result<bool>> {
        let edited = self.edited()?;
        let result = edited.write_iso2709(&self.view(), out);
        Some(result.map(|()| edited.text))
    }

    /// The record's index and offset in its file.
    pub(crate) fn index_and_origin(&self) -> (u64, u64) {
        (self.place.index, self.place.origin)
    }

    /// The record's ISO 2709 bytes now (an edited record's serialised).
    fn current_bytes(&self, py: Python<'_>) -> PyResult<Vec<u8>> {
        let mut out = Vec::new();
        match self.write_edited(&mut out) {
            Some(Ok(_)) => Ok(out),
            Some(Err(e)) => Err(errors::to_py(
                py,
                e.located(self.place.index, self.place.origin),
                &[],
            )),
            None => Ok(self.bytes().to_vec()),
        }
    }
}

#[pymethods]
impl Record {
    /// The leader: a `marcmap.Leader` with pymarc's names, bound to the
    /// record: `record.leader[5] = "c"` and `record.leader.record_status = "c"`
    /// change the record.
    #[getter]
    fn get_leader<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        types::bound_leader(py, slf.get().leader_str(py), slf.as_any())
    }

    /// Sets the leader (24 characters: a `str` or a `Leader`).
    #[setter]
    fn set_leader(&self, py: Python<'_>, leader: &Bound<'_, PyAny>) -> PyResult<()> {
        let leader = super::args::leader_arg(leader)?;
        self.edit(py)?.leader = leader;
        Ok(())
    }

    /// Every field, in order: a live list (`append`, `insert`, `remove`,
    /// `pop`, `sort`, slices, ... change the record).
    #[getter]
    fn get_fields(slf: &Bound<'_, Self>) -> FieldList {
        FieldList::new(slf.clone().unbind())
    }

    /// Replaces every field.
    #[setter]
    fn set_fields(slf: &Bound<'_, Self>, fields: &Bound<'_, PyAny>) -> PyResult<()> {
        edits::set_fields(slf, fields)
    }

    /// The first field with tag `tag`; `KeyError` when there is none.
    fn __getitem__(slf: &Bound<'_, Self>, tag: &Bound<'_, PyAny>) -> PyResult<Field> {
        let tag_str: &str = &tag
            .extract::<String>()
            .map_err(|_| PyTypeError::new_err("record[...] takes a tag string such as '245'"))?;
        Self::find(slf, tag_str).ok_or_else(|| PyKeyError::new_err(tag_str.to_string()))
    }

    /// The first field with tag `tag`, or `default`.
    #[pyo3(signature = (tag, default = None))]
    fn get<'py>(
        slf: &Bound<'py, Self>,
        tag: &str,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        match Self::find(slf, tag) {
            Some(f) => Ok(Some(Bound::new(slf.py(), f)?.into_any())),
            None => Ok(default),
        }
    }

    fn __contains__(&self, tag: &str) -> bool {
        let Some(t) = Self::tag_bytes(tag) else {
            return false;
        };
        let view = self.view();
        match self.edited() {
            Some(edited) => edited.fields.iter().any(|s| Edited::tag(s, &view) == t),
            None => view.first(&t).is_some(),
        }
    }

    /// The fields with any of `tags`, in order (a new list, as pymarc's);
    /// with no tag, the live `fields` list.
    #[pyo3(name = "get_fields", signature = (*tags))]
    fn get_fields_of<'py>(
        slf: &Bound<'py, Self>,
        tags: Vec<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if tags.is_empty() {
            return Ok(Bound::new(slf.py(), Self::get_fields(slf))?.into_any());
        }
        let wanted: Vec<[u8; 3]> = tags.iter().filter_map(|t| Self::tag_bytes(t)).collect();
        Ok(Self::fields_matching(slf, |t| wanted.contains(t))?.into_any())
    }

    fn __iter__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Ok(Self::fields_matching(slf, |_| true)?.try_iter()?.into_any())
    }

    /// Adds `fields` at the end (pymarc's `add_field`).
    #[pyo3(signature = (*fields))]
    fn add_field(slf: &Bound<'_, Self>, fields: &Bound<'_, PyTuple>) -> PyResult<()> {
        edits::add_fields(slf, fields, edits::At::End)
    }

    /// Adds `fields` in tag order, each before the first field with a greater
    /// (or non-numeric) tag (pymarc's `add_ordered_field`).
    #[pyo3(signature = (*fields))]
    fn add_ordered_field(slf: &Bound<'_, Self>, fields: &Bound<'_, PyTuple>) -> PyResult<()> {
        edits::add_fields(slf, fields, edits::At::Ordered)
    }

    /// Adds `fields` after the last field of their hundred (pymarc's
    /// `add_grouped_field`: 650 goes before the first 7XX).
    #[pyo3(signature = (*fields))]
    fn add_grouped_field(slf: &Bound<'_, Self>, fields: &Bound<'_, PyTuple>) -> PyResult<()> {
        edits::add_fields(slf, fields, edits::At::Grouped)
    }

    /// Removes `fields` (`FieldNotFound` for one the record does not have).
    #[pyo3(signature = (*fields))]
    fn remove_field(slf: &Bound<'_, Self>, fields: &Bound<'_, PyTuple>) -> PyResult<()> {
        edits::remove_fields(slf, fields)
    }

    /// Removes every field with one of `tags`.
    #[pyo3(signature = (*tags))]
    fn remove_fields(&self, py: Python<'_>, tags: Vec<String>) -> PyResult<()> {
        if tags.is_empty() {
            return Ok(());
        }
        let wanted: Vec<[u8; 3]> = tags.iter().filter_map(|t| Self::tag_bytes(t)).collect();
        if self.edited().is_none() {
            // Unchanged when none of them is there: no copy.
            let view = self.view();
            if !view.fields().any(|f| wanted.contains(f.tag())) {
                return Ok(());
            }
        }
        let view = self.view();
        self.edit(py)?
            .fields
            .retain(|s| !wanted.contains(&Edited::tag(s, &view)));
        Ok(())
    }

    /// The record in ISO 2709, as pymarc's `as_marc()` writes it: with text
    /// values (`to_unicode=True`, the default), every value decoded and written
    /// as UTF-8, LDR/09 set to `a`, and the leader's length and base address and
    /// the directory computed; with `to_unicode=False`, the bytes as they are,
    /// re-framed. `raw` gives the record's bytes as they are in the file.
    fn as_marc<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        if self.edits.get().is_some() {
            return Ok(PyBytes::new(py, &self.current_bytes(py)?));
        }
        let record = self.view();
        let owned = if self.shared.text.to_unicode {
            crate::OwnedRecord::from_ref_utf8(&record, &self.shared.text.decoder)
        } else {
            Ok(crate::OwnedRecord::from_ref(&record))
        };
        // A value that grows past ISO 2709's limits as UTF-8 is an error (pymarc
        // writes a malformed leader); it names the record like any other.
        match owned.and_then(|o| o.to_iso2709()) {
            Ok(bytes) => Ok(PyBytes::new(py, &bytes)),
            Err(e) => {
                // Decode errors already name it; serialiser errors do not.
                let e = match e.position().record {
                    Some(_) => e,
                    None => e.located(self.place.index, self.place.origin),
                };
                Err(errors::to_py(py, e, self.bytes()))
            }
        }
    }

    /// pymarc's old name for `as_marc()`.
    fn as_marc21<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        self.as_marc(py)
    }

    /// The 880 fields linked to `field` by its `$6` occurrence number, as
    /// pymarc's `get_linked_fields`; `MissingLinkedFields` if it has a `$6` and
    /// no 880 answers it.
    fn get_linked_fields<'py>(
        slf: &Bound<'py, Self>,
        field: &Bound<'py, Field>,
    ) -> PyResult<Bound<'py, PyList>> {
        let py = slf.py();
        let num = field.call_method0("linkage_occurrence_num")?;
        let linked = PyList::empty(py);
        for f in Self::fields_matching(slf, |t| t == b"880")?.iter() {
            if f.call_method0("linkage_occurrence_num")?.eq(&num)? {
                linked.append(f)?;
            }
        }
        if !num.is_none() && linked.is_empty() {
            let cls = errors::class(py, "MissingLinkedFields")?;
            return Err(PyErr::from_value(cls.call1((field,))?));
        }
        Ok(linked)
    }

    /// Equal when they are views of the same unchanged record: the same index
    /// and offset, the same bytes, read the same way (another reader of the
    /// same file, or a pickled copy). Two identical records elsewhere in a
    /// file are not equal. A changed record (or one built with `Record()`) is
    /// equal only to itself, as pymarc's records.
    fn __eq__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> bool {
        let Ok(other) = other.cast::<Record>() else {
            return false;
        };
        if slf.is(other) {
            return true;
        }
        let (this, other) = (slf.get(), other.get());
        if this.edits.get().is_some() || other.edits.get().is_some() {
            return false;
        }
        (this.place.index, this.place.origin) == (other.place.index, other.place.origin)
            && this.bytes() == other.bytes()
            && this.shared.text.state() == other.shared.text.state()
    }

    fn __ne__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> bool {
        !Self::__eq__(slf, other)
    }

    fn __hash__(&self) -> u64 {
        // Not the bytes: a record's hash must not change when it is edited.
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (self.place.index, self.place.origin).hash(&mut h);
        h.finish()
    }

    /// Pickled by value: its bytes (an edited record's, serialised), its
    /// index and offset, and how to read them; unpickled, a `Record` that
    /// owns its bytes (and can be edited), for multiprocessing, Dask bags,
    /// caches and `copy.deepcopy`.
    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let rebuild = py
            .import("marcmap._marcmap")?
            .getattr("_record_from_state")?;
        let state = match self.edited().map(|e| e.text) {
            // Serialised as UTF-8 (LDR/09 `a`): read back as UTF-8.
            Some(true) => super::text::TextOptions {
                to_unicode: true,
                decoder: super::text::utf8_decoder(),
            }
            .state(),
            _ => self.shared.text.state(),
        };
        let args = (
            PyBytes::new(py, &self.current_bytes(py)?),
            self.place.index,
            self.place.origin,
            state,
        )
            .into_pyobject(py)?;
        Ok((rebuild, args))
    }

    /// The record's bytes, a read-only memoryview into the file: no copy
    /// (an edited record's bytes are serialised).
    #[getter]
    fn raw<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        if self.edits.get().is_some() {
            let bytes = PyBytes::new(py, &self.current_bytes(py)?);
            return Ok(pyo3::types::PyMemoryView::from(&bytes.into_any())?.into_any());
        }
        RawBytes::memoryview(py, &self.shared.file, self.place.start(), self.place.len())
    }

    /// How the record's text is decoded: `"utf-8"` (LDR/09 `a` or `force_utf8`),
    /// `"utf-8-detected"` (labelled MARC-8, holding UTF-8, read with
    /// `detect_utf8=True`), `"marc-8"`, or a legacy `file_encoding`'s name.
    /// An edited record's text is `"utf-8"`.
    #[getter]
    fn encoding(&self) -> String {
        if self.edited().is_some_and(|e| e.text) {
            return "utf-8".into();
        }
        self.encoding_of(&self.view()).name().into_owned()
    }

    /// The record's index in the file.
    #[getter]
    fn index(&self) -> u64 {
        self.place.index
    }

    /// The record's byte offset in the file.
    #[getter]
    fn offset(&self) -> u64 {
        self.place.origin
    }

    /// What validation repaired to read this record, as `RepairWarning`s (empty
    /// for a clean record): see `validation=` of `MARCReader`.
    #[getter]
    fn repairs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        let cls = errors::class(py, "RepairWarning")?;
        let (index, origin) = (self.place.index, self.place.origin);
        for r in self.view().repairs() {
            let message = format!("record {index} (byte {origin}): {r}");
            let byte = origin + r.byte as u64;
            list.append(cls.call1((message, index, byte, r.field))?)?;
        }
        Ok(list)
    }

    /// MARC-in-JSON as a dict, as pymarc's `as_dict()`.
    fn as_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        let py = slf.py();
        let fields = PyList::empty(py);
        for field in Self::fields_matching(slf, |_| true)?.iter() {
            let entry = PyDict::new(py);
            let tag = field.getattr("tag")?;
            if field.getattr("control_field")?.is_truthy()? {
                entry.set_item(tag, field.getattr("data")?)?;
            } else {
                let body = PyDict::new(py);
                body.set_item("ind1", field.getattr("indicator1")?)?;
                body.set_item("ind2", field.getattr("indicator2")?)?;
                let subfields = PyList::empty(py);
                for sf in field.getattr("subfields")?.try_iter()? {
                    let sf = sf?;
                    let one = PyDict::new(py);
                    one.set_item(sf.get_item(0)?, sf.get_item(1)?)?;
                    subfields.append(one)?;
                }
                body.set_item("subfields", subfields)?;
                entry.set_item(tag, body)?;
            }
            fields.append(entry)?;
        }
        let out = PyDict::new(py);
        out.set_item("leader", slf.get().leader_str(py))?;
        out.set_item("fields", fields)?;
        Ok(out)
    }

    /// MARC-in-JSON text, as pymarc's `as_json()`; keyword arguments go to `json.dumps`.
    /// JSON is text: with `to_unicode=False` the `bytes` values are decoded as
    /// UTF-8, bad bytes replaced (unless the caller passes its own `default`).
    #[pyo3(signature = (**kwargs))]
    fn as_json<'py>(
        slf: &Bound<'py, Self>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let dict = Self::as_dict(slf)?;
        let kwargs = match kwargs {
            Some(k) => k.copy()?,
            None => PyDict::new(py),
        };
        if !kwargs.contains("default")? {
            kwargs.set_item("default", compat(py, "json_default", (slf,))?)?;
        }
        let json = py.import("json")?;
        json.getattr("dumps")?.call((dict,), Some(&kwargs))
    }

    /// An equal, editable `pymarc.Record` (pymarc must be installed).
    fn to_pymarc<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        compat(slf.py(), "to_pymarc", (slf,))
    }

    /// pymarc's text form: `=LDR  ...` then one line a field.
    fn __str__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let py = slf.py();
        let this = slf.get();
        let mut out = format!("=LDR  {}\n", this.leader_str(py).to_str()?);
        for f in Self::fields_matching(slf, |_| true)?.iter() {
            out.push_str(&f.str()?.to_string());
            out.push('\n');
        }
        Ok(out)
    }

    fn __repr__(&self) -> String {
        let view = self.view();
        let cn = match self.edited() {
            Some(edited) => edited.fields.iter().find_map(|s| match s {
                Slot::Read(i) => view
                    .field(*i as usize)
                    .filter(|f| f.tag() == b"001")
                    .map(|f| String::from_utf8_lossy(f.data()).trim().to_string()),
                Slot::Cell(c) => {
                    let f = lock(c);
                    match &f.body {
                        crate::FieldBody::Control(d) if &f.tag == b"001" => {
                            Some(String::from_utf8_lossy(d).trim().to_string())
                        }
                        _ => None,
                    }
                }
            }),
            None => view
                .control_number()
                .map(|c| String::from_utf8_lossy(c).trim().to_string()),
        };
        let (index, origin) = (self.place.index, self.place.origin);
        match cn {
            Some(cn) => format!("<Record {index} at byte {origin}: 001 {cn:?}>"),
            None => format!("<Record {index} at byte {origin}>"),
        }
    }
}

#[pymethods]
impl Record {
    /// `Record(data=b"", fields=None, to_unicode=True, force_utf8=False,
    /// hide_utf8_warnings=False, utf8_handling="strict", leader=" " * 24,
    /// file_encoding="iso8859-1")`, as pymarc's: a record from one record's
    /// ISO 2709 bytes, or a new one (with `fields`, and `leader` given `22` at
    /// 10-11 and `4500` at 20-23, as pymarc sets them).
    #[new]
    #[pyo3(signature = (
        data = None,
        fields = None,
        to_unicode = true,
        force_utf8 = false,
        hide_utf8_warnings = false,
        utf8_handling = "strict",
        leader = None,
        file_encoding = "iso8859-1",
    ))]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        py: Python<'_>,
        data: Option<&Bound<'_, PyAny>>,
        fields: Option<&Bound<'_, PyAny>>,
        to_unicode: bool,
        force_utf8: bool,
        hide_utf8_warnings: bool,
        utf8_handling: &str,
        leader: Option<&Bound<'_, PyAny>>,
        file_encoding: &str,
    ) -> PyResult<Record> {
        let _ = hide_utf8_warnings; // marcmap prints no warnings while reading
        Record::new_record(
            py,
            edits::NewRecord {
                data,
                fields,
                to_unicode,
                force_utf8,
                utf8_handling,
                leader,
                file_encoding,
            },
        )
    }
}
