// P/Invoke declarations of libstigg (include/stigg.h). Structs mirror the C layouts field by field
// (LayoutKind.Sequential gives C's alignment); C `bool` is one byte, so it is `byte` here (blittable).
using System;
using System.Runtime.InteropServices;
using System.Text;

namespace Stigg.Native
{
    [StructLayout(LayoutKind.Sequential)]
    internal struct BooleanResult
    {
        public byte HasAccess, IsFallback;
        public int Reason;
        public IntPtr Details;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct NumericResult
    {
        public byte HasAccess, IsFallback;
        public int Reason;
        public byte HasValue;
        public double Value;
        public byte IsUnlimited;
        public IntPtr Details;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct MeteredResult
    {
        public byte HasAccess, IsFallback;
        public int Reason;
        public byte HasUsageLimit;
        public double UsageLimit;
        public byte IsUnlimited, HasSoftLimit;
        public double CurrentUsage, RequestedUsage;
        public int ResetPeriod;
        public byte HasAnchor;
        public long AnchorMs;
        public byte HasStart;
        public long StartMs;
        public byte HasEnd;
        public long EndMs;
        public IntPtr Details;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct EnumResult
    {
        public byte HasAccess, IsFallback;
        public int Reason;
        public UIntPtr EnumValuesLen;
        public IntPtr Details;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct CreditResult
    {
        public byte HasAccess, IsFallback;
        public int Reason;
        public double UsageLimit, CurrentUsage, Remaining;
        public byte HasEnd;
        public long EndMs;
        public byte HasSoftLimit;
        public double RequestedUsage;
        public IntPtr Details;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct EntitlementResult
    {
        public int Kind;
        public byte HasAccess, IsFallback;
        public BooleanResult Boolean;
        public NumericResult Numeric;
        public MeteredResult Metered;
        public EnumResult Enumeration;
        public CreditResult Credit;
        public IntPtr Details;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct Details
    {
        public IntPtr Reason, Feature, Currency, EnumValues;
        public UIntPtr EnumValuesLen;
        public byte HasRequestedValues;
        public IntPtr RequestedValues;
        public UIntPtr RequestedValuesLen;
        public IntPtr ResetPeriod;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct FeatureInfo
    {
        public IntPtr Id, FeatureType, MeterType, Units, UnitsPlural;
        public byte IsMetered;
        public IntPtr DisplayName, Description;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct CurrencyInfo
    {
        public IntPtr CurrencyId, DisplayName, Description, UnitSingular, UnitPlural, MetadataJson;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct EntitlementList
    {
        public IntPtr Items;
        public UIntPtr Len;
        public int Reason;
        public IntPtr ReasonText;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct CheckOptions
    {
        public IntPtr ResourceId;
        public byte HasRequestedUsage;
        public double RequestedUsage;
        public byte HasRequestedValues;
        public IntPtr RequestedValues;
        public UIntPtr RequestedValuesLen;
        public IntPtr Fallback;
        public byte IncludeDetails;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct Fallback
    {
        public byte HasAccess, HasValue;
        public double Value;
        public byte HasIsUnlimited, IsUnlimited, HasUsageLimit;
        public double UsageLimit;
        public byte HasCurrentUsage;
        public double CurrentUsage;
        public byte HasEnumValues;
        public IntPtr EnumValues;
        public UIntPtr EnumValuesLen;
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate void ListenerFn(IntPtr userData, IntPtr eventJson);

    internal static unsafe class Lib
    {
        const string L = "stigg";

        [DllImport(L)] public static extern IntPtr stigg_client_new_json(byte* configJson, out IntPtr client);
        [DllImport(L)] public static extern void stigg_client_free(IntPtr client);
        [DllImport(L)] public static extern IntPtr stigg_client_close(IntPtr client);
        [DllImport(L)] public static extern IntPtr stigg_client_wait_for_initialization(IntPtr client);
        [DllImport(L)] public static extern IntPtr stigg_client_set_entitlements_state_json(IntPtr client, byte* customer, byte* resource, byte* state);
        [DllImport(L)] public static extern IntPtr stigg_client_get_boolean(IntPtr client, byte* customer, byte* feature, CheckOptions* options, BooleanResult* result);
        [DllImport(L)] public static extern IntPtr stigg_client_get_numeric(IntPtr client, byte* customer, byte* feature, CheckOptions* options, NumericResult* result);
        [DllImport(L)] public static extern IntPtr stigg_client_get_metered(IntPtr client, byte* customer, byte* feature, CheckOptions* options, MeteredResult* result);
        [DllImport(L)] public static extern IntPtr stigg_client_get_enum(IntPtr client, byte* customer, byte* feature, CheckOptions* options, EnumResult* result);
        [DllImport(L)] public static extern IntPtr stigg_client_get_credit(IntPtr client, byte* customer, byte* currency, CheckOptions* options, CreditResult* result);
        [DllImport(L)] public static extern IntPtr stigg_client_get_entitlement(IntPtr client, byte* customer, byte* feature, CheckOptions* options, EntitlementResult* result);
        [DllImport(L)] public static extern IntPtr stigg_client_get_entitlement_v2(IntPtr client, byte* customer, byte* feature, byte* currency, CheckOptions* options, EntitlementResult* result);
        [DllImport(L)] public static extern IntPtr stigg_client_get_entitlements_state_v2(IntPtr client, byte* customer, byte* resource, out IntPtr list);
        [DllImport(L)] public static extern IntPtr stigg_client_call(IntPtr client, byte* operation, byte* inputJson, out IntPtr outJson);
        [DllImport(L)] public static extern IntPtr stigg_client_add_listener(IntPtr client, ListenerFn callback, IntPtr userData, IntPtr finalizer, out ulong id);
        [DllImport(L)] public static extern IntPtr stigg_client_remove_listener(IntPtr client, ulong id);
        [DllImport(L)] public static extern IntPtr stigg_error_code(IntPtr error);
        [DllImport(L)] public static extern IntPtr stigg_error_message(IntPtr error);
        [DllImport(L)] public static extern IntPtr stigg_error_trace_id(IntPtr error);
        [DllImport(L)] public static extern void stigg_error_free(IntPtr error);
        [DllImport(L)] public static extern void stigg_string_free(IntPtr s);
        [DllImport(L)] public static extern void stigg_details_free(IntPtr details);
        [DllImport(L)] public static extern void stigg_entitlement_list_free(IntPtr list);

        /// <summary>A NUL-terminated UTF-8 copy of a string (null stays null).</summary>
        public static byte[] Utf8(string s)
        {
            if (s == null) return null;
            var bytes = new byte[Encoding.UTF8.GetMaxByteCount(s.Length) + 1];
            Encoding.UTF8.GetBytes(s, 0, s.Length, bytes, 0);
            return bytes;
        }

        /// <summary>Reads a NUL-terminated UTF-8 string (NULL gives null).</summary>
        public static string Str(IntPtr p)
        {
            if (p == IntPtr.Zero) return null;
            var b = (byte*)p;
            int n = 0;
            while (b[n] != 0) n++;
            return Encoding.UTF8.GetString(b, n);
        }

        /// <summary>Throws a StiggException for a non-NULL error (and frees it).</summary>
        public static void Check(IntPtr error)
        {
            if (error == IntPtr.Zero) return;
            var ex = new StiggException(Str(stigg_error_message(error)), Str(stigg_error_code(error)), Str(stigg_error_trace_id(error)));
            stigg_error_free(error);
            throw ex;
        }
    }
}
