//! Entitlement checks: C strings in, plain structs out.
//!
//! Each check answers from the cache when it can (no allocation, no JSON); otherwise it fetches the
//! customer's state, blocking the calling thread (never call a check from a listener). Checks never
//! fail on Stigg's side: an unavailable state gives the fallback, marked `is_fallback`. They return an
//! error only for misuse (NULL or non-UTF-8 arguments, a call from inside the client's runtime).

use std::ffi::c_char;

use stigg_core::client::{
    GetBooleanEntitlement, GetCreditEntitlement, GetEntitlement, GetEntitlementV2,
    GetEnumEntitlement, GetMeteredEntitlement, GetNumericEntitlement,
};
use stigg_core::eval::EntitlementOptions;
use stigg_core::model::{CreditEntitlementFallback, EntitlementFallback};

use crate::client::{client_ref, out_ptr, stigg_client_t};
use crate::error::{arg_str, guard, opt_str, stigg_error_t, str_array, FfiResult};
use crate::results::{self, *};

/// A per-call fallback (`options.fallback`): what the check returns when it cannot decide on real
/// data. One shape for every type; each check reads the fields of its type. A field counts only when
/// its `has_*` flag is set.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct stigg_fallback_t {
    /// Whether the fallback grants access.
    pub has_access: bool,
    /// NUMERIC: `value` is set.
    pub has_value: bool,
    /// NUMERIC: the value.
    pub value: f64,
    /// NUMERIC/METERED: `is_unlimited` is set.
    pub has_is_unlimited: bool,
    /// NUMERIC/METERED: unlimited.
    pub is_unlimited: bool,
    /// METERED/CREDIT: `usage_limit` is set.
    pub has_usage_limit: bool,
    /// METERED/CREDIT: the usage limit.
    pub usage_limit: f64,
    /// CREDIT: `current_usage` is set.
    pub has_current_usage: bool,
    /// CREDIT: credits consumed.
    pub current_usage: f64,
    /// ENUM: `enum_values` is set.
    pub has_enum_values: bool,
    /// ENUM: allowed values (`enum_values_len` C strings, borrowed for the call).
    pub enum_values: *const *const c_char,
    /// Number of `enum_values`.
    pub enum_values_len: usize,
}

/// Options of a check. Pass NULL for none; zero-initialize and set what you need.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct stigg_check_options_t {
    /// The resource (customer+resource entitlements), or NULL.
    pub resource_id: *const c_char,
    /// METERED/CREDIT (and generic checks): `requested_usage` is set.
    pub has_requested_usage: bool,
    /// The usage to check for (`options.requestedUsage`).
    pub requested_usage: f64,
    /// ENUM (and generic checks): `requested_values` is set.
    pub has_requested_values: bool,
    /// The values to check for (`requested_values_len` C strings, borrowed for the call).
    pub requested_values: *const *const c_char,
    /// Number of `requested_values`.
    pub requested_values_len: usize,
    /// A per-call fallback, or NULL.
    pub fallback: *const stigg_fallback_t,
    /// Fill the result's `details` (strings; allocates; free with `stigg_details_free`).
    pub include_details: bool,
}

struct Opts<'a> {
    resource_id: Option<&'a str>,
    requested_usage: Option<f64>,
    requested_values: Option<Vec<String>>,
    fallback: Option<EntitlementFallback>,
    credit_fallback: Option<CreditEntitlementFallback>,
    details: bool,
}

/// Reads the options.
///
/// # Safety
/// `o` is NULL or a valid options struct whose pointers follow the documented contract.
unsafe fn opts<'a>(o: *const stigg_check_options_t) -> FfiResult<Opts<'a>> {
    // SAFETY: forwarded contract.
    let Some(o) = (unsafe { o.as_ref() }) else {
        return Ok(Opts {
            resource_id: None,
            requested_usage: None,
            requested_values: None,
            fallback: None,
            credit_fallback: None,
            details: false,
        });
    };
    // SAFETY: forwarded contract.
    let resource_id = unsafe { opt_str(o.resource_id, "options.resource_id") }?;
    let requested_values = if o.has_requested_values {
        // SAFETY: forwarded contract.
        Some(unsafe {
            str_array(
                o.requested_values,
                o.requested_values_len,
                "options.requested_values",
            )
        }?)
    } else {
        None
    };
    // SAFETY: forwarded contract.
    let (fallback, credit_fallback) = match unsafe { o.fallback.as_ref() } {
        None => (None, None),
        Some(f) => {
            let enum_values = if f.has_enum_values {
                // SAFETY: forwarded contract.
                Some(unsafe {
                    str_array(
                        f.enum_values,
                        f.enum_values_len,
                        "options.fallback.enum_values",
                    )
                }?)
            } else {
                None
            };
            (
                Some(EntitlementFallback {
                    has_access: f.has_access,
                    value: f.has_value.then_some(f.value),
                    is_unlimited: f.has_is_unlimited.then_some(f.is_unlimited),
                    usage_limit: f.has_usage_limit.then_some(f.usage_limit),
                    enum_values,
                }),
                Some(CreditEntitlementFallback {
                    has_access: f.has_access,
                    usage_limit: f.has_usage_limit.then_some(f.usage_limit),
                    current_usage: f.has_current_usage.then_some(f.current_usage),
                }),
            )
        }
    };
    Ok(Opts {
        resource_id,
        requested_usage: o.has_requested_usage.then_some(o.requested_usage),
        requested_values,
        fallback,
        credit_fallback,
        details: o.include_details,
    })
}

