//! `marcmap.Edits`: an edit program ([`crate::edit::Program`]) parsed and
//! checked once, for `reader.write(..., edits=...)`.

use super::errors;
use crate::edit::{Program, ProgramError, RuleCount};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyList, PyString};
use std::sync::Arc;

/// A list of edit rules, parsed and checked once: see the docs' "Editing"
/// page for the rules. A rule that does not parse raises `EditRuleError` (a
/// `ValueError`) naming the rule and the column.
#[pyclass(frozen, name = "Edits", module = "marcmap._marcmap")]
pub(crate) struct Edits {
    program: Arc<Program>,
}

#[pymethods]
impl Edits {
    #[new]
    fn new(py: Python<'_>, rules: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Edits {
            program: Arc::new(parse_rules(py, rules)?),
        })
    }

    /// The rules, as given.
    #[getter]
    fn rules(&self) -> Vec<String> {
        self.program.rules().map(str::to_owned).collect()
    }

    fn __len__(&self) -> usize {
        self.program.len()
    }

    fn __repr__(&self) -> String {
        let rules: Vec<String> = self.program.rules().map(|r| format!("{r:?}")).collect();
        format!("Edits([{}])", rules.join(", "))
    }
}

/// `rules`: an iterable of `str`, not one `str` (whose characters would be
/// read as rules).
fn parse_rules(py: Python<'_>, rules: &Bound<'_, PyAny>) -> PyResult<Program> {
    if rules.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(
            "edits are a list of rules, e.g. ['delete 9XX'], not one string",
        ));
    }
    let mut texts = Vec::new();
    for rule in rules.try_iter()? {
        let rule = rule?;
        let Ok(text) = rule.extract::<String>() else {
            let type_name = rule.get_type().name()?;
            return Err(PyTypeError::new_err(format!(
                "an edit rule is a str, not {type_name}"
            )));
        };
        texts.push(text);
    }
    Program::parse(&texts).map_err(|e| rule_error(py, e))
}

/// `marcmap.errors.EditRuleError(message, rule_index, column, rule)`.
fn rule_error(py: Python<'_>, e: ProgramError) -> PyErr {
    let made = errors::class(py, "EditRuleError").and_then(|c| {
        c.call1((
            e.to_string(),
            e.rule(),
            e.column(),
            e.rule_text().to_owned(),
        ))
    });
    made.map_or_else(|err| err, PyErr::from_value)
}

/// An `edits=` argument: `Edits`, or rules to parse.
pub(crate) fn edits_arg(edits: &Bound<'_, PyAny>) -> PyResult<Arc<Program>> {
    if let Ok(e) = edits.cast::<Edits>() {
        return Ok(Arc::clone(&e.get().program));
    }
    Ok(Arc::new(parse_rules(edits.py(), edits)?))
}

static EDIT_COUNT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The counts as a list of `EditCount(rule, records, changes)`.
pub(crate) fn counts<'py>(
    py: Python<'py>,
    program: &Program,
    counts: &[RuleCount],
) -> PyResult<Bound<'py, PyList>> {
    let cls = EDIT_COUNT
        .get_or_try_init(py, || {
            PyResult::Ok(py.import("marcmap._types")?.getattr("EditCount")?.unbind())
        })?
        .bind(py);
    let items = program
        .rules()
        .zip(counts)
        .map(|(rule, c)| cls.call1((rule, c.records, c.changes)))
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, items)
}
