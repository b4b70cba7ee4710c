// Reads entitlements with the official @stigg/node-server-sdk 3.95.0 in Redis mode and prints them as
// one JSON document on stdout. Driven by core/tests/redis_interop.rs.
//
// Input (env): STIGG_API_KEY, STIGG_BASE_URI, STIGG_EDGE_URI, REDIS_HOST, REDIS_PORT, REDIS_PREFIX,
// CHECKS = JSON [[customerId, featureId, featureType("BOOLEAN"|"NUMERIC"|"METERED"|"ENUM")], ...].
// On a Redis miss the SDK fetches from the API (the emulator) and writes Redis itself.
'use strict';
const { Stigg } = require('@stigg/node-server-sdk');

async function main() {
  const env = process.env;
  const client = Stigg.initialize({
    apiKey: env.STIGG_API_KEY,
    baseUri: env.STIGG_BASE_URI,
    baseEdgeUri: env.STIGG_EDGE_URI,
    realtimeUpdatesEnabled: false,
    logConfiguration: { logLevel: 'NONE' },
    redis: {
      environmentPrefix: env.REDIS_PREFIX,
      host: env.REDIS_HOST || '127.0.0.1',
      port: Number(env.REDIS_PORT),
    },
  });
  await client.waitForInitialization();
  const checks = JSON.parse(env.CHECKS);
  const out = [];
  for (const [customerId, featureId, type] of checks) {
    const params = { customerId, featureId };
    let r;
    switch (type) {
      case 'BOOLEAN': r = await client.getBooleanEntitlement(params); break;
      case 'NUMERIC': r = await client.getNumericEntitlement(params); break;
      case 'METERED': r = await client.getMeteredEntitlement(params); break;
      case 'ENUM': r = await client.getEnumEntitlement(params); break;
      default: throw new Error(`unknown type ${type}`);
    }
    out.push({
      customerId, featureId, type,
      hasAccess: r.hasAccess,
      isFallback: !!r.isFallback,
      accessDeniedReason: r.accessDeniedReason ?? null,
      value: r.value ?? null,
      usageLimit: r.usageLimit ?? null,
      currentUsage: r.currentUsage ?? null,
      isUnlimited: r.isUnlimited ?? null,
      hasSoftLimit: r.hasSoftLimit ?? null,
      enumValues: r.enumValues ?? null,
    });
  }
  process.stdout.write(JSON.stringify(out));
  await client.close();
  process.exit(0);
}

main().catch((e) => {
  process.stderr.write(String((e && e.stack) || e));
  process.exit(1);
});