/// Borrows the common arguments of a check.
///
/// # Safety
/// Documented contract of the check functions.
unsafe fn common<'a, T>(
    client: *const stigg_client_t,
    customer_id: *const c_char,
    out: *mut T,
) -> FfiResult<(&'a stigg_client_t, &'a str)> {
    out_ptr(out, "out")?;
    // SAFETY: forwarded contract.
    unsafe { Ok((client_ref(client)?, arg_str(customer_id, "customer_id")?)) }
}

/// `getBooleanEntitlement`.
///
/// \param client the client (borrowed).
/// \param customer_id the customer (borrowed).
/// \param feature_id the feature (borrowed).
/// \param options NULL, or options (borrowed for the call).
/// \param out receives the result; its `details` (if requested) is owned by the caller.
/// \return NULL on success, else an owned error (misuse only; see the file comment).
#[no_mangle]
pub unsafe extern "C" fn stigg_client_get_boolean(
    client: *const stigg_client_t,
    customer_id: *const c_char,
    feature_id: *const c_char,
    options: *const stigg_check_options_t,
    out: *mut stigg_boolean_result_t,
) -> *mut stigg_error_t {
    guard(|| {
        // SAFETY: documented contract for every pointer.
        let ((c, customer), feature, o) = unsafe {
            (
                common(client, customer_id, out)?,
                arg_str(feature_id, "feature_id")?,
                opts(options)?,
            )
        };
        let p = GetBooleanEntitlement {
            customer_id: customer,
            feature_id: feature,
            resource_id: o.resource_id,
            fallback: o.fallback.as_ref(),
        };
        let r = match c.stigg.get_boolean_entitlement_cached(&p) {
            Some(r) => r,
            None => c.stigg.block_on(c.stigg.get_boolean_entitlement(&p))?,
        };
        // SAFETY: `out` checked non-NULL.
        unsafe { *out = results::boolean(&r, o.details) };
        Ok(())
    })
}

/// `getNumericEntitlement`. Parameters as `stigg_client_get_boolean`.
#[no_mangle]
pub unsafe extern "C" fn stigg_client_get_numeric(
    client: *const stigg_client_t,
    customer_id: *const c_char,
    feature_id: *const c_char,
    options: *const stigg_check_options_t,
    out: *mut stigg_numeric_result_t,
) -> *mut stigg_error_t {
    guard(|| {
        // SAFETY: documented contract for every pointer.
        let ((c, customer), feature, o) = unsafe {
            (
                common(client, customer_id, out)?,
                arg_str(feature_id, "feature_id")?,
                opts(options)?,
            )
        };
        let p = GetNumericEntitlement {
            customer_id: customer,
            feature_id: feature,
            resource_id: o.resource_id,
            fallback: o.fallback.as_ref(),
        };
        let r = match c.stigg.get_numeric_entitlement_cached(&p) {
            Some(r) => r,
            None => c.stigg.block_on(c.stigg.get_numeric_entitlement(&p))?,
        };
        // SAFETY: `out` checked non-NULL.
        unsafe { *out = results::numeric(&r, o.details) };
        Ok(())
    })
}

