//! `stigg_client_t`: create, destroy, fixtures, listeners.

use std::collections::HashMap;
use std::ffi::{c_char, c_void};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use stigg_core::client::ListenerId;
use stigg_core::model::wire::EntitlementsState;
use stigg_core::Stigg;

use crate::config::{from_c, stigg_config_t, JsonConfig};
use crate::error::{arg_str, guard, guard_void, opt_str, stigg_error_t, FfiResult};
use crate::events::event_json;

/// A Stigg client. Opaque; thread-safe (every function may be called from any thread at once).
/// Create it with `stigg_client_new` or `stigg_client_new_json`; free it with `stigg_client_free`.
#[allow(non_camel_case_types)]
pub struct stigg_client_t {
    pub(crate) stigg: Stigg,
    listeners: Mutex<HashMap<u64, ListenerId>>,
    next_listener: AtomicU64,
}

impl stigg_client_t {
    /// A C handle over an existing client (another Rust face sharing its client with the C ABI, e.g.
    /// the UniFFI layer's hot path). Free it with `stigg_client_free` (which closes the client).
    pub fn into_raw(stigg: Stigg) -> *mut stigg_client_t {
        Box::into_raw(Box::new(stigg_client_t::new(stigg)))
    }

    fn new(stigg: Stigg) -> Self {
        stigg_client_t {
            stigg,
            listeners: Mutex::new(HashMap::new()),
            next_listener: AtomicU64::new(1),
        }
    }
}

/// Borrows the client behind a pointer.
///
/// # Safety
/// `client` is NULL or a live client from `stigg_client_new*`.
pub(crate) unsafe fn client_ref<'a>(
    client: *const stigg_client_t,
) -> FfiResult<&'a stigg_client_t> {
    // SAFETY: forwarded contract.
    unsafe { client.as_ref() }.ok_or_else(|| stigg_error_t::null("client"))
}

/// Checks that an out-pointer is not NULL.
pub(crate) fn out_ptr<T>(p: *mut T, name: &str) -> FfiResult<()> {
    if p.is_null() {
        Err(stigg_error_t::null(name))
    } else {
        Ok(())
    }
}

fn create(config: JsonConfig, out: *mut *mut stigg_client_t) -> FfiResult {
    let config = config.build()?;
    let stigg = Stigg::new(config)?;
    let client = Box::new(stigg_client_t::new(stigg));
    // SAFETY: `out` was checked non-NULL by the callers.
    unsafe { *out = Box::into_raw(client) };
    Ok(())
}

/// Creates a client from a `stigg_config_t`. Online, it starts initializing in the background (see
/// `stigg_client_wait_for_initialization`).
///
/// \param config the configuration (borrowed for the call; must not be NULL).
/// \param out receives the new client (owned by the caller; free with `stigg_client_free`).
/// \return NULL on success, else an owned error (`InvalidConfiguration` names the option).
#[no_mangle]
pub unsafe extern "C" fn stigg_client_new(
    config: *const stigg_config_t,
    out: *mut *mut stigg_client_t,
) -> *mut stigg_error_t {
    guard(|| {
        out_ptr(out, "out")?;
        // SAFETY: the caller passes NULL or a valid config.
        let config = unsafe { config.as_ref() }.ok_or_else(|| stigg_error_t::null("config"))?;
        // SAFETY: the config's strings are NULL or NUL-terminated per the documented contract.
        let config = unsafe { from_c(config) }?;
        create(config, out)
    })
}

/// Creates a client from a JSON configuration with Stigg's option names:
/// `{"apiKey", "baseUri", "baseEdgeUri", "wsUrl", "offline", "realtimeUpdatesEnabled", "enableEdge",
/// "readEnv", "entitlementsFallback", "creditEntitlementsFallback", "cacheMaxSizeBytes", "timeoutMs",
/// "entitlementsTimeoutMs", "refreshIntervalMs", "fixedNowMs", "redis"}` (all optional; unknown keys are
/// errors). `redis` turns on the Redis persistent cache: `{"environmentPrefix", "host", "port", "db",
/// "username", "password", "tls", "url", "ttl", "distributedEntitlementsFetching", "cacheUpdatePolicy",
/// "commandTimeout", "l1MaxStaleness", "writeFormat"}` (Stigg's names; `environmentPrefix` required).
///
/// \param config_json the configuration (borrowed).
/// \param out receives the new client (owned; free with `stigg_client_free`).
/// \return NULL on success, else an owned error.
#[no_mangle]
pub unsafe extern "C" fn stigg_client_new_json(
    config_json: *const c_char,
    out: *mut *mut stigg_client_t,
) -> *mut stigg_error_t {
    guard(|| {
        out_ptr(out, "out")?;
        // SAFETY: documented contract: NULL or a C string.
        let text = unsafe { arg_str(config_json, "config_json") }?;
        create(JsonConfig::parse(text)?, out)
    })
}

