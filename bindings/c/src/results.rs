//! Plain C structs of entitlement check results, and their optional string details.
//!
//! The hot path fills caller-provided structs of scalars: no JSON, no allocation. Strings (the feature
//! and currency descriptions, enum values, the reason's wire text) come only when the caller asks for
//! them (`include_details`), in one owned `stigg_details_t`.

use std::ffi::{c_char, CString};
use std::ptr;

use stigg_core::model::{
    AccessDeniedReason, BooleanEntitlement, CreditEntitlement, CurrencyInfo, Entitlement,
    EntitlementResetPeriod, EntitlementV2, EnumEntitlement, FeatureInfo, MeteredEntitlement,
    Millis, NumericEntitlement,
};

use crate::error::to_cstring;

/// Why access was denied. `STIGG_REASON_NONE` when access was granted (or no reason was given);
/// `STIGG_REASON_OTHER` for a value this library does not know (its wire text is in the details).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
pub enum stigg_access_denied_reason_t {
    /// No reason (`null`).
    STIGG_REASON_NONE = 0,
    /// `BudgetExceeded`.
    STIGG_REASON_BUDGET_EXCEEDED = 1,
    /// `CustomerIsArchived`.
    STIGG_REASON_CUSTOMER_IS_ARCHIVED = 2,
    /// `CustomerNotFound`.
    STIGG_REASON_CUSTOMER_NOT_FOUND = 3,
    /// `CustomerResourceNotFound`.
    STIGG_REASON_CUSTOMER_RESOURCE_NOT_FOUND = 4,
    /// `EntitlementNotFound`.
    STIGG_REASON_ENTITLEMENT_NOT_FOUND = 5,
    /// `FeatureNotFound`.
    STIGG_REASON_FEATURE_NOT_FOUND = 6,
    /// `FeatureTypeMismatch`.
    STIGG_REASON_FEATURE_TYPE_MISMATCH = 7,
    /// `InsufficientCredits`.
    STIGG_REASON_INSUFFICIENT_CREDITS = 8,
    /// `NoActiveSubscription`.
    STIGG_REASON_NO_ACTIVE_SUBSCRIPTION = 9,
    /// `NoFeatureEntitlementInSubscription`.
    STIGG_REASON_NO_FEATURE_ENTITLEMENT_IN_SUBSCRIPTION = 10,
    /// `RequestedUsageExceedingLimit`.
    STIGG_REASON_REQUESTED_USAGE_EXCEEDING_LIMIT = 11,
    /// `RequestedValuesMismatch`.
    STIGG_REASON_REQUESTED_VALUES_MISMATCH = 12,
    /// `Revoked`.
    STIGG_REASON_REVOKED = 13,
    /// `Unknown` (the default fallback's reason).
    STIGG_REASON_UNKNOWN = 14,
    /// A reason this library does not know; see `stigg_details_t.access_denied_reason`.
    STIGG_REASON_OTHER = 99,
}

/// A metered feature's reset period. `STIGG_RESET_NONE` when there is none.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
pub enum stigg_reset_period_t {
    /// No reset period (`null`).
    STIGG_RESET_NONE = 0,
    /// `HOUR`.
    STIGG_RESET_HOUR = 1,
    /// `DAY`.
    STIGG_RESET_DAY = 2,
    /// `WEEK`.
    STIGG_RESET_WEEK = 3,
    /// `MONTH`.
    STIGG_RESET_MONTH = 4,
    /// `YEAR`.
    STIGG_RESET_YEAR = 5,
    /// A period this library does not know; see `stigg_details_t.reset_period`.
    STIGG_RESET_OTHER = 99,
}

/// The type of a result in a `stigg_entitlement_t`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
pub enum stigg_entitlement_type_t {
    /// `BOOLEAN`: read `boolean`.
    STIGG_ENTITLEMENT_BOOLEAN = 1,
    /// `NUMERIC`: read `numeric`.
    STIGG_ENTITLEMENT_NUMERIC = 2,
    /// `METERED`: read `metered`.
    STIGG_ENTITLEMENT_METERED = 3,
    /// `ENUM`: read `enumeration`.
    STIGG_ENTITLEMENT_ENUM = 4,
    /// `CREDIT`: read `credit`.
    STIGG_ENTITLEMENT_CREDIT = 5,
}

