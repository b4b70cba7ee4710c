// Results of entitlement checks as .NET classes (Mono's C# has no records), built from libstigg's
// structs. Instants are DateTimeOffset (UTC); reasons and reset periods are Stigg's wire strings.
using System;
using System.Collections.Generic;
using Stigg.Native;

namespace Stigg
{
    /// <summary>A feature as a result describes it.</summary>
    public sealed class FeatureInfo
    {
        /// <summary>Feature id.</summary>
        public string Id { get; internal set; }
        /// <summary>BOOLEAN, NUMBER, ENUM.</summary>
        public string FeatureType { get; internal set; }
        /// <summary>None, Fluctuating, Incremental, or null.</summary>
        public string MeterType { get; internal set; }
        /// <summary>Unit, singular.</summary>
        public string Units { get; internal set; }
        /// <summary>Unit, plural.</summary>
        public string UnitsPlural { get; internal set; }
        /// <summary>Metered NUMBER feature.</summary>
        public bool IsMetered { get; internal set; }
        /// <summary>Display name.</summary>
        public string DisplayName { get; internal set; }
        /// <summary>Description.</summary>
        public string Description { get; internal set; }
    }

    /// <summary>A credit currency as a result describes it.</summary>
    public sealed class CurrencyInfo
    {
        /// <summary>Currency id.</summary>
        public string CurrencyId { get; internal set; }
        /// <summary>Display name.</summary>
        public string DisplayName { get; internal set; }
        /// <summary>Description.</summary>
        public string Description { get; internal set; }
        /// <summary>Unit, singular.</summary>
        public string UnitSingular { get; internal set; }
        /// <summary>Unit, plural.</summary>
        public string UnitPlural { get; internal set; }
        /// <summary>Metadata as JSON, or null.</summary>
        public string MetadataJson { get; internal set; }
    }

    /// <summary>Fields every result has.</summary>
    public abstract class Entitlement
    {
        /// <summary>BOOLEAN, NUMERIC, METERED, ENUM or CREDIT.</summary>
        public abstract string Type { get; }
        /// <summary>Whether access is granted.</summary>
        public bool HasAccess { get; protected set; }
        /// <summary>A fallback value, not a decision on real data.</summary>
        public bool IsFallback { get; protected set; }
        /// <summary>Why access was denied (wire value), or null.</summary>
        public string AccessDeniedReason { get; protected set; }
        /// <summary>The feature (feature results), or null.</summary>
        public FeatureInfo Feature { get; protected set; }

        internal static readonly string[] Reasons =
        {
            null, "BudgetExceeded", "CustomerIsArchived", "CustomerNotFound", "CustomerResourceNotFound",
            "EntitlementNotFound", "FeatureNotFound", "FeatureTypeMismatch", "InsufficientCredits",
            "NoActiveSubscription", "NoFeatureEntitlementInSubscription", "RequestedUsageExceedingLimit",
            "RequestedValuesMismatch", "Revoked", "Unknown"
        };

        internal static unsafe Details* D(IntPtr details) => (Details*)details;

        /// <summary>The reason: the wire text from the details, else the enum's name.</summary>
        internal static unsafe string Reason(int code, IntPtr details)
        {
            if (details != IntPtr.Zero) return Lib.Str(D(details)->Reason);
            return code > 0 && code < Reasons.Length ? Reasons[code] : (code == 0 ? null : "Other");
        }

        internal static unsafe FeatureInfo FeatureOf(IntPtr details)
        {
            if (details == IntPtr.Zero || D(details)->Feature == IntPtr.Zero) return null;
            var f = (Native.FeatureInfo*)D(details)->Feature;
            return new FeatureInfo
            {
                Id = Lib.Str(f->Id), FeatureType = Lib.Str(f->FeatureType), MeterType = Lib.Str(f->MeterType),
                Units = Lib.Str(f->Units), UnitsPlural = Lib.Str(f->UnitsPlural), IsMetered = f->IsMetered != 0,
                DisplayName = Lib.Str(f->DisplayName), Description = Lib.Str(f->Description)
            };
        }

        internal static unsafe IList<string> Strings(IntPtr items, UIntPtr len)
        {
            var list = new List<string>();
            var p = (IntPtr*)items;
            for (ulong i = 0; i < (ulong)len; i++) list.Add(Lib.Str(p[i]));
            return list;
        }

