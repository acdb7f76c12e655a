//! `Record.as_xml()` and `Record.to_owned()`: the record as MARCXML, and as an
//! editable copy (an `OwnedRecord`, made from an [`OwnedCopy`] in `owned.rs`).

use super::super::errors;
use super::super::shared::OwnedCopy;
use super::Record;
use crate::OwnedRecord;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

impl Record {
    /// One `<record>` element of MARCXML (UTF-8 bytes), its text decoded as the
    /// record's reader decodes it: `as_xml()`, and `OwnedRecord.as_xml()` and
    /// the writers' `record_to_xml` for a record they read through a `Record`.
    pub(crate) fn xml<'py>(
        &self,
        py: Python<'py>,
        namespace: bool,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let mut out = Vec::new();
        if let Some(edited) = self.with_edited(|r, decoder, _| {
            let bytes = r.to_iso2709()?;
            let parsed = crate::RecordRef::parse(&bytes)?;
            crate::write::marcxml::write_record(&parsed, decoder, namespace, &mut out)
        }) {
            edited.map_err(|e| {
                errors::to_py(py, e.located(self.place.index, self.place.origin), &[])
            })?;
            return Ok(PyBytes::new(py, &out));
        }
        crate::write::marcxml::write_record(
            &self.view(),
            &self.shared.text.decoder,
            namespace,
            &mut out,
        )
        .map_err(|e| errors::to_py(py, e, self.bytes()))?;
        Ok(PyBytes::new(py, &out))
    }
}

#[pymethods]
impl Record {
    /// One `<record>` element of MARCXML (UTF-8 bytes), as `record_to_xml`.
    #[pyo3(signature = (namespace = false))]
    fn as_xml<'py>(slf: &Bound<'py, Self>, namespace: bool) -> PyResult<Bound<'py, PyBytes>> {
        slf.get().xml(slf.py(), namespace)
    }

    /// An editable `OwnedRecord` copy, its values decoded to UTF-8 as pymarc
    /// decodes them (LDR/09 `a`).
    fn to_owned(&self, py: Python<'_>) -> PyResult<OwnedCopy> {
        if let Some(copy) = self.with_edited(|r, _, _| r.clone()) {
            let mut copy = copy;
            copy.leader[9] = b'a';
            return Ok(OwnedCopy(copy));
        }
        let view = self.view();
        OwnedRecord::from_ref_utf8(&view, &self.shared.text.decoder)
            .map(OwnedCopy)
            .map_err(|e| errors::to_py(py, e, self.bytes()))
    }
}
