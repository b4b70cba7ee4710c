//! The `Stigg` class: the core client behind Pythonic methods.
//!
//! Every read first tries the core's synchronous `*_cached` answer while holding the GIL (a cached
//! check never waits); on a miss a blocking method detaches from Python (`Python::detach`) and runs
//! the core's future with `Stigg::block_on` on the client's own runtime, while an `async_*` method
//! returns an asyncio future resolved from that runtime (see `aio.rs`).
//!
//! Fork: the core client lives in an `Active` built for one fork generation. When a method runs
//! in a forked child (the generation changed, see `fork.rs`), the client is rebuilt from its
//! configuration with a new runtime, an empty cache and the same listeners; the parent's runtime is
//! leaked in the child on purpose, since dropping it could wait on locks held by threads that do not
//! exist there.

use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use stigg_core::client::{
    GetBooleanEntitlement, GetCreditEntitlement, GetEntitlement, GetEntitlementV2,
    GetEnumEntitlement, GetMeteredEntitlement, GetNumericEntitlement, ListenerId,
};
use stigg_core::eval::EntitlementOptions;
use stigg_core::model::usage::{
    ConsumeCredits, Dimensions, EstimateEventCost, EstimateUsageCost, ReportEvent, ReportUsage,
};
use stigg_core::model::wire::EntitlementsState;
use stigg_core::model::{CreditEntitlementFallback, EntitlementFallback, UsageUpdateBehavior};
use stigg_core::{StiggConfig, StiggError};
use tokio::runtime::Handle;

use crate::aio;
use crate::convert::{
    credit_fallback, credit_fallbacks, duration, feature_fallback, feature_fallbacks, from_py,
    instant, py_to_json, Amount, ApiKey, BaseEdgeUri, BaseUri, CurrencyId, CustomerId, EventName,
    FeatureId, IdempotencyKey, Num, RequestedUsage, RequestedValues, ResourceId, Str, StrList,
    UpdateBehavior, UsageValue, WsUrl,
};
use crate::errors::{self, check};
use crate::events::{PyListener, EVENT_NAMES};
use crate::fork;
use crate::results::{
    entitlement_to_py, entitlement_v2_to_py, record, BooleanEntitlement, CreditEntitlement,
    EntitlementsStateV2, EnumEntitlement, MeteredEntitlement, NumericEntitlement,
    ReloadEntitlementsResult,
};

/// A fixed clock for tests and conformance vectors: every decision reads `now` from it.
#[pyclass(frozen, module = "stigg_native", name = "FixedClock")]
pub struct FixedClock(Arc<stigg_core::FixedClock>);

#[pymethods]
impl FixedClock {
    /// A clock fixed at `now` (datetime, ISO string or epoch milliseconds).
    #[new]
    fn new(now: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(FixedClock(Arc::new(stigg_core::FixedClock::new(instant(
            now, "now",
        )?))))
    }

    /// Moves the clock to `now`.
    fn set(&self, now: &Bound<'_, PyAny>) -> PyResult<()> {
        self.0.set(instant(now, "now")?);
        Ok(())
    }

    /// The clock's instant in epoch milliseconds.
    #[getter]
    fn now_ms(&self) -> i64 {
        use stigg_core::Clock;
        self.0.now_millis()
    }
}

/// The core client of one fork generation, with the handle of its runtime.
pub(crate) struct Active {
    pub(crate) core: stigg_core::Stigg,
    generation: u64,
    pub(crate) handle: Handle,
}

impl Active {
    fn new(config: StiggConfig) -> Result<Self, StiggError> {
        let core = stigg_core::Stigg::new(config)?;
        // The core owns the runtime; its handle is what `block_on` enters, so ask for it there.
        let handle = match Handle::try_current() {
            Ok(h) => h,
            Err(_) => core
                .block_on(async { Handle::try_current() })?
                .map_err(|e| StiggError::Network(format!("no client runtime: {e}")))?,
        };
        Ok(Active {
            core,
            generation: fork::generation(),
            handle,
        })
    }
}

struct ListenerEntry {
    id: u64,
    core_id: ListenerId,
    listener: Arc<PyListener>,
}

/// The Stigg client (see the module docs of `stigg_native`).
#[pyclass(frozen, module = "stigg_native", name = "Stigg", subclass)]
pub struct Stigg {
    /// Never null. A replaced `Active` is leaked (fork), so a `&Active` lives as long as `self`.
    pub(crate) active: AtomicPtr<Active>,
    config: StiggConfig,
    listeners: Mutex<Vec<ListenerEntry>>,
    next_listener: AtomicU64,
    closed: AtomicBool,
    rebuild: Mutex<()>,
}

impl Drop for Stigg {
    fn drop(&mut self) {
        let ptr = *self.active.get_mut();
        // SAFETY: `ptr` came from Box::into_raw and is owned by `self` alone.
        let active = unsafe { &*ptr };
        if active.generation != fork::generation() {
            return; // built before a fork: leak it (see the module docs)
        }
        // SAFETY: as above; nothing else frees it.
        let active = unsafe { Box::from_raw(ptr) };
        if !active.core.is_closed() {
            let core = active.core.clone();
            active.handle.spawn(async move { core.close().await });
        }
    }
}

fn parse_events(events: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<&'static str>>> {
    let Some(events) = events else {
        return Ok(None);
    };
    let mut out = Vec::new();
    let items: Vec<Bound<'_, PyAny>> = if events.is_instance_of::<pyo3::types::PyString>() {
        vec![events.clone()]
    } else {
        events.try_iter()?.collect::<PyResult<_>>()?
    };
    for item in items {
        let name: String = item.extract().map_err(|_| {
            PyTypeError::new_err("events: expected EventType values or their names")
        })?;
        match EVENT_NAMES.iter().find(|n| **n == name) {
            Some(n) => out.push(*n),
            None => {
                return Err(PyValueError::new_err(format!(
                    "events: unknown event `{name}` (expected one of {})",
                    EVENT_NAMES.join(", ")
                )))
            }
        }
    }
    Ok(Some(out))
}

