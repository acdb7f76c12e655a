//! pymarc's writers, in Rust: `MARCWriter`, `XMLWriter`, `JSONWriter` and
//! `TextWriter` (`write(record)`, `close(close_fh=True)`, context managers),
//! and `record_to_xml`.
//!
//! Each takes a marcmap `Record`, an `OwnedRecord` or a pymarc `Record`
//! ([`RecordInput`]) and serialises it through the core writers
//! ([`crate::write`]); only the write to the file handle is Python.

use super::errors;
use super::owned::{self, PyOwnedRecord};
use super::record::Record;
use crate::write::{Envelope, WriteOptions};
use crate::Format;
use crate::OwnedRecord;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString, PyTuple};
use std::sync::Mutex;

/// A record handed to a writer.
enum RecordInput<'py> {
    /// A marcmap `Record`: written from its bytes, decoded as its reader decodes.
    View(Bound<'py, Record>),
    /// An owned record (from an `OwnedRecord` or a pymarc `Record`), text UTF-8.
    Owned(OwnedRecord),
}

impl<'py> RecordInput<'py> {
    pub(crate) fn extract(record: &Bound<'py, PyAny>) -> PyResult<RecordInput<'py>> {
        if let Ok(view) = record.cast::<Record>() {
            return Ok(RecordInput::View(view.clone()));
        }
        if let Ok(owned) = record.cast::<PyOwnedRecord>() {
            return Ok(RecordInput::Owned(owned.get().record()));
        }
        if record.hasattr("leader")? && record.hasattr("fields")? {
            return Ok(RecordInput::Owned(owned::record_from_object(record)?));
        }
        Err(PyTypeError::new_err(format!(
            "a writer needs a marcmap Record, a marcmap OwnedRecord or a pymarc Record, not {}",
            record.get_type().name()?
        )))
    }

    /// Writes the record with `writer` (whose decoder is replaced by the
    /// record's own: its reader's for a view, UTF-8 for an owned record).
    pub(crate) fn write(
        &self,
        py: Python<'py>,
        options: crate::write::WriteOptions,
        out: &mut Vec<u8>,
    ) -> PyResult<crate::write::Written> {
        match self {
            RecordInput::View(view) => {
                let view = view.get();
                if view.edits.get().is_some() {
                    let (index, origin) = view.index_and_origin();
                    let fail = |e: crate::Error| errors::to_py(py, e.located(index, origin), &[]);
                    // ISO 2709 straight from the fields (its text is UTF-8 already,
                    // LDR/09 `a`; or bytes as read, unless they are to be UTF-8).
                    if options.format == Format::Iso2709 {
                        let start = out.len();
                        if let Some(text) = view.write_edited(out).transpose().map_err(fail)? {
                            if text || !options.to_utf8 {
                                return Ok(crate::write::Written::default());
                            }
                            out.truncate(start);
                        }
                    }
                    if let Some(result) = view.with_edited(|record, decoder, _| {
                        crate::write::RecordWriter::new(options.decoder(*decoder))
                            .write_owned(record, out)
                    }) {
                        return result.map_err(fail);
                    }
                }
                let options = options.decoder(view.shared.text.decoder);
                crate::write::RecordWriter::new(options)
                    .write_ref(&view.view(), out)
                    .map_err(|e| errors::to_py(py, e, view.bytes()))
            }
            RecordInput::Owned(record) => {
                let options = options.decoder(owned::utf8_decoder());
                crate::write::RecordWriter::new(options)
                    .write_owned(record, out)
                    .map_err(|e| errors::to_py(py, e, &[]))
            }
        }
    }
}

/// `record_to_xml`'s bytes for `input`.
fn xml_of<'py>(
    py: Python<'py>,
    input: &RecordInput<'py>,
    namespace: bool,
) -> PyResult<Bound<'py, PyBytes>> {
    let record = match input {
        RecordInput::View(view) => return view.get().xml(py, namespace),
        RecordInput::Owned(record) => record,
    };
    let bytes = record.to_iso2709().map_err(|e| errors::to_py(py, e, &[]))?;
    let parsed = crate::RecordRef::parse(&bytes).map_err(|e| errors::to_py(py, e, &bytes))?;
    let mut out = Vec::new();
    crate::write::marcxml::write_record(&parsed, &owned::utf8_decoder(), namespace, &mut out)
        .map_err(|e| errors::to_py(py, e, &bytes))?;
    Ok(PyBytes::new(py, &out))
}

