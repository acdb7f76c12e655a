//! pymarc's derived properties of a record (`title`, `isbn`, `subjects`, ...),
//! with pymarc 5.4's rules, in one place.

use super::field::Field;
use super::Record;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString};

const SERIES: &[&str] = &["440", "490", "800", "810", "811", "830"];
const SUBJECTS: &[&str] = &[
    "600", "610", "611", "630", "648", "650", "651", "653", "654", "655", "656", "657", "658",
    "662", "690", "691", "696", "697", "698", "699",
];
const ADDED_ENTRIES: &[&str] = &[
    "700", "710", "711", "720", "730", "740", "752", "753", "754", "790", "791", "792", "793",
    "796", "797", "798", "799",
];
const NOTES: &[&str] = &[
    "500", "501", "502", "504", "505", "506", "507", "508", "510", "511", "513", "514", "515",
    "516", "518", "520", "521", "522", "524", "525", "526", "530", "533", "534", "535", "536",
    "538", "540", "541", "544", "545", "546", "547", "550", "552", "555", "556", "561", "562",
    "563", "565", "567", "580", "581", "583", "584", "585", "586", "590", "591", "592", "593",
    "594", "595", "596", "597", "598", "599",
];

/// A value (`str`, or `bytes` with `to_unicode=False`) is "truthy" as in Python.
fn truthy(v: &Bound<'_, PyAny>) -> PyResult<bool> {
    v.is_truthy()
}

impl Record {
    fn tagged<'py>(slf: &Bound<'py, Self>, tags: &[&str]) -> PyResult<Bound<'py, PyList>> {
        let wanted: Vec<&[u8]> = tags.iter().map(|t| t.as_bytes()).collect();
        Self::fields_matching(slf, |t| wanted.contains(&&t[..]))
    }

    /// `$a`, with ` $b` after it when both are there (pymarc's `title`).
    fn title_of<'py>(slf: &Bound<'py, Self>, tag: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        let py = slf.py();
        let Some(field) = Self::find(slf, tag) else {
            return Ok(None);
        };
        let Some(title) = field.first(slf.py(), "a")? else {
            return Ok(None);
        };
        if !truthy(&title)? {
            return Ok(Some(title));
        }
        match field.first(py, "b")? {
            Some(sub) if truthy(&sub)? => {
                // Both are `bytes` with `to_unicode=False`.
                if let (Ok(a), Ok(b)) = (title.cast::<PyBytes>(), sub.cast::<PyBytes>()) {
                    let joined = [a.as_bytes(), b" ", b.as_bytes()].concat();
                    return Ok(Some(PyBytes::new(py, &joined).into_any()));
                }
                let joined = format!("{} {}", title.str()?, sub.str()?);
                Ok(Some(PyString::new(py, &joined).into_any()))
            }
            _ => Ok(Some(title)),
        }
    }

    /// The first field of `tags` that the record has, formatted.
    fn formatted(slf: &Bound<'_, Self>, tags: &[&str]) -> PyResult<Option<String>> {
        let py = slf.py();
        match tags.iter().find_map(|t| Self::find(slf, t)) {
            Some(f) => f.format_field(py).map(Some),
            None => Ok(None),
        }
    }

    /// `$code` of the first 260, or of a 264 with second indicator 1.
    fn publication<'py>(slf: &Bound<'py, Self>, code: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        let py = slf.py();
        for f in Self::tagged(slf, &["260", "264"])?.iter() {
            let field = f.cast::<Field>()?.get();
            if field.tag_string() == "260" || field.indicators_bytes().1 == b'1' {
                return field.first(py, code);
            }
        }
        Ok(None)
    }
}

