'use strict';
// The official @stigg/node-server-sdk 3.95.0 (npm) against the stigg-emulator, realtime updates on
// (legacy subscriptions entitlementsUpdated / usageUpdated / packagePublished / creditBalanceUpdated
// over graphql-transport-ws). Run with `node --test` in this folder.
//
// The emulator binary is $STIGG_EMULATOR_BIN, or built with `cargo build -p stigg-emulator` and
// taken from $CARGO_TARGET_DIR/debug (default: the workspace's target/). Both of its ports are free
// ephemeral ports; the SDK gets `baseEdgeUri` explicitly because for localhost it would otherwise
// derive port 3060, which another process on this machine may hold.
// Nothing sleeps blindly: events and state changes are awaited with deadlines.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');
const { Stigg } = require('@stigg/node-server-sdk');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const API_KEY = 'server-emulator-key';
const DEADLINE_MS = 10_000;

let emu; // { proc, baseUri, edgeUri }
let stigg;
const networkFailures = []; // networkRequestFailed events: none is expected against the emulator
const run = Date.now().toString(36);

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function emulatorBinary() {
  if (process.env.STIGG_EMULATOR_BIN) return process.env.STIGG_EMULATOR_BIN;
  execFileSync('cargo', ['build', '-q', '-p', 'stigg-emulator', '--bin', 'stigg-emulator'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  const target = process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target');
  return path.join(target, 'debug', 'stigg-emulator');
}

/** Resolves once `check()` returns a truthy value; rejects after `ms`. */
async function eventually(what, check, ms = DEADLINE_MS) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Resolves with the first `event` payload that satisfies `pred`; rejects after `ms`. */
function nextEvent(client, event, pred, ms = DEADLINE_MS) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.removeListener(event, onEvent);
      reject(new Error(`no ${event} event within ${ms} ms`));
    }, ms);
    function onEvent(payload) {
      if (!pred(payload)) return;
      clearTimeout(timer);
      client.removeListener(event, onEvent);
      resolve(payload);
    }
    client.addListener(event, onEvent);
  });
}

async function startEmulator() {
  const bin = emulatorBinary();
  for (let attempt = 0; attempt < 3; attempt++) {
    const [port, edgePort] = [await freePort(), await freePort()];
    const proc = spawn(bin, ['--port', String(port), '--edge-port', String(edgePort)], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, RUST_LOG: 'warn' },
    });
    const baseUri = `http://127.0.0.1:${port}`;
    try {
      await eventually('emulator health', async () => {
        if (proc.exitCode !== null) throw new Error(`emulator exited with ${proc.exitCode}`);
        const r = await fetch(`${baseUri}/_emulator/health`);
        return r.ok && (await r.json()).status === 'UP';
      }, 30_000);
      return { proc, baseUri, edgeUri: `http://127.0.0.1:${edgePort}` };
    } catch (e) {
      proc.kill('SIGKILL');
      if (attempt === 2) throw e;
    }
  }
}

