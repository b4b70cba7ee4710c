// @stigg/native quick start: provision a customer, check entitlements, report usage, listen to events.
//
//   cargo run -p stigg-emulator -- --port 4000 --edge-port 3060     # a local Stigg
//   STIGG_BASE_URI=http://localhost:4000 node examples/quickstart.mjs
//
// Against Stigg itself: STIGG_API_KEY=server-... node examples/quickstart.mjs
import Stigg from '@stigg/native'

const stigg = Stigg.initialize({
  apiKey: process.env.STIGG_API_KEY ?? 'server-emulator-key',
  baseUri: process.env.STIGG_BASE_URI, // default https://api.stigg.io
  baseEdgeUri: process.env.STIGG_EDGE_URI, // default: derived from baseUri
})
await stigg.waitForInitialization()

stigg.addListener('usageUpdated', ({ usage }) => console.log('usage updated:', usage.featureId, usage.currentUsage))

await stigg.provisionCustomer({
  customerId: 'quickstart-customer',
  email: 'jane@example.com',
  subscriptionParams: { planId: 'plan-revvenu-free' },
})

const check = { customerId: 'quickstart-customer', featureId: 'feature-api-calls', options: { requestedUsage: 10 } }
const calls = await stigg.getMeteredEntitlement(check)
console.log(`api calls: hasAccess=${calls.hasAccess} usage=${calls.currentUsage}/${calls.usageLimit}`)

const ack = await stigg.reportUsage({ customerId: 'quickstart-customer', featureId: 'feature-api-calls', value: 10 })
console.log(`reported: usage is now ${ack.currentUsage}`)

// Cached checks also come synchronously (undefined when the customer is not cached yet).
const cached = stigg.getMeteredEntitlementSync(check)
console.log(`cached check: hasAccess=${cached?.hasAccess} usage=${cached?.currentUsage}`)

const sso = await stigg.getBooleanEntitlement({ customerId: 'quickstart-customer', featureId: 'feature-sso' })
console.log(`sso: hasAccess=${sso.hasAccess} (${sso.accessDeniedReason})`)

await stigg.close()
console.log('done')
