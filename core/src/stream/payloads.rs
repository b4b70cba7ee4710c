//! Typed payloads of the stream events (spec §1.5 subscriptions), and the parsing of a `next` message's
//! execution result into a [`StreamEvent`].
//!
//! Lenient like [`crate::model::wire`]: unknown fields are ignored, unknown enum values are kept, an
//! unreadable entitlement inside a list is skipped (logged) rather than losing the whole event. A payload
//! missing a required field is an error; the connection logs it and skips the event.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::documents::{Operation, OperationKind};
use super::StreamEvent;
use crate::model::time::{epoch_opt, iso_opt, Millis};
use crate::model::wire::{EntitlementUnion, LegacyEntitlement};
use crate::model::{EntitlementType, EntitlementsStateAccessDeniedReason, PublishMigrationType};

/// Why a `next` payload could not become an event.
#[derive(Debug, thiserror::Error)]
pub enum PayloadError {
    /// The execution result has no `data.<field>` object (for example only `errors`).
    #[error("no `data.{field}` in the payload{errors}")]
    NoData {
        /// The expected root field.
        field: &'static str,
        /// The GraphQL error messages, formatted (`: a; b`), or empty.
        errors: String,
    },
    /// `data.<field>` does not have the expected shape.
    #[error("unreadable `{field}` payload: {source}")]
    Invalid {
        /// The root field.
        field: &'static str,
        /// The serde error.
        #[source]
        source: serde_json::Error,
    },
}

/// Deserializes a list, skipping members that do not parse (one odd entitlement must not hide the others).
fn lenient_list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: for<'a> Deserialize<'a>,
{
    let raw: Option<Vec<Value>> = Option::deserialize(d)?;
    Ok(raw
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| match T::deserialize(v) {
            Ok(t) => Some(t),
            Err(err) => {
                tracing::warn!(error = %err, "stream: skipping an entitlement the SDK cannot read");
                None
            }
        })
        .collect())
}

/// `entitlementsUpdatedV2`: the whole new entitlement state of a customer (or customer resource).
/// An empty list without a reason means "forget this customer" (spec §5.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntitlementsUpdatedV2 {
    /// The customer.
    pub customer_id: String,
    /// The resource, when the state is resource-scoped.
    #[serde(default)]
    pub resource_id: Option<String>,
    /// Customer-level reason (customer missing, archived, no active subscription).
    #[serde(default)]
    pub access_denied_reason: Option<EntitlementsStateAccessDeniedReason>,
    /// Feature and credit entitlements.
    #[serde(default, deserialize_with = "lenient_list")]
    pub entitlements: Vec<EntitlementUnion>,
}

/// `EntitlementReference { id type }`: which entitlement a usage update is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntitlementReference {
    /// Feature ref id (FEATURE) or currency id (CREDIT).
    pub id: String,
    /// `FEATURE` or `CREDIT`.
    #[serde(rename = "type")]
    pub entitlement_type: EntitlementType,
}

/// `UsageV2 { currentUsage usageUpdatedAt usagePeriodStart usagePeriodEnd }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageV2 {
    /// The server's current usage.
    pub current_usage: f64,
    /// When the usage changed (`DateTime!`); guards out-of-order updates (spec §5.1).
    #[serde(default, with = "iso_opt")]
    pub usage_updated_at: Option<Millis>,
    /// Start of the current usage period.
    #[serde(default, with = "iso_opt")]
    pub usage_period_start: Option<Millis>,
    /// End of the current usage period.
    #[serde(default, with = "iso_opt")]
    pub usage_period_end: Option<Millis>,
}

/// `usageUpdatedV2`: new usage of one entitlement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageUpdatedV2 {
    /// The customer.
    pub customer_id: String,
    /// The resource, when resource-scoped.
    #[serde(default)]
    pub resource_id: Option<String>,
    /// Which entitlement.
    pub entitlement_reference: EntitlementReference,
    /// The new usage.
    pub usage: UsageV2,
}

