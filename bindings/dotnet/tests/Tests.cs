// Test runner (NuGet is unreachable, so no xUnit): every conformance vector through StiggClient, and the
// end-to-end scenario against the emulator (STIGG_EMULATOR_BIN). Prints "N passed, N failed".
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Json;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using Stigg;

static class Tests
{
    static int passed, failed;

    static void Report(string name, List<string> problems)
    {
        if (problems.Count == 0) { passed++; return; }
        failed++;
        Console.WriteLine("FAIL " + name + "\n    " + string.Join("\n    ", problems));
    }

    static string Iso(DateTimeOffset? t) => t?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    static Dictionary<string, object> Feature(FeatureInfo f) => f == null ? null : new Dictionary<string, object>
    {
        ["id"] = f.Id, ["featureType"] = f.FeatureType, ["meterType"] = f.MeterType, ["units"] = f.Units,
        ["unitsPlural"] = f.UnitsPlural, ["isMetered"] = f.IsMetered, ["displayName"] = f.DisplayName, ["description"] = f.Description
    };

    // A result as the vectors' JSON object (values: null, bool, double, string, list, dictionary, JsonValue).
    static Dictionary<string, object> Shape(Entitlement e)
    {
        var d = new Dictionary<string, object>
        {
            ["type"] = e.Type, ["hasAccess"] = e.HasAccess, ["isFallback"] = e.IsFallback, ["accessDeniedReason"] = e.AccessDeniedReason
        };
        if (!(e is CreditEntitlement)) d["feature"] = Feature(e.Feature);
        if (e is NumericEntitlement n) { d["value"] = n.Value; d["isUnlimited"] = n.IsUnlimited; }
        if (e is MeteredEntitlement m)
        {
            d["usageLimit"] = m.UsageLimit; d["isUnlimited"] = m.IsUnlimited; d["hasSoftLimit"] = m.HasSoftLimit;
            d["currentUsage"] = m.CurrentUsage; d["requestedUsage"] = m.RequestedUsage; d["resetPeriod"] = m.ResetPeriod;
            d["usagePeriodAnchor"] = Iso(m.UsagePeriodAnchor); d["usagePeriodStart"] = Iso(m.UsagePeriodStart);
            d["usagePeriodEnd"] = Iso(m.UsagePeriodEnd); d["nextResetDate"] = Iso(m.UsagePeriodEnd);
        }
        if (e is EnumEntitlement en) { d["enumValues"] = en.EnumValues; d["requestedValues"] = en.RequestedValues; }
        if (e is CreditEntitlement c)
        {
            d["currency"] = new Dictionary<string, object>
            {
                ["currencyId"] = c.Currency.CurrencyId, ["displayName"] = c.Currency.DisplayName, ["description"] = c.Currency.Description,
                ["unitSingular"] = c.Currency.UnitSingular, ["unitPlural"] = c.Currency.UnitPlural,
                ["metadata"] = c.Currency.MetadataJson == null ? null : JsonValue.Parse(c.Currency.MetadataJson)
            };
            d["usageLimit"] = c.UsageLimit; d["currentUsage"] = c.CurrentUsage; d["remaining"] = c.Remaining;
            d["usagePeriodEnd"] = Iso(c.UsagePeriodEnd); d["hasSoftLimit"] = c.HasSoftLimit; d["requestedUsage"] = c.RequestedUsage;
        }
        return d;
    }

    static void Compare(string path, JsonValue expected, object actual, List<string> problems)
    {
        if (expected == null) { if (actual != null) problems.Add(path + ": expected null, got " + actual); return; }
        if (actual is JsonValue jv)
        {
            if (jv.ToString() != expected.ToString()) problems.Add(path + ": expected " + expected + ", got " + jv);
            return;
        }
        switch (expected.JsonType)
        {
            case JsonType.Object:
                var dict = actual as Dictionary<string, object>;
                if (dict == null) { if (actual != null || expected.Count > 0) problems.Add(path + ": expected an object, got " + (actual ?? "null")); return; }
                var obj = (JsonObject)expected;
                foreach (var kv in obj)
                {
                    if (!dict.ContainsKey(kv.Key)) { problems.Add(path + "." + kv.Key + ": missing"); continue; }
                    Compare(path + "." + kv.Key, kv.Value, dict[kv.Key], problems);
                }
                foreach (var k in dict.Keys) if (!obj.ContainsKey(k)) problems.Add(path + "." + k + ": unexpected");
                break;
            case JsonType.Array:
                var list = actual as IList<string>;
                if (list == null || list.Count != expected.Count) { problems.Add(path + ": expected " + expected + ", got " + (list == null ? "null" : string.Join(",", list))); return; }
                for (int i = 0; i < list.Count; i++) if ((string)expected[i] != list[i]) problems.Add(path + "[" + i + "]: expected " + expected[i] + ", got " + list[i]);
                break;
            case JsonType.Number:
                if (!(actual is double dv) || dv != Num(expected)) problems.Add(path + ": expected " + expected + ", got " + (actual ?? "null"));
                break;
            case JsonType.Boolean:
                if (!(actual is bool bv) || bv != (bool)expected) problems.Add(path + ": expected " + expected + ", got " + (actual ?? "null"));
                break;
            default:
                if (!(actual is string sv) || sv != (string)expected) problems.Add(path + ": expected " + expected + ", got " + (actual ?? "null"));
                break;
        }
    }