#[pymethods]
impl Record {
    /// 245 $a, and $b after a space (pymarc's `title`).
    #[getter]
    fn title<'py>(slf: &Bound<'py, Self>) -> PyResult<Option<Bound<'py, PyAny>>> {
        Self::title_of(slf, "245")
    }

    /// 222 $a and $b, the key title.
    #[getter]
    fn issn_title<'py>(slf: &Bound<'py, Self>) -> PyResult<Option<Bound<'py, PyAny>>> {
        Self::title_of(slf, "222")
    }

    /// The first run of digits, `X` and hyphens in the first 020 $a, without the hyphens.
    #[getter]
    fn isbn(slf: &Bound<'_, Self>) -> PyResult<Option<String>> {
        let Some(field) = Self::find(slf, "020") else {
            return Ok(None);
        };
        let Some(number) = field.first(slf.py(), "a")? else {
            return Ok(None);
        };
        let text = match number.cast::<PyBytes>() {
            // to_unicode=False: only ASCII digits, X and hyphens are kept anyway.
            Ok(b) => b.as_bytes().iter().map(|&c| c as char).collect(),
            Err(_) => number.str()?.to_string(),
        };
        let isbn_char = |c: char| c.is_ascii_digit() || matches!(c, '-' | 'x' | 'X');
        let Some(start) = text.find(isbn_char) else {
            return Ok(None);
        };
        let run: String = text[start..]
            .chars()
            .take_while(|&c| isbn_char(c))
            .collect();
        Ok(Some(run.replace('-', "")))
    }

    /// 022 $a.
    #[getter]
    fn issn<'py>(slf: &Bound<'py, Self>) -> PyResult<Option<Bound<'py, PyAny>>> {
        match Self::find(slf, "022") {
            Some(f) => f.first(slf.py(), "a"),
            None => Ok(None),
        }
    }

    /// 022 $l, the linking ISSN.
    #[getter]
    fn issnl<'py>(slf: &Bound<'py, Self>) -> PyResult<Option<Bound<'py, PyAny>>> {
        match Self::find(slf, "022") {
            Some(f) => f.first(slf.py(), "l"),
            None => Ok(None),
        }
    }

    /// 086, formatted: the Superintendent of Documents classification.
    #[getter]
    fn sudoc(slf: &Bound<'_, Self>) -> PyResult<Option<String>> {
        Self::formatted(slf, &["086"])
    }

    /// 100, 110 or 111, formatted.
    #[getter]
    fn author(slf: &Bound<'_, Self>) -> PyResult<Option<String>> {
        Self::formatted(slf, &["100", "110", "111"])
    }

    /// 130 or 240, formatted.
    #[getter]
    fn uniformtitle(slf: &Bound<'_, Self>) -> PyResult<Option<String>> {
        Self::formatted(slf, &["130", "240"])
    }

    /// The series fields: 440, 490, 800, 810, 811, 830.
    #[getter]
    fn series<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyList>> {
        Self::tagged(slf, SERIES)
    }

    /// The subject fields: 600-699 as pymarc lists them.
    #[getter]
    fn subjects<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyList>> {
        Self::tagged(slf, SUBJECTS)
    }

    /// The added entries: 700-799 as pymarc lists them.
    #[getter]
    fn addedentries<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyList>> {
        Self::tagged(slf, ADDED_ENTRIES)
    }

    /// The 852 location fields.
    #[getter]
    fn location<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyList>> {
        Self::tagged(slf, &["852"])
    }

    /// The note fields: 500-599 as pymarc lists them.
    #[getter]
    fn notes<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyList>> {
        Self::tagged(slf, NOTES)
    }

    /// The 300 physical description fields.
    #[getter]
    fn physicaldescription<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyList>> {
        Self::tagged(slf, &["300"])
    }

    /// 260 $b, or $b of a 264 with second indicator 1.
    #[getter]
    fn publisher<'py>(slf: &Bound<'py, Self>) -> PyResult<Option<Bound<'py, PyAny>>> {
        Self::publication(slf, "b")
    }

    /// 260 $c, or $c of a 264 with second indicator 1.
    #[getter]
    fn pubyear<'py>(slf: &Bound<'py, Self>) -> PyResult<Option<Bound<'py, PyAny>>> {
        Self::publication(slf, "c")
    }
}