/// `marcmap.record_to_xml(record, quiet=False, namespace=False)`: one
/// `<record>` element as UTF-8 bytes, as pymarc's `record_to_xml` (which
/// writes ASCII with character references; the XML is the same). With
/// `namespace=True` the record carries the slim namespace and schema location.
#[pyfunction]
#[pyo3(signature = (record, quiet = false, namespace = false))]
pub(crate) fn record_to_xml<'py>(
    py: Python<'py>,
    record: &Bound<'py, PyAny>,
    quiet: bool,
    namespace: bool,
) -> PyResult<Bound<'py, PyBytes>> {
    let _ = quiet; // marcmap never prints
    xml_of(py, &RecordInput::extract(record)?, namespace)
}

/// What every writer holds: the file handle, whether it takes text, how many
/// records went out, how many characters were replaced, and (MARC-8 out) how
/// many were written as `&#xHHHH;`.
struct State {
    handle: Option<Py<PyAny>>,
    text: bool,
    written: usize,
    replaced: usize,
    references: usize,
    /// The last record's bytes: its memory is reused for the next.
    buffer: Vec<u8>,
}

struct Writer {
    format: Format,
    to_utf8: bool,
    to_marc8: bool,
    state: Mutex<State>,
}

/// Whether `handle` is a text stream (`io.TextIOBase`): it is written `str`.
fn is_text(py: Python<'_>, handle: &Bound<'_, PyAny>) -> PyResult<bool> {
    let base = py.import("io")?.getattr("TextIOBase")?;
    handle.is_instance(&base)
}

impl Writer {
    fn new(
        py: Python<'_>,
        handle: &Bound<'_, PyAny>,
        format: Format,
        to_utf8: bool,
    ) -> PyResult<Self> {
        let writer = Writer {
            format,
            to_utf8,
            to_marc8: false,
            state: Mutex::new(State {
                handle: Some(handle.clone().unbind()),
                text: is_text(py, handle)?,
                written: 0,
                replaced: 0,
                references: 0,
                buffer: Vec::new(),
            }),
        };
        writer.emit(py, Envelope::of(format).head)?;
        Ok(writer)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes `bytes` to the handle (as `str` to a text stream). The handle is
    /// taken out of the lock before Python code runs.
    fn emit(&self, py: Python<'_>, bytes: &[u8]) -> PyResult<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        let (handle, text) = {
            let state = self.lock();
            let Some(handle) = &state.handle else {
                return Err(PyValueError::new_err("write to a closed writer"));
            };
            (handle.clone_ref(py), state.text)
        };
        let handle = handle.bind(py);
        if text {
            let s = std::str::from_utf8(bytes).map_err(|_| {
                PyValueError::new_err("ISO 2709 is binary: give MARCWriter a file opened 'wb'")
            })?;
            handle.call_method1(pyo3::intern!(py, "write"), (PyString::new(py, s),))?;
        } else {
            handle.call_method1(pyo3::intern!(py, "write"), (PyBytes::new(py, bytes),))?;
        }
        Ok(())
    }

    fn write(&self, py: Python<'_>, record: &Bound<'_, PyAny>) -> PyResult<()> {
        if self.lock().handle.is_none() {
            return Err(PyValueError::new_err("write to a closed writer"));
        }
        let options = WriteOptions::new(self.format)
            .to_utf8(self.to_utf8)
            .to_marc8(self.to_marc8);
        let input = RecordInput::extract(record)?;
        let framing = Envelope::of(self.format);
        let first = self.lock().written == 0;
        // One buffer, reused from record to record (taken out of the lock while
        // Python runs), that the record is serialised straight into.
        let mut out = std::mem::take(&mut self.lock().buffer);
        out.clear();
        if !first {
            out.extend_from_slice(framing.separator);
        }
        let result = input.write(py, options, &mut out).and_then(|done| {
            out.extend_from_slice(framing.after);
            self.emit(py, &out).map(|()| done)
        });
        self.lock().buffer = out;
        let done = result?;
        let mut state = self.lock();
        state.written += 1;
        state.replaced += done.replaced;
        state.references += done.references;
        Ok(())
    }

    fn close(&self, py: Python<'_>, close_fh: bool) -> PyResult<()> {
        if self.lock().handle.is_none() {
            return Ok(());
        }
        self.emit(py, Envelope::of(self.format).tail)?;
        let handle = self.lock().handle.take();
        if let (Some(handle), true) = (handle, close_fh) {
            handle.bind(py).call_method0("close")?;
        }
        Ok(())
    }
}

