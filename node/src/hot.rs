//! The cached-check fast path: scalars through a reused `Float64Array`, the result object built in JS.
//!
//! A napi call that takes strings and returns an object spends most of its time building that object
//! through napi (DESIGN.md: ~90 ns bare, ~540 ns with two strings in and a 3-field object out). And a
//! napi-rs *method* costs several times a free function (measured here: ~55 ns for a free function
//! without arguments, ~500 ns for a method, which unwraps and type-checks `this`). So the typed
//! getters' cached forms cross the boundary through free functions with no arguments and no return
//! object:
//! - each client registers once (`_hotRegister` → a slot in this thread's registry);
//! - `index.js` interns each id string once (`_intern` → a small integer, remembered in a JS `Map`),
//!   writes the client slot, the ids and the request into the shared buffer, and calls
//!   `_hotBoolean/_hotNumeric/_hotMetered`;
//! - the core decides from its cache (`*_cached`); the result's scalars are written into the same
//!   buffer, strings as codes into the core's enum tables (`_codes`), the feature as a handle whose
//!   JS object `index.js` builds once (`_feature`);
//! - the call returns 1 when it answered, 0 when the state must be fetched (then `index.js` takes the
//!   async path, which fetches and decides in the core).
//!
//! Everything here lives in a thread-local: napi calls of one Node environment all run on its JS
//! thread (worker threads have their own environment, registry and buffer).
//!
//! The buffer layout below is mirrored in `index.js` (`SLOT`).

use std::cell::RefCell;
use std::sync::Arc;

use napi::bindgen_prelude::Float64Array;
use rustc_hash::FxHashMap;
use stigg_core::model::{
    AccessDeniedReason, BooleanEntitlement, EntitlementResetPeriod, FeatureInfo,
    MeteredEntitlement, Millis, NumericEntitlement,
};

/// Input: the client's registry slot.
const IN_CLIENT: usize = 0;
/// Input: interned customer id.
const IN_CUSTOMER: usize = 1;
/// Input: interned feature id.
const IN_FEATURE: usize = 2;
/// Input: interned resource id, or -1.
const IN_RESOURCE: usize = 3;
/// Input: requested usage.
const IN_REQUESTED: usize = 4;
/// Input: 1 when a requested usage is given.
const IN_HAS_REQUESTED: usize = 5;
const HAS_ACCESS: usize = 6;
const IS_FALLBACK: usize = 7;
const REASON: usize = 8;
const FEATURE: usize = 9;
const MASK: usize = 10;
const VALUE: usize = 11;
const IS_UNLIMITED: usize = 12;
const HAS_SOFT_LIMIT: usize = 13;
const CURRENT_USAGE: usize = 14;
const REQUESTED_USAGE: usize = 15;
const RESET_PERIOD: usize = 16;
const ANCHOR: usize = 17;
const START: usize = 18;
const END: usize = 19;
const NEXT_RESET: usize = 20;
/// Length of the shared buffer.
pub(crate) const LEN: usize = 21;

/// `MASK` bits: which optional slots hold a value (the others are `null`).
const HAS_VALUE: u32 = 1;
const HAS_ANCHOR: u32 = 2;
const HAS_START: u32 = 4;
const HAS_END: u32 = 8;
const HAS_NEXT_RESET: u32 = 16;

/// Code of an absent enum value.
const NULL_CODE: f64 = -1.0;
/// Code of an enum value the SDK does not know (read it with `_lastStrings`).
const OTHER_CODE: f64 = -2.0;

/// Interned JS feature objects: one handle per distinct feature description.
///
/// Keyed first by the address of the core's `Arc<FeatureInfo>` (one hash lookup per check); each key
/// keeps its `Arc` alive, so an address is never reused while it is a key. A new address is mapped by
/// content, so a refetched but unchanged feature keeps its handle (and JS its object). Entries whose
/// `Arc` only this table still holds are pruned when the table grows.
#[derive(Default)]
struct FeatureTable {
    by_ptr: FxHashMap<usize, (u32, Arc<FeatureInfo>)>,
    by_content: FxHashMap<String, u32>,
    infos: Vec<Arc<FeatureInfo>>,
}

const PRUNE_AT: usize = 4096;