/// `getMeteredEntitlement` (`options.requested_usage`: the usage to check for). Parameters as
/// `stigg_client_get_boolean`.
#[no_mangle]
pub unsafe extern "C" fn stigg_client_get_metered(
    client: *const stigg_client_t,
    customer_id: *const c_char,
    feature_id: *const c_char,
    options: *const stigg_check_options_t,
    out: *mut stigg_metered_result_t,
) -> *mut stigg_error_t {
    guard(|| {
        // SAFETY: documented contract for every pointer.
        let ((c, customer), feature, o) = unsafe {
            (
                common(client, customer_id, out)?,
                arg_str(feature_id, "feature_id")?,
                opts(options)?,
            )
        };
        let p = GetMeteredEntitlement {
            customer_id: customer,
            feature_id: feature,
            resource_id: o.resource_id,
            requested_usage: o.requested_usage,
            fallback: o.fallback.as_ref(),
        };
        let r = match c.stigg.get_metered_entitlement_cached(&p) {
            Some(r) => r,
            None => c.stigg.block_on(c.stigg.get_metered_entitlement(&p))?,
        };
        // SAFETY: `out` checked non-NULL.
        unsafe { *out = results::metered(&r, o.details) };
        Ok(())
    })
}

/// `getEnumEntitlement` (`options.requested_values`: the values to check for). Parameters as
/// `stigg_client_get_boolean`.
#[no_mangle]
pub unsafe extern "C" fn stigg_client_get_enum(
    client: *const stigg_client_t,
    customer_id: *const c_char,
    feature_id: *const c_char,
    options: *const stigg_check_options_t,
    out: *mut stigg_enum_result_t,
) -> *mut stigg_error_t {
    guard(|| {
        // SAFETY: documented contract for every pointer.
        let ((c, customer), feature, o) = unsafe {
            (
                common(client, customer_id, out)?,
                arg_str(feature_id, "feature_id")?,
                opts(options)?,
            )
        };
        let p = GetEnumEntitlement {
            customer_id: customer,
            feature_id: feature,
            resource_id: o.resource_id,
            requested_values: o.requested_values.clone(),
            fallback: o.fallback.as_ref(),
        };
        let r = match c.stigg.get_enum_entitlement_cached(&p) {
            Some(r) => r,
            None => c.stigg.block_on(c.stigg.get_enum_entitlement(&p))?,
        };
        // SAFETY: `out` checked non-NULL.
        unsafe { *out = results::enumeration(&r, o.details) };
        Ok(())
    })
}

/// `getCreditEntitlement` (`options.requested_usage`: credits to check for; only the per-call
/// fallback applies, as in the official SDK).
///
/// \param currency_id the wallet's currency (borrowed). Other parameters as `stigg_client_get_boolean`.
#[no_mangle]
pub unsafe extern "C" fn stigg_client_get_credit(
    client: *const stigg_client_t,
    customer_id: *const c_char,
    currency_id: *const c_char,
    options: *const stigg_check_options_t,
    out: *mut stigg_credit_result_t,
) -> *mut stigg_error_t {
    guard(|| {
        // SAFETY: documented contract for every pointer.
        let ((c, customer), currency, o) = unsafe {
            (
                common(client, customer_id, out)?,
                arg_str(currency_id, "currency_id")?,
                opts(options)?,
            )
        };
        let p = GetCreditEntitlement {
            customer_id: customer,
            currency_id: currency,
            resource_id: o.resource_id,
            requested_usage: o.requested_usage,
            fallback: o.credit_fallback.as_ref(),
        };
        let r = match c.stigg.get_credit_entitlement_cached(&p) {
            Some(r) => r,
            None => c.stigg.block_on(c.stigg.get_credit_entitlement(&p))?,
        };
        // SAFETY: `out` checked non-NULL.
        unsafe { *out = results::credit(&r, o.details) };
        Ok(())
    })
}

/// `getEntitlement` (deprecated generic getter): the result's type follows the options' shape.
/// Parameters as `stigg_client_get_boolean`; `out->details` is owned by the caller.
#[no_mangle]
pub unsafe extern "C" fn stigg_client_get_entitlement(
    client: *const stigg_client_t,
    customer_id: *const c_char,
    feature_id: *const c_char,
    options: *const stigg_check_options_t,
    out: *mut stigg_entitlement_t,
) -> *mut stigg_error_t {
    guard(|| {
        // SAFETY: documented contract for every pointer.
        let ((c, customer), feature, o) = unsafe {
            (
                common(client, customer_id, out)?,
                arg_str(feature_id, "feature_id")?,
                opts(options)?,
            )
        };
        let p = GetEntitlement {
            customer_id: customer,
            feature_id: feature,
            resource_id: o.resource_id,
            options: EntitlementOptions {
                requested_usage: o.requested_usage,
                requested_values: o.requested_values,
                fallback: o.fallback,
                credit_fallback: None,
            },
        };
        let r = c.stigg.block_on(c.stigg.get_entitlement(&p))?;
        // SAFETY: `out` checked non-NULL.
        unsafe { *out = results::entitlement(&r, o.details) };
        Ok(())
    })
}

