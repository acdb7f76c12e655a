//! What a `MARCReader` can read: a path, bytes-like objects, or a binary file object.

use super::errors;
use crate::file::{MarcFile, OpenOptions};
use pyo3::buffer::PyBuffer;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use std::path::PathBuf;

/// A read-only, C-contiguous Python buffer kept alive as the file's bytes: no copy.
struct ReadOnlyBuffer(PyBuffer<u8>);

impl AsRef<[u8]> for ReadOnlyBuffer {
    fn as_ref(&self) -> &[u8] {
        let ptr = self.0.buf_ptr() as *const u8;
        let len = self.0.len_bytes();
        if len == 0 || ptr.is_null() {
            return &[];
        }
        // SAFETY: the buffer was checked read-only and C-contiguous when it was
        // wrapped, and the `PyBuffer` keeps the exporter alive and its memory
        // pinned until it is released on drop. A read-only export (e.g. `bytes`, or
        // a read-only memoryview) cannot be written through this or any other
        // view for as long as the export is held, so the bytes never change.
        unsafe { std::slice::from_raw_parts(ptr, len) }
    }
}

/// The bytes a reader will index, taken from `source`.
pub(crate) enum Source {
    Path(PathBuf),
    Memory(MemoryBytes),
}

pub(crate) enum MemoryBytes {
    Shared(PyBuffer<u8>),
    Copied(Vec<u8>),
}

fn from_buffer_object(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<MemoryBytes> {
    let buffer = PyBuffer::<u8>::get(obj)?;
    if buffer.readonly() && buffer.is_c_contiguous() {
        return Ok(MemoryBytes::Shared(buffer));
    }
    // A writable buffer (bytearray, writable memoryview, numpy array) could change
    // while the GIL is released and break the parse-once invariant: copy it.
    Ok(MemoryBytes::Copied(buffer.to_vec(py)?))
}

impl Source {
    pub(crate) fn extract(py: Python<'_>, source: &Bound<'_, PyAny>) -> PyResult<Source> {
        if source.is_instance_of::<PyString>() {
            return Ok(Source::Path(source.extract::<PathBuf>()?));
        }
        if source.hasattr("__fspath__")? {
            return Ok(Source::Path(source.extract::<PathBuf>()?));
        }
        if PyBuffer::<u8>::get(source).is_ok() {
            return Ok(Source::Memory(from_buffer_object(py, source)?));
        }
        if source.hasattr("read")? {
            let data = source.call_method0("read")?;
            if data.is_instance_of::<PyString>() {
                return Err(PyTypeError::new_err(
                    "the file object gives str; open MARC files in binary mode ('rb')",
                ));
            }
            let data = data
                .cast_into::<PyBytes>()
                .map_err(|_| PyTypeError::new_err("the file object's read() must return bytes"))?;
            return Ok(Source::Memory(from_buffer_object(py, data.as_any())?));
        }
        let type_name = source.get_type().name()?;
        Err(PyTypeError::new_err(format!(
            "MARCReader needs a path, bytes-like object or binary file object, not {type_name}"
        )))
    }

    /// Opens and indexes. Runs Phase 1 with the GIL released.
    pub(crate) fn open(self, py: Python<'_>, options: OpenOptions) -> PyResult<MarcFile> {
        match self {
            Source::Path(path) => py
                .detach(move || options.open(path))
                .map_err(|e| errors::to_py(py, e)),
            Source::Memory(MemoryBytes::Shared(buffer)) => {
                let bytes = ReadOnlyBuffer(buffer);
                Ok(py.detach(move || options.open_bytes(bytes)))
            }
            Source::Memory(MemoryBytes::Copied(bytes)) => {
                Ok(py.detach(move || options.open_bytes(bytes)))
            }
        }
    }
}