impl FeatureTable {
    fn handle(&mut self, f: &Arc<FeatureInfo>) -> u32 {
        let ptr = Arc::as_ptr(f) as usize;
        if let Some((h, _)) = self.by_ptr.get(&ptr) {
            return *h;
        }
        let key = serde_json::to_string(&**f).unwrap_or_default();
        let next = self.infos.len() as u32;
        let h = *self.by_content.entry(key).or_insert(next);
        if h == next {
            self.infos.push(Arc::clone(f));
        }
        if self.by_ptr.len() >= PRUNE_AT {
            self.by_ptr.retain(|_, (_, a)| Arc::strong_count(a) > 1);
        }
        self.by_ptr.insert(ptr, (h, Arc::clone(f)));
        h
    }
}

/// The fast path's state of one JS thread.
#[derive(Default)]
pub(crate) struct Hot {
    buf: Option<Float64Array>,
    clients: Vec<Option<stigg_core::Stigg>>,
    strings: Vec<Box<str>>,
    features: FeatureTable,
    /// The last unknown reason / reset period written as [`OTHER_CODE`].
    pub(crate) last_reason: String,
    pub(crate) last_period: String,
}

fn slot(v: f64) -> Option<usize> {
    (v >= 0.0 && v.fract() == 0.0).then_some(v as usize)
}

fn flag(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

fn code<T: PartialEq>(known: &[T], v: Option<&T>, other: impl FnOnce() -> f64) -> f64 {
    match v {
        None => NULL_CODE,
        Some(v) => match known.iter().position(|k| k == v) {
            Some(i) => i as f64,
            None => other(),
        },
    }
}

thread_local! {
    static HOT: RefCell<Hot> = RefCell::new(Hot::default());
}

/// Runs `f` on this thread's fast-path state (`None` if it is already borrowed, which cannot happen
/// from JS: the calls are synchronous and do not re-enter).
pub(crate) fn with<R>(f: impl FnOnce(&mut Hot) -> R) -> Option<R> {
    HOT.try_with(|h| h.try_borrow_mut().ok().map(|mut h| f(&mut h)))
        .ok()
        .flatten()
}

/// A request read from the buffer.
pub(crate) struct Request<'a> {
    pub(crate) client: &'a stigg_core::Stigg,
    pub(crate) customer_id: &'a str,
    pub(crate) feature_id: &'a str,
    pub(crate) resource_id: Option<&'a str>,
    pub(crate) requested_usage: Option<f64>,
}

impl Hot {
    /// Registers a client; returns its slot.
    pub(crate) fn register(&mut self, client: stigg_core::Stigg) -> u32 {
        if let Some(i) = self.clients.iter().position(Option::is_none) {
            self.clients[i] = Some(client);
            return i as u32;
        }
        self.clients.push(Some(client));
        (self.clients.len() - 1) as u32
    }

    /// Frees a client's slot (its JS object was collected).
    pub(crate) fn unregister(&mut self, slot: u32) {
        if let Some(c) = self.clients.get_mut(slot as usize) {
            *c = None;
        }
    }

    /// Keeps the shared buffer (`index.js` allocates it once).
    pub(crate) fn bind(&mut self, buf: Float64Array) -> bool {
        if buf.len() < LEN {
            return false;
        }
        self.buf = Some(buf);
        true
    }

    /// Interns an id string; returns its index.
    pub(crate) fn intern(&mut self, s: String) -> u32 {
        self.strings.push(s.into_boxed_str());
        (self.strings.len() - 1) as u32
    }

    /// Forgets every interned string (`index.js` forgets its map at the same time).
    pub(crate) fn reset_interned(&mut self) {
        self.strings.clear();
    }

    /// The feature behind a handle.
    pub(crate) fn feature(&self, handle: u32) -> Option<&Arc<FeatureInfo>> {
        self.features.infos.get(handle as usize)
    }

