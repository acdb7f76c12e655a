//! `lint` in Python: `MARCReader.lint()` and `lint_arrow()` (the core's
//! [`crate::lint::lint_file`], GIL-free on N threads), `Record.lint()` and
//! `OwnedRecord.lint()` for one record, `marcmap.lint_rules()`, and the two
//! classes they return: `LintFinding` and `LintTable` (the findings as Arrow).

use super::arrow::OneBatch;
use super::errors;
use super::owned::PyOwnedRecord;
use super::reader::{threads_arg, Reader};
use super::record::Record;
use crate::lint::{self, Definitions, Finding, Linter, Rule, RuleSet};
use crate::RecordRef;
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict};
use std::path::PathBuf;

/// The linter `rules` (ids, `"default"`, `"all"`; the default rules when
/// `None`) and `definitions` (a JSON file adding to the built-in MARC 21
/// definitions) ask for.
fn linter_arg(rules: Option<Vec<String>>, definitions: Option<PathBuf>) -> PyResult<Linter> {
    let mut linter = Linter::new();
    if let Some(rules) = rules {
        let set =
            RuleSet::parse(rules.iter().map(String::as_str)).map_err(PyValueError::new_err)?;
        linter = linter.rules(set);
    }
    if let Some(path) = definitions {
        let json = std::fs::read_to_string(&path)
            .map_err(|e| PyOSError::new_err(format!("{}: {e}", path.display())))?;
        let defs = Definitions::builtin()
            .with_json(&json)
            .map_err(|e| PyValueError::new_err(format!("{}: {e}", path.display())))?;
        linter = linter.definitions(defs);
    }
    Ok(linter)
}

/// One thing a lint rule found in a record.
///
/// It keeps the core's finding as it is and makes each attribute's Python
/// value when it is read: a list of thousands of findings costs one object
/// each, not a string each for its tag and code.
#[pyclass(frozen, name = "LintFinding", module = "marcmap._marcmap")]
pub(crate) struct LintFinding(Finding);

impl From<Finding> for LintFinding {
    fn from(f: Finding) -> Self {
        LintFinding(f)
    }
}

#[pymethods]
impl LintFinding {
    /// The record's index in the file (0 for a record linted on its own).
    #[getter]
    fn record_index(&self) -> u64 {
        self.0.record_index
    }

    /// The byte offset in the file of the field or subfield concerned (of the
    /// record, for a record-level finding; in a MARCXML or JSON input, of the
    /// record in the input).
    #[getter]
    fn byte_offset(&self) -> u64 {
        self.0.byte_offset
    }

    /// The field's index in directory order, or ``None`` for a record-level finding.
    #[getter]
    fn field_index(&self) -> Option<usize> {
        self.0.field_index
    }

    /// The field's tag (``"LDR"`` for the leader), or ``None``.
    #[getter]
    fn tag(&self) -> Option<&str> {
        self.0.tag_str()
    }

    /// The subfield code (or ``"1"``/``"2"`` for an indicator), or ``None``.
    #[getter]
    fn code(&self) -> Option<String> {
        self.0.code_str()
    }

    /// The rule's id, such as ``"non-repeatable-field"``.
    #[getter]
    fn rule(&self) -> &'static str {
        self.0.rule.id()
    }

    /// What is wrong, in one line.
    #[getter]
    fn message(&self) -> &str {
        &self.0.message
    }

    /// ``"error"``, ``"warning"`` or ``"info"``.
    #[getter]
    fn severity(&self) -> &'static str {
        self.0.severity().name()
    }

    /// The finding as a dict of its eight attributes.
    fn as_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("record_index", self.record_index())?;
        d.set_item("byte_offset", self.byte_offset())?;
        d.set_item("field_index", self.field_index())?;
        d.set_item("tag", self.tag())?;
        d.set_item("code", self.code())?;
        d.set_item("rule", self.rule())?;
        d.set_item("message", self.message())?;
        d.set_item("severity", self.severity())?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "<LintFinding record {} at byte {}: {} [{}] {}>",
            self.0.record_index,
            self.0.byte_offset,
            self.severity(),
            self.rule(),
            self.0.message
        )
    }
}

/// Lint findings as an Arrow table, made by ``MARCReader.lint_arrow()``.
///
/// It implements the Arrow PyCapsule interface: ``pyarrow.table(t)``,
/// ``polars.DataFrame(t)`` and DuckDB read it, as many times as wanted. The
/// columns: ``record_index``, ``byte_offset`` (uint64), ``field_index``
/// (uint32, null for record-level findings), ``tag``, ``code`` (null where
/// none applies), ``rule``, ``severity``, ``message``.
#[pyclass(frozen, name = "LintTable", module = "marcmap._marcmap")]
pub(crate) struct LintTable {
    batch: OneBatch,
}

#[pymethods]
impl LintTable {
    /// The schema, as an ``arrow_schema`` PyCapsule.
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        self.batch.schema_capsule(py)
    }

    /// The findings, as an ``arrow_array_stream`` PyCapsule of one batch.
    /// ``requested_schema`` is ignored (the interface allows it).
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        self.batch.stream_capsule(py)
    }

    /// How many findings.
    fn __len__(&self) -> usize {
        self.batch.rows()
    }

    fn __repr__(&self) -> String {
        format!("<marcmap.LintTable findings={}>", self.batch.rows())
    }
}