/// A feature as a result describes it (`feature{...}` of the result objects). Borrowed from its
/// `stigg_details_t`.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct stigg_feature_info_t {
    /// Feature id.
    pub id: *const c_char,
    /// `BOOLEAN`, `NUMBER` or `ENUM` (or a newer wire value).
    pub feature_type: *const c_char,
    /// `None`, `Fluctuating`, `Incremental`; NULL when the feature has no meter type.
    pub meter_type: *const c_char,
    /// Unit, singular (`""` when unset).
    pub units: *const c_char,
    /// Unit, plural (`""` when unset).
    pub units_plural: *const c_char,
    /// True for a NUMBER feature with an Incremental or Fluctuating meter.
    pub is_metered: bool,
    /// Display name, or NULL.
    pub display_name: *const c_char,
    /// Description, or NULL.
    pub description: *const c_char,
}

/// A credit currency as a result describes it. Borrowed from its `stigg_details_t`.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct stigg_currency_info_t {
    /// Currency id.
    pub currency_id: *const c_char,
    /// Display name, or NULL.
    pub display_name: *const c_char,
    /// Description, or NULL.
    pub description: *const c_char,
    /// Unit, singular, or NULL.
    pub unit_singular: *const c_char,
    /// Unit, plural, or NULL.
    pub unit_plural: *const c_char,
    /// Metadata as a JSON document, or NULL.
    pub metadata_json: *const c_char,
}

/// The string parts of a result, filled only when `stigg_check_options_t.include_details` is set.
/// Owned by the caller: free it with `stigg_details_free`; every pointer inside is valid until then.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct stigg_details_t {
    /// The reason's wire text (`"RequestedUsageExceedingLimit"`, ...), or NULL when there is none.
    pub access_denied_reason: *const c_char,
    /// The feature, or NULL (credit results, and feature results without a known feature).
    pub feature: *const stigg_feature_info_t,
    /// The currency (credit results), or NULL.
    pub currency: *const stigg_currency_info_t,
    /// ENUM: the allowed values (`enum_values_len` strings).
    pub enum_values: *const *const c_char,
    /// Number of `enum_values`.
    pub enum_values_len: usize,
    /// ENUM: true when the check echoed requested values (false = `null`).
    pub has_requested_values: bool,
    /// ENUM: the requested values echoed (`requested_values_len` strings).
    pub requested_values: *const *const c_char,
    /// Number of `requested_values`.
    pub requested_values_len: usize,
    /// METERED: the reset period's wire text, or NULL.
    pub reset_period: *const c_char,
}

/// The owner behind a `stigg_details_t *` (the public struct is its first field).
#[repr(C)]
pub(crate) struct DetailsBox {
    public: stigg_details_t,
    feature: Option<Box<stigg_feature_info_t>>,
    currency: Option<Box<stigg_currency_info_t>>,
    enum_values: Vec<*const c_char>,
    requested_values: Vec<*const c_char>,
    // Heap buffers of CStrings never move, so pointers into them stay valid while this lives.
    strings: Vec<CString>,
}

#[derive(Default)]
pub(crate) struct DetailsBuilder {
    strings: Vec<CString>,
    reason: Option<*const c_char>,
    feature: Option<Box<stigg_feature_info_t>>,
    currency: Option<Box<stigg_currency_info_t>>,
    enum_values: Vec<*const c_char>,
    requested_values: Option<Vec<*const c_char>>,
    reset_period: Option<*const c_char>,
}

impl DetailsBuilder {
    fn s(&mut self, s: &str) -> *const c_char {
        let c = to_cstring(s);
        let p = c.as_ptr();
        self.strings.push(c);
        p
    }

    fn opt(&mut self, s: Option<&str>) -> *const c_char {
        s.map_or(ptr::null(), |s| self.s(s))
    }

    pub(crate) fn reason(mut self, r: Option<&AccessDeniedReason>) -> Self {
        self.reason = r.map(|r| self.s(r.as_str()));
        self
    }

    pub(crate) fn feature(mut self, f: Option<&FeatureInfo>) -> Self {
        if let Some(f) = f {
            let info = stigg_feature_info_t {
                id: self.s(&f.id),
                feature_type: self.s(f.feature_type.as_str()),
                meter_type: self.opt(f.meter_type.as_ref().map(|m| m.as_str())),
                units: self.s(&f.units),
                units_plural: self.s(&f.units_plural),
                is_metered: f.is_metered(),
                display_name: self.opt(f.display_name.as_deref()),
                description: self.opt(f.description.as_deref()),
            };
            self.feature = Some(Box::new(info));
        }
        self
    }

