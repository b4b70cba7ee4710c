//! `tracing` -> Python `logging`, on the logger `stigg_native`.
//!
//! The binding installs a `tracing` subscriber of its own (the `tracing` statics linked into this
//! extension belong to it alone, so no other library in the process is affected). It forwards the
//! events of the `stigg*` targets at or above a threshold that mirrors the logger's effective level:
//! read at import, at every client creation and by `stigg_native.refresh_log_level()`. Below the
//! threshold an event costs one atomic load and never takes the GIL. Forwarding stops at interpreter
//! exit (`atexit`), when Python can no longer be called from the runtime's threads.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// 0 = off, 1 = error, 2 = warn, 3 = info, 4 = debug, 5 = trace.
static THRESHOLD: AtomicU8 = AtomicU8::new(2);
static STOPPED: AtomicBool = AtomicBool::new(false);
static LOGGER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn rank(level: &Level) -> u8 {
    match *level {
        Level::ERROR => 1,
        Level::WARN => 2,
        Level::INFO => 3,
        Level::DEBUG => 4,
        Level::TRACE => 5,
    }
}

fn python_level(level: &Level) -> u8 {
    match *level {
        Level::ERROR => 40,
        Level::WARN => 30,
        Level::INFO => 20,
        Level::DEBUG => 10,
        Level::TRACE => 5,
    }
}

/// The `stigg_native` logger.
pub fn logger(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    LOGGER
        .get_or_try_init(py, || {
            py.import("logging")?
                .call_method1("getLogger", ("stigg_native",))
                .map(Bound::unbind)
        })
        .map(|l| l.bind(py))
}

/// Re-reads the logger's effective level (call after changing it).
#[pyfunction]
pub fn refresh_log_level(py: Python<'_>) -> PyResult<()> {
    let level: i64 = logger(py)?.call_method0("getEffectiveLevel")?.extract()?;
    let t = match level {
        l if l <= 5 => 5,
        l if l <= 10 => 4,
        l if l <= 20 => 3,
        l if l <= 30 => 2,
        l if l <= 50 => 1,
        _ => 0,
    };
    THRESHOLD.store(t, Ordering::Relaxed);
    Ok(())
}

/// Stops forwarding (registered with `atexit`).
#[pyfunction]
pub fn _stop_logging() {
    STOPPED.store(true, Ordering::Relaxed);
}

/// True while Python may be called from any thread.
pub fn python_available() -> bool {
    // SAFETY: Py_IsInitialized may be called at any time, with or without the GIL.
    !STOPPED.load(Ordering::Relaxed) && unsafe { pyo3::ffi::Py_IsInitialized() } != 0
}

struct Forward;

fn wanted(meta: &Metadata<'_>) -> bool {
    meta.target().starts_with("stigg") && rank(meta.level()) <= THRESHOLD.load(Ordering::Relaxed)
}

#[derive(Default)]
struct Message {
    text: String,
    fields: String,
}

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.text, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.text.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }
}

impl<S: Subscriber> Layer<S> for Forward {
    fn register_callsite(&self, meta: &'static Metadata<'static>) -> tracing::subscriber::Interest {
        if meta.target().starts_with("stigg") {
            // The threshold can change at run time: ask on every event.
            tracing::subscriber::Interest::sometimes()
        } else {
            tracing::subscriber::Interest::never()
        }
    }

    fn enabled(&self, meta: &Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        wanted(meta)
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        if !python_available() {
            return;
        }
        let mut m = Message::default();
        event.record(&mut m);
        let text = format!("{}{}", m.text, m.fields);
        let level = python_level(event.metadata().level());
        Python::attach(|py| {
            if let Ok(logger) = logger(py) {
                let _ = logger.call_method1("log", (level, "%s", text));
            }
        });
    }
}

/// Installs the forwarding subscriber (once; a no-op if one is already set).
pub fn install(py: Python<'_>) {
    let subscriber = tracing_subscriber::registry().with(Forward);
    let _ = tracing::subscriber::set_global_default(subscriber);
    let _ = refresh_log_level(py);
}