/// `packagePublished`: a plan or add-on was published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackagePublished {
    /// Account id.
    pub account_id: String,
    /// Environment id.
    pub environment_id: String,
    /// The kind of package, a plain `String!` on the wire (the emulator sends `plan` / `addon`; the real
    /// server's spelling is unverified, so it is kept verbatim).
    pub package_type: String,
    /// The package's ref id.
    pub package_ref_id: String,
    /// The new version (`Float!` on the wire).
    pub package_version: f64,
    /// `ALL_CUSTOMERS` (clear the whole cache) or `NEW_CUSTOMERS`.
    pub migration_type: PublishMigrationType,
}

/// Legacy `entitlementsUpdated` (3.x subscriptions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntitlementsUpdated {
    /// The customer.
    pub customer_id: String,
    /// The resource, when resource-scoped.
    #[serde(default)]
    pub resource_id: Option<String>,
    /// Customer-level reason.
    #[serde(default)]
    pub access_denied_reason: Option<EntitlementsStateAccessDeniedReason>,
    /// Legacy feature entitlements.
    #[serde(default, deserialize_with = "lenient_list")]
    pub entitlements: Vec<LegacyEntitlement>,
}

/// Legacy `UsageMeasurementUpdated` (periods are epoch-ms floats on the wire).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageMeasurementUpdated {
    /// The customer.
    pub customer_id: String,
    /// The resource, when resource-scoped.
    #[serde(default)]
    pub resource_id: Option<String>,
    /// The feature.
    pub feature_id: String,
    /// The server's current usage.
    pub current_usage: f64,
    /// Period start, epoch ms.
    #[serde(default, with = "epoch_opt")]
    pub usage_period_start: Option<Millis>,
    /// Period end, epoch ms.
    #[serde(default, with = "epoch_opt")]
    pub usage_period_end: Option<Millis>,
    /// Deprecated alias of the period end, epoch ms.
    #[serde(default, with = "epoch_opt")]
    pub next_reset_date: Option<Millis>,
}

/// Legacy `usageUpdated { usage entitlement }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageUpdated {
    /// The usage measurement.
    pub usage: UsageMeasurementUpdated,
    /// The entitlement after the update.
    pub entitlement: LegacyEntitlement,
}

/// Units of a legacy credit balance currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreditBalanceCurrencyUnits {
    /// Singular unit name.
    #[serde(default)]
    pub singular: Option<String>,
    /// Plural unit name.
    #[serde(default)]
    pub plural: Option<String>,
}

/// Currency of a legacy credit balance update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditBalanceCurrency {
    /// Currency id.
    pub currency_id: String,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Symbol.
    #[serde(default)]
    pub symbol: Option<String>,
    /// Unit names.
    #[serde(default)]
    pub units: Option<CreditBalanceCurrencyUnits>,
}

/// Legacy `creditBalanceUpdated` (3.x subscriptions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditBalanceUpdated {
    /// Currency details.
    #[serde(default)]
    pub currency: Option<CreditBalanceCurrency>,
    /// Currency id.
    pub currency_id: String,
    /// Current balance.
    pub current_balance: f64,
    /// The customer.
    pub customer_id: String,
    /// Balance expiry.
    #[serde(default, with = "iso_opt")]
    pub valid_until: Option<Millis>,
    /// The resource, when resource-scoped.
    #[serde(default)]
    pub resource_id: Option<String>,
    /// Total consumed.
    pub total_consumed: f64,
    /// Total granted.
    pub total_granted: f64,
}

/// Turns the execution result of a `next` message (`{"data": {<field>: {...}}, "errors"?: [...]}`) of
/// `op` into an event.
pub fn parse_next(op: &Operation, payload: &Value) -> Result<StreamEvent, PayloadError> {
    let field = op.field;
    let data = payload
        .get("data")
        .and_then(|d| d.get(field))
        .filter(|v| v.is_object())
        .ok_or_else(|| {
            let errors = payload
                .get("errors")
                .map(super::protocol::error_messages)
                .unwrap_or_default();
            PayloadError::NoData {
                field,
                errors: if errors.is_empty() {
                    String::new()
                } else {
                    format!(": {}", errors.join("; "))
                },
            }
        })?;
    fn de<T: for<'a> Deserialize<'a>>(field: &'static str, v: &Value) -> Result<T, PayloadError> {
        T::deserialize(v).map_err(|source| PayloadError::Invalid { field, source })
    }
    Ok(match op.kind {
        OperationKind::EntitlementsUpdatedV2 => StreamEvent::EntitlementsUpdated(de(field, data)?),
        OperationKind::UsageUpdatedV2 => StreamEvent::UsageUpdated(de(field, data)?),
        OperationKind::PackagePublished => StreamEvent::PackagePublished(de(field, data)?),
        OperationKind::EntitlementsUpdated => {
            StreamEvent::LegacyEntitlementsUpdated(de(field, data)?)
        }
        OperationKind::UsageUpdated => StreamEvent::LegacyUsageUpdated(Box::new(de(field, data)?)),
        OperationKind::CreditBalanceUpdated => StreamEvent::CreditBalanceUpdated(de(field, data)?),
    })
}