    pub(crate) fn currency(mut self, c: &CurrencyInfo) -> Self {
        let metadata = c.metadata.as_ref().map(|m| m.to_string());
        let info = stigg_currency_info_t {
            currency_id: self.s(&c.currency_id),
            display_name: self.opt(c.display_name.as_deref()),
            description: self.opt(c.description.as_deref()),
            unit_singular: self.opt(c.unit_singular.as_deref()),
            unit_plural: self.opt(c.unit_plural.as_deref()),
            metadata_json: self.opt(metadata.as_deref()),
        };
        self.currency = Some(Box::new(info));
        self
    }

    pub(crate) fn enum_values(mut self, values: &[String], requested: Option<&[String]>) -> Self {
        self.enum_values = values.iter().map(|v| self.s(v)).collect();
        self.requested_values = requested.map(|r| r.iter().map(|v| self.s(v)).collect());
        self
    }

    pub(crate) fn reset_period(mut self, p: Option<&EntitlementResetPeriod>) -> Self {
        self.reset_period = p.map(|p| self.s(p.as_str()));
        self
    }

    pub(crate) fn build(self) -> *mut stigg_details_t {
        let mut b = Box::new(DetailsBox {
            public: stigg_details_t {
                access_denied_reason: self.reason.unwrap_or(ptr::null()),
                feature: ptr::null(),
                currency: ptr::null(),
                enum_values: ptr::null(),
                enum_values_len: 0,
                has_requested_values: self.requested_values.is_some(),
                requested_values: ptr::null(),
                requested_values_len: 0,
                reset_period: self.reset_period.unwrap_or(ptr::null()),
            },
            feature: self.feature,
            currency: self.currency,
            enum_values: self.enum_values,
            requested_values: self.requested_values.unwrap_or_default(),
            strings: self.strings,
        });
        b.public.feature = b.feature.as_deref().map_or(ptr::null(), |f| f as *const _);
        b.public.currency = b.currency.as_deref().map_or(ptr::null(), |c| c as *const _);
        b.public.enum_values = b.enum_values.as_ptr();
        b.public.enum_values_len = b.enum_values.len();
        b.public.requested_values = b.requested_values.as_ptr();
        b.public.requested_values_len = b.requested_values.len();
        Box::into_raw(b).cast::<stigg_details_t>()
    }
}

/// Frees details returned in a result. NULL is ignored.
///
/// \param details the details (owned; consumed).
#[no_mangle]
pub unsafe extern "C" fn stigg_details_free(details: *mut stigg_details_t) {
    crate::error::guard_void(|| free_details(details))
}

pub(crate) fn free_details(details: *mut stigg_details_t) {
    if !details.is_null() {
        // SAFETY: every non-NULL details pointer comes from `DetailsBuilder::build`, whose box
        // starts with the public struct (`repr(C)`); it is freed once.
        drop(unsafe { Box::from_raw(details.cast::<DetailsBox>()) });
    }
}

/// The result of a boolean check (`getBooleanEntitlement`).
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct stigg_boolean_result_t {
    /// Whether access is granted.
    pub has_access: bool,
    /// True when this is a fallback value, not a decision on real data.
    pub is_fallback: bool,
    /// Why access was denied.
    pub access_denied_reason: stigg_access_denied_reason_t,
    /// Owned details (NULL unless `include_details`); free with `stigg_details_free`.
    pub details: *mut stigg_details_t,
}

/// The result of a numeric check (`getNumericEntitlement`).
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct stigg_numeric_result_t {
    /// Whether access is granted.
    pub has_access: bool,
    /// True when this is a fallback value.
    pub is_fallback: bool,
    /// Why access was denied.
    pub access_denied_reason: stigg_access_denied_reason_t,
    /// True when `value` is set (false = `null`).
    pub has_value: bool,
    /// The configured value.
    pub value: f64,
    /// Unlimited value.
    pub is_unlimited: bool,
    /// Owned details (NULL unless `include_details`).
    pub details: *mut stigg_details_t,
}