        internal static DateTimeOffset? Instant(byte has, long ms) =>
            has != 0 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null;

        /// <summary>Builds the result of the struct's type; frees the details when <paramref name="own"/>.</summary>
        internal static Entitlement From(EntitlementResult r, bool own)
        {
            try
            {
                switch (r.Kind)
                {
                    case 1: r.Boolean.Details = r.Details; return new BooleanEntitlement(r.Boolean, false);
                    case 2: r.Numeric.Details = r.Details; return new NumericEntitlement(r.Numeric, false);
                    case 3: r.Metered.Details = r.Details; return new MeteredEntitlement(r.Metered, false);
                    case 4: r.Enumeration.Details = r.Details; return new EnumEntitlement(r.Enumeration, false);
                    default: r.Credit.Details = r.Details; return new CreditEntitlement(r.Credit, false);
                }
            }
            finally
            {
                if (own) Lib.stigg_details_free(r.Details);
            }
        }
    }

    /// <summary><c>getBooleanEntitlement</c> result.</summary>
    public sealed class BooleanEntitlement : Entitlement
    {
        /// <inheritdoc/>
        public override string Type => "BOOLEAN";
        internal BooleanEntitlement(BooleanResult r, bool own = true)
        {
            HasAccess = r.HasAccess != 0; IsFallback = r.IsFallback != 0;
            AccessDeniedReason = Reason(r.Reason, r.Details); Feature = FeatureOf(r.Details);
            if (own) Lib.stigg_details_free(r.Details);
        }
    }

    /// <summary><c>getNumericEntitlement</c> result.</summary>
    public sealed class NumericEntitlement : Entitlement
    {
        /// <inheritdoc/>
        public override string Type => "NUMERIC";
        /// <summary>The configured value.</summary>
        public double? Value { get; }
        /// <summary>Unlimited.</summary>
        public bool IsUnlimited { get; }
        internal NumericEntitlement(NumericResult r, bool own = true)
        {
            HasAccess = r.HasAccess != 0; IsFallback = r.IsFallback != 0;
            AccessDeniedReason = Reason(r.Reason, r.Details); Feature = FeatureOf(r.Details);
            Value = r.HasValue != 0 ? r.Value : (double?)null; IsUnlimited = r.IsUnlimited != 0;
            if (own) Lib.stigg_details_free(r.Details);
        }
    }

    /// <summary><c>getMeteredEntitlement</c> result.</summary>
    public sealed class MeteredEntitlement : Entitlement
    {
        static readonly string[] Periods = { null, "HOUR", "DAY", "WEEK", "MONTH", "YEAR" };
        /// <inheritdoc/>
        public override string Type => "METERED";
        /// <summary>The usage limit, or null.</summary>
        public double? UsageLimit { get; }
        /// <summary>Unlimited.</summary>
        public bool IsUnlimited { get; }
        /// <summary>Soft limit.</summary>
        public bool HasSoftLimit { get; }
        /// <summary>Usage in the period.</summary>
        public double CurrentUsage { get; }
        /// <summary>The usage asked about.</summary>
        public double RequestedUsage { get; }
        /// <summary>Reset period (wire value), or null.</summary>
        public string ResetPeriod { get; }
        /// <summary>Anchor of the periods.</summary>
        public DateTimeOffset? UsagePeriodAnchor { get; }
        /// <summary>Start of the period.</summary>
        public DateTimeOffset? UsagePeriodStart { get; }
        /// <summary>End of the period (= NextResetDate).</summary>
        public DateTimeOffset? UsagePeriodEnd { get; }

