dts-header.d.ts

/** A Stigg client. Create it with `Stigg.initialize(config)`. */
export declare class Stigg {
  /** `getCoupons()`: the active coupons (the official SDK's first 25). */
  getCoupons(): Promise<any[]>
  /** `getProducts()`: the products (the official SDK's first 20). */
  getProducts(): Promise<any[]>
  /** `provisionCustomer`: creates or updates a customer, optionally with a subscription; caches the returned entitlements. */
  provisionCustomer(input: ProvisionCustomer): Promise<any>
  /** `updateCustomer`. */
  updateCustomer(input: UpdateCustomer): Promise<any>
  /** `getCustomer(customerId)`. */
  getCustomer(input: string): Promise<any>
  /** `archiveCustomer(customerId)`: resolves to the customer id. */
  archiveCustomer(input: string): Promise<string>
  /** `unarchiveCustomer(customerId)`. */
  unarchiveCustomer(input: string): Promise<any>
  /** `provisionSubscription`: caches the returned entitlements. */
  provisionSubscription(input: ProvisionSubscription): Promise<any>
  /** `updateSubscription`: refetches the customer's entitlements afterwards. */
  updateSubscription(input: Record<string, unknown>): Promise<any>
  /** `cancelSubscription`: refetches the customer's entitlements afterwards. */
  cancelSubscription(input: Record<string, unknown>): Promise<any>
  /** `cancelSubscriptionScheduledUpdates({subscriptionId, status?})`. */
  cancelSubscriptionScheduledUpdates(input: Record<string, unknown>): Promise<{ subscriptionId: string }>
  /** `migrateSubscriptionToLatest({subscriptionId, subscriptionMigrationTime?})`. */
  migrateSubscriptionToLatest(input: Record<string, unknown>): Promise<{ subscriptionId: string }>
  /** `estimateSubscription`. */
  estimateSubscription(input: Record<string, unknown>): Promise<any>
  /** `estimateSubscriptionUpdate`. */
  estimateSubscriptionUpdate(input: Record<string, unknown>): Promise<any>
  /** `previewSubscription`. */
  previewSubscription(input: Record<string, unknown>): Promise<any>
  /** `getSubscription({subscriptionId})`. */
  getSubscription(input: { subscriptionId: string }): Promise<any>
  /** `getActiveSubscriptions({customerId, resourceId?})`. */
  getActiveSubscriptions(input: { customerId: string; resourceId?: string | string[] }): Promise<any[]>
  /** `getActiveSubscriptionsList({customerId, resourceId?})` (Edge). */
  getActiveSubscriptionsList(input: { customerId: string; resourceId?: string | string[] }): Promise<any[]>
  /** `getSubscriptions({customerId?, resourceId?, status?, productId?, pagination?})`. */
  getSubscriptions(input?: Record<string, unknown> | undefined): Promise<{ data: any[]; pageInfo: any; totalCount?: number }>
  /** `getPaywall({productId?, customerId?, resourceId?, billingCountryCode?, ...})`. */
  getPaywall(input?: Record<string, unknown> | undefined): Promise<any>
  /** `grantCredits`. */
  grantCredits(input: Record<string, unknown>): Promise<any>
  /** `voidCreditGrant`. */
  voidCreditGrant(input: Record<string, unknown>): Promise<any>
  /** `getCreditGrants`. */
  getCreditGrants(input: Record<string, unknown>): Promise<any>
  /** `getCreditBalance`. */
  getCreditBalance(input: Record<string, unknown>): Promise<any>
  /** `grantPromotionalEntitlements`. */
  grantPromotionalEntitlements(input: Record<string, unknown>): Promise<any[]>
  /** `revokePromotionalEntitlements`. */
  revokePromotionalEntitlements(input: Record<string, unknown>): Promise<any>
  /** `getUsageHistoryV2`. */
  getUsageHistoryV2(input: Record<string, unknown>): Promise<any>
  /**
   * Creates a client (synchronous, like the official SDK). Online, it starts checking the API key
   * and opening the real-time stream in the background; await `waitForInitialization()`.
   * Throws a `StiggConfigurationError` for an invalid configuration.
   */
  static initialize(config: ClientConfiguration): Stigg
  /**
   * Resolves when the client is ready (offline: at once; online: after Stigg accepted the API
   * key); rejects with the initialization error. `index.js` resolves it to the client itself.
   */
  waitForInitialization(): Promise<Stigg>
  /**
   * Closes the client: stops the stream and background work, clears the cache, removes every
   * listener. Idempotent. Afterwards writes fail with `StiggClientClosedError`, reads return
   * fallbacks, and nothing of the client keeps the process alive.
   */
  close(): Promise<void>
  /**
   * Registers `listener` for `event` (`entitlementsUpdated`, `usageUpdated`, `packagePublished`,
   * `cacheHit`, `cacheMiss`, `apiKeyInvalid`, `networkRequestFailed`, `initializeSuccessfully`,
   * `initializeFailed`, and stigg-native's `streamConnected` / `streamDisconnected`). Listeners are
   * called on the JS thread, asynchronously, and do not keep the process alive.
   */
  addListener(event: string, listener: (payload?: any) => void): void
  /**
   * Unregisters a listener added with `addListener` (the same function); returns whether it was
   * registered.
   */
  removeListener(event: string, listener: (payload?: any) => void): boolean
  /** `getBooleanEntitlement`: never rejects (failures give the fallback, `isFallback: true`). */
  getBooleanEntitlement(params: GetEntitlementParams): Promise<BooleanEntitlement>
  /**
   * `getBooleanEntitlement` from the cache, synchronously: the result, or `undefined` when the
   * customer's state is not cached (call the async form, which fetches it). Offline it always
   * answers.
   */
  getBooleanEntitlementSync(params: GetEntitlementParams): BooleanEntitlement | undefined
  /** `getNumericEntitlement`: never rejects. */
  getNumericEntitlement(params: GetEntitlementParams): Promise<NumericEntitlement>
  /** `getNumericEntitlement` from the cache: the result, or `undefined` when not cached. */
  getNumericEntitlementSync(params: GetEntitlementParams): NumericEntitlement | undefined
  /** `getMeteredEntitlement`: never rejects. `options.requestedUsage` is the usage to check for. */
  getMeteredEntitlement(params: GetMeteredEntitlementParams): Promise<MeteredEntitlement>
  /** `getMeteredEntitlement` from the cache: the result, or `undefined` when not cached. */
  getMeteredEntitlementSync(params: GetMeteredEntitlementParams): MeteredEntitlement | undefined
  /** `getEnumEntitlement`: never rejects. `options.requestedValues` are the values to check for. */
  getEnumEntitlement(params: GetEnumEntitlementParams): Promise<EnumEntitlement>
  /** `getEnumEntitlement` from the cache: the result, or `undefined` when not cached. */
  getEnumEntitlementSync(params: GetEnumEntitlementParams): EnumEntitlement | undefined
  /** `getCreditEntitlement`: never rejects. Uses only the per-call fallback, as the official SDK. */
  getCreditEntitlement(params: GetCreditEntitlementParams): Promise<CreditEntitlement>
  /** `getCreditEntitlement` from the cache: the result, or `undefined` when not cached. */
  getCreditEntitlementSync(params: GetCreditEntitlementParams): CreditEntitlement | undefined
  /** `getEntitlement` (deprecated in the official SDK): a feature entitlement of any type. */
  getEntitlement(params: GetGenericEntitlementParams): Promise<BooleanEntitlement | NumericEntitlement | MeteredEntitlement | EnumEntitlement>
  /**
   * `getEntitlementV2`: a feature (`featureId`) or credit (`currencyId`) entitlement; never
   * rejects (both or neither id gives the fallback, as in the official SDK).
   */
  getEntitlementV2(params: GetEntitlementV2Params): Promise<BooleanEntitlement | NumericEntitlement | MeteredEntitlement | EnumEntitlement | CreditEntitlement>
  /**
   * `getEntitlementsStateV2`: every entitlement of the customer (offline or on failure, the list
   * built from the configured fallbacks).
   */
  getEntitlementsStateV2(customerId: string, resourceId?: string | undefined | null): Promise<EntitlementsStateV2>
  /** `reloadEntitlements`: refetches the customer's state (GraphQL, not Edge). */
  reloadEntitlements(customerId: string, resourceId?: string | undefined | null): Promise<ReloadEntitlementsResult>
  /**
   * `reportUsage`: reports usage of a metered feature; resolves to the server's acknowledgement
   * (with the usage after the report). Offline: a local acknowledgement.
   */
  reportUsage(input: ReportUsage): Promise<ReportUsageAck>
  /** `reportUsageBulk({usages})`: at most 100 reports in one request. */
  reportUsageBulk(input: { usages: ReportUsage[] }): Promise<ReportUsageAck[]>
  /** `reportEvent`: one raw event or a list (at most 1,000); usage derived from them arrives later. */
  reportEvent(input: ReportEvent | ReportEvent[]): Promise<void>
  /** `consumeCredits`: consumes credits now; resolves to the balance after it. */
  consumeCredits(input: ConsumeCredits): Promise<ConsumeCreditsResult>
  /** `consumeCreditsAsync({consumptions})`: queues consumptions (at most 1,000). */
  consumeCreditsAsync(input: { consumptions: ConsumeCredits[] }): Promise<void>
  /** `estimateUsageCost`: the credit cost of reporting usage. Offline: no estimates. */
  estimateUsageCost(input: EstimateUsageCost): Promise<CreditCostEstimation>
  /** `estimateEventCost`: the credit cost of reporting an event. Offline: no estimates. */
  estimateEventCost(input: EstimateEventCost): Promise<CreditCostEstimation>
  /**
   * stigg-native: stores a customer's (or customer+resource's) entitlement state in the cache, as
   * if fetched (the wire `{entitlementsV2, accessDeniedReason}` shape). Offline, reads of that
   * customer are then decided by the same rules as online reads: fixtures for tests.
   */
  setEntitlementsState(customerId: string, state: { entitlementsV2: unknown[]; accessDeniedReason?: string | null }, resourceId?: string | undefined | null): void
  /** Test support: moves the fixed clock of a client created with `testClock` (epoch ms). */
  setTestClock(nowMs: number): void
  /** Internal: registers the factory of the package's error objects (`index.js`, once). */
  static _setErrorFactory(factory: (kind: string, message: string, code: string, traceId: string | null) => Error): void
  /** Internal (fast path): the enum tables behind the codes. */
  static _codes(): Codes
  /**
   * Internal (fast path): registers this client in the thread's fast-path registry; returns its
   * slot (freed when the client is garbage-collected).
   */
  _hotRegister(): number
}

