# frozen_string_literal: true

# Per-call cost of a cached entitlement check through the Ruby gem (UniFFI over the core): offline client
# with a fixture state, so every call is a cache hit. Median of rounds, Process.clock_gettime.
require_relative "../lib/stigg"

STATE = {
  entitlementsV2: [
    { __typename: "FeatureEntitlement", usageLimit: 1000, currentUsage: 10, hasUnlimitedUsage: false,
      hasSoftLimit: false, feature: { __typename: "EntitlementFeature", refId: "feature-api-calls",
                                      featureType: "NUMBER", meterType: "Incremental" } },
    { __typename: "FeatureEntitlement",
      feature: { __typename: "EntitlementFeature", refId: "feature-flag", featureType: "BOOLEAN" } }
  ],
  accessDeniedReason: nil
}.freeze

client = Stigg::Client.new(offline: true, read_env: false, fixed_now_ms: 1_705_320_000_000)
client.set_entitlements_state(customer_id: "customer-1", state: STATE)

def median_ns(rounds, calls)
  times = Array.new(rounds) do
    t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC, :nanosecond)
    calls.times { yield }
    (Process.clock_gettime(Process::CLOCK_MONOTONIC, :nanosecond) - t0).fdiv(calls)
  end.sort
  [times[rounds / 2], times.first, times.last]
end

m = median_ns(11, 20_000) { client.get_metered_entitlement(customer_id: "customer-1", feature_id: "feature-api-calls", requested_usage: 1) }
printf("ruby: cached get_metered_entitlement: median %.2f us/call (min %.2f, max %.2f)\n", *m.map { |x| x / 1000 })
b = median_ns(11, 20_000) { client.get_boolean_entitlement(customer_id: "customer-1", feature_id: "feature-flag") }
printf("ruby: cached get_boolean_entitlement: median %.2f us/call (min %.2f, max %.2f)\n", *b.map { |x| x / 1000 })
f = median_ns(11, 50_000) { client.check_metered(customer_id: "customer-1", feature_id: "feature-api-calls", requested_usage: 1) }
printf("ruby: cached check_metered (C ABI fast path): median %.2f us/call (min %.2f, max %.2f)\n", *f.map { |x| x / 1000 })
g = median_ns(11, 50_000) { client.check_boolean(customer_id: "customer-1", feature_id: "feature-flag") }
printf("ruby: cached check_boolean (C ABI fast path): median %.2f us/call (min %.2f, max %.2f)\n", *g.map { |x| x / 1000 })
client.close
