//! What a `MARCReader` can read: a path, an fsspec URL, bytes-like objects, or a
//! binary file object; all of it, or a byte range.

use super::errors;
use super::remote::Remote;
use crate::open::DataSource;
use crate::partition::RandomReads;
use crate::sidecar;
use crate::{MarcFile, OpenOptions, SidecarStatus};
use pyo3::buffer::PyBuffer;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyMemoryView, PyString};
use std::ops::Range;
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
    /// An fsspec URL (`s3://...`, `gs://...`, `file://...`, `memory://...`):
    /// read into memory through fsspec, since only local files can be mapped.
    Url(String),
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
            let text: String = source.extract()?;
            if text.contains("://") {
                return Ok(Source::Url(text));
            }
            return Ok(Source::Path(PathBuf::from(text)));
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

    /// Opens and indexes all of it, or the records of the byte range `range`,
    /// through the core's one dispatch (`OpenOptions::open_source`, whose
    /// sidecar rule is the one: only a local file read whole has a sidecar).
    /// Runs Phase 1 with the GIL released. Under `auto`, a sidecar that is
    /// stale or corrupt is reported with a `SidecarWarning` (the file is
    /// indexed instead).
    pub(crate) fn open(
        self,
        py: Python<'_>,
        options: OpenOptions,
        range: Option<Range<u64>>,
    ) -> PyResult<MarcFile> {
        let opened = match self {
            Source::Path(path) => {
                let whole = range.is_none();
                let file = py
                    .detach(|| options.open_source(DataSource::Path(&path), range))
                    .map_err(|e| errors::to_py(py, e, &[]))?;
                if whole {
                    warn_if_ignored(py, &path, file.sidecar_status())?;
                }
                return Ok(file);
            }
            Source::File(file) => {
                py.detach(move || options.open_source(DataSource::File(file), range))
            }
            Source::Url(url) => {
                let remote = Remote::open(py, &url)?;
                let size = remote.size();
                py.detach(move || {
                    let source = DataSource::ReadAt {
                        source: &remote,
                        size,
                    };
                    options.open_source(source, range)
                })
            }
            Source::Memory(bytes) => {
                let bytes = Bytes::from(bytes);
                py.detach(move || options.open_source(DataSource::Bytes(Box::new(bytes)), range))
            }
        };
        opened.map_err(|e| errors::to_py(py, e, &[]))
    }
}

impl Source {
    /// Record-aligned byte ranges that cover the source, `count(size)` of them
    /// at most (`marcmap.partitions`). Reads only a window around each cut.
    pub(crate) fn partitions(
        self,
        py: Python<'_>,
        count: impl FnOnce(u64) -> PyResult<usize>,
    ) -> PyResult<Vec<Range<u64>>> {
        use crate::partition::partitions;
        let found = match self {
            Source::Path(path) => {
                let opened = std::fs::File::open(&path).and_then(|f| Ok((f.metadata()?.len(), f)));
                let (size, file) =
                    opened.map_err(|e| errors::to_py(py, open_error(&path, e), &[]))?;
                let n = count(size)?;
                py.detach(move || partitions(&RandomReads::new(&file), size, n))
                    .map_err(|e| open_error(&path, e))
            }
            Source::File(file) => {
                let size = file
                    .metadata()
                    .map_err(|e| errors::to_py(py, e.into(), &[]))?
                    .len();
                let n = count(size)?;
                py.detach(move || partitions(&RandomReads::new(&file), size, n))
                    .map_err(crate::Error::from)
            }
            Source::Url(url) => {
                let remote = Remote::open(py, &url)?;
                let size = remote.size();
                let n = count(size)?;
                py.detach(move || partitions(&remote, size, n))
                    .map_err(crate::Error::from)
            }
            Source::Memory(bytes) => {
                let bytes = Bytes::from(bytes);
                let data = bytes.as_ref();
                let n = count(data.len() as u64)?;
                partitions(data, data.len() as u64, n).map_err(crate::Error::from)
            }
        };
        found.map_err(|e| errors::to_py(py, e, &[]))
    }
}

impl From<MemoryBytes> for Bytes {
    fn from(bytes: MemoryBytes) -> Bytes {
        match bytes {
            MemoryBytes::Shared(buffer) => Bytes::Shared(BytesBuffer(buffer)),
            MemoryBytes::Copied(v) => Bytes::Copied(v),
        }
    }
}

/// Either kind of bytes a reader can own.
enum Bytes {
    Shared(BytesBuffer),
    Copied(Vec<u8>),
}

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        match self {
            Bytes::Shared(b) => b.as_ref(),
            Bytes::Copied(v) => v,
        }
    }
}

/// Under `index="auto"`, a sidecar that was there but not used is worth a warning.
fn warn_if_ignored(py: Python<'_>, path: &std::path::Path, status: &SidecarStatus) -> PyResult<()> {
    let SidecarStatus::Ignored(problem) = status else {
        return Ok(());
    };
    let message = format!(
        "{}: {problem}; the file was indexed instead (rebuild the sidecar with \
         `marcmap index` or index=\"rebuild\")",
        sidecar::path_for(path).display()
    );
    let class = errors::class(py, "SidecarWarning")?;
    PyErr::warn(
        py,
        &class,
        &std::ffi::CString::new(message).unwrap_or_default(),
        1,
    )
}

/// The error for a file that cannot be opened or read, naming it (as the core's
/// own opening of a path words it).
fn open_error(path: &std::path::Path, source: std::io::Error) -> crate::Error {
    let path = path.to_path_buf();
    crate::Error::new(
        crate::ErrorKind::Open { path, source },
        crate::Position::default(),
    )
}
