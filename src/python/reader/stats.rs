//! `MARCReader.stats()`: the core's whole-file profile ([`crate::profile`]),
//! computed on N threads with the GIL released.

use super::super::profile::PyProfile;
use super::bulk::threads_arg;
use super::Reader;
use crate::profile::{self, ProfileOptions};
use pyo3::prelude::*;

#[pymethods]
impl Reader {
    /// A profile of the whole file (a ``Profile``), on ``threads`` threads with
    /// the GIL released: records by leader values, by what marcmap found
    /// (bad, repaired, mislabelled UTF-8), tag, subfield and indicator
    /// counts, and length distributions. A record is bad when it cannot be
    /// read or (with ``decode=True``, the default) its text does not decode,
    /// checked strictly as ``validate()`` does.
    #[pyo3(signature = (*, threads = None, decode = true))]
    fn stats(&self, py: Python<'_>, threads: Option<usize>, decode: bool) -> PyResult<PyProfile> {
        self.check_open()?;
        self.file().expect_scan();
        let threads = threads_arg(threads)?;
        let shared = self.shared.clone();
        let options = ProfileOptions {
            decoder: shared.text.decoder,
            structure_only: !decode,
        };
        let found = py.detach(move || profile::profile(&shared.file, &options, threads));
        Ok(PyProfile::new(found))
    }
}
