//! `StiggError` -> the exception classes of `stigg_native._errors`, carrying `.code`, `.trace_id`
//! and, for argument and configuration errors, `.argument` (the Python parameter's name).

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;
use stigg_core::StiggError;

use crate::convert::snake;

static ERRORS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// Builds an exception of class `class` of `stigg_native._errors`.
pub fn make(
    py: Python<'_>,
    class: &str,
    message: &str,
    code: &str,
    trace_id: Option<&str>,
    argument: Option<&str>,
) -> PyErr {
    let built = (|| -> PyResult<PyErr> {
        let module =
            ERRORS.get_or_try_init(py, || py.import("stigg_native._errors").map(Bound::unbind))?;
        let cls = module.bind(py).getattr(class)?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("code", code)?;
        kwargs.set_item("trace_id", trace_id)?;
        kwargs.set_item("argument", argument)?;
        let exc = cls.call((message,), Some(&kwargs))?;
        Ok(PyErr::from_value(exc))
    })();
    built.unwrap_or_else(|e| {
        PyRuntimeError::new_err(format!("{message} (and the Stigg error class failed: {e})"))
    })
}

/// The Python exception of a core error.
pub fn to_py(py: Python<'_>, e: &StiggError) -> PyErr {
    match e {
        StiggError::Config(c) => {
            let arg = snake(c.option);
            make(
                py,
                "ConfigurationError",
                &format!("invalid configuration `{arg}`: {}", c.reason),
                e.code(),
                None,
                Some(&arg),
            )
        }
        StiggError::InvalidArgument { field, reason } => {
            let arg = snake(field);
            make(
                py,
                "InvalidArgumentError",
                &format!("invalid argument `{arg}`: {reason}"),
                e.code(),
                None,
                Some(&arg),
            )
        }
        StiggError::Api { .. } => {
            make(py, "ApiError", &e.to_string(), e.code(), e.trace_id(), None)
        }
        StiggError::Timeout { .. } => {
            make(py, "TimeoutError", &e.to_string(), e.code(), None, None)
        }
        StiggError::Network(_) => make(py, "NetworkError", &e.to_string(), e.code(), None, None),
        StiggError::Closed => make(
            py,
            "ClientClosedError",
            &e.to_string(),
            e.code(),
            None,
            None,
        ),
        _ => make(
            py,
            "StiggError",
            &e.to_string(),
            e.code(),
            e.trace_id(),
            None,
        ),
    }
}

/// Converts a core result, attaching to Python for the error.
pub fn check<T>(py: Python<'_>, r: Result<T, StiggError>) -> PyResult<T> {
    r.map_err(|e| to_py(py, &e))
}