fn opt_feature_fallback(
    fallback: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<EntitlementFallback>> {
    fallback
        .filter(|f| !f.is_none())
        .map(|f| feature_fallback(f, "fallback", false))
        .transpose()
}

fn dimensions(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Dimensions>> {
    match obj.filter(|o| !o.is_none()) {
        None => Ok(None),
        Some(o) => {
            let json = py_to_json(o, "dimensions", false)?;
            serde_json::from_value(json)
                .map(Some)
                .map_err(|e| PyValueError::new_err(format!("dimensions: {e}")))
        }
    }
}

fn opt_instant(obj: Option<&Bound<'_, PyAny>>, arg: &str) -> PyResult<Option<i64>> {
    obj.filter(|o| !o.is_none())
        .map(|o| instant(o, arg))
        .transpose()
}

/// A list argument of dicts (or a single dict) deserialized into core inputs.
fn list_of<T: serde::de::DeserializeOwned>(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<Vec<T>> {
    if obj.is_instance_of::<PyDict>() {
        return Ok(vec![from_py(obj, arg)?]);
    }
    let mut out = Vec::new();
    for (i, item) in obj.try_iter()?.enumerate() {
        out.push(from_py(&item?, &format!("{arg}[{i}]"))?);
    }
    Ok(out)
}

fn convert_list(
    py: Python<'_>,
    class: &str,
    items: &[impl serde::Serialize],
) -> PyResult<Py<PyAny>> {
    let list = PyList::empty(py);
    for item in items {
        list.append(record(py, class, item)?)?;
    }
    Ok(list.into_any().unbind())
}

impl Stigg {
    /// The current core client; rebuilds it first in a forked child.
    #[inline]
    pub(crate) fn active(&self, py: Python<'_>) -> PyResult<&Active> {
        // SAFETY: never null, and never freed while `self` lives (see the field docs).
        let active = unsafe { &*self.active.load(Ordering::Acquire) };
        if active.generation == fork::generation() {
            return Ok(active);
        }
        self.rebuild_after_fork(py)
    }

    #[cold]
    fn rebuild_after_fork(&self, py: Python<'_>) -> PyResult<&Active> {
        let _guard = self.rebuild.lock().unwrap_or_else(|e| e.into_inner());
        // SAFETY: as in `active`.
        let current = unsafe { &*self.active.load(Ordering::Acquire) };
        if current.generation == fork::generation() {
            return Ok(current);
        }
        let fresh = check(py, Active::new(self.config.clone()))?;
        {
            let mut listeners = self.listeners.lock().unwrap_or_else(|e| e.into_inner());
            for entry in listeners.iter_mut() {
                let l = Arc::clone(&entry.listener);
                entry.core_id = fresh.core.add_listener(move |e| l.deliver(e));
            }
        }
        if self.closed.load(Ordering::Acquire) {
            let core = fresh.core.clone();
            let _ = py.detach(|| core.block_on(core.close()));
        }
        let ptr = Box::into_raw(Box::new(fresh));
        // The previous Active is leaked on purpose (its runtime's threads are gone in this child).
        self.active.store(ptr, Ordering::Release);
        tracing::info!(
            target: "stigg_native",
            pid = std::process::id(),
            "fork detected: this client was rebuilt for the child process (new runtime, empty cache)"
        );
        // SAFETY: just stored; lives as long as `self`.
        Ok(unsafe { &*ptr })
    }
}

/// Blocks on a core future from a method body: `block_on!(self, py, |core| core.op(...))`.
#[macro_export]
#[doc(hidden)]
macro_rules! block_on {
    ($self:ident, $py:ident, |$core:ident| $fut:expr) => {{
        let a = $self.active($py)?;
        let $core = &a.core;
        $crate::errors::check($py, $py.detach(|| $core.block_on($fut)))?
    }};
}

/// Spawns a core future from an async method body; the closure gets an owned client clone.
#[macro_export]
#[doc(hidden)]
macro_rules! spawn_on {
    ($self:ident, $py:ident, |$core:ident| $fut:expr, $conv:expr) => {{
        let a = $self.active($py)?;
        let $core = a.core.clone();
        $crate::aio::spawn($py, &a.handle, async move { $fut }, $conv)
    }};
}

#[pymethods]
impl Stigg {
    /// Creates a client. Options carry Stigg's names in snake_case; durations are seconds (or
    /// `timedelta`). Offline, no key is needed and reads are answered from fallbacks and fixture
    /// states (`set_entitlements_state`).
    #[new]
    #[pyo3(signature = (
        api_key=None, *, base_uri=None, base_edge_uri=None, ws_url=None,
        realtime_updates_enabled=None, enable_edge=None, entitlements_fallback=None,
        credit_entitlements_fallback=None, cache_max_size_bytes=None, timeout=None,
        entitlements_timeout=None, offline=false, refresh_interval=None, redis=None, clock=None,
        read_env=true
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        api_key: Option<Str<'_, ApiKey>>,
        base_uri: Option<Str<'_, BaseUri>>,
        base_edge_uri: Option<Str<'_, BaseEdgeUri>>,
        ws_url: Option<Str<'_, WsUrl>>,
        realtime_updates_enabled: Option<bool>,
        enable_edge: Option<bool>,
        entitlements_fallback: Option<&Bound<'_, PyAny>>,
        credit_entitlements_fallback: Option<&Bound<'_, PyAny>>,
        cache_max_size_bytes: Option<u64>,
        timeout: Option<&Bound<'_, PyAny>>,
        entitlements_timeout: Option<&Bound<'_, PyAny>>,
        offline: bool,
        refresh_interval: Option<&Bound<'_, PyAny>>,
        redis: Option<&Bound<'_, PyAny>>,
        clock: Option<PyRef<'_, FixedClock>>,
        read_env: bool,
    ) -> PyResult<Self> {
        crate::logging::refresh_log_level(py)?;
        let mut b = StiggConfig::builder().offline(offline).read_env(read_env);
        if let Some(v) = api_key {
            b = b.api_key(v.owned());
        }
        if let Some(v) = base_uri {
            b = b.base_uri(v.owned());
        }
        if let Some(v) = base_edge_uri {
            b = b.base_edge_uri(v.owned());
        }
        if let Some(v) = ws_url {
            b = b.ws_url(v.owned());
        }
        if let Some(v) = realtime_updates_enabled {
            b = b.realtime_updates_enabled(v);
        }
        if let Some(v) = enable_edge {
            b = b.enable_edge(v);
        }
        if let Some(v) = entitlements_fallback.filter(|v| !v.is_none()) {
            b = b.entitlements_fallback(feature_fallbacks(v, "entitlements_fallback")?);
        }
        if let Some(v) = credit_entitlements_fallback.filter(|v| !v.is_none()) {
            b = b
                .credit_entitlements_fallback(credit_fallbacks(v, "credit_entitlements_fallback")?);
        }
        if let Some(v) = cache_max_size_bytes {
            b = b.cache_max_size_bytes(v);
        }
        if let Some(v) = timeout.filter(|v| !v.is_none()) {
            b = b.timeout(duration(v, "timeout")?);
        }
        if let Some(v) = entitlements_timeout.filter(|v| !v.is_none()) {
            b = b.entitlements_timeout(duration(v, "entitlements_timeout")?);
        }
        if let Some(v) = refresh_interval.filter(|v| !v.is_none()) {
            b = b.refresh_interval(duration(v, "refresh_interval")?);
        }
        if let Some(v) = redis.filter(|v| !v.is_none()) {
            // Stigg's `redis` option as a dict (snake_case or camelCase keys); the core parses it.
            let doc = crate::convert::py_to_json(v, "redis", true)?;
            let options = stigg_core::cache::redis::RedisOptions::from_json(&doc)
                .map_err(|e| errors::to_py(py, &StiggError::Config(e)))?;
            b = b.redis(options);
        }
        if let Some(c) = clock {
            b = b.clock(Arc::clone(&c.0) as Arc<dyn stigg_core::Clock>);
        }
        let config = b
            .build()
            .map_err(|e| errors::to_py(py, &StiggError::Config(e)))?;
        let active = check(py, Active::new(config.clone()))?;
        Ok(Stigg {
            active: AtomicPtr::new(Box::into_raw(Box::new(active))),
            config,
            listeners: Mutex::new(Vec::new()),
            next_listener: AtomicU64::new(1),
            closed: AtomicBool::new(false),
            rebuild: Mutex::new(()),
        })
    }

    /// This client's instance id (the `X-SDK-INSTANCE-ID` header).
    #[getter]
    fn instance_id(&self, py: Python<'_>) -> PyResult<String> {
        Ok(self.active(py)?.core.instance_id().to_owned())
    }

    /// True once `close()` was called.
    #[getter]
    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// True for an offline client.
    #[getter]
    fn offline(&self) -> bool {
        self.config.offline
    }

    fn __repr__(&self) -> String {
        format!(
            "Stigg(base_uri={:?}, offline={}, closed={})",
            self.config.base_uri,
            self.config.offline,
            self.is_closed()
        )
    }

    // ---- lifecycle ------------------------------------------------------------------------

    /// Waits until the client is ready (offline: at once); raises when initialization failed.
    #[pyo3(signature = (timeout=None))]
    fn wait_for_initialization(
        &self,
        py: Python<'_>,
        timeout: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let limit = timeout
            .filter(|t| !t.is_none())
            .map(|t| duration(t, "timeout"))
            .transpose()?;
        let r = block_on!(self, py, |core| async move {
            match limit {
                None => core.wait_for_initialization().await,
                Some(d) => tokio::time::timeout(d, core.wait_for_initialization())
                    .await
                    .unwrap_or_else(|_| {
                        Err(StiggError::Timeout {
                            operation: "waitForInitialization".into(),
                        })
                    }),
            }
        });
        check(py, r)
    }

    /// Coroutine form of `wait_for_initialization`.
    fn async_wait_for_initialization<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        spawn_on!(
            self,
            py,
            |core| core.wait_for_initialization().await,
            |py, ()| Ok(py.None())
        )
    }

    /// Closes the client: stops background work and the stream, clears the cache. Idempotent.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        self.closed.store(true, Ordering::Release);
        block_on!(self, py, |core| core.close());
        Ok(())
    }

    /// Coroutine form of `close`.
    fn async_close<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.closed.store(true, Ordering::Release);
        spawn_on!(
            self,
            py,
            |core| {
                core.close().await;
                Ok(())
            },
            |py, ()| Ok(py.None())
        )
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, pyo3::types::PyTuple>) -> PyResult<bool> {
        self.close(py)?;
        Ok(false)
    }

    fn __aenter__<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        aio::ready(py, slf.into_any().unbind())
    }

    #[pyo3(signature = (*_exc))]
    fn __aexit__<'py>(
        &self,
        py: Python<'py>,
        _exc: &Bound<'py, pyo3::types::PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.closed.store(true, Ordering::Release);
        spawn_on!(
            self,
            py,
            |core| {
                core.close().await;
                Ok(())
            },
            |py, ()| Ok(pyo3::types::PyBool::new(py, false)
                .to_owned()
                .into_any()
                .unbind())
        )
    }

    // ---- listeners ------------------------------------------------------------------------

    /// Registers `callback(event)` for every event, or only for `events` (EventType values or
    /// names). Returns an id for `remove_listener`.
    #[pyo3(signature = (callback, events=None))]
    fn add_listener(
        &self,
        py: Python<'_>,
        callback: Bound<'_, PyAny>,
        events: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<u64> {
        if !callback.is_callable() {
            return Err(PyTypeError::new_err("callback: expected a callable"));
        }
        let filter = parse_events(events)?;
        let listener = Arc::new(PyListener {
            callback: callback.unbind(),
            filter,
        });
        let a = self.active(py)?;
        let l = Arc::clone(&listener);
        let core_id = a.core.add_listener(move |e| l.deliver(e));
        let id = self.next_listener.fetch_add(1, Ordering::Relaxed);
        self.listeners
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(ListenerEntry {
                id,
                core_id,
                listener,
            });
        Ok(id)
    }

    /// Unregisters a listener; returns whether it was registered.
    fn remove_listener(&self, py: Python<'_>, listener_id: u64) -> PyResult<bool> {
        let a = self.active(py)?;
        let entry = {
            let mut list = self.listeners.lock().unwrap_or_else(|e| e.into_inner());
            let pos = list.iter().position(|e| e.id == listener_id);
            pos.map(|p| list.remove(p))
        };
        Ok(match entry {
            Some(e) => a.core.remove_listener(e.core_id),
            None => false,
        })
    }

    // ---- entitlement reads (never raise for lack of data: fallbacks) ------------------------

    /// `getBooleanEntitlement`.
    #[pyo3(signature = (customer_id, feature_id, *, resource_id=None, fallback=None))]
    fn get_boolean_entitlement(
        &self,
        py: Python<'_>,
        customer_id: Str<'_, CustomerId>,
        feature_id: Str<'_, FeatureId>,
        resource_id: Option<Str<'_, ResourceId>>,
        fallback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<BooleanEntitlement> {
        let fb = opt_feature_fallback(fallback)?;
        let p = GetBooleanEntitlement {
            customer_id: customer_id.0,
            feature_id: feature_id.0,
            resource_id: resource_id.map(|r| r.0),
            fallback: fb.as_ref(),
        };
        let a = self.active(py)?;
        if let Some(r) = a.core.get_boolean_entitlement_cached(&p) {
            return Ok(BooleanEntitlement(r));
        }
        let r = block_on!(self, py, |core| core.get_boolean_entitlement(&p));
        Ok(BooleanEntitlement(r))
    }

    /// Coroutine form of `get_boolean_entitlement`.
    #[pyo3(signature = (customer_id, feature_id, *, resource_id=None, fallback=None))]
    fn async_get_boolean_entitlement<'py>(
        &self,
        py: Python<'py>,
        customer_id: Str<'_, CustomerId>,
        feature_id: Str<'_, FeatureId>,
        resource_id: Option<Str<'_, ResourceId>>,
        fallback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let fb = opt_feature_fallback(fallback)?;
        let p = GetBooleanEntitlement {
            customer_id: customer_id.0,
            feature_id: feature_id.0,
            resource_id: resource_id.map(|r| r.0),
            fallback: fb.as_ref(),
        };
        if let Some(r) = self.active(py)?.core.get_boolean_entitlement_cached(&p) {
            return aio::ready(py, Py::new(py, BooleanEntitlement(r))?.into_any());
        }
        let (c, f, r) = owned(customer_id, feature_id, resource_id);
        spawn_on!(
            self,
            py,
            |core| {
                let p = GetBooleanEntitlement {
                    customer_id: &c,
                    feature_id: &f,
                    resource_id: r.as_deref(),
                    fallback: fb.as_ref(),
                };
                Ok(core.get_boolean_entitlement(&p).await)
            },
            |py, r| Ok(Py::new(py, BooleanEntitlement(r))?.into_any())
        )
    }

    /// `getNumericEntitlement`.
    #[pyo3(signature = (customer_id, feature_id, *, resource_id=None, fallback=None))]
    fn get_numeric_entitlement(
        &self,
        py: Python<'_>,
        customer_id: Str<'_, CustomerId>,
        feature_id: Str<'_, FeatureId>,
        resource_id: Option<Str<'_, ResourceId>>,
        fallback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<NumericEntitlement> {
        let fb = opt_feature_fallback(fallback)?;
        let p = GetNumericEntitlement {
            customer_id: customer_id.0,
            feature_id: feature_id.0,
            resource_id: resource_id.map(|r| r.0),
            fallback: fb.as_ref(),
        };
        let a = self.active(py)?;
        if let Some(r) = a.core.get_numeric_entitlement_cached(&p) {
            return Ok(NumericEntitlement(r));
        }
        let r = block_on!(self, py, |core| core.get_numeric_entitlement(&p));
        Ok(NumericEntitlement(r))
    }

    /// Coroutine form of `get_numeric_entitlement`.
    #[pyo3(signature = (customer_id, feature_id, *, resource_id=None, fallback=None))]
    fn async_get_numeric_entitlement<'py>(
        &self,
        py: Python<'py>,
        customer_id: Str<'_, CustomerId>,
        feature_id: Str<'_, FeatureId>,
        resource_id: Option<Str<'_, ResourceId>>,
        fallback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let fb = opt_feature_fallback(fallback)?;
        let p = GetNumericEntitlement {
            customer_id: customer_id.0,
            feature_id: feature_id.0,
            resource_id: resource_id.map(|r| r.0),
            fallback: fb.as_ref(),
        };
        if let Some(r) = self.active(py)?.core.get_numeric_entitlement_cached(&p) {
            return aio::ready(py, Py::new(py, NumericEntitlement(r))?.into_any());
        }
        let (c, f, r) = owned(customer_id, feature_id, resource_id);
        spawn_on!(
            self,
            py,
            |core| {
                let p = GetNumericEntitlement {
                    customer_id: &c,
                    feature_id: &f,
                    resource_id: r.as_deref(),
                    fallback: fb.as_ref(),
                };
                Ok(core.get_numeric_entitlement(&p).await)
            },
            |py, r| Ok(Py::new(py, NumericEntitlement(r))?.into_any())
        )
    }

    /// `getMeteredEntitlement`.
    #[pyo3(signature = (customer_id, feature_id, *, requested_usage=None, resource_id=None, fallback=None))]
    fn get_metered_entitlement(
        &self,
        py: Python<'_>,
        customer_id: Str<'_, CustomerId>,
        feature_id: Str<'_, FeatureId>,
        requested_usage: Option<Num<RequestedUsage>>,
        resource_id: Option<Str<'_, ResourceId>>,
        fallback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<MeteredEntitlement> {
        let fb = opt_feature_fallback(fallback)?;
        let p = GetMeteredEntitlement {
            customer_id: customer_id.0,
            feature_id: feature_id.0,
            resource_id: resource_id.map(|r| r.0),
            requested_usage: requested_usage.map(|n| n.0),
            fallback: fb.as_ref(),
        };
        let a = self.active(py)?;
        if let Some(r) = a.core.get_metered_entitlement_cached(&p) {
            return Ok(MeteredEntitlement(r));
        }
        let r = block_on!(self, py, |core| core.get_metered_entitlement(&p));
        Ok(MeteredEntitlement(r))
    }

    /// Coroutine form of `get_metered_entitlement`.
    #[pyo3(signature = (customer_id, feature_id, *, requested_usage=None, resource_id=None, fallback=None))]
    fn async_get_metered_entitlement<'py>(
        &self,
        py: Python<'py>,
        customer_id: Str<'_, CustomerId>,
        feature_id: Str<'_, FeatureId>,
        requested_usage: Option<Num<RequestedUsage>>,
        resource_id: Option<Str<'_, ResourceId>>,
        fallback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let fb = opt_feature_fallback(fallback)?;
        let p = GetMeteredEntitlement {
            customer_id: customer_id.0,
            feature_id: feature_id.0,
            resource_id: resource_id.map(|r| r.0),
            requested_usage: requested_usage.map(|n| n.0),
            fallback: fb.as_ref(),
        };
        if let Some(r) = self.active(py)?.core.get_metered_entitlement_cached(&p) {
            return aio::ready(py, Py::new(py, MeteredEntitlement(r))?.into_any());
        }
        let (c, f, r) = owned(customer_id, feature_id, resource_id);
        spawn_on!(
            self,
            py,
            |core| {
                let p = GetMeteredEntitlement {
                    customer_id: &c,
                    feature_id: &f,
                    resource_id: r.as_deref(),
                    requested_usage: requested_usage.map(|n| n.0),
                    fallback: fb.as_ref(),
                };
                Ok(core.get_metered_entitlement(&p).await)
            },
            |py, r| Ok(Py::new(py, MeteredEntitlement(r))?.into_any())
        )
    }

    /// `getEnumEntitlement`.
    #[pyo3(signature = (customer_id, feature_id, *, requested_values=None, resource_id=None, fallback=None))]
    fn get_enum_entitlement(
        &self,
        py: Python<'_>,
        customer_id: Str<'_, CustomerId>,
        feature_id: Str<'_, FeatureId>,
        requested_values: Option<StrList<RequestedValues>>,
        resource_id: Option<Str<'_, ResourceId>>,
        fallback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<EnumEntitlement> {
        let fb = opt_feature_fallback(fallback)?;
        let p = GetEnumEntitlement {
            customer_id: customer_id.0,
            feature_id: feature_id.0,
            resource_id: resource_id.map(|r| r.0),
            requested_values: requested_values.map(|v| v.0),
            fallback: fb.as_ref(),
        };
        let a = self.active(py)?;
        if let Some(r) = a.core.get_enum_entitlement_cached(&p) {
            return Ok(EnumEntitlement(r));
        }
        let r = block_on!(self, py, |core| core.get_enum_entitlement(&p));
        Ok(EnumEntitlement(r))
    }

    /// Coroutine form of `get_enum_entitlement`.
    #[pyo3(signature = (customer_id, feature_id, *, requested_values=None, resource_id=None, fallback=None))]
    fn async_get_enum_entitlement<'py>(
        &self,
        py: Python<'py>,
        customer_id: Str<'_, CustomerId>,
        feature_id: Str<'_, FeatureId>,
        requested_values: Option<StrList<RequestedValues>>,
        resource_id: Option<Str<'_, ResourceId>>,
        fallback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let fb = opt_feature_fallback(fallback)?;
        let p = GetEnumEntitlement {
            customer_id: customer_id.0,
            feature_id: feature_id.0,
            resource_id: resource_id.map(|r| r.0),
            requested_values: requested_values.as_ref().map(|v| v.0.clone()),
            fallback: fb.as_ref(),
        };
        if let Some(r) = self.active(py)?.core.get_enum_entitlement_cached(&p) {
            return aio::ready(py, Py::new(py, EnumEntitlement(r))?.into_any());
        }
        let (c, f, r) = owned(customer_id, feature_id, resource_id);
        spawn_on!(
            self,
            py,
            |core| {
                let p = GetEnumEntitlement {
                    customer_id: &c,
                    feature_id: &f,
                    resource_id: r.as_deref(),
                    requested_values: requested_values.map(|v| v.0),
                    fallback: fb.as_ref(),
                };
                Ok(core.get_enum_entitlement(&p).await)
            },
            |py, r| Ok(Py::new(py, EnumEntitlement(r))?.into_any())
        )
    }

    /// `getCreditEntitlement` (uses only its per-call fallback, as the official SDK).
    #[pyo3(signature = (customer_id, currency_id, *, requested_usage=None, resource_id=None, fallback=None))]
    fn get_credit_entitlement(
        &self,
        py: Python<'_>,
        customer_id: Str<'_, CustomerId>,
        currency_id: Str<'_, CurrencyId>,
        requested_usage: Option<Num<RequestedUsage>>,
        resource_id: Option<Str<'_, ResourceId>>,
        fallback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<CreditEntitlement> {
        let fb = opt_credit_fallback(fallback)?;
        let p = GetCreditEntitlement {
            customer_id: customer_id.0,
            currency_id: currency_id.0,
            resource_id: resource_id.map(|r| r.0),
            requested_usage: requested_usage.map(|n| n.0),
            fallback: fb.as_ref(),
        };
        let a = self.active(py)?;
        if let Some(r) = a.core.get_credit_entitlement_cached(&p) {
            return Ok(CreditEntitlement(r));
        }
        let r = block_on!(self, py, |core| core.get_credit_entitlement(&p));
        Ok(CreditEntitlement(r))
    }

    /// Coroutine form of `get_credit_entitlement`.
    #[pyo3(signature = (customer_id, currency_id, *, requested_usage=None, resource_id=None, fallback=None))]
    fn async_get_credit_entitlement<'py>(
        &self,
        py: Python<'py>,
        customer_id: Str<'_, CustomerId>,
        currency_id: Str<'_, CurrencyId>,
        requested_usage: Option<Num<RequestedUsage>>,
        resource_id: Option<Str<'_, ResourceId>>,
        fallback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let fb = opt_credit_fallback(fallback)?;
        let p = GetCreditEntitlement {
            customer_id: customer_id.0,
            currency_id: currency_id.0,
            resource_id: resource_id.map(|r| r.0),
            requested_usage: requested_usage.map(|n| n.0),
            fallback: fb.as_ref(),
        };
        if let Some(r) = self.active(py)?.core.get_credit_entitlement_cached(&p) {
            return aio::ready(py, Py::new(py, CreditEntitlement(r))?.into_any());
        }
        let (c, cur, r) = owned(customer_id, currency_id, resource_id);
        spawn_on!(
            self,
            py,
            |core| {
                let p = GetCreditEntitlement {
                    customer_id: &c,
                    currency_id: &cur,
                    resource_id: r.as_deref(),
                    requested_usage: requested_usage.map(|n| n.0),
                    fallback: fb.as_ref(),
                };
                Ok(core.get_credit_entitlement(&p).await)
            },
            |py, r| Ok(Py::new(py, CreditEntitlement(r))?.into_any())
        )
    }

    /// `getEntitlement` (deprecated generic getter): the result's type follows the options.
    #[pyo3(signature = (customer_id, feature_id, *, requested_usage=None, requested_values=None, resource_id=None, fallback=None))]
    #[allow(clippy::too_many_arguments)]
    fn get_entitlement(
        &self,
        py: Python<'_>,
        customer_id: Str<'_, CustomerId>,
        feature_id: Str<'_, FeatureId>,
        requested_usage: Option<Num<RequestedUsage>>,
        requested_values: Option<StrList<RequestedValues>>,
        resource_id: Option<Str<'_, ResourceId>>,
        fallback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let options = EntitlementOptions {
            requested_usage: requested_usage.map(|n| n.0),
            requested_values: requested_values.map(|v| v.0),
            fallback: opt_feature_fallback(fallback)?,
            credit_fallback: None,
        };
        let p = GetEntitlement {
            customer_id: customer_id.0,
            feature_id: feature_id.0,
            resource_id: resource_id.map(|r| r.0),
            options,
        };
        let r = block_on!(self, py, |core| core.get_entitlement(&p));
        entitlement_to_py(py, r)
    }

    /// Coroutine form of `get_entitlement`.
    #[pyo3(signature = (customer_id, feature_id, *, requested_usage=None, requested_values=None, resource_id=None, fallback=None))]
    #[allow(clippy::too_many_arguments)]
    fn async_get_entitlement<'py>(
        &self,
        py: Python<'py>,
        customer_id: Str<'_, CustomerId>,
        feature_id: Str<'_, FeatureId>,
        requested_usage: Option<Num<RequestedUsage>>,
        requested_values: Option<StrList<RequestedValues>>,
        resource_id: Option<Str<'_, ResourceId>>,
        fallback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let options = EntitlementOptions {
            requested_usage: requested_usage.map(|n| n.0),
            requested_values: requested_values.map(|v| v.0),
            fallback: opt_feature_fallback(fallback)?,
            credit_fallback: None,
        };
        let (c, f, r) = owned(customer_id, feature_id, resource_id);
        spawn_on!(
            self,
            py,
            |core| {
                let p = GetEntitlement {
                    customer_id: &c,
                    feature_id: &f,
                    resource_id: r.as_deref(),
                    options,
                };
                Ok(core.get_entitlement(&p).await)
            },
            entitlement_to_py
        )
    }

    /// `getEntitlementV2`: exactly one of `feature_id` and `currency_id`. `fallback` is a feature
    /// or a credit fallback, matching the target.
    #[pyo3(signature = (customer_id, *, feature_id=None, currency_id=None, requested_usage=None, requested_values=None, resource_id=None, fallback=None))]
    #[allow(clippy::too_many_arguments)]
    fn get_entitlement_v2(
        &self,
        py: Python<'_>,
        customer_id: Str<'_, CustomerId>,
        feature_id: Option<Str<'_, FeatureId>>,
        currency_id: Option<Str<'_, CurrencyId>>,
        requested_usage: Option<Num<RequestedUsage>>,
        requested_values: Option<StrList<RequestedValues>>,
        resource_id: Option<Str<'_, ResourceId>>,
        fallback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let options = v2_options(
            requested_usage.map(|n| n.0),
            requested_values.map(|v| v.0),
            fallback,
        )?;
        let p = GetEntitlementV2 {
            customer_id: customer_id.0,
            resource_id: resource_id.map(|r| r.0),
            feature_id: feature_id.map(|f| f.0),
            currency_id: currency_id.map(|c| c.0),
            options,
        };
        let a = self.active(py)?;
        if let Some(r) = a.core.get_entitlement_v2_cached(&p) {
            return entitlement_v2_to_py(py, r);
        }
        let r = block_on!(self, py, |core| core.get_entitlement_v2(&p));
        entitlement_v2_to_py(py, r)
    }

    /// Coroutine form of `get_entitlement_v2`.
    #[pyo3(signature = (customer_id, *, feature_id=None, currency_id=None, requested_usage=None, requested_values=None, resource_id=None, fallback=None))]
    #[allow(clippy::too_many_arguments)]
    fn async_get_entitlement_v2<'py>(
        &self,
        py: Python<'py>,
        customer_id: Str<'_, CustomerId>,
        feature_id: Option<Str<'_, FeatureId>>,
        currency_id: Option<Str<'_, CurrencyId>>,
        requested_usage: Option<Num<RequestedUsage>>,
        requested_values: Option<StrList<RequestedValues>>,
        resource_id: Option<Str<'_, ResourceId>>,
        fallback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let options = v2_options(
            requested_usage.map(|n| n.0),
            requested_values.map(|v| v.0),
            fallback,
        )?;
        let c = customer_id.0.to_owned();
        let f = feature_id.map(|f| f.0.to_owned());
        let cur = currency_id.map(|c| c.0.to_owned());
        let r = resource_id.map(|r| r.0.to_owned());
        spawn_on!(
            self,
            py,
            |core| {
                let p = GetEntitlementV2 {
                    customer_id: &c,
                    resource_id: r.as_deref(),
                    feature_id: f.as_deref(),
                    currency_id: cur.as_deref(),
                    options,
                };
                Ok(core.get_entitlement_v2(&p).await)
            },
            entitlement_v2_to_py
        )
    }

    /// `getEntitlementsStateV2`: every entitlement of the customer.
    #[pyo3(signature = (customer_id, *, resource_id=None))]
    fn get_entitlements_state_v2(
        &self,
        py: Python<'_>,
        customer_id: Str<'_, CustomerId>,
        resource_id: Option<Str<'_, ResourceId>>,
    ) -> PyResult<EntitlementsStateV2> {
        let (c, r) = (customer_id.0, resource_id.map(|r| r.0));
        let s = block_on!(self, py, |core| core.get_entitlements_state_v2(c, r));
        Ok(EntitlementsStateV2(s))
    }

    /// Coroutine form of `get_entitlements_state_v2`.
    #[pyo3(signature = (customer_id, *, resource_id=None))]
    fn async_get_entitlements_state_v2<'py>(
        &self,
        py: Python<'py>,
        customer_id: Str<'_, CustomerId>,
        resource_id: Option<Str<'_, ResourceId>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = customer_id.0.to_owned();
        let r = resource_id.map(|r| r.0.to_owned());
        spawn_on!(
            self,
            py,
            |core| Ok(core.get_entitlements_state_v2(&c, r.as_deref()).await),
            |py, s| Ok(Py::new(py, EntitlementsStateV2(s))?.into_any())
        )
    }

    /// `reloadEntitlements`: refetches the customer's state (GraphQL).
    #[pyo3(signature = (customer_id, *, resource_id=None))]
    fn reload_entitlements(
        &self,
        py: Python<'_>,
        customer_id: Str<'_, CustomerId>,
        resource_id: Option<Str<'_, ResourceId>>,
    ) -> PyResult<ReloadEntitlementsResult> {
        let (c, r) = (customer_id.0, resource_id.map(|r| r.0));
        let s = block_on!(self, py, |core| core.reload_entitlements(c, r));
        Ok(ReloadEntitlementsResult(s))
    }

    /// Coroutine form of `reload_entitlements`.
    #[pyo3(signature = (customer_id, *, resource_id=None))]
    fn async_reload_entitlements<'py>(
        &self,
        py: Python<'py>,
        customer_id: Str<'_, CustomerId>,
        resource_id: Option<Str<'_, ResourceId>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = customer_id.0.to_owned();
        let r = resource_id.map(|r| r.0.to_owned());
        spawn_on!(
            self,
            py,
            |core| Ok(core.reload_entitlements(&c, r.as_deref()).await),
            |py, s| Ok(Py::new(py, ReloadEntitlementsResult(s))?.into_any())
        )
    }

    /// Stores a customer's entitlement state (the wire `EntitlementsState` JSON, camelCase) in the
    /// cache as if fetched: fixtures for an offline client.
    #[pyo3(signature = (customer_id, state, *, resource_id=None))]
    fn set_entitlements_state(
        &self,
        py: Python<'_>,
        customer_id: Str<'_, CustomerId>,
        state: &Bound<'_, PyAny>,
        resource_id: Option<Str<'_, ResourceId>>,
    ) -> PyResult<()> {
        let json = py_to_json(state, "state", false)?;
        let state: EntitlementsState = serde_json::from_value(json)
            .map_err(|e| PyValueError::new_err(format!("state: {e}")))?;
        let a = self.active(py)?;
        check(
            py,
            a.core
                .set_entitlements_state(customer_id.0, resource_id.map(|r| r.0), &state),
        )
    }

    // ---- usage, events, credits (raise StiggError subclasses) -------------------------------

    /// `reportUsage`: returns a `ReportUsageAck`.
    #[pyo3(signature = (customer_id, feature_id, value, *, resource_id=None, update_behavior=None, created_at=None, dimensions=None, idempotency_key=None))]
    #[allow(clippy::too_many_arguments)]
    fn report_usage(
        &self,
        py: Python<'_>,
        customer_id: Str<'_, CustomerId>,
        feature_id: Str<'_, FeatureId>,
        value: Num<UsageValue>,
        resource_id: Option<Str<'_, ResourceId>>,
        update_behavior: Option<Str<'_, UpdateBehavior>>,
        created_at: Option<&Bound<'_, PyAny>>,
        dimensions: Option<&Bound<'_, PyAny>>,
        idempotency_key: Option<Str<'_, IdempotencyKey>>,
    ) -> PyResult<Py<PyAny>> {
        let input = report_usage_input(
            customer_id,
            feature_id,
            value,
            resource_id,
            update_behavior,
            created_at,
            dimensions,
            idempotency_key,
        )?;
        let ack = block_on!(self, py, |core| core.report_usage(input));
        record(py, "ReportUsageAck", &check(py, ack)?)
    }

    /// Coroutine form of `report_usage`.
    #[pyo3(signature = (customer_id, feature_id, value, *, resource_id=None, update_behavior=None, created_at=None, dimensions=None, idempotency_key=None))]
    #[allow(clippy::too_many_arguments)]
    fn async_report_usage<'py>(
        &self,
        py: Python<'py>,
        customer_id: Str<'_, CustomerId>,
        feature_id: Str<'_, FeatureId>,
        value: Num<UsageValue>,
        resource_id: Option<Str<'_, ResourceId>>,
        update_behavior: Option<Str<'_, UpdateBehavior>>,
        created_at: Option<&Bound<'_, PyAny>>,
        dimensions: Option<&Bound<'_, PyAny>>,
        idempotency_key: Option<Str<'_, IdempotencyKey>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let input = report_usage_input(
            customer_id,
            feature_id,
            value,
            resource_id,
            update_behavior,
            created_at,
            dimensions,
            idempotency_key,
        )?;
        spawn_on!(
            self,
            py,
            |core| core.report_usage(input).await,
            |py, ack| { record(py, "ReportUsageAck", &ack) }
        )
    }

    /// `reportUsageBulk`: `usages` is a list of dicts with `report_usage`'s parameters.
    fn report_usage_bulk(&self, py: Python<'_>, usages: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let input: Vec<ReportUsage> = list_of(usages, "usages")?;
        let acks = block_on!(self, py, |core| core.report_usage_bulk(input));
        convert_list(py, "ReportUsageAck", &check(py, acks)?)
    }

    /// Coroutine form of `report_usage_bulk`.
    fn async_report_usage_bulk<'py>(
        &self,
        py: Python<'py>,
        usages: &Bound<'_, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let input: Vec<ReportUsage> = list_of(usages, "usages")?;
        spawn_on!(
            self,
            py,
            |core| core.report_usage_bulk(input).await,
            |py, acks| { convert_list(py, "ReportUsageAck", &acks) }
        )
    }

    /// `reportEvent`: one event (a dict) or a list of them, each with `event_name`,
    /// `customer_id`, `idempotency_key` and optional `resource_id`, `dimensions`, `timestamp`.
    fn report_event(&self, py: Python<'_>, events: &Bound<'_, PyAny>) -> PyResult<()> {
        let input: Vec<ReportEvent> = list_of(events, "events")?;
        let r = block_on!(self, py, |core| core.report_event(input));
        check(py, r)
    }

    /// Coroutine form of `report_event`.
    fn async_report_event<'py>(
        &self,
        py: Python<'py>,
        events: &Bound<'_, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let input: Vec<ReportEvent> = list_of(events, "events")?;
        spawn_on!(
            self,
            py,
            |core| core.report_event(input).await,
            |py, ()| Ok(py.None())
        )
    }

    /// `consumeCredits`: returns a `ConsumeCreditsResult`.
    #[pyo3(signature = (customer_id, currency_id, amount, idempotency_key, *, resource_id=None, created_at=None, dimensions=None))]
    #[allow(clippy::too_many_arguments)]
    fn consume_credits(
        &self,
        py: Python<'_>,
        customer_id: Str<'_, CustomerId>,
        currency_id: Str<'_, CurrencyId>,
        amount: Num<Amount>,
        idempotency_key: Str<'_, IdempotencyKey>,
        resource_id: Option<Str<'_, ResourceId>>,
        created_at: Option<&Bound<'_, PyAny>>,
        dimensions: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let input = ConsumeCredits {
            customer_id: customer_id.owned(),
            currency_id: currency_id.owned(),
            amount: amount.0,
            idempotency_key: idempotency_key.owned(),
            resource_id: resource_id.map(|r| r.owned()),
            created_at: opt_instant(created_at, "created_at")?,
            dimensions: self::dimensions(dimensions)?,
        };
        let r = block_on!(self, py, |core| core.consume_credits(input));
        record(py, "ConsumeCreditsResult", &check(py, r)?)
    }

    /// Coroutine form of `consume_credits`.
    #[pyo3(signature = (customer_id, currency_id, amount, idempotency_key, *, resource_id=None, created_at=None, dimensions=None))]
    #[allow(clippy::too_many_arguments)]
    fn async_consume_credits<'py>(
        &self,
        py: Python<'py>,
        customer_id: Str<'_, CustomerId>,
        currency_id: Str<'_, CurrencyId>,
        amount: Num<Amount>,
        idempotency_key: Str<'_, IdempotencyKey>,
        resource_id: Option<Str<'_, ResourceId>>,
        created_at: Option<&Bound<'_, PyAny>>,
        dimensions: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let input = ConsumeCredits {
            customer_id: customer_id.owned(),
            currency_id: currency_id.owned(),
            amount: amount.0,
            idempotency_key: idempotency_key.owned(),
            resource_id: resource_id.map(|r| r.owned()),
            created_at: opt_instant(created_at, "created_at")?,
            dimensions: self::dimensions(dimensions)?,
        };
        spawn_on!(
            self,
            py,
            |core| core.consume_credits(input).await,
            |py, r| { record(py, "ConsumeCreditsResult", &r) }
        )
    }

    /// `consumeCreditsAsync`: queues many consumptions (dicts with `consume_credits`' parameters).
    fn consume_credits_async(
        &self,
        py: Python<'_>,
        consumptions: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let input: Vec<ConsumeCredits> = list_of(consumptions, "consumptions")?;
        let r = block_on!(self, py, |core| core.consume_credits_async(input));
        check(py, r)
    }

    /// Coroutine form of `consume_credits_async`.
    fn async_consume_credits_async<'py>(
        &self,
        py: Python<'py>,
        consumptions: &Bound<'_, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let input: Vec<ConsumeCredits> = list_of(consumptions, "consumptions")?;
        spawn_on!(
            self,
            py,
            |core| core.consume_credits_async(input).await,
            |py, ()| Ok(py.None())
        )
    }

    /// `estimateUsageCost`: returns a `CreditCostEstimation`.
    #[pyo3(signature = (customer_id, feature_id, value, *, resource_id=None, update_behavior=None, dimensions=None))]
    #[allow(clippy::too_many_arguments)]
    fn estimate_usage_cost(
        &self,
        py: Python<'_>,
        customer_id: Str<'_, CustomerId>,
        feature_id: Str<'_, FeatureId>,
        value: Num<UsageValue>,
        resource_id: Option<Str<'_, ResourceId>>,
        update_behavior: Option<Str<'_, UpdateBehavior>>,
        dimensions: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let input = EstimateUsageCost {
            customer_id: customer_id.owned(),
            feature_id: feature_id.owned(),
            value: value.0,
            resource_id: resource_id.map(|r| r.owned()),
            update_behavior: update_behavior.map(|b| UsageUpdateBehavior::from_wire(b.0)),
            dimensions: self::dimensions(dimensions)?,
        };
        let r = block_on!(self, py, |core| core.estimate_usage_cost(input));
        record(py, "CreditCostEstimation", &check(py, r)?)
    }

    /// Coroutine form of `estimate_usage_cost`.
    #[pyo3(signature = (customer_id, feature_id, value, *, resource_id=None, update_behavior=None, dimensions=None))]
    #[allow(clippy::too_many_arguments)]
    fn async_estimate_usage_cost<'py>(
        &self,
        py: Python<'py>,
        customer_id: Str<'_, CustomerId>,
        feature_id: Str<'_, FeatureId>,
        value: Num<UsageValue>,
        resource_id: Option<Str<'_, ResourceId>>,
        update_behavior: Option<Str<'_, UpdateBehavior>>,
        dimensions: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let input = EstimateUsageCost {
            customer_id: customer_id.owned(),
            feature_id: feature_id.owned(),
            value: value.0,
            resource_id: resource_id.map(|r| r.owned()),
            update_behavior: update_behavior.map(|b| UsageUpdateBehavior::from_wire(b.0)),
            dimensions: self::dimensions(dimensions)?,
        };
        spawn_on!(
            self,
            py,
            |core| core.estimate_usage_cost(input).await,
            |py, r| { record(py, "CreditCostEstimation", &r) }
        )
    }

    /// `estimateEventCost`: returns a `CreditCostEstimation`.
    #[pyo3(signature = (customer_id, event_name, *, resource_id=None, dimensions=None))]
    fn estimate_event_cost(
        &self,
        py: Python<'_>,
        customer_id: Str<'_, CustomerId>,
        event_name: Str<'_, EventName>,
        resource_id: Option<Str<'_, ResourceId>>,
        dimensions: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let input = EstimateEventCost {
            customer_id: customer_id.owned(),
            event_name: event_name.owned(),
            resource_id: resource_id.map(|r| r.owned()),
            dimensions: self::dimensions(dimensions)?,
        };
        let r = block_on!(self, py, |core| core.estimate_event_cost(input));
        record(py, "CreditCostEstimation", &check(py, r)?)
    }

    /// Coroutine form of `estimate_event_cost`.
    #[pyo3(signature = (customer_id, event_name, *, resource_id=None, dimensions=None))]
    fn async_estimate_event_cost<'py>(
        &self,
        py: Python<'py>,
        customer_id: Str<'_, CustomerId>,
        event_name: Str<'_, EventName>,
        resource_id: Option<Str<'_, ResourceId>>,
        dimensions: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let input = EstimateEventCost {
            customer_id: customer_id.owned(),
            event_name: event_name.owned(),
            resource_id: resource_id.map(|r| r.owned()),
            dimensions: self::dimensions(dimensions)?,
        };
        spawn_on!(
            self,
            py,
            |core| core.estimate_event_cost(input).await,
            |py, r| { record(py, "CreditCostEstimation", &r) }
        )
    }
}

