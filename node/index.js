'use strict'
// @stigg/native: the Stigg Node.js server SDK API over the stigg-native Rust core.
//
// The class `Stigg` is the native one (node/src/lib.rs, typed in index.d.ts). This file only adds
// what belongs to JS:
// - the cached-check fast path of getBoolean/Numeric/MeteredEntitlement(Sync): ids are interned
//   once, the request and the answer travel through one reused Float64Array (layout: SLOT below,
//   node/src/hot.rs), and the result object is built here, because building it through napi costs
//   more than the whole check (DESIGN.md, napi crossing costs);
// - the Error subclasses, which the addon instantiates through a factory registered below;
// - `Date`s: inputs of the JSON-document calls (writes, management) are sent as ISO strings, and
//   known instant fields of their results come back as `Date`s;
// - `waitForInitialization()` resolving to the client, as in the official SDK.

const binding = require('./binding.js')

const { Stigg } = binding

class StiggError extends Error {
  constructor(message, code, traceId) {
    super(message)
    this.name = new.target.name
    this.code = code
    this.traceId = traceId ?? null
  }
}
class StiggConfigurationError extends StiggError {}
class StiggArgumentError extends StiggError {}
class StiggApiError extends StiggError {}
class StiggTimeoutError extends StiggError {}
class StiggNetworkError extends StiggError {}
class StiggClientClosedError extends StiggError {}

const ERROR_CLASSES = {
  Configuration: StiggConfigurationError,
  InvalidArgument: StiggArgumentError,
  Api: StiggApiError,
  Timeout: StiggTimeoutError,
  Network: StiggNetworkError,
  ClientClosed: StiggClientClosedError,
}

Stigg._setErrorFactory((kind, message, code, traceId) => {
  const Class = ERROR_CLASSES[kind] ?? StiggError
  return new Class(message, code, traceId)
})

// ---- Dates in JSON documents -------------------------------------------------------------------

/** Instant fields of write and management results that the official SDK returns as `Date`s. */
const DATE_KEYS = new Set([
  'createdAt',
  'updatedAt',
  'timestamp',
  'startDate',
  'endDate',
  'trialEndDate',
  'effectiveEndDate',
  'cancellationDate',
  'currentBillingPeriodStart',
  'currentBillingPeriodEnd',
  'expiresAt',
  'effectiveAt',
  'usagePeriodStart',
  'usagePeriodEnd',
  'usagePeriodAnchor',
  'nextResetDate',
  'date',
])
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/

function toWire(v) {
  if (v instanceof Date) return v.toISOString()
  if (Array.isArray(v)) return v.map(toWire)
  if (v !== null && typeof v === 'object') {
    const out = {}
    for (const k of Object.keys(v)) {
      const x = v[k]
      if (x !== undefined) out[k] = toWire(x)
    }
    return out
  }
  return v
}

function revive(v) {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = revive(v[i])
  } else if (v !== null && typeof v === 'object') {
    for (const k of Object.keys(v)) {
      const x = v[k]
      if (typeof x === 'string') {
        if (DATE_KEYS.has(k) && ISO.test(x)) v[k] = new Date(x)
      } else if (x !== null && typeof x === 'object') {
        revive(x)
      }
    }
  }
  return v
}

// ---- The fast path -----------------------------------------------------------------------------

const CODES = Stigg._codes()
const REASONS = CODES.reasons
const PERIODS = CODES.resetPeriods
/** Slots of the shared buffer (node/src/hot.rs). */
const SLOT = {
  client: 0,
  customer: 1,
  feature: 2,
  resource: 3,
  requested: 4,
  hasRequested: 5,
  hasAccess: 6,
  isFallback: 7,
  reason: 8,
  featureHandle: 9,
  mask: 10,
  value: 11,
  isUnlimited: 12,
  hasSoftLimit: 13,
  currentUsage: 14,
  requestedUsage: 15,
  resetPeriod: 16,
  anchor: 17,
  start: 18,
  end: 19,
  nextReset: 20,
}
/** Interned ids kept before the tables are cleared (bounds memory for many customers). */
const MAX_INTERNED = 100_000

const HOT = Symbol('stigg.hot')

