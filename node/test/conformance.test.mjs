// Every shared conformance vector (tests/conformance/*.json, schema in its README) through the binding:
// an offline client with its clock fixed at the vector's `now` (`testClock`), the vector's fallbacks
// configured, and its state (when not null) as a fixture. Each case runs three ways, which must all
// give `expected`: the public async method (the JS fast path where there is one), its Sync variant,
// and the native method without the fast path (napi-built result objects).
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { test, after } from 'node:test'
import { fileURLToPath } from 'node:url'

import native from '../index.js'

const { Stigg, _native } = native
const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'conformance')
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort()

/** A number of a request: a JSON number, or "NaN" / "Infinity" / "-Infinity". */
function number(v) {
  if (v === 'NaN') return NaN
  if (v === 'Infinity') return Infinity
  if (v === '-Infinity') return -Infinity
  return v
}

/** Results as the vectors spell them: instants as ISO strings. */
function plain(v) {
  if (v instanceof Date) return v.toISOString()
  if (Array.isArray(v)) return v.map(plain)
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
  }
  return v
}

const clients = new Map()
function clientFor(config) {
  const key = JSON.stringify(config ?? null)
  let c = clients.get(key)
  if (c === undefined) {
    c = Stigg.initialize({
      offline: true,
      testClock: 0,
      entitlementsFallback: config?.entitlementsFallback,
      creditEntitlementsFallback: config?.creditEntitlementsFallback,
    })
    clients.set(key, c)
  }
  return c
}
after(async () => {
  for (const c of clients.values()) await c.close()
})

const SYNC = new Set([
  'getBooleanEntitlement',
  'getNumericEntitlement',
  'getMeteredEntitlement',
  'getEnumEntitlement',
  'getCreditEntitlement',
])

let seq = 0
async function run(client, fn, method, req, customerId) {
  if (method === 'getEntitlementsStateV2') return fn.call(client, customerId)
  const options = req.options === undefined ? undefined : { ...req.options }
  if (options?.requestedUsage !== undefined) options.requestedUsage = number(options.requestedUsage)
  const params = { customerId, options }
  if (req.featureId !== undefined) params.featureId = req.featureId
  if (req.currencyId !== undefined) params.currencyId = req.currencyId
  return fn.call(client, params)
}

let total = 0
for (const file of files) {
  const suite = JSON.parse(readFileSync(join(dir, file), 'utf8'))
  for (const c of suite.cases) {
    total++
    test(`${c.id}`, async () => {
      const client = clientFor(c.config)
      const customerId = `conformance-${seq++}`
      if (c.state !== null) client.setEntitlementsState(customerId, c.state)
      client.setTestClock(Date.parse(c.now))
      const m = c.request.method
      const viaPublic = plain(await run(client, client[m], m, c.request, customerId))
      assert.deepStrictEqual(viaPublic, c.expected, 'public method')
      const viaNative = plain(await run(client, _native[m], m, c.request, customerId))
      assert.deepStrictEqual(viaNative, c.expected, 'native method')
      if (SYNC.has(m)) {
        const viaSync = plain(await run(client, client[`${m}Sync`], m, c.request, customerId))
        assert.deepStrictEqual(viaSync, c.expected, 'Sync variant')
      }
    })
  }
}

test('every vector file was read', () => {
  assert.ok(files.length >= 10, `only ${files.length} vector files`)
  assert.ok(total >= 150, `only ${total} vectors`)
})