/** Internal (fast path): the feature object behind a handle. */
export declare function _feature(handle: number): Feature | null

/** Internal (fast path): keeps the thread's shared buffer; false when it is too short. */
export declare function _hotBind(buf: Float64Array): boolean

/**
 * Internal (fast path): cached `getBooleanEntitlement` of the request in the buffer; 1 when
 * answered (the result is in the buffer), 0 when the state must be fetched.
 */
export declare function _hotBoolean(): number

/** Internal (fast path): cached `getMeteredEntitlement`, as `_hotBoolean`. */
export declare function _hotMetered(): number

/** Internal (fast path): cached `getNumericEntitlement`, as `_hotBoolean`. */
export declare function _hotNumeric(): number

/** Internal (fast path): interns an id string. */
export declare function _intern(s: string): number

/** Internal (fast path): the unknown enum strings of the last answer. */
export declare function _lastStrings(): LastStrings

/** Internal (fast path): forgets the interned strings. */
export declare function _resetInterned(): void

/** Result of `getBooleanEntitlement`. */
export interface BooleanEntitlement {
  /** `'BOOLEAN'`. */
  type: 'BOOLEAN'
  /** Whether access is granted. */
  hasAccess: boolean
  /** True when this is a fallback value, not a decision on real data. */
  isFallback: boolean
  /** Why access was denied (or the fallback's reason). */
  accessDeniedReason: string | null
  /** The feature, when known. */
  feature: Feature | null
}

