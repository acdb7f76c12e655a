//! `marcmap.Spec` and `marcmap.Expr`: a MARCspec and a filter expression
//! parsed once (the core's [`crate::spec::Spec`] and [`crate::filter::Expr`]),
//! accepted wherever the text is; and the one reading of such an argument.

use super::errors;
use crate::filter::Expr;
use crate::spec::{Spec, SpecError};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};

/// A parsed MARCspec.
#[pyclass(frozen, name = "Spec", module = "marcmap._marcmap")]
pub(crate) struct PySpec {
    pub(crate) spec: Spec,
}

#[pymethods]
impl PySpec {
    #[new]
    fn new(py: Python<'_>, text: &str) -> PyResult<Self> {
        Spec::parse(text)
            .map(|spec| PySpec { spec })
            .map_err(|e| spec_error(py, e))
    }

    /// The spec as written.
    #[getter]
    fn text(&self) -> &str {
        self.spec.as_str()
    }

    /// Whether it gives one value a record at most (or is read as if, as its
    /// first value, in single-value columns).
    #[getter]
    fn is_single(&self) -> bool {
        self.spec.is_single()
    }

    fn __str__(&self) -> &str {
        self.spec.as_str()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Spec({})",
            PyString::new(py, self.spec.as_str()).repr()?
        ))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PySpec>()
            .is_ok_and(|o| o.get().spec.as_str() == self.spec.as_str())
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.spec.as_str().hash(&mut h);
        h.finish()
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let args = PyTuple::new(slf.py(), [slf.get().spec.as_str()])?;
        PyTuple::new(slf.py(), [slf.get_type().into_any(), args.into_any()])
    }
}

/// A parsed filter expression.
#[pyclass(frozen, name = "Expr", module = "marcmap._marcmap")]
pub(crate) struct PyExpr {
    pub(crate) expr: Expr,
}

#[pymethods]
impl PyExpr {
    #[new]
    fn new(py: Python<'_>, text: &str) -> PyResult<Self> {
        Expr::parse(text)
            .map(|expr| PyExpr { expr })
            .map_err(|e| spec_error(py, e))
    }

    /// The expression as written.
    #[getter]
    fn text(&self) -> &str {
        self.expr.as_str()
    }

    fn __str__(&self) -> &str {
        self.expr.as_str()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Expr({})",
            PyString::new(py, self.expr.as_str()).repr()?
        ))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyExpr>()
            .is_ok_and(|o| o.get().expr.as_str() == self.expr.as_str())
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.expr.as_str().hash(&mut h);
        h.finish()
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let args = PyTuple::new(slf.py(), [slf.get().expr.as_str()])?;
        PyTuple::new(slf.py(), [slf.get_type().into_any(), args.into_any()])
    }
}

/// `marcmap.SpecError` (a `ValueError`) for `e`, with `.text`, `.column`
/// and `.expected`.
pub(crate) fn spec_error(py: Python<'_>, e: SpecError) -> PyErr {
    let made = errors::class(py, "SpecError")
        .and_then(|c| c.call1((e.to_string(), e.text(), e.column(), e.expected())));
    made.map_or_else(|err| err, PyErr::from_value)
}

/// A spec argument: a `Spec`, or text parsed here.
pub(crate) fn spec_arg(arg: &Bound<'_, PyAny>) -> PyResult<Spec> {
    if let Ok(s) = arg.cast::<PySpec>() {
        return Ok(s.get().spec.clone());
    }
    if let Ok(text) = arg.cast::<PyString>() {
        return Spec::parse(text.to_str()?).map_err(|e| spec_error(arg.py(), e));
    }
    Err(PyTypeError::new_err(format!(
        "a spec is a str or a marcmap.Spec, not {}",
        arg.get_type().name()?
    )))
}

/// A filter expression argument: an `Expr`, a `Spec` (the record has a value
/// for it), or text parsed here.
pub(crate) fn expr_arg(arg: &Bound<'_, PyAny>) -> PyResult<Expr> {
    if let Ok(e) = arg.cast::<PyExpr>() {
        return Ok(e.get().expr.clone());
    }
    let text = if let Ok(s) = arg.cast::<PySpec>() {
        s.get().spec.as_str().to_string()
    } else if let Ok(text) = arg.cast::<PyString>() {
        text.to_str()?.to_string()
    } else {
        return Err(PyTypeError::new_err(format!(
            "a filter expression is a str, a marcmap.Expr or a marcmap.Spec, not {}",
            arg.get_type().name()?
        )));
    };
    Expr::parse(&text).map_err(|e| spec_error(arg.py(), e))
}
