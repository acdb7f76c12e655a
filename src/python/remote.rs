//! Sources beyond local files: an fsspec URL, read through
//! `marcmap._fsspec.open_url` (`fs.size`, then `fs.cat_file(path, start, end)`
//! for each range asked for), since only local files can be mapped.

use crate::partition::ReadAt;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::io;

/// An object behind an fsspec URL: its size, and a Python callable
/// `read(start, end) -> bytes`.
pub(crate) struct Remote {
    size: u64,
    read: Py<PyAny>,
}

impl Remote {
    /// Opens `url` with fsspec (which must be installed: the error says so).
    pub(crate) fn open(py: Python<'_>, url: &str) -> PyResult<Remote> {
        let opened = py
            .import("marcmap._fsspec")?
            .call_method1("open_url", (url,))?;
        let (size, read): (u64, Py<PyAny>) = opened.extract()?;
        Ok(Remote { size, read })
    }

    /// The object's size in bytes.
    pub(crate) fn size(&self) -> u64 {
        self.size
    }
}

impl ReadAt for Remote {
    /// Calls `read(offset, offset + len)` with the GIL, from any thread; a Python
    /// exception travels inside the `io::Error` and is raised again unchanged
    /// (`errors::to_py`).
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        Python::attach(|py| {
            let end = offset + buf.len() as u64;
            let data = self
                .read
                .call1(py, (offset, end))
                .map_err(io::Error::other)?;
            let data = data.bind(py).cast::<PyBytes>().map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    "fsspec's cat_file did not return bytes",
                )
            })?;
            let bytes = data.as_bytes();
            if bytes.len() != buf.len() {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "fsspec gave {} bytes for bytes {offset}..{end}, not {}",
                        bytes.len(),
                        buf.len()
                    ),
                ));
            }
            buf.copy_from_slice(bytes);
            Ok(())
        })
    }
}
