// @stigg/native end to end against the stigg-emulator: lifecycle, reads (Edge, cache, stream),
// writes with server-computed usage, management, events, errors, and a process that exits after close.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { Stigg, StiggApiError, StiggClientClosedError, StiggArgumentError } from '../index.mjs'
import { API_KEY, emulatorBinary, eventually, startEmulator } from './emulator.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const skip = emulatorBinary() ? false : 'stigg-emulator is not built'

describe('against the emulator', { skip }, () => {
  let emu
  let stigg
  before(async () => {
    emu = await startEmulator()
    stigg = Stigg.initialize({ apiKey: API_KEY, baseUri: emu.baseUri, baseEdgeUri: emu.edgeUri })
    assert.equal(await stigg.waitForInitialization(), stigg)
  })
  after(async () => {
    await stigg?.close()
    await emu?.stop()
  })

  test('provision a customer, then read every entitlement type', async () => {
    const provisioned = await stigg.provisionCustomer({
      customerId: 'e2e-reads',
      email: 'reads@example.com',
      subscriptionParams: { planId: 'plan-revvenu-free' },
    })
    assert.equal(provisioned.customer.id, 'e2e-reads')
    const seats = await stigg.getMeteredEntitlement({
      customerId: 'e2e-reads',
      featureId: 'feature-api-calls',
      options: { requestedUsage: 10 },
    })
    assert.equal(seats.type, 'METERED')
    assert.equal(seats.hasAccess, true)
    assert.equal(seats.isFallback, false)
    assert.equal(seats.usageLimit, 1000)
    assert.equal(seats.requestedUsage, 10)
    assert.equal(seats.feature.id, 'feature-api-calls')
    assert.equal(seats.feature.units, 'call')
    assert.ok(seats.usagePeriodEnd instanceof Date)

    const projects = await stigg.getNumericEntitlement({ customerId: 'e2e-reads', featureId: 'feature-max-projects' })
    assert.deepEqual([projects.type, projects.hasAccess, projects.value], ['NUMERIC', true, 3])
    const sso = await stigg.getBooleanEntitlement({ customerId: 'e2e-reads', featureId: 'feature-sso' })
    assert.deepEqual([sso.hasAccess, sso.accessDeniedReason], [false, 'NoFeatureEntitlementInSubscription'])
    const region = await stigg.getEnumEntitlement({
      customerId: 'e2e-reads',
      featureId: 'feature-data-region',
      options: { requestedValues: ['eu'] },
    })
    assert.deepEqual([region.hasAccess, region.accessDeniedReason, region.enumValues], [false, 'RequestedValuesMismatch', ['us']])
    const state = await stigg.getEntitlementsStateV2('e2e-reads')
    assert.ok(state.entitlements.length >= 5)
    assert.equal(state.accessDeniedReason, null)
    const v2 = await stigg.getEntitlementV2({ customerId: 'e2e-reads', featureId: 'feature-seats' })
    assert.equal(v2.type, 'METERED')
    assert.deepEqual(await stigg.reloadEntitlements('e2e-reads'), { entitledEntityExists: true })
  })

  test('cached reads answer synchronously; the fast path and the native path agree', async () => {
    const params = { customerId: 'e2e-reads', featureId: 'feature-api-calls', options: { requestedUsage: 1 } }
    const cached = stigg.getMeteredEntitlementSync(params)
    assert.ok(cached !== undefined, 'state is cached after the first read')
    const { _native } = (await import('../index.js')).default
    assert.deepEqual(cached, _native.getMeteredEntitlementSync.call(stigg, params))
    assert.deepEqual(cached, await stigg.getMeteredEntitlement(params))
    assert.equal(stigg.getBooleanEntitlementSync({ customerId: 'never-seen', featureId: 'feature-sso' }), undefined)
  })

  test('reportUsage stores the server-computed usage; the stream delivers usageUpdated', async () => {
    await stigg.provisionCustomer({ customerId: 'e2e-usage', subscriptionParams: { planId: 'plan-revvenu-free' } })
    await stigg.getMeteredEntitlement({ customerId: 'e2e-usage', featureId: 'feature-api-calls' })
    const updates = []
    const onUsage = (e) => updates.push(e)
    stigg.addListener('usageUpdated', onUsage)
    const ack = await stigg.reportUsage({ customerId: 'e2e-usage', featureId: 'feature-api-calls', value: 7, createdAt: new Date() })
    assert.equal(ack.customerId, 'e2e-usage')
    assert.equal(ack.currentUsage, 7)
    assert.ok(ack.usagePeriodEnd instanceof Date)
    const after = stigg.getMeteredEntitlementSync({ customerId: 'e2e-usage', featureId: 'feature-api-calls' })
    assert.equal(after.currentUsage, 7)
    await eventually(() => updates.some((u) => u.usage?.customerId === 'e2e-usage'), 5000, 'usageUpdated')
    assert.equal(stigg.removeListener('usageUpdated', onUsage), true)
    assert.equal(stigg.removeListener('usageUpdated', onUsage), false)
    const bulk = await stigg.reportUsageBulk({
      usages: [{ customerId: 'e2e-usage', featureId: 'feature-api-calls', value: 3 }],
    })
    assert.equal(bulk[0].currentUsage, 10)
    await stigg.reportEvent({ customerId: 'e2e-usage', eventName: 'api-call', idempotencyKey: 'evt-1' })
  })

  test('cacheMiss and cacheHit events reach listeners', async () => {
    const seen = []
    const onMiss = (e) => seen.push(['miss', e.customerId])
    const onHit = (e) => seen.push(['hit', e.customerId])
    stigg.addListener('cacheMiss', onMiss)
    stigg.addListener('cacheHit', onHit)
    await stigg.provisionCustomer({ customerId: 'e2e-events', subscriptionParams: null })
    await stigg.getBooleanEntitlement({ customerId: 'e2e-events-unknown', featureId: 'feature-sso' })
    await stigg.getBooleanEntitlement({ customerId: 'e2e-events-unknown', featureId: 'feature-sso' })
    await eventually(() => seen.some(([k]) => k === 'miss') && seen.some(([k]) => k === 'hit'), 5000, 'cache events')
    stigg.removeListener('cacheMiss', onMiss)
    stigg.removeListener('cacheHit', onHit)
    assert.throws(() => stigg.addListener('noSuchEvent', () => {}), /unknown event/)
  })

  test('API errors are StiggApiError with Stigg code and trace id', async () => {
    await assert.rejects(stigg.getCustomer('e2e-nobody'), (e) => {
      assert.ok(e instanceof StiggApiError, `${e.name}: ${e.message}`)
      assert.equal(e.code, 'CustomerNotFound')
      assert.ok(e.traceId === null || typeof e.traceId === 'string')
      return true
    })
    await assert.rejects(stigg.reportUsage({ customerId: '', featureId: 'x', value: 1 }), StiggArgumentError)
  })

  test('a wrong API key fails initialization and emits apiKeyInvalid', async () => {
    const bad = Stigg.initialize({ apiKey: 'server-wrong', baseUri: emu.baseUri, baseEdgeUri: emu.edgeUri, realtimeUpdatesEnabled: false })
    let invalid = false
    bad.addListener('apiKeyInvalid', () => {
      invalid = true
    })
    await assert.rejects(bad.waitForInitialization(), StiggApiError)
    const fb = await bad.getBooleanEntitlement({ customerId: 'x', featureId: 'feature-sso', options: { fallback: { hasAccess: true } } })
    assert.deepEqual([fb.hasAccess, fb.isFallback], [true, true])
    await eventually(() => invalid, 5000, 'apiKeyInvalid')
    await bad.close()
  })

  test('after close, writes fail and reads return fallbacks', async () => {
    const c = Stigg.initialize({ apiKey: API_KEY, baseUri: emu.baseUri, baseEdgeUri: emu.edgeUri })
    await c.waitForInitialization()
    await c.close()
    await c.close()
    await assert.rejects(c.reportUsage({ customerId: 'a', featureId: 'b', value: 1 }), StiggClientClosedError)
    const r = await c.getBooleanEntitlement({ customerId: 'e2e-reads', featureId: 'feature-custom-domain' })
    assert.equal(r.isFallback, true)
  })

  test('a process exits by itself after close (no handle keeps it alive)', () => {
    const script = `
      const { Stigg } = require(${JSON.stringify(join(here, '..', 'index.js'))})
      const s = Stigg.initialize({ apiKey: ${JSON.stringify(API_KEY)}, baseUri: ${JSON.stringify(emu.baseUri)}, baseEdgeUri: ${JSON.stringify(emu.edgeUri)} })
      s.addListener('entitlementsUpdated', () => {})
      s.addListener('cacheHit', () => {})
      s.waitForInitialization()
        .then(() => s.getMeteredEntitlement({ customerId: 'e2e-reads', featureId: 'feature-api-calls' }))
        .then(() => s.close())
        .then(() => console.log('closed'))
    `
    const started = Date.now()
    const r = spawnSync(process.execPath, ['-e', script], { timeout: 15_000, encoding: 'utf8' })
    assert.equal(r.error, undefined, `the process did not exit: ${r.error}`)
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /closed/)
    assert.ok(Date.now() - started < 15_000)
  })
})