macro_rules! writer_class {
    ($rust:ident, $name:literal, $format:expr, $doc:literal) => {
        #[doc = $doc]
        #[pyclass(frozen, name = $name, module = "marcmap._marcmap")]
        pub(crate) struct $rust {
            writer: Writer,
        }

        #[pymethods]
        impl $rust {
            /// Writes one record: a marcmap `Record`, an `OwnedRecord` or a pymarc `Record`.
            fn write(&self, py: Python<'_>, record: &Bound<'_, PyAny>) -> PyResult<()> {
                self.writer.write(py, record)
            }

            /// Finishes the output and, unless `close_fh=False`, closes the file handle.
            #[pyo3(signature = (close_fh = true))]
            fn close(&self, py: Python<'_>, close_fh: bool) -> PyResult<()> {
                self.writer.close(py, close_fh)
            }

            /// How many records were written.
            #[getter]
            fn written(&self) -> usize {
                self.writer.lock().written
            }

            /// How many characters the format cannot hold were written as U+FFFD.
            #[getter]
            fn replaced(&self) -> usize {
                self.writer.lock().replaced
            }

            fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
                slf
            }

            #[pyo3(signature = (*_args))]
            fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, PyTuple>) -> PyResult<bool> {
                self.writer.close(py, true)?;
                Ok(false)
            }
        }
    };
}

writer_class!(
    MarcWriter,
    "MARCWriter",
    Format::Iso2709,
    "pymarc's `MARCWriter`: ISO 2709 to a binary file. `MARCWriter(fh, to_utf8=True)`\nwrites text as UTF-8 with LDR/09 `a`, as pymarc does; `to_utf8=False` writes a\nmarcmap `Record`'s bytes as they are; `encoding=\"marc8\"` writes MARC-8 with\nLDR/09 blank (`&#xHHHH;` for what MARC-8 lacks, counted in `references`)."
);
writer_class!(
    XmlWriter,
    "XMLWriter",
    Format::MarcXml,
    "pymarc's `XMLWriter`: a MARCXML `<collection>`, to a binary (or text) file.\nClose it to finish the document."
);
writer_class!(
    JsonWriter,
    "JSONWriter",
    Format::Json,
    "pymarc's `JSONWriter`: a JSON array of MARC-in-JSON records, to a text (or\nbinary) file. Close it to finish the array."
);
writer_class!(
    TextWriter,
    "TextWriter",
    Format::MarcMaker,
    "pymarc's `TextWriter`: MARCMaker text as MarcEdit writes it (UTF-8, LDR/09\n`a`, `{dollar}` for `$`), a blank line between records, to a text (or binary) file."
);

#[pymethods]
impl MarcWriter {
    #[new]
    #[pyo3(signature = (file_handle, to_utf8 = true, *, encoding = None))]
    fn py_new(
        py: Python<'_>,
        file_handle: &Bound<'_, PyAny>,
        to_utf8: bool,
        encoding: Option<&str>,
    ) -> PyResult<Self> {
        let to_marc8 = match encoding.map(str::to_ascii_lowercase).as_deref() {
            None => false,
            Some("marc8" | "marc-8") => true,
            Some("utf-8" | "utf8") if to_utf8 => false,
            Some("utf-8" | "utf8") => {
                return Err(PyValueError::new_err(
                    "encoding='utf-8' and to_utf8=False ask for different things",
                ))
            }
            Some(other) => {
                return Err(PyValueError::new_err(format!(
                    "encoding must be 'utf-8' or 'marc8', not {other:?}"
                )))
            }
        };
        let mut writer = Writer::new(py, file_handle, Format::Iso2709, to_utf8 && !to_marc8)?;
        writer.to_marc8 = to_marc8;
        Ok(MarcWriter { writer })
    }

    /// MARC-8 out: how many characters MARC-8 lacks were written as `&#xHHHH;`.
    #[getter]
    fn references(&self) -> usize {
        self.writer.lock().references
    }
}

#[pymethods]
impl XmlWriter {
    #[new]
    fn py_new(py: Python<'_>, file_handle: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(XmlWriter {
            writer: Writer::new(py, file_handle, Format::MarcXml, false)?,
        })
    }
}

#[pymethods]
impl JsonWriter {
    #[new]
    fn py_new(py: Python<'_>, file_handle: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(JsonWriter {
            writer: Writer::new(py, file_handle, Format::Json, false)?,
        })
    }
}

#[pymethods]
impl TextWriter {
    #[new]
    fn py_new(py: Python<'_>, file_handle: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(TextWriter {
            writer: Writer::new(py, file_handle, Format::MarcMaker, false)?,
        })
    }
}
