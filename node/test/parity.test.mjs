// Parity with the official SDK: one scenario through `@stigg/node-server-sdk@3.95.0` and through
// `@stigg/native`, against the same emulator, results compared field by field.
//
// Expected differences (README "Parity with the official SDK"), and only these, are tolerated:
// - absent / `undefined` in 3.95 ≡ `null` in ours (every key of our results is always present);
// - `feature.displayName` and `feature.description`: 4.x fields, absent in 3.95 results;
// - `ReportUsageAck.timestamp` and `.credit`: 4.x fields, absent in 3.95 acks;
// - `measurementId` differs per measurement, and `currentUsage` of an ack is cumulative (both SDKs
//   report to the same customer, one after the other).
process.env.NODE_ENV = 'test' // the official SDK's per-key singleton is off under test

import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { after, before, describe, test } from 'node:test'

import { Stigg } from '../index.mjs'
import { API_KEY, emulatorBinary, eventually, startEmulator } from './emulator.mjs'

const require = createRequire(import.meta.url)
let Official
try {
  Official = require('@stigg/node-server-sdk').default
} catch {}
const skip = !emulatorBinary() ? 'stigg-emulator is not built' : !Official ? '@stigg/node-server-sdk is not installed' : false

const ONLY_OURS = new Set(['feature.displayName', 'feature.description', 'timestamp', 'credit'])

function norm(v) {
  if (v instanceof Date) return v.toISOString()
  if (v === undefined) return null
  if (Array.isArray(v)) return v.map(norm)
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries({ ...v }).map(([k, x]) => [k, norm(x)]))
  }
  return v
}

/** Field-by-field differences between `ours` and `theirs`, minus the documented ones. */
export function differences(ours, theirs, ignore = new Set(), path = '') {
  const a = norm(ours)
  const b = norm(theirs)
  const out = []
  const walk = (x, y, p) => {
    if (x !== null && y !== null && typeof x === 'object' && typeof y === 'object' && !Array.isArray(x)) {
      for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
        const kp = p ? `${p}.${k}` : k
        if (ignore.has(kp)) continue
        if (ONLY_OURS.has(kp) && !(k in y)) continue
        walk(x[k] ?? null, y[k] ?? null, kp)
      }
      return
    }
    if (JSON.stringify(x) !== JSON.stringify(y)) out.push(`${p}: ours ${JSON.stringify(x)} / 3.95 ${JSON.stringify(y)}`)
  }
  walk(a, b, path)
  return out
}

describe('parity with @stigg/node-server-sdk 3.95.0', { skip }, () => {
  let emu
  let ours
  let official
  before(async () => {
    emu = await startEmulator()
    const config = { apiKey: API_KEY, baseUri: emu.baseUri, baseEdgeUri: emu.edgeUri }
    official = Official.initialize({ ...config, logConfiguration: { logLevel: 'NONE' } })
    ours = Stigg.initialize(config)
    await Promise.all([official.waitForInitialization(), ours.waitForInitialization()])
    await ours.provisionCustomer({ customerId: 'parity-free', subscriptionParams: { planId: 'plan-revvenu-free' } })
    await ours.provisionCustomer({ customerId: 'parity-pro', subscriptionParams: { planId: 'plan-revvenu-pro' } })
    await ours.provisionCustomer({ customerId: 'parity-ent', subscriptionParams: { planId: 'plan-revvenu-enterprise' } })
  })
  after(async () => {
    await official?.close()
    await ours?.close()
    await emu?.stop()
  })

  const reads = []
  for (const customerId of ['parity-free', 'parity-pro', 'parity-ent', 'parity-nobody']) {
    reads.push(
      ['getBooleanEntitlement', { customerId, featureId: 'feature-sso' }],
      ['getBooleanEntitlement', { customerId, featureId: 'feature-custom-domain' }],
      ['getNumericEntitlement', { customerId, featureId: 'feature-max-projects' }],
      ['getMeteredEntitlement', { customerId, featureId: 'feature-api-calls' }],
      ['getMeteredEntitlement', { customerId, featureId: 'feature-api-calls', options: { requestedUsage: 5000 } }],
      ['getMeteredEntitlement', { customerId, featureId: 'feature-seats', options: { requestedUsage: 2 } }],
      ['getMeteredEntitlement', { customerId, featureId: 'feature-daily-exports', options: { requestedUsage: 500 } }],
      ['getEnumEntitlement', { customerId, featureId: 'feature-data-region', options: { requestedValues: ['eu'] } }],
      ['getBooleanEntitlement', { customerId, featureId: 'feature-no-such-feature' }],
    )
  }
  reads.push(
    ['getNumericEntitlement', { customerId: 'parity-pro', featureId: 'feature-custom-domain', options: { fallback: { hasAccess: true, value: 7 } } }],
    ['getMeteredEntitlement', { customerId: 'parity-pro', featureId: 'feature-sso', options: { fallback: { hasAccess: false, usageLimit: 1 } } }],
  )

  test(`${reads.length} reads give the same results`, async () => {
    const diffs = []
    for (const [method, params] of reads) {
      const theirs = await official[method](params)
      const mine = await ours[method](params)
      for (const d of differences(mine, theirs)) diffs.push(`${method}(${JSON.stringify(params)}) ${d}`)
    }
    assert.deepEqual(diffs, [])
  })

  test('reportUsage acknowledgements and the usage read back match', async () => {
    const usage = { customerId: 'parity-free', featureId: 'feature-api-calls', value: 2 }
    const theirs = await official.reportUsage(usage)
    const mine = await ours.reportUsage(usage)
    assert.deepEqual(differences(mine, theirs, new Set(['measurementId', 'currentUsage'])), [])
    assert.equal(mine.currentUsage, theirs.currentUsage + 2)
    const params = { customerId: 'parity-free', featureId: 'feature-api-calls' }
    // Both caches converge on the server's usage (acknowledgement and stream).
    await eventually(async () => (await official.getMeteredEntitlement(params)).currentUsage === mine.currentUsage, 5000, '3.95 usage')
    await eventually(async () => (await ours.getMeteredEntitlement(params)).currentUsage === mine.currentUsage, 5000, 'our usage')
    assert.deepEqual(differences(await ours.getMeteredEntitlement(params), await official.getMeteredEntitlement(params)), [])
  })

  test('management results match (customer, subscriptions)', async () => {
    const mine = await ours.getCustomer('parity-pro')
    const theirs = await official.getCustomer('parity-pro')
    for (const key of ['id', 'name', 'email', 'billingId']) {
      assert.deepEqual(norm(mine[key]), norm(theirs[key]), key)
    }
    const mySubs = await ours.getActiveSubscriptions({ customerId: 'parity-pro' })
    const theirSubs = await official.getActiveSubscriptions({ customerId: 'parity-pro' })
    assert.equal(mySubs.length, theirSubs.length)
    assert.deepEqual(
      mySubs.map((s) => [s.id, s.status, s.plan?.id ?? s.planId]),
      theirSubs.map((s) => [s.id, s.status, s.plan?.id ?? s.planId]),
    )
  })
})