#[cfg(test)]
mod tests {
    use super::super::documents::*;
    use super::*;
    use serde_json::json;

    fn ok(op: &Operation, v: Value) -> StreamEvent {
        match parse_next(op, &v) {
            Ok(e) => e,
            Err(e) => panic!("{}: {e}", op.name),
        }
    }

    #[test]
    fn entitlements_updated_v2_parses_both_members_and_skips_bad_ones() {
        let ev = ok(
            &ON_ENTITLEMENTS_UPDATED_V2,
            json!({"data":{"entitlementsUpdatedV2":{
            "__typename":"EntitlementsUpdatedV2","customerId":"c1","resourceId":null,
            "accessDeniedReason":null,
            "entitlements":[
              {"__typename":"FeatureEntitlement","isGranted":true,"accessDeniedReason":null,"usageLimit":5,
               "hasUnlimitedUsage":false,"hasSoftLimit":false,"currentUsage":1,"enumValues":null,
               "usagePeriodEnd":"2024-02-01T00:00:00.000Z","resetPeriod":"MONTH",
               "resetPeriodConfiguration":{"__typename":"MonthlyResetPeriodConfig","monthlyAccordingTo":"SubscriptionStart"},
               "feature":{"__typename":"EntitlementFeature","refId":"f1","featureType":"NUMBER","meterType":"Incremental",
                          "displayName":"F1","unitTransformation":null},
               "creditRate":null,"validUntil":null},
              {"__typename":"CreditEntitlement","isGranted":true,"currency":{"currencyId":"cr","displayName":"Credits"},
               "usageLimit":100,"currentUsage":2,"hasSoftLimit":false},
              {"__typename":"Mystery"},
              {"__typename":"FeatureEntitlement","isGranted":"yes"}
            ]}}}),
        );
        let StreamEvent::EntitlementsUpdated(p) = ev else {
            panic!("wrong event {ev:?}")
        };
        assert_eq!(p.customer_id, "c1");
        assert_eq!(p.resource_id, None);
        assert_eq!(p.entitlements.len(), 2);
        match &p.entitlements[0] {
            EntitlementUnion::FeatureEntitlement(f) => {
                assert_eq!(f.usage_period_end, Some(1_706_745_600_000));
                assert_eq!(f.feature.as_ref().map(|x| x.ref_id.as_str()), Some("f1"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            &p.entitlements[1],
            EntitlementUnion::CreditEntitlement(_)
        ));
    }

    #[test]
    fn entitlements_updated_v2_with_reason_and_empty_list() {
        let ev = ok(
            &ON_ENTITLEMENTS_UPDATED_V2,
            json!({"data":{"entitlementsUpdatedV2":{"customerId":"c1","resourceId":"r1",
                "accessDeniedReason":"CustomerIsArchived","entitlements":[]}}}),
        );
        assert_eq!(
            ev,
            StreamEvent::EntitlementsUpdated(EntitlementsUpdatedV2 {
                customer_id: "c1".into(),
                resource_id: Some("r1".into()),
                access_denied_reason: Some(EntitlementsStateAccessDeniedReason::CustomerIsArchived),
                entitlements: vec![],
            })
        );
    }

    #[test]
    fn usage_updated_v2_parses_reference_and_iso_dates() {
        let ev = ok(
            &ON_USAGE_UPDATED_V2,
            json!({"data":{"usageUpdatedV2":{"__typename":"UsageUpdatedV2","customerId":"c1","resourceId":null,
              "entitlementReference":{"__typename":"EntitlementReference","id":"f1","type":"FEATURE"},
              "usage":{"__typename":"UsageV2","currentUsage":7.5,"usageUpdatedAt":"2024-02-29T12:00:00.000Z",
                       "usagePeriodStart":null,"usagePeriodEnd":"2024-03-01T00:00:00Z"}}}}),
        );
        assert_eq!(
            ev,
            StreamEvent::UsageUpdated(UsageUpdatedV2 {
                customer_id: "c1".into(),
                resource_id: None,
                entitlement_reference: EntitlementReference {
                    id: "f1".into(),
                    entitlement_type: EntitlementType::Feature
                },
                usage: UsageV2 {
                    current_usage: 7.5,
                    usage_updated_at: Some(1_709_208_000_000),
                    usage_period_start: None,
                    usage_period_end: Some(1_709_251_200_000),
                },
            })
        );
    }

    #[test]
    fn package_published_parses() {
        let ev = ok(
            &ON_PACKAGE_PUBLISHED,
            json!({"data":{"packagePublished":{"accountId":"a","environmentId":"e","packageType":"PLAN",
              "packageRefId":"plan-pro","packageVersion":3,"migrationType":"ALL_CUSTOMERS"}}}),
        );
        let StreamEvent::PackagePublished(p) = ev else {
            panic!("{ev:?}")
        };
        assert_eq!(p.package_version, 3.0);
        assert_eq!(p.migration_type, PublishMigrationType::AllCustomers);
    }

    #[test]
    fn legacy_payloads_parse() {
        let ent = json!({"__typename":"Entitlement","isGranted":true,"hasUnlimitedUsage":false,
            "feature":{"refId":"f1","featureType":"NUMBER"},"validUntil":1709208000000.0});
        let ev = ok(
            &ON_USAGE_UPDATED,
            json!({"data":{"usageUpdated":{"usage":{"customerId":"c","featureId":"f1","currentUsage":2,
                "usagePeriodStart":1709208000000.0,"usagePeriodEnd":null,"nextResetDate":null},
                "entitlement":ent.clone()}}}),
        );
        let StreamEvent::LegacyUsageUpdated(u) = ev else {
            panic!("{ev:?}")
        };
        assert_eq!(u.usage.usage_period_start, Some(1_709_208_000_000));
        assert_eq!(u.entitlement.valid_until, Some(1_709_208_000_000));
        let ev = ok(
            &ON_ENTITLEMENTS_UPDATED,
            json!({"data":{"entitlementsUpdated":{"customerId":"c","entitlements":[ent]}}}),
        );
        assert!(
            matches!(ev, StreamEvent::LegacyEntitlementsUpdated(ref p) if p.entitlements.len() == 1)
        );
        let ev = ok(
            &ON_CREDIT_BALANCE_UPDATED,
            json!({"data":{"creditBalanceUpdated":{"currency":null,"currencyId":"cr","currentBalance":5,
              "customerId":"c","validUntil":null,"resourceId":null,"totalConsumed":1,"totalGranted":6}}}),
        );
        assert!(matches!(ev, StreamEvent::CreditBalanceUpdated(ref p) if p.current_balance == 5.0));
    }

    #[test]
    fn malformed_payloads_are_errors_not_panics() {
        let cases = [
            json!(null),
            json!({"data":null,"errors":[{"message":"boom"}]}),
            json!({"data":{"entitlementsUpdatedV2":null}}),
            json!({"data":{"entitlementsUpdatedV2":{"entitlements":[]}}}),
            json!({"data":{"entitlementsUpdatedV2":{"customerId":5}}}),
            json!({"data":{"entitlementsUpdatedV2":{"customerId":"c","entitlements":{}}}}),
        ];
        for c in cases {
            assert!(parse_next(&ON_ENTITLEMENTS_UPDATED_V2, &c).is_err(), "{c}");
        }
        let err = parse_next(
            &ON_USAGE_UPDATED_V2,
            &json!({"errors":[{"message":"boom"}]}),
        );
        assert!(matches!(err, Err(PayloadError::NoData { ref errors, .. }) if errors == ": boom"));
        assert!(parse_next(
            &ON_USAGE_UPDATED_V2,
            &json!({"data":{"usageUpdatedV2":{"customerId":"c","entitlementReference":{"id":"f"},"usage":{"currentUsage":1}}}})
        )
        .is_err());
    }
}