#[pymethods]
impl Reader {
    /// MARC 21 rule validation of every record, on ``threads`` threads (all
    /// cores by default) with the GIL released: a list of ``LintFinding``, in
    /// record order.
    ///
    /// ``rules``: rule ids (``marcmap.lint_rules()`` lists them), ``"default"``
    /// or ``"all"``; the default rules when ``None``. ``definitions``: a JSON
    /// file (the shape of the built-in MARC 21 definitions) that adds tags or
    /// overrides them. A record that does not parse gives one
    /// ``invalid-record`` finding.
    #[pyo3(signature = (*, rules = None, threads = None, definitions = None))]
    fn lint(
        &self,
        py: Python<'_>,
        rules: Option<Vec<String>>,
        threads: Option<usize>,
        definitions: Option<PathBuf>,
    ) -> PyResult<Vec<LintFinding>> {
        let found = self.lint_findings(py, rules, threads, definitions)?;
        Ok(found.into_iter().map(LintFinding::from).collect())
    }

    /// ``lint()``'s findings as an Arrow table (a ``LintTable``), for DuckDB,
    /// Polars or pyarrow to group and count.
    #[pyo3(signature = (*, rules = None, threads = None, definitions = None))]
    fn lint_arrow(
        &self,
        py: Python<'_>,
        rules: Option<Vec<String>>,
        threads: Option<usize>,
        definitions: Option<PathBuf>,
    ) -> PyResult<LintTable> {
        let found = self.lint_findings(py, rules, threads, definitions)?;
        let batch = py
            .detach(move || lint::arrow::findings_batch(&found))
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(LintTable {
            batch: OneBatch(batch),
        })
    }
}

impl Reader {
    fn lint_findings(
        &self,
        py: Python<'_>,
        rules: Option<Vec<String>>,
        threads: Option<usize>,
        definitions: Option<PathBuf>,
    ) -> PyResult<Vec<Finding>> {
        self.check_open()?;
        self.file().expect_scan();
        let threads = threads_arg(threads)?;
        let linter = linter_arg(rules, definitions)?;
        let file = self.file().clone();
        Ok(py.detach(move || lint::lint_file(&file, &linter, threads)))
    }
}

/// Lints one record's bytes (a whole ISO 2709 record), at `index` and `offset`.
fn lint_bytes(
    py: Python<'_>,
    bytes: &[u8],
    index: u64,
    offset: u64,
    linter: &Linter,
) -> PyResult<Vec<LintFinding>> {
    let found = match RecordRef::parse(bytes) {
        Ok(record) => linter.lint_record(&record.located(index, offset)),
        Err(e) => {
            let e = e.located(index, offset);
            match linter.invalid_record(index, offset, &e) {
                Some(f) => vec![f],
                None => return Err(errors::to_py(py, e, bytes)),
            }
        }
    };
    Ok(found.into_iter().map(LintFinding::from).collect())
}

#[pymethods]
impl Record {
    /// MARC 21 rule validation of this record: a list of ``LintFinding``
    /// (``rules`` and ``definitions`` as for ``MARCReader.lint()``). Offsets
    /// are in the file, as the reader's.
    #[pyo3(signature = (*, rules = None, definitions = None))]
    fn lint(
        &self,
        rules: Option<Vec<String>>,
        definitions: Option<PathBuf>,
    ) -> PyResult<Vec<LintFinding>> {
        let linter = linter_arg(rules, definitions)?;
        let found = linter.lint_record(&self.view());
        Ok(found.into_iter().map(LintFinding::from).collect())
    }
}

#[pymethods]
impl PyOwnedRecord {
    /// MARC 21 rule validation of this record as it is now (written as
    /// ``as_marc()`` writes it, and linted): a list of ``LintFinding``
    /// (``rules`` and ``definitions`` as for ``MARCReader.lint()``). Offsets
    /// count from the start of the record.
    #[pyo3(signature = (*, rules = None, definitions = None))]
    fn lint(
        &self,
        py: Python<'_>,
        rules: Option<Vec<String>>,
        definitions: Option<PathBuf>,
    ) -> PyResult<Vec<LintFinding>> {
        let linter = linter_arg(rules, definitions)?;
        let mut record = self.record();
        record.leader[9] = b'a';
        let bytes = record.to_iso2709().map_err(|e| errors::to_py(py, e, &[]))?;
        lint_bytes(py, &bytes, 0, 0, &linter)
    }
}

/// Every lint rule: a list of dicts with ``id``, ``severity``, ``default``
/// (whether it runs when no rules are named) and ``description``.
#[pyfunction]
pub(crate) fn lint_rules(py: Python<'_>) -> PyResult<Vec<Bound<'_, PyDict>>> {
    Rule::ALL
        .iter()
        .map(|rule| {
            let d = PyDict::new(py);
            d.set_item("id", rule.id())?;
            d.set_item("severity", rule.severity().name())?;
            d.set_item("default", rule.is_default())?;
            d.set_item("description", rule.description())?;
            Ok(d)
        })
        .collect()
}
