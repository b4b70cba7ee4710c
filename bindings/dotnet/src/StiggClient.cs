// Stigg for .NET: a thin face over libstigg's C ABI. Every decision is the Rust core's; this file
// converts arguments, results, errors and events.
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using Stigg.Native;

namespace Stigg
{
    /// <summary>An error of a Stigg call: Stigg's error code and the server's trace id.</summary>
    public sealed class StiggException : Exception
    {
        /// <summary>Stigg's error code (<c>CustomerNotFound</c>, <c>InvalidArgument</c>, ...).</summary>
        public string Code { get; }
        /// <summary>The server's trace id, or null.</summary>
        public string TraceId { get; }

        /// <summary>Creates the exception.</summary>
        public StiggException(string message, string code, string traceId) : base(message)
        {
            Code = code;
            TraceId = traceId;
        }
    }

    /// <summary>A per-call fallback; each check reads the fields of its type.</summary>
    public sealed class EntitlementFallback
    {
        /// <summary>Whether the fallback grants access.</summary>
        public bool HasAccess { get; set; }
        /// <summary>NUMERIC value.</summary>
        public double? Value { get; set; }
        /// <summary>NUMERIC/METERED unlimited.</summary>
        public bool? IsUnlimited { get; set; }
        /// <summary>METERED/CREDIT limit.</summary>
        public double? UsageLimit { get; set; }
        /// <summary>CREDIT consumed.</summary>
        public double? CurrentUsage { get; set; }
        /// <summary>ENUM values.</summary>
        public IList<string> EnumValues { get; set; }
    }

    /// <summary>An event of the client (<c>Type</c> is the official event name; <c>Json</c> the whole event).</summary>
    public sealed class StiggEventArgs : EventArgs
    {
        /// <summary>The event as JSON: <c>{"type": "usageUpdated", ...}</c>.</summary>
        public string Json { get; }
        /// <summary>The event's type.</summary>
        public string Type { get; }

        internal StiggEventArgs(string json)
        {
            Json = json;
            var i = json.IndexOf("\"type\":\"", StringComparison.Ordinal);
            Type = i < 0 ? "" : json.Substring(i + 8, json.IndexOf('"', i + 8) - i - 8);
        }
    }

    /// <summary>The Stigg client: thread-safe; dispose it to stop its background work.</summary>
    public sealed unsafe class StiggClient : IDisposable
    {
        IntPtr _handle;
        readonly object _eventLock = new object();
        EventHandler<StiggEventArgs> _handlers;
        ListenerFn _listener; // kept alive while registered
        ulong _listenerId;

        /// <summary>Creates a client from a JSON configuration with Stigg's option names
        /// (<c>apiKey</c>, <c>baseUri</c>, <c>offline</c>, <c>entitlementsFallback</c>, <c>fixedNowMs</c>, ...).</summary>
        public StiggClient(string configJson)
        {
            fixed (byte* c = Lib.Utf8(configJson))
            {
                IntPtr h;
                Lib.Check(Lib.stigg_client_new_json(c, out h));
                _handle = h;
            }
        }

        /// <summary>An offline client (no network): reads give fallbacks or fixture states.</summary>
        public static StiggClient Offline(string fallbacksJson = null, long? fixedNowMs = null)
        {
            var cfg = "{\"offline\": true, \"readEnv\": false" +
                      (fixedNowMs.HasValue ? ", \"fixedNowMs\": " + fixedNowMs.Value : "") +
                      Members(fallbacksJson) + "}";
            return new StiggClient(cfg);
        }

        // ", <members>" of a JSON object's text (empty for null or {}).
        static string Members(string objectJson)
        {
            if (objectJson == null) return "";
            var t = objectJson.Trim();
            if (t.Length < 2 || t[0] != '{' || t[t.Length - 1] != '}') throw new ArgumentException("expected a JSON object", nameof(objectJson));
            var inner = t.Substring(1, t.Length - 2).Trim();
            return inner.Length == 0 ? "" : ", " + inner;
        }

        IntPtr H
        {
            get
            {
                if (_handle == IntPtr.Zero) throw new ObjectDisposedException(nameof(StiggClient));
                return _handle;
            }
        }

