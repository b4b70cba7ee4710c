// Per-call cost of a cached check through StiggClient (P/Invoke over libstigg) under Mono/.NET:
// offline client with a fixture state; median of rounds (Stopwatch).
using System;
using System.Diagnostics;
using System.Linq;
using Stigg;

static class Bench
{
    const string State = "{\"entitlementsV2\": [{\"__typename\": \"FeatureEntitlement\", \"usageLimit\": 1000, \"currentUsage\": 10," +
        " \"hasUnlimitedUsage\": false, \"hasSoftLimit\": false, \"feature\": {\"__typename\": \"EntitlementFeature\"," +
        " \"refId\": \"feature-api-calls\", \"featureType\": \"NUMBER\", \"meterType\": \"Incremental\"}}]}";

    static double[] Rounds(int rounds, int calls, Action call)
    {
        for (int i = 0; i < calls; i++) call(); // warm up (JIT)
        return Enumerable.Range(0, rounds).Select(_ =>
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < calls; i++) call();
            return sw.Elapsed.TotalMilliseconds * 1e6 / calls;
        }).OrderBy(x => x).ToArray();
    }

    static void Print(string what, double[] r) =>
        Console.WriteLine("dotnet: cached {0}: median {1:F1} ns/call (min {2:F1}, max {3:F1})", what, r[r.Length / 2], r[0], r[r.Length - 1]);

    static int Main()
    {
        using (var client = StiggClient.Offline(null, 1705320000000))
        {
            client.SetEntitlementsState("customer-1", State);
            var customer = new Utf8Id("customer-1");
            var feature = new Utf8Id("feature-api-calls");
            bool granted = false;
            Print("GetMeteredEntitlement (Utf8Id)", Rounds(11, 200000, () => granted |= client.GetMeteredEntitlement(customer, feature, 1).HasAccess));
            Print("GetMeteredEntitlement (string, no details)", Rounds(11, 100000,
                () => granted |= client.GetMeteredEntitlement("customer-1", "feature-api-calls", 1, includeDetails: false).HasAccess));
            return granted ? 0 : 1;
        }
    }
}