fn owned<A, B>(
    a: Str<'_, A>,
    b: Str<'_, B>,
    r: Option<Str<'_, ResourceId>>,
) -> (String, String, Option<String>) {
    (a.0.to_owned(), b.0.to_owned(), r.map(|r| r.0.to_owned()))
}

fn opt_credit_fallback(
    fallback: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<CreditEntitlementFallback>> {
    fallback
        .filter(|f| !f.is_none())
        .map(|f| credit_fallback(f, "fallback", false))
        .transpose()
}

/// `getEntitlementV2` options: the one `fallback` is read both ways; the core uses the one that
/// matches the target.
fn v2_options(
    requested_usage: Option<f64>,
    requested_values: Option<Vec<String>>,
    fallback: Option<&Bound<'_, PyAny>>,
) -> PyResult<EntitlementOptions> {
    let fallback = fallback.filter(|f| !f.is_none());
    Ok(EntitlementOptions {
        requested_usage,
        requested_values,
        fallback: fallback
            .map(|f| feature_fallback(f, "fallback", true))
            .transpose()?,
        credit_fallback: fallback
            .map(|f| credit_fallback(f, "fallback", true))
            .transpose()?,
    })
}

#[allow(clippy::too_many_arguments)]
fn report_usage_input(
    customer_id: Str<'_, CustomerId>,
    feature_id: Str<'_, FeatureId>,
    value: Num<UsageValue>,
    resource_id: Option<Str<'_, ResourceId>>,
    update_behavior: Option<Str<'_, UpdateBehavior>>,
    created_at: Option<&Bound<'_, PyAny>>,
    dimensions: Option<&Bound<'_, PyAny>>,
    idempotency_key: Option<Str<'_, IdempotencyKey>>,
) -> PyResult<ReportUsage> {
    Ok(ReportUsage {
        customer_id: customer_id.owned(),
        feature_id: feature_id.owned(),
        value: value.0,
        resource_id: resource_id.map(|r| r.owned()),
        update_behavior: update_behavior.map(|b| UsageUpdateBehavior::from_wire(b.0)),
        created_at: opt_instant(created_at, "created_at")?,
        dimensions: self::dimensions(dimensions)?,
        idempotency_key: idempotency_key.map(|k| k.owned()),
    })
}