    static double Num(JsonValue v) => double.Parse(v.ToString(), CultureInfo.InvariantCulture);

    static double? Number(JsonValue v)
    {
        if (v == null) return null;
        if (v.JsonType == JsonType.Number) return Num(v);
        switch ((string)v) { case "NaN": return double.NaN; case "Infinity": return double.PositiveInfinity; default: return double.NegativeInfinity; }
    }

    static JsonValue Get(JsonValue o, string key) => o != null && o.JsonType == JsonType.Object && o.ContainsKey(key) ? o[key] : null;

    static void Conformance(string dir)
    {
        foreach (var file in Directory.GetFiles(dir, "*.json").Where(f => !f.EndsWith(".schema.json")).OrderBy(f => f, StringComparer.Ordinal))
        {
            var doc = JsonValue.Parse(File.ReadAllText(file));
            int before = failed;
            foreach (JsonValue c in doc["cases"])
            {
                var problems = new List<string>();
                try { RunCase(c, problems); } catch (Exception e) { problems.Add("threw " + e); }
                Report((string)c["id"], problems);
            }
            Console.WriteLine(Path.GetFileName(file) + ": " + doc["cases"].Count + " cases, " + (failed - before) + " failed");
        }
    }

    static void RunCase(JsonValue c, List<string> problems)
    {
        var now = DateTimeOffset.Parse((string)c["now"], CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        var config = Get(c, "config");
        var fallbacks = config == null ? null : config.ToString();
        using (var client = StiggClient.Offline(fallbacks, now))
        {
            var req = c["request"];
            var customer = (string)Get(req, "customerId") ?? "customer-1";
            var state = Get(c, "state");
            if (state != null) client.SetEntitlementsState(customer, state.ToString());
            var opts = Get(req, "options");
            var usage = Number(Get(opts, "requestedUsage"));
            var rv = Get(opts, "requestedValues");
            IList<string> values = rv == null ? null : rv.Cast<JsonValue>().Select(v => (string)v).ToList();
            var f = Get(opts, "fallback");
            EntitlementFallback fb = null;
            if (f != null)
            {
                fb = new EntitlementFallback { HasAccess = Get(f, "hasAccess") != null && (bool)f["hasAccess"] };
                if (Get(f, "value") != null) fb.Value = Num(f["value"]);
                if (Get(f, "isUnlimited") != null) fb.IsUnlimited = (bool)f["isUnlimited"];
                if (Get(f, "usageLimit") != null) fb.UsageLimit = Num(f["usageLimit"]);
                if (Get(f, "currentUsage") != null) fb.CurrentUsage = Num(f["currentUsage"]);
                if (Get(f, "enumValues") != null) fb.EnumValues = f["enumValues"].Cast<JsonValue>().Select(v => (string)v).ToList();
            }
            var feature = (string)Get(req, "featureId");
            var currency = (string)Get(req, "currencyId");
            object actual;
            switch ((string)req["method"])
            {
                case "getBooleanEntitlement": actual = Shape(client.GetBooleanEntitlement(customer, feature, fallback: fb)); break;
                case "getNumericEntitlement": actual = Shape(client.GetNumericEntitlement(customer, feature, fallback: fb)); break;
                case "getMeteredEntitlement": actual = Shape(client.GetMeteredEntitlement(customer, feature, usage, fallback: fb)); break;
                case "getEnumEntitlement": actual = Shape(client.GetEnumEntitlement(customer, feature, values, fallback: fb)); break;
                case "getCreditEntitlement": actual = Shape(client.GetCreditEntitlement(customer, currency, usage, fallback: fb)); break;
                case "getEntitlement": actual = Shape(client.GetEntitlement(customer, feature, usage, values, fallback: fb)); break;
                case "getEntitlementV2": actual = Shape(client.GetEntitlementV2(customer, feature, currency, usage, values, fallback: fb)); break;
                case "getEntitlementsStateV2":
                    var s = client.GetEntitlementsStateV2(customer);
                    var items = s.Entitlements.Select(Shape).ToList();
                    var exp = c["expected"];
                    if (exp["entitlements"].Count != items.Count) { problems.Add("$.entitlements: expected " + exp["entitlements"].Count + " items, got " + items.Count); return; }
                    for (int i = 0; i < items.Count; i++) Compare("$.entitlements[" + i + "]", exp["entitlements"][i], items[i], problems);
                    Compare("$.accessDeniedReason", exp["accessDeniedReason"], s.AccessDeniedReason, problems);
                    return;
                default: problems.Add("unknown method"); return;
            }
            Compare("$", c["expected"], actual, problems);
        }
    }

    static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    static void Check(bool ok, string what, List<string> problems) { if (!ok) problems.Add(what); }

    static void EndToEnd()
    {
        var bin = Environment.GetEnvironmentVariable("STIGG_EMULATOR_BIN");
        var problems = new List<string>();
        if (string.IsNullOrEmpty(bin) || !File.Exists(bin)) { problems.Add("STIGG_EMULATOR_BIN not set or missing"); Report("e2e", problems); return; }
        int port = FreePort(), edge = FreePort();
        var emu = Process.Start(new ProcessStartInfo(bin, "--port " + port + " --edge-port " + edge) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true });
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                try { using (var wc = new WebClient()) { wc.DownloadString("http://127.0.0.1:" + port + "/_emulator/health"); break; } }
                catch (WebException) { if (DateTime.UtcNow > deadline) throw new Exception("emulator not healthy"); Thread.Sleep(100); }
            }
            var cfg = "{\"apiKey\": \"server-emulator-key\", \"baseUri\": \"http://127.0.0.1:" + port + "\", \"baseEdgeUri\": \"http://127.0.0.1:" + edge + "\", \"readEnv\": false}";
            using (var client = new StiggClient(cfg))
            {
                client.WaitForInitializationAsync().Wait();
                int events = 0;
                client.Event += (s, e) => { if (e.Type == "cacheHit") Interlocked.Increment(ref events); };
                var customer = "dotnet-e2e-" + Guid.NewGuid().ToString("N").Substring(0, 8);
                var provisioned = client.ProvisionCustomerAsync("{\"customerId\": \"" + customer + "\", \"subscriptionParams\": {\"planId\": \"plan-revvenu-pro\"}}").Result;
                Check(provisioned.Contains(customer), "provisionCustomer: " + provisioned, problems);
                var m = client.GetMeteredEntitlement(customer, "feature-api-calls", 5);
                Check(m.HasAccess && !m.IsFallback && m.UsageLimit == 100000 && m.Feature?.Id == "feature-api-calls", "metered granted", problems);
                var sso = client.GetBooleanEntitlement(customer, "feature-sso");
                Check(!sso.HasAccess && sso.AccessDeniedReason == "NoFeatureEntitlementInSubscription", "sso denied: " + sso.AccessDeniedReason, problems);
                var ack = JsonValue.Parse(client.ReportUsageAsync(customer, "feature-api-calls", 7).Result);
                Check(ack.ContainsKey("currentUsage") && (object)ack["currentUsage"] != null && Num(ack["currentUsage"]) == 7, "server-computed usage: " + ack.ToString(), problems);
                Check(client.GetMeteredEntitlement(customer, "feature-api-calls").CurrentUsage == 7, "cache took the server's usage", problems);
                try { client.GetCustomerAsync("nope-" + customer).Wait(); problems.Add("getCustomer of a missing customer did not throw"); }
                catch (AggregateException ae) when (ae.InnerException is StiggException se) { Check(se.Code == "CustomerNotFound", "code " + se.Code, problems); }
                Check(events > 0, "Event saw cacheHit", problems);
                client.CloseAsync().Wait();
                try { client.Call("reportUsage", "{\"customerId\": \"c\", \"featureId\": \"f\", \"value\": 1}"); problems.Add("write after close"); }
                catch (StiggException se) { Check(se.Code == "ClientClosed", "closed code " + se.Code, problems); }
            }
            using (var bad = new StiggClient(cfg.Replace("server-emulator-key", "server-wrong-key")))
            {
                try { bad.WaitForInitializationAsync().Wait(); problems.Add("bad key accepted"); }
                catch (AggregateException ae) when (ae.InnerException is StiggException se) { Check(!string.IsNullOrEmpty(se.Code), "bad key code", problems); }
            }
        }
        catch (Exception e) { problems.Add("threw " + e); }
        finally { try { emu.Kill(); emu.WaitForExit(); } catch (Exception) { } }
        Report("e2e", problems);
        Console.WriteLine("e2e: " + (problems.Count == 0 ? "ok" : "failed"));
    }

    static int Main(string[] args)
    {
        Conformance(args.Length > 0 ? args[0] : "tests/conformance");
        EndToEnd();
        Console.WriteLine(passed + " passed, " + failed + " failed");
        return failed == 0 ? 0 : 1;
    }
}
