//! `marcmap.Record`: a lazy, read-only view of one record in the file.
//!
//! pymarc's derived properties (`title`, `isbn`, ...) live in `properties.rs`;
//! `as_xml()` and `to_owned()` in `convert.rs`.

mod convert;
mod properties;

use super::errors;
use super::field::Field;
use super::raw::{self, RawBytes};
use super::shared::{Place, Shared};
use super::text::TextOptions;
use super::types;
use crate::text::Encoding;
use crate::{RecordHandle, RecordRef};
use pyo3::exceptions::{PyKeyError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

/// A record: the file it lives in, its index and its byte range. Validated when
/// made; fields are found and values decoded only when asked for.
#[pyclass(frozen, module = "marcmap._marcmap")]
pub(crate) struct Record {
    pub(crate) shared: Arc<Shared>,
    pub(crate) place: Place,
    encoding: OnceLock<Encoding>,
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

    /// The Python view of field `f` of `record`.
    pub(crate) fn field_object(&self, record: &RecordRef<'_>, f: &crate::FieldRef<'_>) -> Field {
        Field::new(
            &self.shared,
            self.place.clone(),
            self.encoding_of(record),
            f,
        )
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
        })
    }

    fn tag_bytes(tag: &str) -> Option<[u8; 3]> {
        tag.as_bytes().try_into().ok()
    }

    pub(crate) fn fields_matching<'py>(
        &self,
        py: Python<'py>,
        keep: impl Fn(&[u8; 3]) -> bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let record = self.view();
        let list = PyList::empty(py);
        for f in record.fields() {
            if keep(f.tag()) {
                list.append(self.field_object(&record, &f))?;
            }
        }
        Ok(list)
    }

    /// The leader as a plain `str`.
    fn leader_str<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        let leader = self.view().leader().as_bytes();
        PyString::new(py, std::str::from_utf8(leader).unwrap_or_default())
    }

    /// The first field with tag `tag`.
    pub(crate) fn find(&self, tag: &str) -> Option<Field> {
        let t = Self::tag_bytes(tag)?;
        let record = self.view();
        let f = record.first(&t)?;
        Some(self.field_object(&record, &f))
    }
}

#[pymethods]
impl Record {
    /// The leader: a `marcmap.Leader`, a 24-character `str` with pymarc's
    /// `Leader` names (`record_status`, `type_of_record`, `coding_scheme`, ...).
    #[getter]
    fn leader<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        types::leader(py, self.leader_str(py))
    }

    /// Every field, in directory order.
    #[getter(fields)]
    fn field_list<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        self.fields_matching(py, |_| true)
    }

    /// The first field with tag `tag`; `KeyError` when there is none.
    fn __getitem__(&self, tag: &Bound<'_, PyAny>) -> PyResult<Field> {
        let tag_str: &str = &tag
            .extract::<String>()
            .map_err(|_| PyTypeError::new_err("record[...] takes a tag string such as '245'"))?;
        self.find(tag_str)
            .ok_or_else(|| PyKeyError::new_err(tag_str.to_string()))
    }

    /// The first field with tag `tag`, or `default`.
    #[pyo3(signature = (tag, default = None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        tag: &str,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        match self.find(tag) {
            Some(f) => Ok(Some(Bound::new(py, f)?.into_any())),
            None => Ok(default),
        }
    }

    fn __contains__(&self, tag: &str) -> bool {
        match Self::tag_bytes(tag) {
            Some(t) => self.view().first(&t).is_some(),
            None => false,
        }
    }

    /// The fields with any of `tags`, in directory order; every field when none is given.
    #[pyo3(signature = (*tags))]
    fn get_fields<'py>(&self, py: Python<'py>, tags: Vec<String>) -> PyResult<Bound<'py, PyList>> {
        if tags.is_empty() {
            return self.fields_matching(py, |_| true);
        }
        let wanted: Vec<[u8; 3]> = tags.iter().filter_map(|t| Self::tag_bytes(t)).collect();
        self.fields_matching(py, |t| wanted.contains(t))
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.field_list(py)?.try_iter()?.into_any())
    }

    /// The record in ISO 2709, as pymarc's `as_marc()` writes it: with text
    /// values (`to_unicode=True`, the default), every value decoded and written
    /// as UTF-8, LDR/09 set to `a`, and the leader's length and base address and
    /// the directory computed; with `to_unicode=False`, the bytes as they are,
    /// re-framed. `raw` gives the record's bytes as they are in the file.
    fn as_marc<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
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
        &self,
        py: Python<'py>,
        field: &Bound<'py, Field>,
    ) -> PyResult<Bound<'py, PyList>> {
        let num = field.call_method0("linkage_occurrence_num")?;
        let linked = PyList::empty(py);
        for f in self.fields_matching(py, |t| t == b"880")?.iter() {
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

    /// Equal when they are views of the same record: the same index and
    /// offset, the same bytes, read the same way (another reader of the same
    /// file, or a pickled copy). Two identical records elsewhere in a file are
    /// not equal.
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        let Ok(other) = other.cast::<Record>() else {
            return false;
        };
        let other = other.get();
        (self.place.index, self.place.origin) == (other.place.index, other.place.origin)
            && self.bytes() == other.bytes()
            && self.shared.text.state() == other.shared.text.state()
    }

    fn __hash__(&self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (self.place.index, self.place.origin, self.bytes()).hash(&mut h);
        h.finish()
    }

    /// Pickled by value: its bytes, its index and offset, and the reader's text
    /// options; unpickled, a `Record` that owns its bytes, for multiprocessing,
    /// Dask bags and caches.
    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let rebuild = py
            .import("marcmap._marcmap")?
            .getattr("_record_from_state")?;
        let args = (
            PyBytes::new(py, self.bytes()),
            self.place.index,
            self.place.origin,
            self.shared.text.state(),
        )
            .into_pyobject(py)?;
        Ok((rebuild, args))
    }

    /// The record's bytes, a read-only memoryview into the file: no copy.
    #[getter]
    fn raw<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        RawBytes::memoryview(py, &self.shared.file, self.place.start(), self.place.len())
    }

    /// How the record's text is decoded: `"utf-8"` (LDR/09 `a` or `force_utf8`),
    /// `"utf-8-detected"` (labelled MARC-8, holding UTF-8, read with
    /// `detect_utf8=True`), `"marc-8"`, or a legacy `file_encoding`'s name.
    #[getter]
    fn encoding(&self) -> String {
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
    fn as_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let fields = PyList::empty(py);
        let record = self.view();
        for f in record.fields() {
            let field = Bound::new(py, self.field_object(&record, &f))?;
            let entry = PyDict::new(py);
            let tag = field.getattr("tag")?;
            if f.is_control() {
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
        out.set_item("leader", self.leader_str(py))?;
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
        let dict = slf.get().as_dict(py)?;
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
        let record = this.view();
        for f in record.fields() {
            out.push_str(
                &Bound::new(py, this.field_object(&record, &f))?
                    .str()?
                    .to_string(),
            );
            out.push('\n');
        }
        Ok(out)
    }

    fn __repr__(&self) -> String {
        let cn = self
            .view()
            .control_number()
            .map(|c| String::from_utf8_lossy(c).trim().to_string());
        let (index, origin) = (self.place.index, self.place.origin);
        match cn {
            Some(cn) => format!("<Record {index} at byte {origin}: 001 {cn:?}>"),
            None => format!("<Record {index} at byte {origin}>"),
        }
    }
}