/// Closes the client if it is open (stops the stream and background work, waits for them) and frees
/// it, with every listener (their finalizers run). NULL is ignored. Do not call it from a listener.
///
/// \param client the client (owned; consumed).
#[no_mangle]
pub unsafe extern "C" fn stigg_client_free(client: *mut stigg_client_t) {
    guard_void(|| {
        if client.is_null() {
            return;
        }
        // SAFETY: a non-NULL client came from `Box::into_raw` in `create`; it is freed once.
        let client = unsafe { Box::from_raw(client) };
        let stigg = client.stigg.clone();
        // Outside a runtime this waits for the close; inside one (a misuse) it returns an error and
        // the runtime shuts down in the background when the last handle goes.
        let _ = stigg.block_on(stigg.close());
        let ids: Vec<ListenerId> = client
            .listeners
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain()
            .map(|(_, id)| id)
            .collect();
        for id in ids {
            stigg.remove_listener(id);
        }
    })
}

/// Closes the client (`close`): idempotent. Later writes fail with `ClientClosed`; reads return
/// fallbacks. The client must still be freed with `stigg_client_free`.
///
/// \param client the client (borrowed).
/// \return NULL on success, else an owned error.
#[no_mangle]
pub unsafe extern "C" fn stigg_client_close(client: *const stigg_client_t) -> *mut stigg_error_t {
    guard(|| {
        // SAFETY: documented contract.
        let c = unsafe { client_ref(client) }?;
        c.stigg.block_on(c.stigg.close())?;
        Ok(())
    })
}

/// Waits until the client is ready (`waitForInitialization`): offline at once; online once Stigg
/// accepted the API key.
///
/// \param client the client (borrowed).
/// \return NULL when ready, else an owned error (e.g. `Unauthenticated`).
#[no_mangle]
pub unsafe extern "C" fn stigg_client_wait_for_initialization(
    client: *const stigg_client_t,
) -> *mut stigg_error_t {
    guard(|| {
        // SAFETY: documented contract.
        let c = unsafe { client_ref(client) }?;
        c.stigg.block_on(c.stigg.wait_for_initialization())??;
        Ok(())
    })
}

/// Stores a customer's entitlement state in the client's cache, as if it had been fetched. Offline,
/// this gives the client fixtures that reads decide on with the real rules (tests, conformance).
///
/// \param client the client (borrowed).
/// \param customer_id the customer (borrowed).
/// \param resource_id the resource, or NULL.
/// \param state_json a wire `EntitlementsState`: `{"entitlementsV2": [...], "accessDeniedReason": null}`.
/// \return NULL on success, else an owned error.
#[no_mangle]
pub unsafe extern "C" fn stigg_client_set_entitlements_state_json(
    client: *const stigg_client_t,
    customer_id: *const c_char,
    resource_id: *const c_char,
    state_json: *const c_char,
) -> *mut stigg_error_t {
    guard(|| {
        // SAFETY: documented contract for every pointer.
        let (c, customer, resource, text) = unsafe {
            (
                client_ref(client)?,
                arg_str(customer_id, "customer_id")?,
                opt_str(resource_id, "resource_id")?,
                arg_str(state_json, "state_json")?,
            )
        };
        let state: EntitlementsState = serde_json::from_str(text)
            .map_err(|e| stigg_error_t::invalid("state_json", &e.to_string()))?;
        c.stigg.set_entitlements_state(customer, resource, &state)?;
        Ok(())
    })
}

