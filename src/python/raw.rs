//! `Record.raw` / `Field.raw`: read-only memoryviews into the file's bytes, no copy.

use crate::MarcFile;
use pyo3::exceptions::PyBufferError;
use pyo3::ffi;
use pyo3::prelude::*;
use std::os::raw::{c_int, c_void};

/// A byte range of a file that exports the buffer protocol, read-only.
/// `memoryview(raw_bytes)` views the mapping itself.
#[pyclass(frozen, module = "marcmap._marcmap")]
pub(crate) struct RawBytes {
    file: MarcFile,
    /// Where the bytes start in `file.bytes()` (not an absolute offset).
    start: usize,
    len: usize,
}

impl RawBytes {
    /// A memoryview of `len` bytes of `file` from absolute offset `start`.
    pub(crate) fn memoryview<'py>(
        py: Python<'py>,
        file: &MarcFile,
        start: usize,
        len: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        // Clamp once here, in the bytes' own terms, so the buffer export below can
        // trust the range.
        let held = file.bytes().len();
        let from = (start as u64)
            .saturating_sub(file.data_offset())
            .min(held as u64) as usize;
        let end = from.saturating_add(len).min(held);
        let raw = Bound::new(
            py,
            RawBytes {
                file: file.clone(),
                start: from,
                len: end - from,
            },
        )?;
        let memoryview = py.import("builtins")?.getattr("memoryview")?;
        memoryview.call1((raw,))
    }

    fn bytes(&self) -> &[u8] {
        self.file
            .bytes()
            .get(self.start..self.start + self.len)
            .unwrap_or_default()
    }
}

/// `len` bytes of `file` from absolute offset `start`; empty if that range is not
/// in the file's bytes (it always is for a range taken from a validated record).
pub(crate) fn slice(file: &MarcFile, start: usize, len: usize) -> &[u8] {
    file.bytes_at(start as u64, len).unwrap_or_default()
}

#[pymethods]
impl RawBytes {
    fn __len__(&self) -> usize {
        self.len
    }

    /// # Safety
    /// Called by CPython with a valid `view`.
    unsafe fn __getbuffer__(
        slf: Bound<'_, Self>,
        view: *mut ffi::Py_buffer,
        flags: c_int,
    ) -> PyResult<()> {
        if view.is_null() {
            return Err(PyBufferError::new_err("View is null"));
        }
        if (flags & ffi::PyBUF_WRITABLE) == ffi::PyBUF_WRITABLE {
            return Err(PyBufferError::new_err("marcmap's raw bytes are read-only"));
        }
        let bytes = slf.get().bytes();
        // SAFETY: `view` is non-null and CPython hands us a Py_buffer to fill.
        // `obj` takes a new reference to `slf`, which holds an `Arc` of the file,
        // so the bytes stay alive and unmoved while the view exists; the mapping
        // and owned buffers are never written to, and the view is read-only.
        unsafe {
            (*view).obj = slf.clone().into_any().into_ptr();
            (*view).buf = bytes.as_ptr() as *mut c_void;
            (*view).len = bytes.len() as ffi::Py_ssize_t;
            (*view).readonly = 1;
            (*view).itemsize = 1;
            (*view).format = if (flags & ffi::PyBUF_FORMAT) == ffi::PyBUF_FORMAT {
                c"B".as_ptr() as *mut _
            } else {
                std::ptr::null_mut()
            };
            (*view).ndim = 1;
            (*view).shape = if (flags & ffi::PyBUF_ND) == ffi::PyBUF_ND {
                &mut (*view).len
            } else {
                std::ptr::null_mut()
            };
            (*view).strides = if (flags & ffi::PyBUF_STRIDES) == ffi::PyBUF_STRIDES {
                &mut (*view).itemsize
            } else {
                std::ptr::null_mut()
            };
            (*view).suboffsets = std::ptr::null_mut();
            (*view).internal = std::ptr::null_mut();
        }
        Ok(())
    }

    /// # Safety
    /// Nothing to release: the reference in `view.obj` is dropped by CPython.
    unsafe fn __releasebuffer__(&self, _view: *mut ffi::Py_buffer) {}
}