/** The fast path's JS half, one per module instance (the addon keeps one state per JS thread). */
const hot = {
  buf: new Float64Array(CODES.bufferLength),
  ids: new Map(),
  features: [],
  bound: false,

  id(s) {
    let i = this.ids.get(s)
    if (i === undefined) {
      i = binding._intern(s)
      this.ids.set(s, i)
    }
    return i
  },

  feature(handle) {
    if (handle < 0) return null
    let f = this.features[handle]
    if (f === undefined) {
      f = Object.freeze(binding._feature(handle))
      this.features[handle] = f
    }
    return f
  },

  reason(code) {
    if (code === -1) return null
    return code >= 0 ? REASONS[code] : binding._lastStrings().reason
  },

  period(code) {
    if (code === -1) return null
    return code >= 0 ? PERIODS[code] : binding._lastStrings().resetPeriod
  },

  /** Writes the request into the buffer; false when the fast path cannot take it (then the native
   * method reads and validates the parameters itself). */
  prepare(client, p) {
    let slot = client[HOT]
    if (slot === undefined) {
      slot = client._hotRegister()
      client[HOT] = slot
    }
    if (slot < 0 || !this.bound || p === null || typeof p !== 'object') return false
    const c = p.customerId
    const f = p.featureId
    const r = p.resourceId
    const o = p.options
    if (typeof c !== 'string' || typeof f !== 'string') return false
    if (this.ids.size > MAX_INTERNED) {
      binding._resetInterned()
      this.ids.clear()
    }
    const b = this.buf
    b[SLOT.hasRequested] = 0
    if (o !== undefined && o !== null) {
      if (typeof o !== 'object' || (o.fallback !== undefined && o.fallback !== null)) return false
      const u = o.requestedUsage
      if (u !== undefined && u !== null) {
        if (typeof u !== 'number') return false
        b[SLOT.requested] = u
        b[SLOT.hasRequested] = 1
      }
    }
    if (r === undefined || r === null) b[SLOT.resource] = -1
    else if (typeof r === 'string') b[SLOT.resource] = this.id(r)
    else return false
    b[SLOT.client] = slot
    b[SLOT.customer] = this.id(c)
    b[SLOT.feature] = this.id(f)
    return true
  },

  boolean() {
    const b = this.buf
    return {
      type: 'BOOLEAN',
      hasAccess: b[SLOT.hasAccess] === 1,
      isFallback: b[SLOT.isFallback] === 1,
      accessDeniedReason: this.reason(b[SLOT.reason]),
      feature: this.feature(b[SLOT.featureHandle]),
    }
  },

  numeric() {
    const b = this.buf
    return {
      type: 'NUMERIC',
      hasAccess: b[SLOT.hasAccess] === 1,
      isFallback: b[SLOT.isFallback] === 1,
      accessDeniedReason: this.reason(b[SLOT.reason]),
      feature: this.feature(b[SLOT.featureHandle]),
      value: b[SLOT.mask] & 1 ? b[SLOT.value] : null,
      isUnlimited: b[SLOT.isUnlimited] === 1,
    }
  },

  metered() {
    const b = this.buf
    const m = b[SLOT.mask]
    return {
      type: 'METERED',
      hasAccess: b[SLOT.hasAccess] === 1,
      isFallback: b[SLOT.isFallback] === 1,
      accessDeniedReason: this.reason(b[SLOT.reason]),
      feature: this.feature(b[SLOT.featureHandle]),
      usageLimit: m & 1 ? b[SLOT.value] : null,
      isUnlimited: b[SLOT.isUnlimited] === 1,
      hasSoftLimit: b[SLOT.hasSoftLimit] === 1,
      currentUsage: b[SLOT.currentUsage],
      requestedUsage: b[SLOT.requestedUsage],
      resetPeriod: this.period(b[SLOT.resetPeriod]),
      usagePeriodAnchor: m & 2 ? new Date(b[SLOT.anchor]) : null,
      usagePeriodStart: m & 4 ? new Date(b[SLOT.start]) : null,
      usagePeriodEnd: m & 8 ? new Date(b[SLOT.end]) : null,
      nextResetDate: m & 16 ? new Date(b[SLOT.nextReset]) : null,
    }
  },
}
hot.bound = binding._hotBind(hot.buf)

const proto = Stigg.prototype
/** The native methods, before this file wraps them (tests call them to check both paths agree). */
const native = {}
for (const name of Object.getOwnPropertyNames(proto)) {
  if (typeof proto[name] === 'function') native[name] = proto[name]
}
const HOT_GETTERS = {
  getBooleanEntitlement: [binding._hotBoolean, 'boolean'],
  getNumericEntitlement: [binding._hotNumeric, 'numeric'],
  getMeteredEntitlement: [binding._hotMetered, 'metered'],
}
for (const [name, [check, build]] of Object.entries(HOT_GETTERS)) {
  const slow = native[name]
  const slowSync = native[`${name}Sync`]
  proto[name] = function (params) {
    if (hot.prepare(this, params) && check() === 1) return Promise.resolve(hot[build]())
    return slow.call(this, params)
  }
  proto[`${name}Sync`] = function (params) {
    if (hot.prepare(this, params)) return check() === 1 ? hot[build]() : undefined
    return slowSync.call(this, params)
  }
}

proto.waitForInitialization = function waitForInitialization() {
  return native.waitForInitialization.call(this).then(() => this)
}

/** Calls whose arguments and results are JSON documents (writes, management, fixtures): `Date`s go
 * out as ISO strings, and known instant fields of results come back as `Date`s. Every other method
 * takes and returns typed objects that napi converts. */
const TYPED = new Set([
  'constructor',
  'waitForInitialization',
  'close',
  'addListener',
  'removeListener',
  'setTestClock',
  'getEntitlementsStateV2',
  'reloadEntitlements',
])
for (const name of Object.keys(native)) {
  if (name.startsWith('_') || TYPED.has(name) || /^get\w*Entitlements?(V2)?(Sync)?$/.test(name)) continue
  const fn = native[name]
  proto[name] =
    name === 'setEntitlementsState'
      ? function (...args) {
          return fn.apply(this, args.map(toWire))
        }
      : function (...args) {
          return fn.apply(this, args.map(toWire)).then(revive)
        }
}

/** `AccessDeniedReason` values, as the official SDK's enum object. */
const AccessDeniedReason = Object.freeze(Object.fromEntries(REASONS.map((r) => [r, r])))

module.exports = {
  Stigg,
  default: Stigg,
  StiggError,
  StiggConfigurationError,
  StiggArgumentError,
  StiggApiError,
  StiggTimeoutError,
  StiggNetworkError,
  StiggClientClosedError,
  AccessDeniedReason,
  /** @internal the native methods before wrapping (tests compare both paths). */
  _native: native,
}
