//! The GraphQL operation documents this SDK sends (spec §3): our own texts, selecting the fields of
//! Stigg's fragments. Operation names, variable names and root-field aliases match the official clients,
//! because the server, rate limits and logs key on them.

use super::Operation;

/// The selection of `EntitlementFeature` (FeatureFragment).
#[macro_export]
#[doc(hidden)]
macro_rules! feature_fields {
    () => {
        "__typename featureType meterType featureUnits featureUnitsPlural description displayName refId \
         unitTransformation { divide round }"
    };
}

/// The selection of `resetPeriodConfiguration` (ResetPeriodConfigurationFragment).
#[macro_export]
#[doc(hidden)]
macro_rules! reset_period_configuration {
    () => {
        "resetPeriodConfiguration { __typename \
         ... on YearlyResetPeriodConfig { yearlyAccordingTo } \
         ... on MonthlyResetPeriodConfig { monthlyAccordingTo } \
         ... on WeeklyResetPeriodConfig { weeklyAccordingTo } }"
    };
}

/// The selection of `EntitlementUnion` members (FeatureEntitlementFragment + CreditEntitlementFragment).
#[macro_export]
#[doc(hidden)]
macro_rules! entitlement_union_selection {
    () => {
        concat!(
            "__typename ... on FeatureEntitlement { __typename isGranted accessDeniedReason usageLimit \
             hasUnlimitedUsage hasSoftLimit currentUsage enumValues entitlementUpdatedAt usageUpdatedAt \
             usagePeriodAnchor usagePeriodStart usagePeriodEnd resetPeriod ",
            $crate::reset_period_configuration!(),
            " feature { ",
            $crate::feature_fields!(),
            " } creditRate { amount currencyId } validUntil } \
             ... on CreditEntitlement { __typename isGranted accessDeniedReason \
             currency { currencyId displayName description unitSingular unitPlural additionalMetaData } \
             usageLimit currentUsage hasSoftLimit usageUpdatedAt entitlementUpdatedAt usagePeriodEnd validUntil }"
        )
    };
}

macro_rules! report_usage_fields {
    () => {
        "id featureId customerId resourceId currentUsage \
         credit { currencyId currentUsage usagePeriodEnd timestamp consumed } \
         usagePeriodStart usagePeriodEnd nextResetDate timestamp"
    };
}

/// `GetEntitlementsState($query: FetchEntitlementsQuery!)`: a customer's whole state (V2).
pub const GET_ENTITLEMENTS_STATE: Operation = Operation {
    name: "GetEntitlementsState",
    document: concat!(
        "query GetEntitlementsState($query: FetchEntitlementsQuery!) { entitlementsState(query: $query) { \
         __typename entitlementsV2 { ",
        entitlement_union_selection!(),
        " } accessDeniedReason } }"
    ),
};

/// `GetSdkConfiguration`: validates the key at start-up.
pub const GET_SDK_CONFIGURATION: Operation = Operation {
    name: "GetSdkConfiguration",
    document: "query GetSdkConfiguration { sdkConfiguration { __typename sentryDsn isWidgetWatermarkEnabled showWatermark } }",
};

/// `ReportUsage($input: ReportUsageInput!)`.
pub const REPORT_USAGE: Operation = Operation {
    name: "ReportUsage",
    document: concat!(
        "mutation ReportUsage($input: ReportUsageInput!) { reportUsage(input: $input) { ",
        report_usage_fields!(),
        " } }"
    ),
};

/// `ReportUsageBulk($input: ReportUsageBulkInput!)`.
pub const REPORT_USAGE_BULK: Operation = Operation {
    name: "ReportUsageBulk",
    document: concat!(
        "mutation ReportUsageBulk($input: ReportUsageBulkInput!) { reportUsageBulk(input: $input) { ",
        report_usage_fields!(),
        " } }"
    ),
};

/// `ReportEvent($input: UsageEventsReportInput!)`.
pub const REPORT_EVENT: Operation = Operation {
    name: "ReportEvent",
    document:
        "mutation ReportEvent($input: UsageEventsReportInput!) { reportEvent(events: $input) }",
};

/// `ConsumeCredits($input: ConsumeCreditInput!)`.
pub const CONSUME_CREDITS: Operation = Operation {
    name: "ConsumeCredits",
    document:
        "mutation ConsumeCredits($input: ConsumeCreditInput!) { consumeCredits(input: $input) { \
               customerId currencyId resourceId amount timestamp \
               credit { currencyId currentUsage usageLimit usagePeriodEnd timestamp } } }",
};

/// `ConsumeCreditsAsync($input: ConsumeCreditsAsyncInput!)`.
pub const CONSUME_CREDITS_ASYNC: Operation = Operation {
    name: "ConsumeCreditsAsync",
    document: "mutation ConsumeCreditsAsync($input: ConsumeCreditsAsyncInput!) { consumeCreditsAsync(input: $input) }",
};

macro_rules! cost_estimation_fields {
    () => {
        "estimates { currencyId estimatedCost currentBalance balanceAfterEstimate wouldOverdraft \
         breakdown { featureId cost warningCode } } warnings"
    };
}

/// `EstimateUsageCost($input: EstimateUsageCostInput!)`.
pub const ESTIMATE_USAGE_COST: Operation = Operation {
    name: "EstimateUsageCost",
    document: concat!(
        "query EstimateUsageCost($input: EstimateUsageCostInput!) { estimateUsageCost(input: $input) { ",
        cost_estimation_fields!(),
        " } }"
    ),
};

/// `EstimateEventCost($input: EstimateEventCostInput!)`.
pub const ESTIMATE_EVENT_COST: Operation = Operation {
    name: "EstimateEventCost",
    document: concat!(
        "query EstimateEventCost($input: EstimateEventCostInput!) { estimateEventCost(input: $input) { ",
        cost_estimation_fields!(),
        " } }"
    ),
};
