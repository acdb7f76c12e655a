//! A record's changes, as pymarc's: adding fields (at the end, in tag order,
//! grouped), removing them, replacing them all; and `Record(...)` itself.
//!
//! Every change goes through [`Record::edit`], which turns a record read from a
//! file into an owned one at its first change (copy on write).

use super::super::args::field_from_object;
use super::super::errors;
use super::super::shared::{Place, Shared};
use super::super::text::{self, TextOptions};
use super::edited::{cell, Edited, FieldCell, Slot};
use super::field::Field;
use super::Record;
use crate::{MarcFile, OwnedRecord};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};
use std::sync::{Arc, Mutex, OnceLock};

/// Where `add_*_field` puts a field.
pub(crate) enum At {
    End,
    Ordered,
    Grouped,
}

/// The owned field a Python object stands for: a marcmap `Field`'s own (the
/// same field, as pymarc shares field objects), or a copy of any object
/// shaped like a pymarc `Field`.
fn cell_of(py: Python<'_>, item: &Bound<'_, PyAny>) -> PyResult<Arc<FieldCell>> {
    if let Ok(f) = item.cast::<Field>() {
        return Ok(f.get().cell(py)?.0);
    }
    if item.hasattr("tag")? && (item.hasattr("subfields")? || item.hasattr("data")?) {
        return Ok(cell(field_from_object(item)?));
    }
    Err(PyTypeError::new_err(format!(
        "a record's fields are Field objects, not {}",
        item.get_type().name()?
    )))
}

/// The slot `item` takes in `record` (which has been edited): a field of the
/// record as read, still its bytes, stays so; any other is a cell.
fn slot_of(py: Python<'_>, record: &Bound<'_, Record>, item: &Bound<'_, PyAny>) -> PyResult<Slot> {
    if let Ok(f) = item.cast::<Field>() {
        if let Some(i) = f.get().read_index_in(record) {
            return Ok(Slot::Read(i));
        }
    }
    Ok(Slot::Cell(cell_of(py, item)?))
}

/// `record.fields = [...]` (and every change of the live `record.fields`).
pub(crate) fn set_fields(slf: &Bound<'_, Record>, fields: &Bound<'_, PyAny>) -> PyResult<()> {
    let py = slf.py();
    drop(slf.get().edit(py)?);
    let slots = fields
        .try_iter()?
        .map(|item| slot_of(py, slf, &item?))
        .collect::<PyResult<Vec<_>>>()?;
    slf.get().edit(py)?.fields = slots;
    Ok(())
}

/// `add_field`, `add_ordered_field`, `add_grouped_field`.
pub(crate) fn add_fields(
    slf: &Bound<'_, Record>,
    fields: &Bound<'_, PyTuple>,
    at: At,
) -> PyResult<()> {
    let py = slf.py();
    let this = slf.get();
    drop(this.edit(py)?);
    // Resolved before the record is locked: a field of another record, still
    // a view, turns that record into an edited one on the way.
    let slots = fields
        .iter()
        .map(|item| slot_of(py, slf, &item))
        .collect::<PyResult<Vec<_>>>()?;
    let view = this.view();
    let mut edited = this.edit(py)?;
    for slot in slots {
        let tag = Edited::tag(&slot, &view);
        let pos = match at {
            At::End => edited.fields.len(),
            At::Ordered => edited.ordered_position(&tag, false, &view),
            At::Grouped => edited.ordered_position(&tag, true, &view),
        };
        edited.fields.insert(pos, slot);
    }
    Ok(())
}

/// `remove_field(*fields)`: each must be in the record (`FieldNotFound`).
pub(crate) fn remove_fields(slf: &Bound<'_, Record>, fields: &Bound<'_, PyTuple>) -> PyResult<()> {
    let py = slf.py();
    let this = slf.get();
    drop(this.edit(py)?);
    for item in fields.iter() {
        let found = match item.cast::<Field>() {
            Ok(f) => {
                let slot = slot_of(py, slf, &item)?;
                let _ = f;
                let mut edited = this.edit(py)?;
                let at = edited.fields.iter().position(|s| match (s, &slot) {
                    (Slot::Read(a), Slot::Read(b)) => a == b,
                    (Slot::Cell(a), Slot::Cell(b)) => Arc::ptr_eq(a, b),
                    _ => false,
                });
                match at {
                    Some(i) => {
                        edited.fields.remove(i);
                        true
                    }
                    None => false,
                }
            }
            Err(_) => false,
        };
        if !found {
            let cls = errors::class(py, "FieldNotFound")?;
            let message = format!("the record has no such field: {}", item.str()?);
            return Err(PyErr::from_value(cls.call1((message,))?));
        }
    }
    Ok(())
}

/// A one-field record: what a `Record()` (which never reads it) stands on.
const PLACEHOLDER: &[u8] = b"00042nam a2200037 a 4500001000400000\x1e123\x1e\x1d";

fn placeholder() -> (Arc<Shared>, Place) {
    static EMPTY: OnceLock<(Arc<Shared>, Place)> = OnceLock::new();
    EMPTY
        .get_or_init(|| {
            let file = MarcFile::from_bytes(PLACEHOLDER.to_vec());
            let handle = file
                .handle(0)
                .expect("the placeholder record is well-formed");
            let shared = Arc::new(Shared {
                file,
                text: TextOptions {
                    to_unicode: true,
                    decoder: text::utf8_decoder(),
                },
            });
            let place = Place {
                handle,
                index: 0,
                origin: 0,
            };
            (shared, place)
        })
        .clone()
}

