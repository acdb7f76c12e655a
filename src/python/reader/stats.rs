//! `MARCReader.stats()`: the core's whole-file profile ([`crate::profile`]),
//! computed on N threads with the GIL released.

use super::super::profile::PyProfile;
use super::bulk::threads_arg;
use super::Reader;
use crate::lint::{Linter, RuleSet};
use crate::profile::{self, ProfileOptions};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

#[pymethods]
impl Reader {
    /// A profile of the whole file (a ``Profile``), on ``threads`` threads with
    /// the GIL released: records by leader values, by what marcmap found
    /// (bad, repaired, mislabelled UTF-8), tag, subfield and indicator
    /// counts, and length distributions. A record is bad when it cannot be
    /// read or (with ``decode=True``, the default) its text does not decode,
    /// checked strictly as ``validate()`` does. With ``lint=True`` every
    /// record is also linted (``rules``: rule ids, ``"default"`` or ``"all"``;
    /// the default rules when ``None``) and the findings counted by rule
    /// (``Profile.lint``).
    #[pyo3(signature = (*, threads = None, decode = true, lint = false, rules = None))]
    fn stats(
        &self,
        py: Python<'_>,
        threads: Option<usize>,
        decode: bool,
        lint: bool,
        rules: Option<Vec<String>>,
    ) -> PyResult<PyProfile> {
        self.check_open()?;
        self.file().expect_scan();
        let threads = threads_arg(threads)?;
        if rules.is_some() && !lint {
            return Err(PyValueError::new_err("rules= needs lint=True"));
        }
        let linter = match (lint, rules) {
            (false, _) => None,
            (true, None) => Some(Linter::new()),
            (true, Some(ids)) => {
                let set = RuleSet::parse(ids.iter().map(String::as_str))
                    .map_err(PyValueError::new_err)?;
                Some(Linter::new().rules(set))
            }
        };
        let shared = self.shared.clone();
        let options = ProfileOptions {
            decoder: shared.text.decoder,
            structure_only: !decode,
            lint: linter,
        };
        let found = py.detach(move || profile::profile(&shared.file, &options, threads));
        Ok(PyProfile::new(found))
    }
}
