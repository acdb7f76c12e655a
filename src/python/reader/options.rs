//! `MARCReader(...)`'s keyword options, turned into core options once.

use super::super::text::{self, named, TextOptions};
use crate::text::Encoding;
use crate::Access;
use crate::ErrorHandling;
use crate::Format;
use crate::Framing;
use crate::Validation;
use crate::{OpenOptions, SidecarMode};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// What a reader does with a record that is malformed or whose text does not decode.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mode {
    /// Raise the record's error, instead of giving `None` with `current_exception`
    /// set (pymarc 5.4's behaviour, the default).
    pub raise_errors: bool,
    /// Check every value's text while validating a record (GIL-free, in batches),
    /// so that a record with a value that does not decode is a bad record, as in
    /// pymarc. Off (`lazy_decoding=True`): the bad value raises when it is read.
    pub check_text: bool,
}

/// Everything `MARCReader(...)` was asked for.
pub(crate) struct ReaderOptions {
    pub open: OpenOptions,
    pub text: TextOptions,
    pub mode: Mode,
}

/// The keyword arguments, as Python gave them.
pub(crate) struct Args<'a> {
    pub to_unicode: bool,
    pub force_utf8: bool,
    pub utf8_handling: &'a str,
    pub marc8_handling: &'a str,
    pub file_encoding: Option<&'a str>,
    pub framing: &'a str,
    pub validation: &'a str,
    pub mmap: bool,
    pub marc8_normalization: &'a str,
    pub marc8_ligatures: &'a str,
    pub detect_utf8: bool,
    pub raise_errors: bool,
    pub lazy_decoding: bool,
    pub index: &'a str,
    pub format: &'a str,
    pub threads: Option<usize>,
    pub max_decompressed: Option<u64>,
}

impl ReaderOptions {
    pub(crate) fn from_args(py: Python<'_>, a: &Args<'_>) -> PyResult<ReaderOptions> {
        let framing: Framing = named("framing", a.framing)?;
        let validation: Validation = named("validation", a.validation)?;
        let marc8_handling: ErrorHandling = named("marc8_handling", a.marc8_handling)?;
        let marc8 = text::decoder("strict", a.marc8_normalization, a.marc8_ligatures)?
            .marc8_errors(marc8_handling);
        let utf8 = text::parse_handling(a.utf8_handling)?;
        let file_encoding = match a.file_encoding {
            None => None,
            Some(name) => Some(text::resolve_file_encoding(py, name)?),
        };
        // A UTF-8 file encoding is `force_utf8`: every record is UTF-8.
        let force_utf8 = a.force_utf8 || file_encoding == Some(Encoding::Utf8);
        let decoder = marc8
            .errors(utf8)
            .force_utf8(force_utf8)
            .detect_utf8(a.detect_utf8)
            .file_encoding(file_encoding.filter(|e| *e != Encoding::Utf8));
        let access = if a.mmap { Access::Map } else { Access::Read };
        let sidecar: SidecarMode = named("index", a.index)?;
        let format = match a.format {
            "auto" => None,
            name => Some(name.parse::<Format>().map_err(|_| {
                PyValueError::new_err(format!(
                    "format must be one of \"auto\", \"marc\", \"marcxml\", \"json\", \"jsonl\", \"mrk\", not {name:?}"
                ))
            })?),
        };
        let mut open = OpenOptions::new();
        if let Some(n) = a.threads {
            if n == 0 {
                return Err(PyValueError::new_err("threads must be at least 1"));
            }
            open = open.threads(n);
        }
        if let Some(limit) = a.max_decompressed {
            open = open.decompressed_limit(Some(limit));
        }
        Ok(ReaderOptions {
            open: open
                .format(format)
                .framing(framing)
                .validation(validation)
                .access(access)
                .sidecar(sidecar),
            text: TextOptions {
                to_unicode: a.to_unicode,
                decoder,
            },
            mode: Mode {
                raise_errors: a.raise_errors,
                check_text: a.to_unicode && !a.lazy_decoding,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> Args<'static> {
        Args {
            to_unicode: true,
            force_utf8: false,
            utf8_handling: "strict",
            marc8_handling: "replace",
            file_encoding: None,
            framing: "lenient",
            validation: "repair",
            mmap: true,
            marc8_normalization: "NFC",
            marc8_ligatures: "lc",
            detect_utf8: true,
            raise_errors: false,
            lazy_decoding: false,
            index: "auto",
            format: "auto",
            threads: None,
            max_decompressed: None,
        }
    }

    /// `f` with the interpreter (the options parse Python codec names).
    fn with_python<T>(f: impl FnOnce(Python<'_>) -> T) -> T {
        Python::initialize();
        Python::attach(f)
    }

    #[test]
    fn defaults_are_pymarcs() {
        let o = with_python(|py| ReaderOptions::from_args(py, &args()).unwrap());
        assert!(!o.mode.raise_errors && o.mode.check_text);
        let d = o.text.decoder;
        assert_eq!(d.error_handling(), ErrorHandling::Strict);
        assert_eq!(d.marc8_options().errors, ErrorHandling::Replace);
        assert!(!d.forces_utf8());
    }

    #[test]
    fn a_utf8_file_encoding_forces_utf8_and_bytes_skip_the_text_check() {
        let o = with_python(|py| {
            ReaderOptions::from_args(
                py,
                &Args {
                    file_encoding: Some("utf-8"),
                    to_unicode: false,
                    ..args()
                },
            )
            .unwrap()
        });
        assert!(o.text.decoder.forces_utf8());
        assert!(!o.mode.check_text);
    }

    #[test]
    fn python_codecs_are_read_as_python_reads_them() {
        with_python(|py| {
            let table = |name| match crate::python::text::resolve_file_encoding(py, name) {
                Ok(Encoding::Table(t)) => t,
                other => panic!("{name}: {other:?}"),
            };
            // Python's cp1251 leaves 0x98 undefined (WHATWG maps it).
            assert_eq!(table("cp1251").name(), "cp1251");
            assert_eq!(table("ascii").name(), "ascii");
            assert_eq!(table("cp437").name(), "cp437");
            assert_eq!(table("mac_roman").name(), "mac-roman");
            assert!(matches!(
                crate::python::text::resolve_file_encoding(py, "shift_jis"),
                Ok(Encoding::Legacy(_))
            ));
            assert!(matches!(
                crate::python::text::resolve_file_encoding(py, "utf-8-sig"),
                Ok(Encoding::Utf8)
            ));
        });
    }

    #[test]
    fn bad_spellings_are_refused() {
        for bad in [
            Args {
                framing: "maybe",
                ..args()
            },
            Args {
                validation: "lax",
                ..args()
            },
            Args {
                marc8_handling: "loose",
                ..args()
            },
            Args {
                utf8_handling: "loose",
                ..args()
            },
            Args {
                marc8_normalization: "NFKC",
                ..args()
            },
            Args {
                index: "sometimes",
                ..args()
            },
            Args {
                marc8_ligatures: "x",
                ..args()
            },
            Args {
                file_encoding: Some("klingon"),
                ..args()
            },
        ] {
            assert!(with_python(|py| ReaderOptions::from_args(py, &bad).is_err()));
        }
    }
}
