// Cached `getMeteredEntitlement`: @stigg/native vs the official @stigg/node-server-sdk 3.95.0, in one
// process, against one stigg-emulator, both warmed. The official SDK serves from its cache only while
// its WebSocket is live, so realtime updates stay on for both. Prints the median ns per call of each
// variant over ROUNDS rounds of BATCH calls (variants interleaved round by round), and the ratio.
//
//   node bench/cached-check.mjs            (needs the emulator built: cargo build -p stigg-emulator)
//   ROUNDS=40 BATCH=20000 node bench/cached-check.mjs
process.env.NODE_ENV = 'test'

import { createRequire } from 'node:module'

import { Stigg } from '../index.mjs'
import { API_KEY, startEmulator } from '../test/emulator.mjs'

const require = createRequire(import.meta.url)
const Official = require('@stigg/node-server-sdk').default
const { _native } = require('../index.js')

const ROUNDS = Number(process.env.ROUNDS ?? 30)
const BATCH = Number(process.env.BATCH ?? 20_000)

const emu = await startEmulator()
const config = { apiKey: API_KEY, baseUri: emu.baseUri, baseEdgeUri: emu.edgeUri }
const official = Official.initialize({ ...config, logConfiguration: { logLevel: 'NONE' } })
const ours = Stigg.initialize(config)
await Promise.all([official.waitForInitialization(), ours.waitForInitialization()])
await ours.provisionCustomer({ customerId: 'bench-customer', subscriptionParams: { planId: 'plan-revvenu-free' } })

const params = { customerId: 'bench-customer', featureId: 'feature-api-calls', options: { requestedUsage: 1 } }
// Warm: first reads fetch and cache; wait for the official SDK's stream to be live (its cache is only
// used then), and check both answer from the cache with the same decision.
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
await sleep(1000)
for (let i = 0; i < 2000; i++) {
  await official.getMeteredEntitlement(params)
  await ours.getMeteredEntitlement(params)
}
let misses = 0
official.addListener('cacheMiss', () => misses++)
for (let i = 0; i < 1000; i++) await official.getMeteredEntitlement(params)
if (misses > 0) throw new Error(`the official SDK is not serving from its cache (${misses} misses)`)
if (ours.getMeteredEntitlementSync(params) === undefined) throw new Error('@stigg/native has no cached state')
const a = await official.getMeteredEntitlement(params)
const b = await ours.getMeteredEntitlement(params)
if (a.hasAccess !== b.hasAccess || a.currentUsage !== b.currentUsage) throw new Error('the two SDKs disagree')

const variants = {
  'official 3.95 getMeteredEntitlement (await)': async () => {
    for (let i = 0; i < BATCH; i++) await official.getMeteredEntitlement(params)
  },
  '@stigg/native getMeteredEntitlement (await)': async () => {
    for (let i = 0; i < BATCH; i++) await ours.getMeteredEntitlement(params)
  },
  '@stigg/native getMeteredEntitlementSync': async () => {
    for (let i = 0; i < BATCH; i++) ours.getMeteredEntitlementSync(params)
  },
  'before: napi-built object, Sync (no fast path)': async () => {
    for (let i = 0; i < BATCH; i++) _native.getMeteredEntitlementSync.call(ours, params)
  },
}
const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]))
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, run] of Object.entries(variants)) {
    const t0 = process.hrtime.bigint()
    await run()
    samples[name].push(Number(process.hrtime.bigint() - t0) / BATCH)
  }
}
const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
console.log(`cached getMeteredEntitlement, node ${process.version}, ${ROUNDS} rounds x ${BATCH} calls, median ns/call`)
const med = {}
for (const [name, xs] of Object.entries(samples)) {
  med[name] = median(xs)
  console.log(`  ${name.padEnd(48)} ${med[name].toFixed(0).padStart(7)} ns`)
}
const off = med['official 3.95 getMeteredEntitlement (await)']
console.log(`ratio official / @stigg/native (await): ${(off / med['@stigg/native getMeteredEntitlement (await)']).toFixed(2)}x`)
console.log(`ratio official (await) / @stigg/native Sync: ${(off / med['@stigg/native getMeteredEntitlementSync']).toFixed(2)}x`)
console.log(
  `fast path vs napi-built object (Sync): ${(med['before: napi-built object, Sync (no fast path)'] / med['@stigg/native getMeteredEntitlementSync']).toFixed(2)}x`,
)

await official.close()
await ours.close()
await emu.stop()