/** A GraphQL call made by "another client" (plain fetch), not through the SDK. */
async function graphql(query, variables) {
  const r = await fetch(`${emu.baseUri}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'X-API-KEY': API_KEY },
    body: JSON.stringify({ query, variables }),
  });
  const body = await r.json();
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data;
}

before(async () => {
  emu = await startEmulator();
  stigg = Stigg.initialize({
    apiKey: API_KEY,
    baseUri: emu.baseUri,
    baseEdgeUri: emu.edgeUri,
    realtimeUpdatesEnabled: true,
    logConfiguration: { logLevel: 'ERROR' },
  });
  stigg.addListener('networkRequestFailed', (e) => networkFailures.push(e.errorMessage));
  await stigg.waitForInitialization();
});

after(async () => {
  if (stigg) await stigg.close();
  if (emu) {
    const exited = new Promise((r) => emu.proc.once('exit', r));
    emu.proc.kill('SIGTERM'); // by pid: the process this test started
    await exited;
  }
});

test('boolean, numeric, metered and enum checks match the example catalog', async () => {
  const customerId = `node-${run}-checks`;
  const p = await stigg.provisionCustomer({
    customerId,
    name: 'Acme',
    subscriptionParams: { planId: 'plan-revvenu-pro', trialOverrideConfiguration: { isTrial: false } },
  });
  assert.equal(p.subscription.planId, 'plan-revvenu-pro');
  assert.equal(p.subscription.status, 'ACTIVE');

  const domain = await stigg.getBooleanEntitlement({ customerId, featureId: 'feature-custom-domain' });
  assert.deepEqual([domain.type, domain.hasAccess, domain.isFallback], ['BOOLEAN', true, false]);
  const sso = await stigg.getBooleanEntitlement({ customerId, featureId: 'feature-sso' });
  assert.deepEqual([sso.hasAccess, sso.isFallback], [false, false]);
  assert.equal(sso.accessDeniedReason, 'NoFeatureEntitlementInSubscription');

  const projects = await stigg.getNumericEntitlement({ customerId, featureId: 'feature-max-projects' });
  assert.deepEqual([projects.type, projects.hasAccess, projects.value], ['NUMERIC', true, 25]);

  const calls = await stigg.getMeteredEntitlement({
    customerId,
    featureId: 'feature-api-calls',
    options: { requestedUsage: 10 },
  });
  assert.equal(calls.type, 'METERED');
  assert.equal(calls.hasAccess, true);
  assert.equal(calls.usageLimit, 100000);
  assert.equal(calls.currentUsage, 0);
  assert.equal(calls.resetPeriod, 'MONTH');
  assert.equal(new Date(calls.usagePeriodStart).getUTCDate(), 1); // StartOfTheMonth
  const over = await stigg.getMeteredEntitlement({
    customerId,
    featureId: 'feature-api-calls',
    options: { requestedUsage: 100001 },
  });
  assert.equal(over.hasAccess, false);
  assert.equal(over.accessDeniedReason, 'RequestedUsageExceedingLimit');
  const exports = await stigg.getMeteredEntitlement({ customerId, featureId: 'feature-daily-exports', options: { requestedUsage: 1000 } });
  assert.deepEqual([exports.hasSoftLimit, exports.hasAccess], [true, true]);

  const region = await stigg.getEnumEntitlement({ customerId, featureId: 'feature-data-region' });
  assert.equal(region.type, 'ENUM');
  assert.deepEqual([...region.enumValues].sort(), ['eu', 'us']);
  const apac = await stigg.getEnumEntitlement({
    customerId,
    featureId: 'feature-data-region',
    options: { requestedValues: ['apac'] },
  });
  assert.equal(apac.hasAccess, false);
  const eu = await stigg.getEnumEntitlement({
    customerId,
    featureId: 'feature-data-region',
    options: { requestedValues: ['eu'] },
  });
  assert.equal(eu.hasAccess, true);

  const all = await stigg.getEntitlements(customerId);
  assert.ok(all.some((e) => e.feature.id === 'feature-seats' && e.usageLimit === 10));
});

test('reportUsage updates metered checks and pushes usageUpdated', async () => {
  const customerId = `node-${run}-usage`;
  await stigg.provisionCustomer({ customerId, subscriptionParams: { planId: 'plan-revvenu-pro', trialOverrideConfiguration: { isTrial: false } } });
  const first = await stigg.getMeteredEntitlement({ customerId, featureId: 'feature-api-calls' });
  assert.equal(first.currentUsage, 0); // the customer is now cached

  const pushed = nextEvent(stigg, 'usageUpdated', (u) => u.usage.customerId === customerId && u.usage.currentUsage === 7);
  const r = await stigg.reportUsage({ customerId, featureId: 'feature-api-calls', value: 7 });
  assert.equal(r.currentUsage, 7);
  const event = await pushed;
  assert.equal(event.usage.featureId, 'feature-api-calls');
  assert.equal(typeof event.usage.usagePeriodEnd, 'number'); // epoch ms on the legacy type
  assert.equal((await stigg.getMeteredEntitlement({ customerId, featureId: 'feature-api-calls' })).currentUsage, 7);

  // seats: SET to the limit, then a further seat is denied
  await stigg.reportUsage({ customerId, featureId: 'feature-seats', value: 10, updateBehavior: 'SET' });
  const seats = await eventually('seats usage 10 in the SDK cache', async () => {
    const s = await stigg.getMeteredEntitlement({ customerId, featureId: 'feature-seats', options: { requestedUsage: 1 } });
    return s.currentUsage === 10 && s;
  });
  assert.equal(seats.hasAccess, false);
  assert.equal(seats.accessDeniedReason, 'RequestedUsageExceedingLimit');

  // events through the catalog meters (api_request COUNT → feature-api-calls)
  await stigg.reportEvent([
    { customerId, eventName: 'api_request', idempotencyKey: `${customerId}-e1` },
    { customerId, eventName: 'api_request', idempotencyKey: `${customerId}-e2` },
  ]);
  await eventually('usage 9 after two api_request events', async () =>
    (await stigg.getMeteredEntitlement({ customerId, featureId: 'feature-api-calls' })).currentUsage === 9);
});

test('entitlementsUpdated arrives after a subscription change made through another client', async () => {
  const customerId = `node-${run}-upgrade`;
  await stigg.provisionCustomer({ customerId, subscriptionParams: { planId: 'plan-revvenu-pro', trialOverrideConfiguration: { isTrial: false } } });
  const before = await stigg.getBooleanEntitlement({ customerId, featureId: 'feature-sso' });
  assert.equal(before.hasAccess, false);

  const updated = nextEvent(stigg, 'entitlementsUpdated', (e) =>
    e.customerId === customerId && e.entitlements.some((x) => x.feature.refId === 'feature-sso'));
  const data = await graphql(
    `mutation ProvisionSubscription($input: ProvisionSubscriptionInput!) {
       provisionSubscription: provisionSubscriptionV2(input: $input) { status subscription { subscriptionId status plan { refId } } }
     }`,
    { input: { customerId, planId: 'plan-revvenu-enterprise', trialOverrideConfiguration: { isTrial: false } } },
  );
  assert.equal(data.provisionSubscription.subscription.plan.refId, 'plan-revvenu-enterprise');
  const event = await updated;
  assert.equal(event.resourceId, null);
  assert.equal(event.entitlements.find((x) => x.feature.refId === 'feature-seats').hasUnlimitedUsage, true);

  // the SDK's cache was replaced from the event: no refetch needed for the new values
  const sso = await stigg.getBooleanEntitlement({ customerId, featureId: 'feature-sso' });
  assert.equal(sso.hasAccess, true);
  const seats = await stigg.getMeteredEntitlement({ customerId, featureId: 'feature-seats', options: { requestedUsage: 1000 } });
  assert.deepEqual([seats.isUnlimited, seats.hasAccess], [true, true]);
  const region = await stigg.getEnumEntitlement({ customerId, featureId: 'feature-data-region', options: { requestedValues: ['apac'] } });
  assert.equal(region.hasAccess, true);

  // cancel through the other client: back to the free plan, pushed again
  const downgraded = nextEvent(stigg, 'entitlementsUpdated', (e) =>
    e.customerId === customerId && !e.entitlements.some((x) => x.feature.refId === 'feature-custom-domain'));
  await graphql(
    `mutation C($input: SubscriptionCancellationInput!) { cancelSubscription(input: $input) { status } }`,
    { input: { subscriptionRefId: data.provisionSubscription.subscription.subscriptionId, subscriptionCancellationTime: 'IMMEDIATE' } },
  );
  await downgraded;
  const domain = await stigg.getBooleanEntitlement({ customerId, featureId: 'feature-custom-domain' });
  assert.equal(domain.hasAccess, false);
  const free = await stigg.getMeteredEntitlement({ customerId, featureId: 'feature-seats' });
  assert.equal(free.usageLimit, 2);
});

test('management calls, Edge paywall and packagePublished on catalog reload', async () => {
  const customerId = `node-${run}-mgmt`;
  await stigg.provisionCustomer({ customerId, name: 'Mgmt', subscriptionParams: { planId: 'plan-ai-starter' } });
  const customer = await stigg.getCustomer(customerId);
  assert.equal(customer.name, 'Mgmt');
  assert.deepEqual(customer.subscriptions.map((s) => s.plan.id), ['plan-ai-starter']);

  const subs = await stigg.getActiveSubscriptionsList({ customerId }); // Edge subscriptions.json
  assert.deepEqual(subs.map((s) => s.plan.planId), ['plan-ai-starter']);

  const paywall = await stigg.getPaywall({ productId: 'product-revvenu' }); // Edge paywall.json
  assert.deepEqual(paywall.plans.map((p) => p.id), ['plan-revvenu-free', 'plan-revvenu-pro', 'plan-revvenu-enterprise']);

  const balance = await stigg.getCreditBalance({ customerId, currencyId: 'cred-ai-tokens' });
  assert.equal(balance.balances[0].currentBalance, 1000);

  const published = nextEvent(stigg, 'packagePublished', (p) => p.packageRefId === 'plan-revvenu-pro');
  const r = await fetch(`${emu.baseUri}/_emulator/catalog/reload`, { method: 'POST' });
  assert.equal(r.status, 200);
  const p = await published;
  assert.equal(p.migrationType, 'ALL_CUSTOMERS');
  // the SDK cleared its cache (ALL_CUSTOMERS); reads refetch and still answer correctly
  const calls = await stigg.getMeteredEntitlement({ customerId, featureId: 'feature-ai-tokens' });
  assert.equal(calls.isUnlimited, true);
});

test('no request of the SDK failed (nothing swallowed into a fallback)', () => {
  assert.deepEqual(networkFailures, []);
});