        internal unsafe MeteredEntitlement(MeteredResult r, bool own = true)
        {
            HasAccess = r.HasAccess != 0; IsFallback = r.IsFallback != 0;
            AccessDeniedReason = Reason(r.Reason, r.Details); Feature = FeatureOf(r.Details);
            UsageLimit = r.HasUsageLimit != 0 ? r.UsageLimit : (double?)null;
            IsUnlimited = r.IsUnlimited != 0; HasSoftLimit = r.HasSoftLimit != 0;
            CurrentUsage = r.CurrentUsage; RequestedUsage = r.RequestedUsage;
            ResetPeriod = r.Details != IntPtr.Zero ? Lib.Str(D(r.Details)->ResetPeriod)
                : (r.ResetPeriod > 0 && r.ResetPeriod < Periods.Length ? Periods[r.ResetPeriod] : null);
            UsagePeriodAnchor = Instant(r.HasAnchor, r.AnchorMs);
            UsagePeriodStart = Instant(r.HasStart, r.StartMs);
            UsagePeriodEnd = Instant(r.HasEnd, r.EndMs);
            if (own) Lib.stigg_details_free(r.Details);
        }
    }

    /// <summary><c>getEnumEntitlement</c> result.</summary>
    public sealed class EnumEntitlement : Entitlement
    {
        /// <inheritdoc/>
        public override string Type => "ENUM";
        /// <summary>Allowed values.</summary>
        public IList<string> EnumValues { get; }
        /// <summary>The values asked about (echoed), or null.</summary>
        public IList<string> RequestedValues { get; }
        internal unsafe EnumEntitlement(EnumResult r, bool own = true)
        {
            HasAccess = r.HasAccess != 0; IsFallback = r.IsFallback != 0;
            AccessDeniedReason = Reason(r.Reason, r.Details); Feature = FeatureOf(r.Details);
            if (r.Details != IntPtr.Zero)
            {
                var d = D(r.Details);
                EnumValues = Strings(d->EnumValues, d->EnumValuesLen);
                RequestedValues = d->HasRequestedValues != 0 ? Strings(d->RequestedValues, d->RequestedValuesLen) : null;
            }
            if (own) Lib.stigg_details_free(r.Details);
        }
    }

    /// <summary><c>getCreditEntitlement</c> result.</summary>
    public sealed class CreditEntitlement : Entitlement
    {
        /// <inheritdoc/>
        public override string Type => "CREDIT";
        /// <summary>The currency.</summary>
        public CurrencyInfo Currency { get; }
        /// <summary>Credits granted.</summary>
        public double UsageLimit { get; }
        /// <summary>Credits consumed.</summary>
        public double CurrentUsage { get; }
        /// <summary>UsageLimit - CurrentUsage.</summary>
        public double Remaining { get; }
        /// <summary>End of the period.</summary>
        public DateTimeOffset? UsagePeriodEnd { get; }
        /// <summary>Soft limit.</summary>
        public bool HasSoftLimit { get; }
        /// <summary>The amount asked about.</summary>
        public double RequestedUsage { get; }
        internal unsafe CreditEntitlement(CreditResult r, bool own = true)
        {
            HasAccess = r.HasAccess != 0; IsFallback = r.IsFallback != 0;
            AccessDeniedReason = Reason(r.Reason, r.Details);
            UsageLimit = r.UsageLimit; CurrentUsage = r.CurrentUsage; Remaining = r.Remaining;
            UsagePeriodEnd = Instant(r.HasEnd, r.EndMs); HasSoftLimit = r.HasSoftLimit != 0; RequestedUsage = r.RequestedUsage;
            if (r.Details != IntPtr.Zero && D(r.Details)->Currency != IntPtr.Zero)
            {
                var c = (Native.CurrencyInfo*)D(r.Details)->Currency;
                Currency = new CurrencyInfo
                {
                    CurrencyId = Lib.Str(c->CurrencyId), DisplayName = Lib.Str(c->DisplayName),
                    Description = Lib.Str(c->Description), UnitSingular = Lib.Str(c->UnitSingular),
                    UnitPlural = Lib.Str(c->UnitPlural), MetadataJson = Lib.Str(c->MetadataJson)
                };
            }
            if (own) Lib.stigg_details_free(r.Details);
        }
    }

    /// <summary><c>getEntitlementsStateV2</c> result.</summary>
    public sealed class EntitlementsState
    {
        /// <summary>Every entitlement.</summary>
        public IList<Entitlement> Entitlements { get; }
        /// <summary>Customer-level reason, or null.</summary>
        public string AccessDeniedReason { get; }
        internal EntitlementsState(IList<Entitlement> entitlements, string reason)
        {
            Entitlements = entitlements;
            AccessDeniedReason = reason;
        }
    }
}