/**
 * `Stigg.initialize` options: the official `ClientConfiguration` names. Options of the official SDK
 * that have no meaning here (`logConfiguration`, `clientName`, `clientVersion`, `enableRemoteConfig`)
 * are accepted and ignored.
 */
export interface ClientConfiguration {
  /** Server API key (`server-...`); optional offline. Default: `$STIGG_API_KEY`. */
  apiKey?: string
  /** API origin (default `https://api.stigg.io`, or `$STIGG_BASE_URI`). */
  baseUri?: string
  /** Edge origin (default: derived from `baseUri`; `localhost` → port 3060). */
  baseEdgeUri?: string
  /** WebSocket origin (default: derived from `baseUri`). */
  wsUrl?: string
  /** Keep the cache fresh through the real-time stream (default true). */
  realtimeUpdatesEnabled?: boolean
  /** Read entitlements through Edge (default true). */
  enableEdge?: boolean
  /** Fallbacks by feature id. */
  entitlementsFallback?: Record<string, EntitlementFallback>
  /** Fallbacks by currency id (`getEntitlementV2`, `getEntitlementsStateV2`). */
  creditEntitlementsFallback?: Record<string, CreditEntitlementFallback>
  /** Byte budget of the in-memory cache (default 256 MiB). */
  memoryCacheMaxSizeBytes?: number
  /** Timeout of API calls, ms (default 60000). */
  timeout?: number
  /** Timeout of entitlement fetches, ms (default 10000). */
  entitlementsTimeout?: number
  /** Offline mode: fallbacks for reads, local acknowledgements for writes, no network. */
  offline?: boolean
  /**
   * stigg-native: how long (ms) a cached state is served while no live stream confirms it
   * (default 30000). The official SDK refetches on every read then.
   */
  refreshInterval?: number
  /**
   * Redis persistent cache: the official `redis` options (`environmentPrefix` required, `host`,
   * `port`, `db`, `username`, `password`, `tls`, `url`, `ttl`, `distributedEntitlementsFetching`,
   * `cacheUpdatePolicy`; ours: `commandTimeout`, `l1MaxStaleness` (ms), `writeFormat`). No stream
   * is opened in Redis mode, as in the official SDK.
   */
  redis?: RedisOptions
  /**
   * Test support: fix the clock every decision reads at this instant (epoch ms); move it with
   * `setTestClock`. Never set it in production.
   */
  testClock?: number
  /** Accepted for compatibility with `@stigg/node-server-sdk`; logs go through `tracing`. */
  logConfiguration?: unknown
  /** Accepted for compatibility; ignored. */
  clientName?: string
  /** Accepted for compatibility; ignored. */
  clientVersion?: string
  /** Accepted for compatibility; the API key is always checked at initialization online. */
  enableRemoteConfig?: boolean
}