    /// Runs `f` with the request in the buffer and the buffer to write the answer into.
    /// `None` when there is no buffer or an id index is unknown (then `index.js` takes the slow path).
    pub(crate) fn with_request<R>(
        &mut self,
        f: impl FnOnce(&Request<'_>, &mut [f64], &mut FeatureTableRef<'_>) -> R,
    ) -> Option<R> {
        let Hot {
            buf,
            clients,
            strings,
            features,
            last_reason,
            last_period,
        } = self;
        let buf = buf.as_mut()?;
        // SAFETY: the buffer is a JS Float64Array kept alive by its reference in `Float64Array`; it is
        // only touched on the JS thread, within this synchronous call, and JS does not run meanwhile.
        let out: &mut [f64] = unsafe { buf.as_mut() };
        if out.len() < LEN {
            return None;
        }
        let client = slot(out[IN_CLIENT])
            .and_then(|i| clients.get(i))?
            .as_ref()?;
        let get = |i: usize| slot(out[i]).and_then(|i| strings.get(i)).map(|s| &**s);
        let customer_id = get(IN_CUSTOMER)?;
        let feature_id = get(IN_FEATURE)?;
        let resource_id = if out[IN_RESOURCE] < 0.0 {
            None
        } else {
            Some(get(IN_RESOURCE)?)
        };
        let requested_usage = (out[IN_HAS_REQUESTED] == 1.0).then_some(out[IN_REQUESTED]);
        let req = Request {
            client,
            customer_id,
            feature_id,
            resource_id,
            requested_usage,
        };
        let mut table = FeatureTableRef {
            features,
            last_reason,
            last_period,
        };
        Some(f(&req, out, &mut table))
    }
}

/// What a writer needs besides the buffer: the feature table and the "other" string slots.
pub(crate) struct FeatureTableRef<'a> {
    features: &'a mut FeatureTable,
    last_reason: &'a mut String,
    last_period: &'a mut String,
}

impl FeatureTableRef<'_> {
    fn common(
        &mut self,
        out: &mut [f64],
        has_access: bool,
        is_fallback: bool,
        reason: Option<&AccessDeniedReason>,
        feature: Option<&Arc<FeatureInfo>>,
    ) {
        out[HAS_ACCESS] = flag(has_access);
        out[IS_FALLBACK] = flag(is_fallback);
        out[REASON] = code(AccessDeniedReason::KNOWN, reason, || {
            if let Some(r) = reason {
                r.as_str().clone_into(self.last_reason);
            }
            OTHER_CODE
        });
        out[FEATURE] = match feature {
            Some(f) => self.features.handle(f) as f64,
            None => NULL_CODE,
        };
        out[MASK] = 0.0;
    }

    /// Writes a boolean result.
    pub(crate) fn boolean(&mut self, out: &mut [f64], e: &BooleanEntitlement) {
        self.common(
            out,
            e.has_access,
            e.is_fallback,
            e.access_denied_reason.as_ref(),
            e.feature.as_ref(),
        );
    }

    /// Writes a numeric result.
    pub(crate) fn numeric(&mut self, out: &mut [f64], e: &NumericEntitlement) {
        self.common(
            out,
            e.has_access,
            e.is_fallback,
            e.access_denied_reason.as_ref(),
            e.feature.as_ref(),
        );
        let mut mask = 0;
        if let Some(v) = e.value {
            out[VALUE] = v;
            mask |= HAS_VALUE;
        }
        out[IS_UNLIMITED] = flag(e.is_unlimited);
        out[MASK] = f64::from(mask);
    }

    /// Writes a metered result.
    pub(crate) fn metered(&mut self, out: &mut [f64], e: &MeteredEntitlement) {
        self.common(
            out,
            e.has_access,
            e.is_fallback,
            e.access_denied_reason.as_ref(),
            e.feature.as_ref(),
        );
        let mut mask = 0;
        let mut put = |slot: usize, bit: u32, v: Option<Millis>| {
            if let Some(v) = v {
                out[slot] = v as f64;
                mask |= bit;
            }
        };
        put(ANCHOR, HAS_ANCHOR, e.usage_period_anchor);
        put(START, HAS_START, e.usage_period_start);
        put(END, HAS_END, e.usage_period_end);
        put(NEXT_RESET, HAS_NEXT_RESET, e.next_reset_date);
        if let Some(v) = e.usage_limit {
            out[VALUE] = v;
            mask |= HAS_VALUE;
        }
        out[IS_UNLIMITED] = flag(e.is_unlimited);
        out[HAS_SOFT_LIMIT] = flag(e.has_soft_limit);
        out[CURRENT_USAGE] = e.current_usage;
        out[REQUESTED_USAGE] = e.requested_usage;
        let period = e.reset_period.as_ref();
        out[RESET_PERIOD] = code(EntitlementResetPeriod::KNOWN, period, || {
            if let Some(p) = period {
                p.as_str().clone_into(self.last_period);
            }
            OTHER_CODE
        });
        out[MASK] = f64::from(mask);
    }
}
