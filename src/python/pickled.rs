//! Unpickling records and fields: each becomes a view of a record that owns its
//! bytes (a one-record file in memory), read with the pickled text options.

use super::record::Field;
use super::record::Record;
use super::text::{TextOptions, TextState};
use pyo3::exceptions::PyIndexError;
use pyo3::prelude::*;

/// A `Record` from `Record.__reduce__`'s state.
#[pyfunction]
pub(crate) fn _record_from_state(
    py: Python<'_>,
    bytes: Vec<u8>,
    index: u64,
    offset: u64,
    state: TextState,
) -> PyResult<Record> {
    Record::owning(bytes, index, offset, TextOptions::from_state(py, state)?)
}

/// A `Field` from `Field.__reduce__`'s state: field `field` of the record.
#[pyfunction]
pub(crate) fn _field_from_state(
    py: Python<'_>,
    bytes: Vec<u8>,
    index: u64,
    offset: u64,
    field: u32,
    state: TextState,
) -> PyResult<Field> {
    let record = Record::owning(bytes, index, offset, TextOptions::from_state(py, state)?)?;
    let record = Bound::new(py, record)?;
    Record::field_at(&record, field as usize)
        .ok_or_else(|| PyIndexError::new_err(format!("the record has no field {field}")))
}