/// The result of a metered check (`getMeteredEntitlement`). Instants are epoch milliseconds (UTC).
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct stigg_metered_result_t {
    /// Whether access is granted.
    pub has_access: bool,
    /// True when this is a fallback value.
    pub is_fallback: bool,
    /// Why access was denied.
    pub access_denied_reason: stigg_access_denied_reason_t,
    /// True when `usage_limit` is set (false = `null`: unlimited or unset).
    pub has_usage_limit: bool,
    /// The usage limit.
    pub usage_limit: f64,
    /// Unlimited usage.
    pub is_unlimited: bool,
    /// Soft limit: usage past the limit is allowed.
    pub has_soft_limit: bool,
    /// Usage in the current period.
    pub current_usage: f64,
    /// The usage the check asked about (echoed).
    pub requested_usage: f64,
    /// Reset period.
    pub reset_period: stigg_reset_period_t,
    /// True when `usage_period_anchor_ms` is set.
    pub has_usage_period_anchor: bool,
    /// Anchor of the usage periods.
    pub usage_period_anchor_ms: i64,
    /// True when `usage_period_start_ms` is set.
    pub has_usage_period_start: bool,
    /// Start of the current period.
    pub usage_period_start_ms: i64,
    /// True when `usage_period_end_ms` is set (also `nextResetDate`).
    pub has_usage_period_end: bool,
    /// End of the current period (= `nextResetDate`).
    pub usage_period_end_ms: i64,
    /// Owned details (NULL unless `include_details`).
    pub details: *mut stigg_details_t,
}

/// The result of an enum check (`getEnumEntitlement`). The values are in the details.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct stigg_enum_result_t {
    /// Whether access is granted.
    pub has_access: bool,
    /// True when this is a fallback value.
    pub is_fallback: bool,
    /// Why access was denied.
    pub access_denied_reason: stigg_access_denied_reason_t,
    /// Number of allowed values.
    pub enum_values_len: usize,
    /// Owned details (NULL unless `include_details`): `enum_values`, `requested_values`.
    pub details: *mut stigg_details_t,
}

/// The result of a credit check (`getCreditEntitlement`).
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct stigg_credit_result_t {
    /// Whether access is granted.
    pub has_access: bool,
    /// True when this is a fallback value.
    pub is_fallback: bool,
    /// Why access was denied.
    pub access_denied_reason: stigg_access_denied_reason_t,
    /// Credits granted in the period.
    pub usage_limit: f64,
    /// Credits consumed in the period.
    pub current_usage: f64,
    /// `usage_limit - current_usage`.
    pub remaining: f64,
    /// True when `usage_period_end_ms` is set.
    pub has_usage_period_end: bool,
    /// End of the current period.
    pub usage_period_end_ms: i64,
    /// Soft limit.
    pub has_soft_limit: bool,
    /// The amount the check asked about (echoed).
    pub requested_usage: f64,
    /// Owned details (NULL unless `include_details`): `currency`.
    pub details: *mut stigg_details_t,
}

/// A result of any type (`getEntitlement`, `getEntitlementV2`, items of `getEntitlementsStateV2`):
/// `type` says which member is filled; the others are zeroed. The member's own `details` is NULL;
/// the details are in `details`.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct stigg_entitlement_t {
    /// Which member holds the result.
    pub kind: stigg_entitlement_type_t,
    /// Whether access is granted (copied from the member).
    pub has_access: bool,
    /// True when this is a fallback value (copied from the member).
    pub is_fallback: bool,
    /// BOOLEAN member.
    pub boolean: stigg_boolean_result_t,
    /// NUMERIC member.
    pub numeric: stigg_numeric_result_t,
    /// METERED member.
    pub metered: stigg_metered_result_t,
    /// ENUM member.
    pub enumeration: stigg_enum_result_t,
    /// CREDIT member.
    pub credit: stigg_credit_result_t,
    /// Owned details (NULL unless requested; always set in lists, where the list owns them).
    pub details: *mut stigg_details_t,
}