/// `getEntitlementV2`: a feature (`feature_id`) or a credit wallet (`currency_id`); exactly one of
/// them (both or neither gives the fallback, as in the official SDK). The per-call fallback applies
/// as a feature fallback or a credit fallback, by target.
///
/// \param feature_id the feature, or NULL. \param currency_id the currency, or NULL.
/// Other parameters as `stigg_client_get_boolean`.
#[no_mangle]
pub unsafe extern "C" fn stigg_client_get_entitlement_v2(
    client: *const stigg_client_t,
    customer_id: *const c_char,
    feature_id: *const c_char,
    currency_id: *const c_char,
    options: *const stigg_check_options_t,
    out: *mut stigg_entitlement_t,
) -> *mut stigg_error_t {
    guard(|| {
        // SAFETY: documented contract for every pointer.
        let ((c, customer), feature, currency, o) = unsafe {
            (
                common(client, customer_id, out)?,
                opt_str(feature_id, "feature_id")?,
                opt_str(currency_id, "currency_id")?,
                opts(options)?,
            )
        };
        let is_credit = matches!(
            stigg_core::eval::EntitlementTarget::from_ids(feature, currency),
            stigg_core::eval::EntitlementTarget::Credit(_)
        );
        let p = GetEntitlementV2 {
            customer_id: customer,
            resource_id: o.resource_id,
            feature_id: feature,
            currency_id: currency,
            options: EntitlementOptions {
                requested_usage: o.requested_usage,
                requested_values: o.requested_values,
                fallback: if is_credit { None } else { o.fallback },
                credit_fallback: if is_credit { o.credit_fallback } else { None },
            },
        };
        let r = match c.stigg.get_entitlement_v2_cached(&p) {
            Some(r) => r,
            None => c.stigg.block_on(c.stigg.get_entitlement_v2(&p))?,
        };
        // SAFETY: `out` checked non-NULL.
        unsafe { *out = results::entitlement_v2(&r, o.details) };
        Ok(())
    })
}

/// `getEntitlementsStateV2`: every entitlement of the customer (offline or on failure, the list built
/// from the configured fallbacks).
///
/// \param client the client (borrowed). \param customer_id the customer (borrowed).
/// \param resource_id the resource, or NULL.
/// \param out receives the list (owned; free with `stigg_entitlement_list_free`).
/// \return NULL on success, else an owned error (misuse only).
#[no_mangle]
pub unsafe extern "C" fn stigg_client_get_entitlements_state_v2(
    client: *const stigg_client_t,
    customer_id: *const c_char,
    resource_id: *const c_char,
    out: *mut *mut stigg_entitlement_list_t,
) -> *mut stigg_error_t {
    guard(|| {
        // SAFETY: documented contract for every pointer.
        let ((c, customer), resource) = unsafe {
            (
                common(client, customer_id, out)?,
                opt_str(resource_id, "resource_id")?,
            )
        };
        let r = c
            .stigg
            .block_on(c.stigg.get_entitlements_state_v2(customer, resource))?;
        // SAFETY: `out` checked non-NULL.
        unsafe { *out = results::list(&r) };
        Ok(())
    })
}

/// `reloadEntitlements`: refetches the customer's state (GraphQL).
///
/// \param out_exists receives `entitledEntityExists` (may be NULL).
/// Other parameters as `stigg_client_get_entitlements_state_v2`.
#[no_mangle]
pub unsafe extern "C" fn stigg_client_reload_entitlements(
    client: *const stigg_client_t,
    customer_id: *const c_char,
    resource_id: *const c_char,
    out_exists: *mut bool,
) -> *mut stigg_error_t {
    guard(|| {
        // SAFETY: documented contract for every pointer.
        let (c, customer, resource) = unsafe {
            (
                client_ref(client)?,
                arg_str(customer_id, "customer_id")?,
                opt_str(resource_id, "resource_id")?,
            )
        };
        let r = c
            .stigg
            .block_on(c.stigg.reload_entitlements(customer, resource))?;
        if !out_exists.is_null() {
            // SAFETY: non-NULL out pointer from the caller.
            unsafe { *out_exists = r.entitled_entity_exists };
        }
        Ok(())
    })
}
