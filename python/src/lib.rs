//! # stigg-python
//!
//! The PyO3 face of stigg-native, built by maturin into the wheel `stigg-native` (import name
//! `stigg_native`; this crate is its `stigg_native._native` extension). Translation only: every
//! decision is the core's.
//!
//! - [`client`]: the `Stigg` class (blocking methods that detach from Python while they wait,
//!   `async_*` coroutine methods, listeners, fork handling);
//! - [`results`]: typed result classes that convert fields lazily;
//! - [`convert`]: arguments and JSON-shaped values; [`errors`]: `StiggError` -> exceptions;
//! - [`events`]: listener delivery; [`logging`]: `tracing` -> `logging`; [`aio`]: asyncio futures;
//!   [`fork`]: fork detection.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod aio;
pub mod client;
pub mod convert;
pub mod errors;
pub mod events;
pub mod fork;
pub mod logging;
pub mod management;
pub mod results;

use pyo3::prelude::*;

/// The extension module `stigg_native._native`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    fork::install();
    logging::install(m.py());
    m.add_class::<client::Stigg>()?;
    m.add_class::<client::FixedClock>()?;
    results::register(m)?;
    m.add_function(wrap_pyfunction!(logging::refresh_log_level, m)?)?;
    m.add_function(wrap_pyfunction!(logging::_stop_logging, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("CORE_VERSION", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