/** Enum spellings behind the fast path's codes (`index.js` reads them once). */
export interface Codes {
  /** `AccessDeniedReason` values, by code. */
  reasons: Array<string>
  /** `EntitlementResetPeriod` values, by code. */
  resetPeriods: Array<string>
  /** Length of the shared buffer. */
  bufferLength: number
}

/** Result of `getCreditEntitlement` (and the credit member of `getEntitlementV2`). */
export interface CreditEntitlement {
  /** `'CREDIT'`. */
  type: 'CREDIT'
  /** Whether access is granted. */
  hasAccess: boolean
  /** True when this is a fallback value. */
  isFallback: boolean
  /** Why access was denied. */
  accessDeniedReason: string | null
  /** The wallet's currency. */
  currency: Currency
  /** Credits granted in the period. */
  usageLimit: number
  /** Credits consumed in the period. */
  currentUsage: number
  /** `usageLimit − currentUsage`. */
  remaining: number
  /** End of the current period. */
  usagePeriodEnd: Date | null
  /** Soft limit: consumption past the balance is allowed. */
  hasSoftLimit: boolean
  /** The amount the check asked about. */
  requestedUsage: number
}

/** `creditEntitlementsFallback[currencyId]` / a credit read's `options.fallback`. */
export interface CreditEntitlementFallback {
  /** Whether the fallback grants access (default false). */
  hasAccess?: boolean
  /** Credits granted. */
  usageLimit?: number
  /** Credits consumed. */
  currentUsage?: number
}