/// A listener callback: `event_json` is one event as JSON (borrowed for the call):
/// `{"type": "entitlementsUpdated" | "usageUpdated" | "packagePublished" | "cacheHit" | "cacheMiss" |
/// "initializeSuccessfully" | "initializeFailed" | "apiKeyInvalid" | "networkRequestFailed" |
/// "streamConnected" | "streamDisconnected", ...fields in camelCase}`. It runs on the thread that
/// produced the event (a client worker, or the caller's thread for cacheHit/cacheMiss); it must not
/// block for long, must not free the client, and must not unwind.
#[allow(non_camel_case_types)]
pub type stigg_listener_fn =
    Option<unsafe extern "C" fn(user_data: *mut c_void, event_json: *const c_char)>;

/// Frees a listener's `user_data` when the listener is removed or the client freed.
#[allow(non_camel_case_types)]
pub type stigg_finalizer_fn = Option<unsafe extern "C" fn(user_data: *mut c_void)>;

struct CListener {
    callback: unsafe extern "C" fn(*mut c_void, *const c_char),
    user_data: *mut c_void,
    finalizer: stigg_finalizer_fn,
}

// SAFETY: the header documents that listeners may be called from any thread and that `user_data`
// must be usable from any thread; the library itself never dereferences it.
unsafe impl Send for CListener {}
// SAFETY: as above; the callback is shared, never mutated.
unsafe impl Sync for CListener {}

impl CListener {
    fn call(&self, event: &str) {
        let json = crate::error::to_cstring(event);
        // SAFETY: the callback was registered for exactly this call shape.
        unsafe { (self.callback)(self.user_data, json.as_ptr()) };
    }
}

impl Drop for CListener {
    fn drop(&mut self) {
        if let Some(f) = self.finalizer {
            // SAFETY: the caller registered `f` to be called once with this `user_data`.
            unsafe { f(self.user_data) };
        }
    }
}

/// Registers a listener for the client's events (`addListener`).
///
/// \param client the client (borrowed).
/// \param callback called with `(user_data, event_json)` for every event; must not be NULL.
/// \param user_data passed to `callback` and `finalizer` (owned by the listener from now on).
/// \param finalizer called once with `user_data` when the listener goes away (may be NULL); also
///        called if this function fails.
/// \param out_id receives the listener's id, for `stigg_client_remove_listener` (may be NULL).
/// \return NULL on success, else an owned error.
#[no_mangle]
pub unsafe extern "C" fn stigg_client_add_listener(
    client: *const stigg_client_t,
    callback: stigg_listener_fn,
    user_data: *mut c_void,
    finalizer: stigg_finalizer_fn,
    out_id: *mut u64,
) -> *mut stigg_error_t {
    guard(|| {
        let Some(callback) = callback else {
            if let Some(f) = finalizer {
                // SAFETY: the finalizer owns `user_data`; it is called once.
                unsafe { f(user_data) };
            }
            return Err(stigg_error_t::null("callback"));
        };
        let listener = CListener {
            callback,
            user_data,
            finalizer,
        };
        // SAFETY: documented contract.
        let c = unsafe { client_ref(client) }?;
        let id = c.stigg.add_listener(move |event| {
            listener.call(&event_json(event));
        });
        let ours = c.next_listener.fetch_add(1, Ordering::Relaxed);
        c.listeners
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(ours, id);
        if !out_id.is_null() {
            // SAFETY: non-NULL out pointer supplied by the caller.
            unsafe { *out_id = ours };
        }
        Ok(())
    })
}

/// Unregisters a listener (`removeListener`); its finalizer runs. Unknown ids are ignored.
///
/// \param client the client (borrowed).
/// \param id the id `stigg_client_add_listener` gave.
/// \return NULL on success, else an owned error.
#[no_mangle]
pub unsafe extern "C" fn stigg_client_remove_listener(
    client: *const stigg_client_t,
    id: u64,
) -> *mut stigg_error_t {
    guard(|| {
        // SAFETY: documented contract.
        let c = unsafe { client_ref(client) }?;
        let removed = c
            .listeners
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id);
        if let Some(id) = removed {
            c.stigg.remove_listener(id);
        }
        Ok(())
    })
}
