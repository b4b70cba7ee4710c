//! asyncio integration without a second runtime: a coroutine method creates a future on the running
//! event loop, spawns the core's future on the client's own tokio runtime, and the task resolves the
//! asyncio future with `loop.call_soon_threadsafe` (attaching to Python only for that). Cancelling
//! the asyncio future aborts the tokio task.

use std::future::Future;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use stigg_core::StiggError;
use tokio::runtime::Handle;
use tokio::task::AbortHandle;

use crate::errors;
use crate::logging::python_available;

static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static RESOLVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static REJECT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn import<'py>(
    cell: &'static PyOnceLock<Py<PyAny>>,
    py: Python<'py>,
    module: &str,
    name: &str,
) -> PyResult<&'py Bound<'py, PyAny>> {
    cell.get_or_try_init(py, || py.import(module)?.getattr(name).map(Bound::unbind))
        .map(|f| f.bind(py))
}

fn new_future<'py>(py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    let event_loop = import(&GET_RUNNING_LOOP, py, "asyncio", "get_running_loop")?.call0()?;
    let fut = event_loop.call_method0("create_future")?;
    Ok((event_loop, fut))
}

/// An already resolved asyncio future (the cached fast path of a coroutine method).
pub fn ready<'py>(py: Python<'py>, value: Py<PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let (_, fut) = new_future(py)?;
    fut.call_method1("set_result", (value,))?;
    Ok(fut)
}

/// Aborts the tokio task when its asyncio future is cancelled (a done callback).
#[pyclass(frozen)]
struct Canceller(AbortHandle);

#[pymethods]
impl Canceller {
    fn __call__(&self, fut: &Bound<'_, PyAny>) -> PyResult<()> {
        if fut.call_method0("cancelled")?.is_truthy()? {
            self.0.abort();
        }
        Ok(())
    }
}

/// Runs `work` on the client's runtime and returns an asyncio future of its converted output.
pub fn spawn<'py, T, F, C>(
    py: Python<'py>,
    handle: &Handle,
    work: F,
    convert: C,
) -> PyResult<Bound<'py, PyAny>>
where
    T: Send + 'static,
    F: Future<Output = Result<T, StiggError>> + Send + 'static,
    C: FnOnce(Python<'_>, T) -> PyResult<Py<PyAny>> + Send + 'static,
{
    let (event_loop, fut) = new_future(py)?;
    let resolve = import(&RESOLVE, py, "stigg_native._aio", "resolve")?
        .clone()
        .unbind();
    let reject = import(&REJECT, py, "stigg_native._aio", "reject")?
        .clone()
        .unbind();
    let target = fut.clone().unbind();
    let event_loop = event_loop.unbind();
    let task = handle.spawn(async move {
        let out = work.await;
        if !python_available() {
            return;
        }
        Python::attach(|py| {
            let (callback, arg) = match out {
                Ok(v) => match convert(py, v) {
                    Ok(obj) => (resolve, obj),
                    Err(e) => (reject, e.into_value(py).into_any()),
                },
                Err(e) => (reject, errors::to_py(py, &e).into_value(py).into_any()),
            };
            // Fails only when the loop is closed: nobody is waiting any more.
            let _ = event_loop.call_method1(py, "call_soon_threadsafe", (callback, target, arg));
        });
    });
    fut.call_method1("add_done_callback", (Canceller(task.abort_handle()),))?;
    Ok(fut)
}