/** `options` of `getCreditEntitlement`. */
export interface CreditEntitlementOptions {
  /** The credits to check for (default 0). */
  requestedUsage?: number
  /** Per-call credit fallback (the only fallback this getter uses, as in the official SDK). */
  fallback?: CreditEntitlementFallback
}

/** The currency of a credit result. */
export interface Currency {
  /** Currency id. */
  currencyId: string
  /** Display name. */
  displayName: string | null
  /** Description. */
  description: string | null
  /** Unit, singular. */
  unitSingular: string | null
  /** Unit, plural. */
  unitPlural: string | null
  /** Free-form metadata. */
  metadata: Record<string, unknown> | null
}

/** `options.fallback` / `entitlementsFallback[featureId]`: what a read returns when it cannot decide. */
export interface EntitlementFallback {
  /** Whether the fallback grants access (default false). */
  hasAccess?: boolean
  /** Numeric value (numeric features). */
  value?: number
  /** Unlimited (numeric and metered features). */
  isUnlimited?: boolean
  /** Usage limit (metered features). */
  usageLimit?: number
  /** Allowed values (enum features). */
  enumValues?: Array<string>
}

/** `options` of `getBooleanEntitlement` / `getNumericEntitlement`. */
export interface EntitlementOptions {
  /** Per-call fallback (wins over `entitlementsFallback`). */
  fallback?: EntitlementFallback
  /** Deprecated in the official SDK; ignored. */
  shouldTrack?: boolean
}

/** Result of `getEntitlementsStateV2`. */
export interface EntitlementsStateV2 {
  /** Every entitlement of the customer. */
  entitlements: Array<BooleanEntitlement | NumericEntitlement | MeteredEntitlement | EnumEntitlement | CreditEntitlement>
  /** Customer-level reason (`CustomerNotFound`, `CustomerIsArchived`, `NoActiveSubscription`). */
  accessDeniedReason: string | null
}

/** Result of `getEnumEntitlement`. */
export interface EnumEntitlement {
  /** `'ENUM'`. */
  type: 'ENUM'
  /** Whether access is granted. */
  hasAccess: boolean
  /** True when this is a fallback value. */
  isFallback: boolean
  /** Why access was denied. */
  accessDeniedReason: string | null
  /** The feature, when known. */
  feature: Feature | null
  /** Allowed values. */
  enumValues: Array<string>
  /** The values the check asked about (`null` when none were passed). */
  requestedValues: Array<string> | null
}

/** `options` of `getEnumEntitlement`. */
export interface EnumEntitlementOptions {
  /** The values to check for. */
  requestedValues?: Array<string>
  /** Per-call fallback. */
  fallback?: EntitlementFallback
  /** Deprecated in the official SDK; ignored. */
  shouldTrack?: boolean
}

/** The feature a result is about. */
export interface Feature {
  /** Feature id. */
  id: string
  /** `BOOLEAN`, `NUMBER` or `ENUM`. */
  featureType: string
  /** `None`, `Incremental`, `Fluctuating`, or null. */
  meterType: string | null
  /** Unit, singular (`""` when unset). */
  units: string
  /** Unit, plural (`""` when unset). */
  unitsPlural: string
  /** True for metered features. */
  isMetered: boolean
  /** Display name. */
  displayName: string | null
  /** Description. */
  description: string | null
}

/** `options` of the generic getters (`getEntitlement`, `getEntitlementV2`). */
export interface GenericEntitlementOptions {
  /** The usage to check for. */
  requestedUsage?: number
  /** The values to check for. */
  requestedValues?: Array<string>
  /** Per-call fallback: a feature fallback, or a credit fallback when `currencyId` is given. */
  fallback?: EntitlementFallback | CreditEntitlementFallback
}

/** Parameters of `getCreditEntitlement`. */
export interface GetCreditEntitlementParams {
  /** Customer id. */
  customerId: string
  /** Currency id of the wallet. */
  currencyId: string
  /** Resource id. */
  resourceId?: string
  /** Options. */
  options?: CreditEntitlementOptions
}