        /// <summary>Raised for every client event, on the client's threads.</summary>
        public event EventHandler<StiggEventArgs> Event
        {
            add
            {
                lock (_eventLock)
                {
                    _handlers += value;
                    if (_listener != null) return;
                    _listener = (data, json) =>
                    {
                        var h = _handlers;
                        if (h == null) return;
                        try { h(this, new StiggEventArgs(Lib.Str(json))); } catch (Exception) { /* a listener must not unwind into native code */ }
                    };
                    Lib.Check(Lib.stigg_client_add_listener(H, _listener, IntPtr.Zero, IntPtr.Zero, out _listenerId));
                }
            }
            remove
            {
                lock (_eventLock)
                {
                    _handlers -= value;
                    if (_handlers != null || _listener == null) return;
                    Lib.Check(Lib.stigg_client_remove_listener(H, _listenerId));
                    _listener = null;
                }
            }
        }

        /// <summary><c>waitForInitialization</c>.</summary>
        public Task WaitForInitializationAsync() => Task.Run(() => Lib.Check(Lib.stigg_client_wait_for_initialization(H)));

        /// <summary>Stores a fixture state (wire <c>EntitlementsState</c> JSON) for a customer (tests).</summary>
        public void SetEntitlementsState(string customerId, string stateJson, string resourceId = null)
        {
            fixed (byte* c = Lib.Utf8(customerId))
            fixed (byte* r = Lib.Utf8(resourceId))
            fixed (byte* s = Lib.Utf8(stateJson))
                Lib.Check(Lib.stigg_client_set_entitlements_state_json(H, c, r, s));
        }

        sealed class Pinned : IDisposable
        {
            readonly List<GCHandle> _handles = new List<GCHandle>();
            public IntPtr Pin(object o)
            {
                var h = GCHandle.Alloc(o, GCHandleType.Pinned);
                _handles.Add(h);
                return h.AddrOfPinnedObject();
            }
            public IntPtr Strings(IList<string> values)
            {
                var ptrs = new IntPtr[values.Count];
                for (int i = 0; i < ptrs.Length; i++) ptrs[i] = Pin(Lib.Utf8(values[i]));
                return Pin(ptrs);
            }
            public void Dispose() { foreach (var h in _handles) h.Free(); }
        }

        static CheckOptions Options(Pinned pins, string resourceId, double? requestedUsage, IList<string> requestedValues, EntitlementFallback fallback, bool details)
        {
            var o = new CheckOptions { IncludeDetails = (byte)(details ? 1 : 0) };
            if (resourceId != null) o.ResourceId = pins.Pin(Lib.Utf8(resourceId));
            if (requestedUsage.HasValue) { o.HasRequestedUsage = 1; o.RequestedUsage = requestedUsage.Value; }
            if (requestedValues != null)
            {
                o.HasRequestedValues = 1;
                o.RequestedValues = pins.Strings(requestedValues);
                o.RequestedValuesLen = (UIntPtr)requestedValues.Count;
            }
            if (fallback != null)
            {
                var f = new Native.Fallback { HasAccess = (byte)(fallback.HasAccess ? 1 : 0) };
                if (fallback.Value.HasValue) { f.HasValue = 1; f.Value = fallback.Value.Value; }
                if (fallback.IsUnlimited.HasValue) { f.HasIsUnlimited = 1; f.IsUnlimited = (byte)(fallback.IsUnlimited.Value ? 1 : 0); }
                if (fallback.UsageLimit.HasValue) { f.HasUsageLimit = 1; f.UsageLimit = fallback.UsageLimit.Value; }
                if (fallback.CurrentUsage.HasValue) { f.HasCurrentUsage = 1; f.CurrentUsage = fallback.CurrentUsage.Value; }
                if (fallback.EnumValues != null)
                {
                    f.HasEnumValues = 1;
                    f.EnumValues = pins.Strings(fallback.EnumValues);
                    f.EnumValuesLen = (UIntPtr)fallback.EnumValues.Count;
                }
                o.Fallback = pins.Pin(new[] { f });
            }
            return o;
        }

        /// <summary><c>getBooleanEntitlement</c> (from the cache when it can; fetches otherwise).</summary>
        public BooleanEntitlement GetBooleanEntitlement(string customerId, string featureId, string resourceId = null,
            EntitlementFallback fallback = null, bool includeDetails = true)
        {
            using (var pins = new Pinned())
            {
                var o = Options(pins, resourceId, null, null, fallback, includeDetails);
                BooleanResult r;
                fixed (byte* c = Lib.Utf8(customerId))
                fixed (byte* f = Lib.Utf8(featureId))
                    Lib.Check(Lib.stigg_client_get_boolean(H, c, f, &o, &r));
                return new BooleanEntitlement(r);
            }
        }

