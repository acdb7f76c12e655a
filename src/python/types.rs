//! The small Python types records are made of: `Subfield`, `Indicators`, codes.
//!
//! `Subfield` and `Indicators` are `NamedTuple`s defined in `marcmap/_types.py`, as
//! in pymarc, so they compare equal to pymarc's and to plain tuples.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyString, PyTuple};

static SUBFIELD: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static INDICATORS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
/// One interned `str` per ASCII byte: codes and indicators are made once.
static ASCII_CHARS: PyOnceLock<Vec<Py<PyString>>> = PyOnceLock::new();

fn import<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyAny>>,
    name: &str,
) -> PyResult<&'py Bound<'py, PyAny>> {
    Ok(cell
        .get_or_try_init(py, || {
            PyResult::Ok(py.import("marcmap._types")?.getattr(name)?.unbind())
        })?
        .bind(py))
}

fn ascii<'py>(py: Python<'py>, b: u8) -> Option<Bound<'py, PyString>> {
    let table = ASCII_CHARS.get_or_init(py, || {
        (0u8..128)
            .map(|c| PyString::intern(py, &(c as char).to_string()).unbind())
            .collect()
    });
    table.get(b as usize).map(|s| s.bind(py).clone())
}

/// A one-character `str` for an ASCII code byte.
pub(crate) fn code_str(py: Python<'_>, b: u8) -> Bound<'_, PyString> {
    ascii(py, b).unwrap_or_else(|| PyString::new(py, &(b as char).to_string()))
}

/// An indicator as a one-character `str` (non-ASCII bytes read as Latin-1).
pub(crate) fn indicator_str(py: Python<'_>, b: u8) -> Bound<'_, PyString> {
    code_str(py, b)
}

pub(crate) fn subfield<'py>(
    py: Python<'py>,
    code: Bound<'py, PyString>,
    value: Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let cls = import(py, &SUBFIELD, "Subfield")?;
    // NamedTuple's __new__ takes (cls, code, value); calling the class is the fast path.
    cls.call1(PyTuple::new(py, [code.into_any(), value])?)
}

pub(crate) fn indicators<'py>(
    py: Python<'py>,
    first: Bound<'py, PyString>,
    second: Bound<'py, PyString>,
) -> PyResult<Bound<'py, PyAny>> {
    import(py, &INDICATORS, "Indicators")?.call1((first, second))
}

static LEADER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// A `marcmap.Leader` (a `str` with pymarc's `Leader` names) for `text`.
pub(crate) fn leader<'py>(
    py: Python<'py>,
    text: Bound<'py, PyString>,
) -> PyResult<Bound<'py, PyAny>> {
    import(py, &LEADER, "Leader")?.call1((text,))
}

/// A `marcmap.Leader` for `text` whose changes are `owner`'s (it sets
/// `owner.leader`).
pub(crate) fn bound_leader<'py>(
    py: Python<'py>,
    text: Bound<'py, PyString>,
    owner: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let leader = leader(py, text)?;
    leader.setattr("_owner", owner)?;
    Ok(leader)
}

/// One interned `str` per numeric tag (`"000"`-`"999"`): a tag read from a
/// field is made once.
static NUMERIC_TAGS: PyOnceLock<Vec<Py<PyString>>> = PyOnceLock::new();

/// A tag as a `str` (interned when numeric).
pub(crate) fn tag_str<'py>(py: Python<'py>, tag: &[u8; 3]) -> Bound<'py, PyString> {
    if tag.iter().all(u8::is_ascii_digit) {
        let table = NUMERIC_TAGS.get_or_init(py, || {
            (0..1000)
                .map(|n| PyString::intern(py, &format!("{n:03}")).unbind())
                .collect()
        });
        let n = tag
            .iter()
            .fold(0usize, |n, d| n * 10 + usize::from(d - b'0'));
        return table[n].bind(py).clone();
    }
    PyString::new(py, &String::from_utf8_lossy(tag))
}