/** Parameters of `getBooleanEntitlement` and `getNumericEntitlement`. */
export interface GetEntitlementParams {
  /** Customer id. */
  customerId: string
  /** Feature id. */
  featureId: string
  /** Resource id. */
  resourceId?: string
  /** Options. */
  options?: EntitlementOptions
}

/** Parameters of `getEntitlementV2`: exactly one of `featureId` and `currencyId`. */
export interface GetEntitlementV2Params {
  /** Customer id. */
  customerId: string
  /** Resource id. */
  resourceId?: string
  /** Feature id (XOR `currencyId`). */
  featureId?: string
  /** Currency id (XOR `featureId`). */
  currencyId?: string
  /** Options. */
  options?: GenericEntitlementOptions
}

/** Parameters of `getEnumEntitlement`. */
export interface GetEnumEntitlementParams {
  /** Customer id. */
  customerId: string
  /** Feature id. */
  featureId: string
  /** Resource id. */
  resourceId?: string
  /** Options. */
  options?: EnumEntitlementOptions
}

/** Parameters of `getEntitlement` (deprecated generic getter). */
export interface GetGenericEntitlementParams {
  /** Customer id. */
  customerId: string
  /** Feature id. */
  featureId: string
  /** Resource id. */
  resourceId?: string
  /** Options; the fallback's type follows their shape. */
  options?: GenericEntitlementOptions
}

/** Parameters of `getMeteredEntitlement`. */
export interface GetMeteredEntitlementParams {
  /** Customer id. */
  customerId: string
  /** Feature id. */
  featureId: string
  /** Resource id. */
  resourceId?: string
  /** Options. */
  options?: MeteredEntitlementOptions
}

/** The unknown enum strings of the last fast-path answer that used code -2. */
export interface LastStrings {
  /** The access-denied reason. */
  reason: string
  /** The reset period. */
  resetPeriod: string
}

/** Result of `getMeteredEntitlement`. */
export interface MeteredEntitlement {
  /** `'METERED'`. */
  type: 'METERED'
  /** Whether access is granted. */
  hasAccess: boolean
  /** True when this is a fallback value. */
  isFallback: boolean
  /** Why access was denied. */
  accessDeniedReason: string | null
  /** The feature, when known. */
  feature: Feature | null
  /** The usage limit. */
  usageLimit: number | null
  /** Unlimited usage. */
  isUnlimited: boolean
  /** Soft limit: usage past the limit is allowed. */
  hasSoftLimit: boolean
  /** Usage in the current period. */
  currentUsage: number
  /** The usage the check asked about. */
  requestedUsage: number
  /** `HOUR`, `DAY`, `WEEK`, `MONTH` or `YEAR`. */
  resetPeriod: string | null
  /** Anchor of the usage periods. */
  usagePeriodAnchor: Date | null
  /** Start of the current period. */
  usagePeriodStart: Date | null
  /** End of the current period. */
  usagePeriodEnd: Date | null
  /** Deprecated alias of `usagePeriodEnd`. */
  nextResetDate: Date | null
}

/** `options` of `getMeteredEntitlement`. */
export interface MeteredEntitlementOptions {
  /** The usage to check for (default 0). */
  requestedUsage?: number
  /** Per-call fallback. */
  fallback?: EntitlementFallback
  /** Deprecated in the official SDK; ignored. */
  shouldTrack?: boolean
}

/** Result of `getNumericEntitlement`. */
export interface NumericEntitlement {
  /** `'NUMERIC'`. */
  type: 'NUMERIC'
  /** Whether access is granted. */
  hasAccess: boolean
  /** True when this is a fallback value. */
  isFallback: boolean
  /** Why access was denied. */
  accessDeniedReason: string | null
  /** The feature, when known. */
  feature: Feature | null
  /** The configured value. */
  value: number | null
  /** Unlimited value. */
  isUnlimited: boolean
}

/** Result of `reloadEntitlements`. */
export interface ReloadEntitlementsResult {
  /** True when the customer (or resource) exists. */
  entitledEntityExists: boolean
}
