//! The live lists: `record.fields` ([`FieldList`]) and `field.subfields`
//! ([`SubfieldList`]). Each reads its record's or field's state when used and
//! writes every change back, so a change is never lost: each operation is
//! Python's own `list` operation, done on a copy and stored.

use super::field::Field;
use super::Record;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// The methods of a live list over `snapshot()` and `store(list)`.
macro_rules! live_list {
    ($ty:ty) => {
        impl $ty {
            /// Runs `op` on a copy of the list, then stores the copy.
            fn apply<'py, R>(
                &self,
                py: Python<'py>,
                op: impl FnOnce(&Bound<'py, PyList>) -> PyResult<R>,
            ) -> PyResult<R> {
                let list = self.snapshot(py)?;
                let out = op(&list)?;
                self.store(py, &list)?;
                Ok(out)
            }
        }

        #[pymethods]
        impl $ty {
            fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
                Ok(self.snapshot(py)?.len())
            }

            fn __bool__(&self, py: Python<'_>) -> PyResult<bool> {
                Ok(!self.snapshot(py)?.is_empty())
            }

            fn __getitem__<'py>(
                &self,
                py: Python<'py>,
                index: &Bound<'py, PyAny>,
            ) -> PyResult<Bound<'py, PyAny>> {
                self.snapshot(py)?.as_any().get_item(index)
            }

            fn __setitem__(
                &self,
                py: Python<'_>,
                index: &Bound<'_, PyAny>,
                value: &Bound<'_, PyAny>,
            ) -> PyResult<()> {
                self.apply(py, |l| l.as_any().set_item(index, value))
            }

            fn __delitem__(&self, py: Python<'_>, index: &Bound<'_, PyAny>) -> PyResult<()> {
                self.apply(py, |l| l.as_any().del_item(index))
            }

            fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                Ok(self.snapshot(py)?.try_iter()?.into_any())
            }

            fn __reversed__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                self.snapshot(py)?.call_method0("__reversed__")
            }

            fn __contains__(&self, py: Python<'_>, item: &Bound<'_, PyAny>) -> PyResult<bool> {
                self.snapshot(py)?.contains(item)
            }

            /// Equal to a list (or live list) with equal items.
            fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
                let mine = self.snapshot(py)?;
                match other.cast::<$ty>() {
                    Ok(o) => mine.as_any().eq(o.get().snapshot(py)?),
                    Err(_) => mine.as_any().eq(other),
                }
            }

            fn __ne__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
                Ok(!self.__eq__(py, other)?)
            }

            fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                Ok(self.snapshot(py)?.repr()?.to_string())
            }

            /// A plain list of the items and `other`'s.
            fn __add__<'py>(
                &self,
                py: Python<'py>,
                other: &Bound<'py, PyAny>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let other = py.get_type::<PyList>().call1((other,))?;
                self.snapshot(py)?.as_any().add(other)
            }

            fn __radd__<'py>(
                &self,
                py: Python<'py>,
                other: &Bound<'py, PyAny>,
            ) -> PyResult<Bound<'py, PyAny>> {
                other.add(self.snapshot(py)?)
            }

            fn __iadd__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<()> {
                self.apply(py, |l| l.call_method1("extend", (other,)).map(drop))
            }

            #[pyo3(signature = (value, /))]
            fn append(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
                self.apply(py, |l| l.append(value))
            }

            #[pyo3(signature = (values, /))]
            fn extend(&self, py: Python<'_>, values: &Bound<'_, PyAny>) -> PyResult<()> {
                self.apply(py, |l| l.call_method1("extend", (values,)).map(drop))
            }

            #[pyo3(signature = (index, value, /))]
            fn insert(
                &self,
                py: Python<'_>,
                index: isize,
                value: &Bound<'_, PyAny>,
            ) -> PyResult<()> {
                self.apply(py, |l| l.call_method1("insert", (index, value)).map(drop))
            }

            /// Removes the first item equal to `value` (`ValueError` if none is).
            #[pyo3(signature = (value, /))]
            fn remove(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
                self.apply(py, |l| l.call_method1("remove", (value,)).map(drop))
            }

            #[pyo3(signature = (index = -1, /), text_signature = "($self, index=-1, /)")]
            fn pop<'py>(&self, py: Python<'py>, index: isize) -> PyResult<Bound<'py, PyAny>> {
                self.apply(py, |l| l.call_method1("pop", (index,)))
            }

            fn clear(&self, py: Python<'_>) -> PyResult<()> {
                self.apply(py, |l| l.call_method0("clear").map(drop))
            }

            #[pyo3(signature = (*, key = None, reverse = false))]
            fn sort(
                &self,
                py: Python<'_>,
                key: Option<&Bound<'_, PyAny>>,
                reverse: bool,
            ) -> PyResult<()> {
                let kwargs = PyDict::new(py);
                kwargs.set_item("key", key)?;
                kwargs.set_item("reverse", reverse)?;
                self.apply(py, |l| l.call_method("sort", (), Some(&kwargs)).map(drop))
            }

            fn reverse(&self, py: Python<'_>) -> PyResult<()> {
                self.apply(py, |l| l.call_method0("reverse").map(drop))
            }

            #[pyo3(
                        signature = (value, start = 0, stop = isize::MAX, /),
                        text_signature = "($self, value, start=0, stop=9223372036854775807, /)"
                    )]
            fn index<'py>(
                &self,
                py: Python<'py>,
                value: &Bound<'py, PyAny>,
                start: isize,
                stop: isize,
            ) -> PyResult<Bound<'py, PyAny>> {
                self.snapshot(py)?
                    .call_method1("index", (value, start, stop))
            }

            #[pyo3(signature = (value, /))]
            fn count(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<usize> {
                self.snapshot(py)?
                    .call_method1("count", (value,))?
                    .extract()
            }

            /// A plain list of the items (not live).
            fn copy<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
                self.snapshot(py)
            }
        }
    };
}

/// `record.fields`: the record's fields, live. `append`, `insert`, `remove`,
/// `pop`, `sort`, `[i] = field`, `del [i:j]` and the rest change the record;
/// reading it reads the record as it is now.
#[pyclass(frozen, module = "marcmap._marcmap")]
pub(crate) struct FieldList {
    record: Py<Record>,
}

impl FieldList {
    pub(crate) fn new(record: Py<Record>) -> Self {
        FieldList { record }
    }

    fn snapshot<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        Record::fields_matching(self.record.bind(py), |_| true)
    }

    fn store(&self, py: Python<'_>, list: &Bound<'_, PyList>) -> PyResult<()> {
        super::edits::set_fields(self.record.bind(py), list.as_any())
    }
}

live_list!(FieldList);

/// `field.subfields`: the field's `Subfield`s, live. Its changes are the
/// field's (and so its record's).
#[pyclass(frozen, module = "marcmap._marcmap")]
pub(crate) struct SubfieldList {
    field: Py<Field>,
}

impl SubfieldList {
    pub(crate) fn new(field: Py<Field>) -> Self {
        SubfieldList { field }
    }

    fn snapshot<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        self.field.get().subfields_now(py)
    }

    fn store(&self, py: Python<'_>, list: &Bound<'_, PyList>) -> PyResult<()> {
        self.field.get().set_subfields_from(py, list.as_any())
    }
}

live_list!(SubfieldList);