pub(crate) fn reason(r: Option<&AccessDeniedReason>) -> stigg_access_denied_reason_t {
    use stigg_access_denied_reason_t::*;
    match r {
        None => STIGG_REASON_NONE,
        Some(r) => match r {
            AccessDeniedReason::BudgetExceeded => STIGG_REASON_BUDGET_EXCEEDED,
            AccessDeniedReason::CustomerIsArchived => STIGG_REASON_CUSTOMER_IS_ARCHIVED,
            AccessDeniedReason::CustomerNotFound => STIGG_REASON_CUSTOMER_NOT_FOUND,
            AccessDeniedReason::CustomerResourceNotFound => {
                STIGG_REASON_CUSTOMER_RESOURCE_NOT_FOUND
            }
            AccessDeniedReason::EntitlementNotFound => STIGG_REASON_ENTITLEMENT_NOT_FOUND,
            AccessDeniedReason::FeatureNotFound => STIGG_REASON_FEATURE_NOT_FOUND,
            AccessDeniedReason::FeatureTypeMismatch => STIGG_REASON_FEATURE_TYPE_MISMATCH,
            AccessDeniedReason::InsufficientCredits => STIGG_REASON_INSUFFICIENT_CREDITS,
            AccessDeniedReason::NoActiveSubscription => STIGG_REASON_NO_ACTIVE_SUBSCRIPTION,
            AccessDeniedReason::NoFeatureEntitlementInSubscription => {
                STIGG_REASON_NO_FEATURE_ENTITLEMENT_IN_SUBSCRIPTION
            }
            AccessDeniedReason::RequestedUsageExceedingLimit => {
                STIGG_REASON_REQUESTED_USAGE_EXCEEDING_LIMIT
            }
            AccessDeniedReason::RequestedValuesMismatch => STIGG_REASON_REQUESTED_VALUES_MISMATCH,
            AccessDeniedReason::Revoked => STIGG_REASON_REVOKED,
            AccessDeniedReason::Unknown => STIGG_REASON_UNKNOWN,
            AccessDeniedReason::Other(_) => STIGG_REASON_OTHER,
        },
    }
}

fn reset_period(p: Option<&EntitlementResetPeriod>) -> stigg_reset_period_t {
    use stigg_reset_period_t::*;
    match p {
        None => STIGG_RESET_NONE,
        Some(EntitlementResetPeriod::Hour) => STIGG_RESET_HOUR,
        Some(EntitlementResetPeriod::Day) => STIGG_RESET_DAY,
        Some(EntitlementResetPeriod::Week) => STIGG_RESET_WEEK,
        Some(EntitlementResetPeriod::Month) => STIGG_RESET_MONTH,
        Some(EntitlementResetPeriod::Year) => STIGG_RESET_YEAR,
        Some(EntitlementResetPeriod::Other(_)) => STIGG_RESET_OTHER,
    }
}

fn instant(v: Option<Millis>) -> (bool, i64) {
    (v.is_some(), v.unwrap_or(0))
}

pub(crate) fn boolean(r: &BooleanEntitlement, details: bool) -> stigg_boolean_result_t {
    stigg_boolean_result_t {
        has_access: r.has_access,
        is_fallback: r.is_fallback,
        access_denied_reason: reason(r.access_denied_reason.as_ref()),
        details: if details {
            DetailsBuilder::default()
                .reason(r.access_denied_reason.as_ref())
                .feature(r.feature.as_deref())
                .build()
        } else {
            ptr::null_mut()
        },
    }
}

pub(crate) fn numeric(r: &NumericEntitlement, details: bool) -> stigg_numeric_result_t {
    stigg_numeric_result_t {
        has_access: r.has_access,
        is_fallback: r.is_fallback,
        access_denied_reason: reason(r.access_denied_reason.as_ref()),
        has_value: r.value.is_some(),
        value: r.value.unwrap_or(0.0),
        is_unlimited: r.is_unlimited,
        details: if details {
            DetailsBuilder::default()
                .reason(r.access_denied_reason.as_ref())
                .feature(r.feature.as_deref())
                .build()
        } else {
            ptr::null_mut()
        },
    }
}

#[inline]
pub(crate) fn metered(r: &MeteredEntitlement, details: bool) -> stigg_metered_result_t {
    let (has_anchor, anchor) = instant(r.usage_period_anchor);
    let (has_start, start) = instant(r.usage_period_start);
    let (has_end, end) = instant(r.usage_period_end);
    stigg_metered_result_t {
        has_access: r.has_access,
        is_fallback: r.is_fallback,
        access_denied_reason: reason(r.access_denied_reason.as_ref()),
        has_usage_limit: r.usage_limit.is_some(),
        usage_limit: r.usage_limit.unwrap_or(0.0),
        is_unlimited: r.is_unlimited,
        has_soft_limit: r.has_soft_limit,
        current_usage: r.current_usage,
        requested_usage: r.requested_usage,
        reset_period: reset_period(r.reset_period.as_ref()),
        has_usage_period_anchor: has_anchor,
        usage_period_anchor_ms: anchor,
        has_usage_period_start: has_start,
        usage_period_start_ms: start,
        has_usage_period_end: has_end,
        usage_period_end_ms: end,
        details: if details {
            DetailsBuilder::default()
                .reason(r.access_denied_reason.as_ref())
                .feature(r.feature.as_deref())
                .reset_period(r.reset_period.as_ref())
                .build()
        } else {
            ptr::null_mut()
        },
    }
}