        /// <summary><c>getNumericEntitlement</c>.</summary>
        public NumericEntitlement GetNumericEntitlement(string customerId, string featureId, string resourceId = null,
            EntitlementFallback fallback = null, bool includeDetails = true)
        {
            using (var pins = new Pinned())
            {
                var o = Options(pins, resourceId, null, null, fallback, includeDetails);
                NumericResult r;
                fixed (byte* c = Lib.Utf8(customerId))
                fixed (byte* f = Lib.Utf8(featureId))
                    Lib.Check(Lib.stigg_client_get_numeric(H, c, f, &o, &r));
                return new NumericEntitlement(r);
            }
        }

        /// <summary><c>getMeteredEntitlement</c>.</summary>
        public MeteredEntitlement GetMeteredEntitlement(string customerId, string featureId, double? requestedUsage = null,
            string resourceId = null, EntitlementFallback fallback = null, bool includeDetails = true)
        {
            using (var pins = new Pinned())
            {
                var o = Options(pins, resourceId, requestedUsage, null, fallback, includeDetails);
                MeteredResult r;
                fixed (byte* c = Lib.Utf8(customerId))
                fixed (byte* f = Lib.Utf8(featureId))
                    Lib.Check(Lib.stigg_client_get_metered(H, c, f, &o, &r));
                return new MeteredEntitlement(r);
            }
        }

        /// <summary>The hot path of a metered check: pre-encoded ids (<see cref="Utf8Id"/>), no details, no
        /// allocation but the result object.</summary>
        public MeteredEntitlement GetMeteredEntitlement(Utf8Id customerId, Utf8Id featureId, double requestedUsage)
        {
            var o = new CheckOptions { HasRequestedUsage = 1, RequestedUsage = requestedUsage };
            MeteredResult r;
            fixed (byte* c = customerId.Bytes)
            fixed (byte* f = featureId.Bytes)
                Lib.Check(Lib.stigg_client_get_metered(H, c, f, &o, &r));
            return new MeteredEntitlement(r);
        }

        /// <summary><c>getEnumEntitlement</c>.</summary>
        public EnumEntitlement GetEnumEntitlement(string customerId, string featureId, IList<string> requestedValues = null,
            string resourceId = null, EntitlementFallback fallback = null)
        {
            using (var pins = new Pinned())
            {
                var o = Options(pins, resourceId, null, requestedValues, fallback, true);
                EnumResult r;
                fixed (byte* c = Lib.Utf8(customerId))
                fixed (byte* f = Lib.Utf8(featureId))
                    Lib.Check(Lib.stigg_client_get_enum(H, c, f, &o, &r));
                return new EnumEntitlement(r);
            }
        }

        /// <summary><c>getCreditEntitlement</c> (only the per-call fallback applies).</summary>
        public CreditEntitlement GetCreditEntitlement(string customerId, string currencyId, double? requestedUsage = null,
            string resourceId = null, EntitlementFallback fallback = null)
        {
            using (var pins = new Pinned())
            {
                var o = Options(pins, resourceId, requestedUsage, null, fallback, true);
                CreditResult r;
                fixed (byte* c = Lib.Utf8(customerId))
                fixed (byte* f = Lib.Utf8(currencyId))
                    Lib.Check(Lib.stigg_client_get_credit(H, c, f, &o, &r));
                return new CreditEntitlement(r);
            }
        }

        /// <summary><c>getEntitlement</c> (deprecated): typed by the options' shape.</summary>
        public Entitlement GetEntitlement(string customerId, string featureId, double? requestedUsage = null,
            IList<string> requestedValues = null, string resourceId = null, EntitlementFallback fallback = null)
        {
            using (var pins = new Pinned())
            {
                var o = Options(pins, resourceId, requestedUsage, requestedValues, fallback, true);
                EntitlementResult r;
                fixed (byte* c = Lib.Utf8(customerId))
                fixed (byte* f = Lib.Utf8(featureId))
                    Lib.Check(Lib.stigg_client_get_entitlement(H, c, f, &o, &r));
                return Entitlement.From(r, true);
            }
        }

