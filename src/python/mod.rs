//! The Python bindings, behind the `python` feature: the extension `marcmap._marcmap`.
//!
//! Rules that every file here follows:
//! - Work that touches many records (indexing, batch parsing, the control-number
//!   index, `extract`, `filter`, validation) runs inside `py.detach`, capturing only
//!   `Send` data and returning `marcmap::Result`. A `PyErr` is built only after the
//!   GIL is back, in one place ([`errors::to_py`]).
//! - Every pyclass is `frozen`; shared mutable state sits behind atomics or mutexes
//!   (never held while Python code can run), as free-threaded Python will need. The
//!   wheel is abi3 for the GIL-enabled CPython 3.11+: a free-threaded (3.13t)
//!   build is not made or tested yet.
//! - Python objects hold an `Arc` of the file plus integers, never a Rust borrow.

mod args;
mod arrow;
mod edits;
mod errors;
mod gc;
mod lint;
mod owned;
mod partitions;
mod pickled;
mod profile;
mod raw;
mod reader;
mod record;
mod remote;
mod shared;
mod source;
mod spec;
mod text;
mod types;
mod writers;

use pyo3::prelude::*;

/// The extension module.
#[pymodule]
fn _marcmap(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<reader::Reader>()?;
    m.add_class::<arrow::ArrowStream>()?;
    m.add_class::<profile::PyProfile>()?;
    m.add_class::<profile::ProfileTable>()?;
    m.add_class::<record::Record>()?;
    m.add_class::<record::Field>()?;
    m.add_class::<record::FieldList>()?;
    m.add_class::<record::SubfieldList>()?;
    m.add_class::<raw::RawBytes>()?;
    m.add_class::<edits::Edits>()?;
    m.add_class::<owned::PyOwnedRecord>()?;
    m.add_class::<spec::PySpec>()?;
    m.add_class::<spec::PyExpr>()?;
    m.add_class::<writers::MarcWriter>()?;
    m.add_class::<writers::XmlWriter>()?;
    m.add_class::<writers::JsonWriter>()?;
    m.add_class::<writers::TextWriter>()?;
    m.add_function(wrap_pyfunction!(writers::record_to_xml, m)?)?;
    m.add_function(wrap_pyfunction!(text::marc8_to_unicode, m)?)?;
    m.add_function(wrap_pyfunction!(text::unicode_to_marc8, m)?)?;
    m.add_function(wrap_pyfunction!(partitions::partitions, m)?)?;
    m.add_function(wrap_pyfunction!(pickled::_record_from_state, m)?)?;
    m.add_function(wrap_pyfunction!(pickled::_field_from_state, m)?)?;
    m.add_class::<lint::LintFinding>()?;
    m.add_class::<lint::LintTable>()?;
    m.add_function(wrap_pyfunction!(lint::lint_rules, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