pub(crate) fn enumeration(r: &EnumEntitlement, details: bool) -> stigg_enum_result_t {
    stigg_enum_result_t {
        has_access: r.has_access,
        is_fallback: r.is_fallback,
        access_denied_reason: reason(r.access_denied_reason.as_ref()),
        enum_values_len: r.enum_values.len(),
        details: if details {
            DetailsBuilder::default()
                .reason(r.access_denied_reason.as_ref())
                .feature(r.feature.as_deref())
                .enum_values(&r.enum_values, r.requested_values.as_deref())
                .build()
        } else {
            ptr::null_mut()
        },
    }
}

pub(crate) fn credit(r: &CreditEntitlement, details: bool) -> stigg_credit_result_t {
    let (has_end, end) = instant(r.usage_period_end);
    stigg_credit_result_t {
        has_access: r.has_access,
        is_fallback: r.is_fallback,
        access_denied_reason: reason(r.access_denied_reason.as_ref()),
        usage_limit: r.usage_limit,
        current_usage: r.current_usage,
        remaining: r.remaining,
        has_usage_period_end: has_end,
        usage_period_end_ms: end,
        has_soft_limit: r.has_soft_limit,
        requested_usage: r.requested_usage,
        details: if details {
            DetailsBuilder::default()
                .reason(r.access_denied_reason.as_ref())
                .currency(&r.currency)
                .build()
        } else {
            ptr::null_mut()
        },
    }
}

/// An all-zero `stigg_entitlement_t` of the given type.
fn empty(kind: stigg_entitlement_type_t) -> stigg_entitlement_t {
    use stigg_access_denied_reason_t::STIGG_REASON_NONE;
    stigg_entitlement_t {
        kind,
        has_access: false,
        is_fallback: false,
        boolean: stigg_boolean_result_t {
            has_access: false,
            is_fallback: false,
            access_denied_reason: STIGG_REASON_NONE,
            details: ptr::null_mut(),
        },
        numeric: stigg_numeric_result_t {
            has_access: false,
            is_fallback: false,
            access_denied_reason: STIGG_REASON_NONE,
            has_value: false,
            value: 0.0,
            is_unlimited: false,
            details: ptr::null_mut(),
        },
        metered: stigg_metered_result_t {
            has_access: false,
            is_fallback: false,
            access_denied_reason: STIGG_REASON_NONE,
            has_usage_limit: false,
            usage_limit: 0.0,
            is_unlimited: false,
            has_soft_limit: false,
            current_usage: 0.0,
            requested_usage: 0.0,
            reset_period: stigg_reset_period_t::STIGG_RESET_NONE,
            has_usage_period_anchor: false,
            usage_period_anchor_ms: 0,
            has_usage_period_start: false,
            usage_period_start_ms: 0,
            has_usage_period_end: false,
            usage_period_end_ms: 0,
            details: ptr::null_mut(),
        },
        enumeration: stigg_enum_result_t {
            has_access: false,
            is_fallback: false,
            access_denied_reason: STIGG_REASON_NONE,
            enum_values_len: 0,
            details: ptr::null_mut(),
        },
        credit: stigg_credit_result_t {
            has_access: false,
            is_fallback: false,
            access_denied_reason: STIGG_REASON_NONE,
            usage_limit: 0.0,
            current_usage: 0.0,
            remaining: 0.0,
            has_usage_period_end: false,
            usage_period_end_ms: 0,
            has_soft_limit: false,
            requested_usage: 0.0,
            details: ptr::null_mut(),
        },
        details: ptr::null_mut(),
    }
}

