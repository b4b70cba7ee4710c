//! Our own texts of Stigg's subscription operations (spec §1.5, fragments of §3).
//!
//! Operation and fragment names follow the official clients (`OnEntitlementsUpdatedV2`,
//! `EntitlementsUpdatedV2Payload`, ...); every object level selects `__typename`, as the official
//! documents do. The subscriptions take no variables: the server scopes them by API key.
//!
//! One deliberate difference: the union members (`EntitlementUnion`, `ResetPeriodConfiguration`) are
//! selected with inline fragments in place, not through a named fragment whose type condition is the
//! union (`EntitlementUnionFragment on EntitlementUnion`). Both are valid GraphQL and select the same
//! fields; the inline form also works on servers whose executors mishandle union-typed named fragments
//! (the emulator's, as of this writing, returns empty objects for them).

/// Which event an operation delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationKind {
    /// `entitlementsUpdatedV2`.
    EntitlementsUpdatedV2,
    /// `usageUpdatedV2`.
    UsageUpdatedV2,
    /// `packagePublished`.
    PackagePublished,
    /// Legacy `entitlementsUpdated`.
    EntitlementsUpdated,
    /// Legacy `usageUpdated`.
    UsageUpdated,
    /// Legacy `creditBalanceUpdated`.
    CreditBalanceUpdated,
}

/// One subscription operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The operation name (`operationName`).
    pub name: &'static str,
    /// The root field whose value is the event payload.
    pub field: &'static str,
    /// The document text.
    pub query: &'static str,
    /// The event it delivers.
    pub kind: OperationKind,
}

macro_rules! doc {
    ($($part:expr),+ $(,)?) => { concat!($($part, "\n"),+) };
}

macro_rules! feature_fragment {
    () => {
        "fragment FeatureFragment on EntitlementFeature { __typename featureType meterType featureUnits featureUnitsPlural description displayName refId unitTransformation { __typename divide round } }"
    };
}

macro_rules! entitlement_union_fragments {
    () => {
        doc!(
            "fragment FeatureEntitlementFragment on FeatureEntitlement { __typename isGranted accessDeniedReason usageLimit hasUnlimitedUsage hasSoftLimit currentUsage enumValues entitlementUpdatedAt usageUpdatedAt usagePeriodAnchor usagePeriodStart usagePeriodEnd resetPeriod resetPeriodConfiguration { __typename ... on YearlyResetPeriodConfig { __typename yearlyAccordingTo } ... on MonthlyResetPeriodConfig { __typename monthlyAccordingTo } ... on WeeklyResetPeriodConfig { __typename weeklyAccordingTo } } feature { __typename ...FeatureFragment } creditRate { __typename amount currencyId } validUntil }",
            "fragment CreditEntitlementFragment on CreditEntitlement { __typename isGranted accessDeniedReason currency { __typename currencyId displayName description unitSingular unitPlural additionalMetaData } usageLimit currentUsage hasSoftLimit usageUpdatedAt entitlementUpdatedAt usagePeriodEnd validUntil }",
            feature_fragment!(),
        )
    };
}

macro_rules! legacy_entitlement_fragment {
    () => {
        doc!(
            "fragment EntitlementFragment on Entitlement { __typename isGranted accessDeniedReason customerId resourceId usageLimit hasUnlimitedUsage hasSoftLimit currentUsage requestedUsage requestedValues enumValues entitlementUpdatedAt usageUpdatedAt usagePeriodAnchor usagePeriodStart usagePeriodEnd nextResetDate resetPeriod resetPeriodConfiguration { __typename ... on YearlyResetPeriodConfig { __typename yearlyAccordingTo } ... on MonthlyResetPeriodConfig { __typename monthlyAccordingTo } ... on WeeklyResetPeriodConfig { __typename weeklyAccordingTo } } feature { __typename ...FeatureFragment } creditRate { __typename amount currencyId } validUntil }",
            feature_fragment!(),
        )
    };
}

/// `OnEntitlementsUpdatedV2`.
pub const ON_ENTITLEMENTS_UPDATED_V2: Operation = Operation {
    name: "OnEntitlementsUpdatedV2",
    field: "entitlementsUpdatedV2",
    kind: OperationKind::EntitlementsUpdatedV2,
    query: doc!(
        "subscription OnEntitlementsUpdatedV2 { entitlementsUpdatedV2 { __typename ...EntitlementsUpdatedV2Payload } }",
        "fragment EntitlementsUpdatedV2Payload on EntitlementsUpdatedV2 { __typename customerId resourceId accessDeniedReason entitlements { __typename ... on FeatureEntitlement { __typename ...FeatureEntitlementFragment } ... on CreditEntitlement { __typename ...CreditEntitlementFragment } } }",
        entitlement_union_fragments!(),
    ),
};