        /// <summary><c>getEntitlementV2</c>: a feature or a credit wallet (exactly one id).</summary>
        public Entitlement GetEntitlementV2(string customerId, string featureId = null, string currencyId = null,
            double? requestedUsage = null, IList<string> requestedValues = null, string resourceId = null,
            EntitlementFallback fallback = null)
        {
            using (var pins = new Pinned())
            {
                var o = Options(pins, resourceId, requestedUsage, requestedValues, fallback, true);
                EntitlementResult r;
                fixed (byte* c = Lib.Utf8(customerId))
                fixed (byte* f = Lib.Utf8(featureId))
                fixed (byte* cu = Lib.Utf8(currencyId))
                    Lib.Check(Lib.stigg_client_get_entitlement_v2(H, c, f, cu, &o, &r));
                return Entitlement.From(r, true);
            }
        }

        /// <summary><c>getEntitlementsStateV2</c>.</summary>
        public EntitlementsState GetEntitlementsStateV2(string customerId, string resourceId = null)
        {
            IntPtr list;
            fixed (byte* c = Lib.Utf8(customerId))
            fixed (byte* r = Lib.Utf8(resourceId))
                Lib.Check(Lib.stigg_client_get_entitlements_state_v2(H, c, r, out list));
            try
            {
                var l = *(EntitlementList*)list;
                var items = new List<Entitlement>();
                var p = (EntitlementResult*)l.Items;
                for (ulong i = 0; i < (ulong)l.Len; i++) items.Add(Entitlement.From(p[i], false));
                return new EntitlementsState(items, Lib.Str(l.ReasonText));
            }
            finally
            {
                Lib.stigg_entitlement_list_free(list);
            }
        }

        /// <summary>A write or management call by the official method name (<c>reportUsage</c>,
        /// <c>provisionCustomer</c>, ...): a JSON document in, a JSON document out.</summary>
        public string Call(string operation, string inputJson = null)
        {
            IntPtr output;
            fixed (byte* op = Lib.Utf8(operation))
            fixed (byte* input = Lib.Utf8(inputJson))
                Lib.Check(Lib.stigg_client_call(H, op, input, out output));
            try { return Lib.Str(output); } finally { Lib.stigg_string_free(output); }
        }

        /// <summary><see cref="Call"/> on the thread pool.</summary>
        public Task<string> CallAsync(string operation, string inputJson = null) => Task.Run(() => Call(operation, inputJson));

        /// <summary><c>reportUsage</c>: returns the acknowledgement JSON.</summary>
        public Task<string> ReportUsageAsync(string customerId, string featureId, double value, string resourceId = null) =>
            CallAsync("reportUsage", "{\"customerId\": " + Json.Quote(customerId) + ", \"featureId\": " + Json.Quote(featureId) +
                ", \"value\": " + value.ToString("R", System.Globalization.CultureInfo.InvariantCulture) +
                (resourceId != null ? ", \"resourceId\": " + Json.Quote(resourceId) : "") + "}");

        /// <summary><c>provisionCustomer</c> (input: the official parameter object as JSON).</summary>
        public Task<string> ProvisionCustomerAsync(string inputJson) => CallAsync("provisionCustomer", inputJson);

        /// <summary><c>getCustomer</c>.</summary>
        public Task<string> GetCustomerAsync(string customerId) => CallAsync("getCustomer", Json.Quote(customerId));

        /// <summary><c>close</c>: idempotent.</summary>
        public Task CloseAsync() => Task.Run(() => Lib.Check(Lib.stigg_client_close(H)));

        /// <summary>Closes and frees the client.</summary>
        public void Dispose()
        {
            var h = _handle;
            _handle = IntPtr.Zero;
            if (h != IntPtr.Zero) Lib.stigg_client_free(h);
            GC.SuppressFinalize(this);
        }

        /// <summary>Frees the client if it was not disposed.</summary>
        ~StiggClient()
        {
            if (_handle != IntPtr.Zero) Lib.stigg_client_free(_handle);
        }
    }

    /// <summary>An id encoded once as NUL-terminated UTF-8, for the allocation-free hot path.</summary>
    public sealed class Utf8Id
    {
        internal readonly byte[] Bytes;
        /// <summary>Encodes <paramref name="id"/>.</summary>
        public Utf8Id(string id) { Bytes = Lib.Utf8(id); }
    }

    static class Json
    {
        public static string Quote(string s)
        {
            if (s == null) return "null";
            var sb = new System.Text.StringBuilder("\"");
            foreach (var ch in s)
            {
                if (ch == '"' || ch == '\\') sb.Append('\\').Append(ch);
                else if (ch < ' ') sb.Append("\\u").Append(((int)ch).ToString("x4"));
                else sb.Append(ch);
            }
            return sb.Append('"').ToString();
        }
    }
}