/// Fills a `stigg_entitlement_t` from a feature result (the member's details move to the top).
pub(crate) fn entitlement(r: &Entitlement, details: bool) -> stigg_entitlement_t {
    use stigg_entitlement_type_t::*;
    let mut e;
    match r {
        Entitlement::Boolean(b) => {
            e = empty(STIGG_ENTITLEMENT_BOOLEAN);
            e.boolean = boolean(b, details);
            e.details = std::mem::replace(&mut e.boolean.details, ptr::null_mut());
        }
        Entitlement::Numeric(n) => {
            e = empty(STIGG_ENTITLEMENT_NUMERIC);
            e.numeric = numeric(n, details);
            e.details = std::mem::replace(&mut e.numeric.details, ptr::null_mut());
        }
        Entitlement::Metered(m) => {
            e = empty(STIGG_ENTITLEMENT_METERED);
            e.metered = metered(m, details);
            e.details = std::mem::replace(&mut e.metered.details, ptr::null_mut());
        }
        Entitlement::Enum(x) => {
            e = empty(STIGG_ENTITLEMENT_ENUM);
            e.enumeration = enumeration(x, details);
            e.details = std::mem::replace(&mut e.enumeration.details, ptr::null_mut());
        }
    }
    e.has_access = r.has_access();
    e.is_fallback = r.is_fallback();
    e
}

/// Fills a `stigg_entitlement_t` from a feature-or-credit result.
pub(crate) fn entitlement_v2(r: &EntitlementV2, details: bool) -> stigg_entitlement_t {
    match r {
        EntitlementV2::Feature(f) => entitlement(f, details),
        EntitlementV2::Credit(c) => {
            let mut e = empty(stigg_entitlement_type_t::STIGG_ENTITLEMENT_CREDIT);
            e.credit = credit(c, details);
            e.details = std::mem::replace(&mut e.credit.details, ptr::null_mut());
            e.has_access = c.has_access;
            e.is_fallback = c.is_fallback;
            e
        }
    }
}

/// Every entitlement of a customer (`getEntitlementsStateV2`). Owned: free with
/// `stigg_entitlement_list_free`; the items and their details live until then.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct stigg_entitlement_list_t {
    /// The entitlements (`len` items, each with its `details` set).
    pub items: *const stigg_entitlement_t,
    /// Number of items.
    pub len: usize,
    /// The customer-level reason.
    pub access_denied_reason: stigg_access_denied_reason_t,
    /// The customer-level reason's wire text, or NULL.
    pub access_denied_reason_text: *const c_char,
}

#[repr(C)]
pub(crate) struct ListBox {
    public: stigg_entitlement_list_t,
    items: Vec<stigg_entitlement_t>,
    reason_text: Option<CString>,
}

pub(crate) fn list(
    state: &stigg_core::model::EntitlementsStateV2,
) -> *mut stigg_entitlement_list_t {
    let items: Vec<stigg_entitlement_t> = state
        .entitlements
        .iter()
        .map(|e| entitlement_v2(e, true))
        .collect();
    let reason_text = state
        .access_denied_reason
        .as_ref()
        .map(|r| to_cstring(r.as_str()));
    let reason_enum = reason(
        state
            .access_denied_reason
            .as_ref()
            .map(|r| r.to_access_denied_reason())
            .as_ref(),
    );
    let mut b = Box::new(ListBox {
        public: stigg_entitlement_list_t {
            items: ptr::null(),
            len: items.len(),
            access_denied_reason: reason_enum,
            access_denied_reason_text: ptr::null(),
        },
        items,
        reason_text,
    });
    b.public.items = b.items.as_ptr();
    b.public.access_denied_reason_text = b.reason_text.as_ref().map_or(ptr::null(), |c| c.as_ptr());
    Box::into_raw(b).cast::<stigg_entitlement_list_t>()
}

/// Frees a list returned by `stigg_client_get_entitlements_state_v2`, with every item's details.
/// NULL is ignored.
///
/// \param list the list (owned; consumed).
#[no_mangle]
pub unsafe extern "C" fn stigg_entitlement_list_free(list: *mut stigg_entitlement_list_t) {
    crate::error::guard_void(|| {
        if list.is_null() {
            return;
        }
        // SAFETY: lists come from `list()` (a `ListBox` starting with the public struct), freed once.
        let b = unsafe { Box::from_raw(list.cast::<ListBox>()) };
        for item in &b.items {
            free_details(item.details);
        }
    })
}