/// `OnUsageUpdatedV2`.
pub const ON_USAGE_UPDATED_V2: Operation = Operation {
    name: "OnUsageUpdatedV2",
    field: "usageUpdatedV2",
    kind: OperationKind::UsageUpdatedV2,
    query: doc!(
        "subscription OnUsageUpdatedV2 { usageUpdatedV2 { __typename ...UsageUpdatedV2Payload } }",
        "fragment UsageUpdatedV2Payload on UsageUpdatedV2 { __typename customerId resourceId entitlementReference { __typename ...EntitlementReferenceFragment } usage { __typename ...UsageV2Fragment } }",
        "fragment EntitlementReferenceFragment on EntitlementReference { __typename id type }",
        "fragment UsageV2Fragment on UsageV2 { __typename currentUsage usageUpdatedAt usagePeriodStart usagePeriodEnd }",
    ),
};

/// `OnPackagePublished` (the same document in V2 and legacy mode).
pub const ON_PACKAGE_PUBLISHED: Operation = Operation {
    name: "OnPackagePublished",
    field: "packagePublished",
    kind: OperationKind::PackagePublished,
    query: doc!(
        "subscription OnPackagePublished { packagePublished { __typename ...PackagePublishedPayload } }",
        "fragment PackagePublishedPayload on PackagePublished { __typename accountId environmentId packageType packageRefId packageVersion migrationType }",
    ),
};

/// Legacy `OnEntitlementsUpdated` (3.x SDKs).
pub const ON_ENTITLEMENTS_UPDATED: Operation = Operation {
    name: "OnEntitlementsUpdated",
    field: "entitlementsUpdated",
    kind: OperationKind::EntitlementsUpdated,
    query: doc!(
        "subscription OnEntitlementsUpdated { entitlementsUpdated { __typename ...EntitlementsUpdatedPayload } }",
        "fragment EntitlementsUpdatedPayload on EntitlementsUpdated { __typename customerId resourceId accessDeniedReason entitlements { __typename ...EntitlementFragment } }",
        legacy_entitlement_fragment!(),
    ),
};

/// Legacy `OnUsageUpdated` (3.x SDKs).
pub const ON_USAGE_UPDATED: Operation = Operation {
    name: "OnUsageUpdated",
    field: "usageUpdated",
    kind: OperationKind::UsageUpdated,
    query: doc!(
        "subscription OnUsageUpdated { usageUpdated { __typename ...EntitlementUsageUpdated } }",
        "fragment EntitlementUsageUpdated on UsageUpdated { __typename usage { __typename ...UsageUpdatedFragment } entitlement { __typename ...EntitlementFragment } }",
        "fragment UsageUpdatedFragment on UsageMeasurementUpdated { __typename customerId resourceId featureId currentUsage usagePeriodStart usagePeriodEnd nextResetDate }",
        legacy_entitlement_fragment!(),
    ),
};

/// Legacy `OnCreditBalanceUpdated` (3.x SDKs).
pub const ON_CREDIT_BALANCE_UPDATED: Operation = Operation {
    name: "OnCreditBalanceUpdated",
    field: "creditBalanceUpdated",
    kind: OperationKind::CreditBalanceUpdated,
    query: doc!(
        "subscription OnCreditBalanceUpdated { creditBalanceUpdated { __typename ...CreditBalanceUpdatedPayload } }",
        "fragment CreditBalanceUpdatedPayload on CreditBalanceUpdated { __typename currency { __typename currencyId displayName symbol units { __typename singular plural } } currencyId currentBalance customerId validUntil resourceId totalConsumed totalGranted }",
    ),
};

/// The 4.x set: entitlements, usage, package published.
pub const V2_OPERATIONS: &[Operation] = &[
    ON_ENTITLEMENTS_UPDATED_V2,
    ON_USAGE_UPDATED_V2,
    ON_PACKAGE_PUBLISHED,
];

/// The 3.x set: entitlements, usage, package published, credit balance.
pub const LEGACY_OPERATIONS: &[Operation] = &[
    ON_ENTITLEMENTS_UPDATED,
    ON_USAGE_UPDATED,
    ON_PACKAGE_PUBLISHED,
    ON_CREDIT_BALANCE_UPDATED,
];

#[cfg(test)]
mod tests {
    use super::*;

    fn balanced(s: &str) -> bool {
        let mut depth = 0i32;
        for c in s.chars() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            if depth < 0 {
                return false;
            }
        }
        depth == 0
    }

    #[test]
    fn documents_name_their_operation_and_field_and_define_every_spread_fragment() {
        for op in V2_OPERATIONS.iter().chain(LEGACY_OPERATIONS) {
            assert!(
                op.query
                    .starts_with(&format!("subscription {} {{ {} {{", op.name, op.field)),
                "{}",
                op.name
            );
            assert!(balanced(op.query), "{}", op.name);
            // Every `...Name` spread (not `... on`) has a `fragment Name on` definition, and vice versa.
            let spreads: std::collections::BTreeSet<&str> = op
                .query
                .split("...")
                .skip(1)
                .filter(|s| !s.starts_with(" on "))
                .filter_map(|s| s.split_whitespace().next())
                .collect();
            let defined: std::collections::BTreeSet<&str> = op
                .query
                .split("fragment ")
                .skip(1)
                .filter_map(|s| s.split_whitespace().next())
                .collect();
            assert_eq!(spreads, defined, "{}", op.name);
        }
    }
}
