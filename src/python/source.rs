//! What a `MARCReader` can read: a path, bytes-like objects, or a binary file object.

use super::errors;
use crate::file::{MarcFile, OpenOptions};
use pyo3::buffer::PyBuffer;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyMemoryView, PyString};
use std::path::PathBuf;

/// The buffer of a `bytes` object, kept alive as the file's bytes: no copy.
struct BytesBuffer(PyBuffer<u8>);

impl AsRef<[u8]> for BytesBuffer {
    fn as_ref(&self) -> &[u8] {
        let ptr = self.0.buf_ptr() as *const u8;
        let len = self.0.len_bytes();
        if len == 0 || ptr.is_null() {
            return &[];
        }
        // SAFETY: the buffer was exported by a `bytes` object (checked in
        // `from_buffer_object`) and is C-contiguous. `bytes` objects are immutable:
        // no Python or C code may write to their storage once they are shared, and
        // the `PyBuffer` keeps the object alive, so the memory stays valid and
        // unchanged for as long as this value (and every view of it) exists. Other
        // read-only exports (a read-only memoryview of a bytearray, a read-only numpy
        // view, an mmap) can still change underneath and are copied instead.
        unsafe { std::slice::from_raw_parts(ptr, len) }
    }
}

/// The bytes a reader will index, taken from `source`.
pub(crate) enum Source {
    Path(PathBuf),
    /// A regular file that a Python file object has open: a duplicate of its
    /// descriptor, owned here.
    File(std::fs::File),
    Memory(MemoryBytes),
}

/// The open regular file behind a binary file object, if it is one and it
/// stands at its start (pymarc reads from the current position; a file read
/// part-way is read from there, into memory): `MARCReader(open(p, "rb"))`
/// then maps the file instead of copying it.
fn regular_file(py: Python<'_>, source: &Bound<'_, PyAny>) -> PyResult<Option<std::fs::File>> {
    // Only a plain file's bytes are its descriptor's: gzip, bz2 and lzma file
    // objects also answer `fileno()`, with the compressed file's descriptor.
    let io = py.import("io")?;
    let plain = source.is_instance(&io.getattr("FileIO")?)?
        || (source.is_instance(&io.getattr("BufferedReader")?)?
            || source.is_instance(&io.getattr("BufferedRandom")?)?)
            && source
                .getattr("raw")
                .and_then(|raw| raw.is_instance(&io.getattr("FileIO")?))
                .unwrap_or(false);
    if !plain {
        return Ok(None);
    }
    let Ok(fd) = source.call_method0("fileno") else {
        // io.BytesIO and friends have no descriptor.
        return Ok(None);
    };
    let fd: i32 = fd.extract()?;
    let os = py.import("os")?;
    let stat = py.import("stat")?;
    let mode = os.call_method1("fstat", (fd,))?.getattr("st_mode")?;
    if !stat.call_method1("S_ISREG", (mode,))?.is_truthy()? {
        return Ok(None);
    }
    let at_start = source
        .call_method0("tell")
        .and_then(|t| t.extract::<u64>())
        .is_ok_and(|t| t == 0);
    if !at_start {
        return Ok(None);
    }
    let dup: i32 = os.call_method1("dup", (fd,))?.extract()?;
    #[cfg(unix)]
    {
        use std::os::fd::FromRawFd;
        // SAFETY: `os.dup` just made `dup`, a new descriptor of an open regular
        // file, and nothing else knows it: the `File` owns it from here and
        // closes it when dropped, and the file object keeps its own descriptor.
        Ok(Some(unsafe { std::fs::File::from_raw_fd(dup) }))
    }
    #[cfg(not(unix))]
    {
        os.call_method1("close", (dup,))?;
        Ok(None)
    }
}

pub(crate) enum MemoryBytes {
    Shared(PyBuffer<u8>),
    Copied(Vec<u8>),
}

fn from_buffer_object(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<MemoryBytes> {
    // Only `bytes` (or a memoryview of `bytes`) is immutable. Anything else may be
    // changed while the GIL is released, even through a read-only export, which
    // would break the parse-once invariant: copy it.
    let exporter = match obj.cast::<PyMemoryView>() {
        Ok(view) => view.getattr("obj")?,
        Err(_) => obj.clone(),
    };
    let buffer = PyBuffer::<u8>::get(obj)?;
    if exporter.is_exact_instance_of::<PyBytes>() && buffer.is_c_contiguous() {
        return Ok(MemoryBytes::Shared(buffer));
    }
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
            // `read(0)` says whether the object is in binary mode, reading nothing.
            if source
                .call_method1("read", (0,))?
                .is_instance_of::<PyString>()
            {
                return Err(PyTypeError::new_err(
                    "the file object gives str; open MARC files in binary mode ('rb')",
                ));
            }
            if let Some(file) = regular_file(py, source)? {
                return Ok(Source::File(file));
            }
            let data = source.call_method0("read")?;
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
                .map_err(|e| errors::to_py(py, e, &[])),
            Source::File(file) => py
                .detach(move || options.open_file(file))
                .map_err(|e| errors::to_py(py, e, &[])),
            Source::Memory(MemoryBytes::Shared(buffer)) => {
                let bytes = BytesBuffer(buffer);
                Ok(py.detach(move || options.open_bytes(bytes)))
            }
            Source::Memory(MemoryBytes::Copied(bytes)) => {
                Ok(py.detach(move || options.open_bytes(bytes)))
            }
        }
    }
}