/// The arguments of `Record(...)`, as pymarc's.
pub(crate) struct NewRecord<'a, 'py> {
    pub data: Option<&'a Bound<'py, PyAny>>,
    pub fields: Option<&'a Bound<'py, PyAny>>,
    pub to_unicode: bool,
    pub force_utf8: bool,
    pub utf8_handling: &'a str,
    pub leader: Option<&'a Bound<'py, PyAny>>,
    pub file_encoding: &'a str,
}

impl Record {
    /// `Record(...)`: from `data` (one record's ISO 2709 bytes, read as a
    /// reader would, still a view until changed), or new and owned, with
    /// `fields` and `leader`.
    pub(crate) fn new_record(py: Python<'_>, a: NewRecord<'_, '_>) -> PyResult<Record> {
        if let Some(data) = a.data.filter(|d| d.len().unwrap_or(0) > 0) {
            let Ok(bytes) = data.cast::<PyBytes>() else {
                return Err(PyTypeError::new_err(
                    "Record(data=...) takes one record's ISO 2709 bytes",
                ));
            };
            return Self::from_data(py, bytes.as_bytes().to_vec(), &a);
        }
        let mut leader = match a.leader {
            Some(l) if !l.is_none() => {
                let text = l.str()?.to_str()?.to_string();
                fixed_leader(&text)?
            }
            _ => fixed_leader(&" ".repeat(24))?,
        };
        let mut owned = OwnedRecord::new(leader);
        if a.force_utf8 && a.fields.is_none_or(|f| f.is_none()) {
            leader[9] = b'a';
            owned.leader = leader;
        }
        let cells = match a.fields.filter(|f| !f.is_none()) {
            Some(fields) => fields
                .try_iter()?
                .map(|item| cell_of(py, &item?))
                .collect::<PyResult<Vec<_>>>()?,
            None => Vec::new(),
        };
        let mut edited = Edited::owned(owned, a.to_unicode);
        edited.fields = cells.into_iter().map(Slot::Cell).collect();
        let (shared, place) = placeholder();
        Ok(Record {
            shared,
            place,
            encoding: OnceLock::new(),
            edits: OnceLock::from(Box::new(Mutex::new(edited))),
        })
    }

    fn from_data(py: Python<'_>, bytes: Vec<u8>, a: &NewRecord<'_, '_>) -> PyResult<Record> {
        let file_encoding = text::resolve_file_encoding(py, a.file_encoding)?;
        let force_utf8 = a.force_utf8 || file_encoding == crate::text::Encoding::Utf8;
        let decoder = text::decoder("strict", "NFC", "lc")?
            .marc8_errors(crate::ErrorHandling::Replace)
            .errors(text::parse_handling(a.utf8_handling)?)
            .force_utf8(force_utf8)
            .file_encoding(Some(file_encoding).filter(|e| *e != crate::text::Encoding::Utf8));
        let options = TextOptions {
            to_unicode: a.to_unicode,
            decoder,
        };
        // One record, read strictly (as pymarc's decode_marc): a framing or
        // structure error is raised under its pymarc name; fewer bytes than
        // the leader's length is pymarc's TruncatedRecord.
        let declared = std::str::from_utf8(bytes.get(..5).unwrap_or_default())
            .ok()
            .and_then(|s| s.parse::<usize>().ok());
        if let Some(declared) = declared.filter(|&d| bytes.len() < d) {
            let cls = errors::class(py, "TruncatedRecord")?;
            let message = format!(
                "the leader gives the record {declared} bytes; the data has {}",
                bytes.len()
            );
            return Err(PyErr::from_value(cls.call1((message,))?));
        }
        if let Err(e) = crate::RecordRef::parse(&bytes) {
            return Err(errors::to_py(py, e, &bytes));
        }
        let file = MarcFile::from_bytes(bytes);
        let handle = file
            .handle(0)
            .map_err(|e| errors::to_py(py, e, &file.bytes()[..file.bytes().len().min(64)]))?;
        if file.len() != 1 {
            return Err(PyValueError::new_err(
                "Record(data=...) takes one record; the bytes hold more",
            ));
        }
        let shared = Arc::new(Shared {
            file,
            text: options,
        });
        Ok(Record::new(&shared, handle, None))
    }
}

/// pymarc's `leader[0:10] + "22" + leader[12:20] + "4500"`, which must come to
/// 24 ASCII characters.
fn fixed_leader(given: &str) -> PyResult<[u8; 24]> {
    let chars: Vec<char> = given.chars().collect();
    // Python's slicing: a range past the end is cut short.
    let part = |a: usize, b: usize| -> String {
        chars
            .get(a.min(chars.len())..b.min(chars.len()))
            .unwrap_or_default()
            .iter()
            .collect()
    };
    let fixed = format!("{}22{}4500", part(0, 10), part(12, 20));
    fixed
        .as_bytes()
        .try_into()
        .ok()
        .filter(|l: &[u8; 24]| l.is_ascii())
        .ok_or_else(|| {
            PyValueError::new_err(format!("a leader is 24 ASCII characters, not {given:?}"))
        })
}
