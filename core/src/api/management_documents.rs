//! GraphQL documents of the management API (spec §2.5, §3): our own texts. Operation names, variable
//! names (`$input`, `$filter`/`$paging`/`$sorting`) and root-field aliases
//! (`provisionSubscription: provisionSubscriptionV2`, `updateSubscription: updateOneSubscription`,
//! `updateCustomer: updateOneCustomer`) are the official clients', because Stigg's server, rate
//! limits and logs key on them. Selections are the fields of Stigg's fragments that this SDK maps,
//! or, for the shapes returned as JSON, the fields a caller is likely to need.

use super::Operation;
use crate::entitlement_union_selection;

macro_rules! money {
    () => {
        "{ amount currency }"
    };
}

macro_rules! slim_customer_fields {
    () => {
        "id name email createdAt updatedAt refId customerId billingId additionalMetaData \
         awsMarketplaceCustomerId"
    };
}

macro_rules! feature_info_fields {
    () => {
        "featureType meterType featureUnits featureUnitsPlural displayName description refId \
         additionalMetaData"
    };
}

macro_rules! price_fields {
    () => {
        concat!(
            "billingModel billingPeriod billingCadence billingId billingCountryCode minUnitQuantity \
             maxUnitQuantity blockSize tiersMode price ",
            money!(),
            " tiers { upTo unitPrice ",
            money!(),
            " flatPrice ",
            money!(),
            " } feature { refId displayName featureUnits featureUnitsPlural } \
             creditRate { amount currencyId }"
        )
    };
}

/// Every subscription selection: the slim fragment's fields plus the dates of the full one.
macro_rules! subscription_fields {
    () => {
        concat!(
            "id subscriptionId refId status additionalMetaData billingId billingLinkUrl billingPeriod \
             startDate endDate trialEndDate cancellationDate effectiveEndDate currentBillingPeriodEnd \
             pricingType paymentCollection billingSyncError resource { resourceId } \
             experimentInfo { groupType groupName id name } \
             latestInvoice { billingId status createdAt updatedAt requiresAction paymentUrl \
             paymentSecret errorMessage total subTotal amountDue currency } \
             prices { usageLimit price { ",
            price_fields!(),
            " } } totalPrice { subTotal ",
            money!(),
            " total ",
            money!(),
            " } plan { id refId } addons { quantity addon { id refId } } customer { id refId } \
             payingCustomer { id refId }"
        )
    };
}

macro_rules! coupon_fields {
    () => {
        concat!(
            "id refId name description type status discountValue percentOff amountsOff ",
            money!(),
            " additionalMetaData billingId billingLinkUrl createdAt updatedAt"
        )
    };
}

macro_rules! promotional_entitlement_fields {
    () => {
        concat!(
            "id status usageLimit featureId hasUnlimitedUsage hasSoftLimit resetPeriod endDate \
             isVisible feature { ",
            feature_info_fields!(),
            " }"
        )
    };
}

macro_rules! package_entitlement_fields {
    () => {
        concat!(
            "usageLimit hasUnlimitedUsage hasSoftLimit featureId resetPeriod hiddenFromWidgets \
             isCustom displayNameOverride enumValues isGranted feature { ",
            feature_info_fields!(),
            " }"
        )
    };
}

macro_rules! addon_fields {
    () => {
        concat!(
            "id refId displayName description billingId additionalMetaData hiddenFromWidgets \
             pricingType maxQuantity entitlements { ",
            package_entitlement_fields!(),
            " } prices { ",
            price_fields!(),
            " } overagePrices { ",
            price_fields!(),
            " } dependencies { refId displayName }"
        )
    };
}

macro_rules! plan_fields {
    () => {
        concat!(
            "id refId displayName description billingId versionNumber additionalMetaData \
             hiddenFromWidgets pricingType awsMarketplacePlanDimension \
             product { refId displayName description additionalMetaData } \
             basePlan { refId displayName } entitlements { ",
            package_entitlement_fields!(),
            " } inheritedEntitlements { ",
            package_entitlement_fields!(),
            " } compatibleAddons { ",
            addon_fields!(),
            " } prices { ",
            price_fields!(),
            " } overagePrices { ",
            price_fields!(),
            " } defaultTrialConfig { duration units trialEndBehavior budget { limit } }"
        )
    };
}

macro_rules! paywall_fields {
    () => {
        concat!(
            "plans { ",
            plan_fields!(),
            " } currency { code symbol } \
             configuration { customCss palette { primary textColor backgroundColor borderColor \
             currentPlanBackground } layout { alignment planWidth planMargin planPadding } } \
             customer { ",
            slim_customer_fields!(),
            " } activeSubscriptions { ",
            subscription_fields!(),
            " } resource { resourceId } \
             paywallCalculatedPricePoints { planId additionalChargesMayApply billingPeriod amount \
             currency billingCountryCode feature { refId displayName featureUnits featureUnitsPlural } }"
        )
    };
}

macro_rules! money_fields_of {
    ($($name:literal)+) => {
        concat!($($name, " ", money!(), " ",)+)
    };
}

macro_rules! tax_and_discount {
    () => {
        "taxDetails { displayName percentage inclusive } \
         discount { type value durationType durationInMonths name }"
    };
}

macro_rules! subscription_preview_fields {
    () => {
        concat!(
            money_fields_of!("subTotal" "totalExcludingTax" "total" "discountAmount" "tax"),
            tax_and_discount!(),
            " billingPeriodRange { start end } isPlanDowngrade hasScheduledUpdates \
             credits { ",
            money_fields_of!("initial" "used" "remaining"),
            "} proration { prorationDate hasProrations ",
            money_fields_of!("credit" "debit" "netAmount"),
            "} subscription { ",
            money_fields_of!("subTotal" "totalExcludingTax" "total" "discountAmount" "tax"),
            tax_and_discount!(),
            " }"
        )
    };
}

macro_rules! preview_invoice_fields {
    () => {
        concat!(
            money_fields_of!("total" "subTotal" "totalExcludingTax" "tax" "discount"),
            "taxDetails { displayName percentage inclusive } \
             discountDetails { type value durationType durationInMonths name }"
        )
    };
}

macro_rules! credit_grant_fields {
    () => {
        concat!(
            "grantId customerId resourceId currencyId amount consumedAmount displayName grantType \
             status priority effectiveAt expireAt voidedAt comment additionalMetaData createdAt \
             updatedAt paymentCollection invoiceId cost ",
            money!()
        )
    };
}

macro_rules! page_info {
    () => {
        "pageInfo { startCursor endCursor hasNextPage hasPreviousPage }"
    };
}

// ------------------------------------------------------------------------------------ customers

/// `ProvisionCustomer($input: ProvisionCustomerInput!)`.
pub const PROVISION_CUSTOMER: Operation = Operation {
    name: "ProvisionCustomer",
    document: concat!(
        "mutation ProvisionCustomer($input: ProvisionCustomerInput!) { provisionCustomer(input: $input) { \
         customer { ",
        slim_customer_fields!(),
        " } subscriptionDecisionStrategy subscription { ",
        subscription_fields!(),
        " } entitlementsV2 { ",
        entitlement_union_selection!(),
        " } } }"
    ),
};

/// `UpdateCustomer($input: UpdateCustomerInput!)` → `updateCustomer: updateOneCustomer`.
pub const UPDATE_CUSTOMER: Operation = Operation {
    name: "UpdateCustomer",
    document: concat!(
        "mutation UpdateCustomer($input: UpdateCustomerInput!) { \
         updateCustomer: updateOneCustomer(input: $input) { ",
        slim_customer_fields!(),
        " } }"
    ),
};

/// `GetCustomerById($input: GetCustomerByRefIdInput!)` → `getCustomerByRefId`.
pub const GET_CUSTOMER_BY_ID: Operation = Operation {
    name: "GetCustomerById",
    document: concat!(
        "query GetCustomerById($input: GetCustomerByRefIdInput!) { getCustomerByRefId(input: $input) { ",
        slim_customer_fields!(),
        " hasPaymentMethod trialedPlans { productRefId planRefId } coupon { ",
        coupon_fields!(),
        " } promotionalEntitlements { ",
        promotional_entitlement_fields!(),
        " } subscriptions { ",
        subscription_fields!(),
        " } } }"
    ),
};

/// `ArchiveCustomer($input: ArchiveCustomerInput!)`.
pub const ARCHIVE_CUSTOMER: Operation = Operation {
    name: "ArchiveCustomer",
    document: "mutation ArchiveCustomer($input: ArchiveCustomerInput!) { archiveCustomer(input: $input) { customerId } }",
};

/// `UnarchiveCustomer($input: UnarchiveCustomerInput!)`.
pub const UNARCHIVE_CUSTOMER: Operation = Operation {
    name: "UnarchiveCustomer",
    document: concat!(
        "mutation UnarchiveCustomer($input: UnarchiveCustomerInput!) { unarchiveCustomer(input: $input) { ",
        slim_customer_fields!(),
        " } }"
    ),
};

// -------------------------------------------------------------------------------- subscriptions

/// `ProvisionSubscription($input: ProvisionSubscriptionInput!)` →
/// `provisionSubscription: provisionSubscriptionV2`.
pub const PROVISION_SUBSCRIPTION: Operation = Operation {
    name: "ProvisionSubscription",
    document: concat!(
        "mutation ProvisionSubscription($input: ProvisionSubscriptionInput!) { \
         provisionSubscription: provisionSubscriptionV2(input: $input) { status checkoutUrl checkoutBillingId \
         subscription { ",
        subscription_fields!(),
        " } entitlementsV2 { ",
        entitlement_union_selection!(),
        " } } }"
    ),
};

/// `UpdateSubscription($input: UpdateSubscriptionInput!)` → `updateSubscription: updateOneSubscription`.
pub const UPDATE_SUBSCRIPTION: Operation = Operation {
    name: "UpdateSubscription",
    document: concat!(
        "mutation UpdateSubscription($input: UpdateSubscriptionInput!) { \
         updateSubscription: updateOneSubscription(input: $input) { ",
        subscription_fields!(),
        " } }"
    ),
};

/// `CancelSubscription($input: SubscriptionCancellationInput!)`.
pub const CANCEL_SUBSCRIPTION: Operation = Operation {
    name: "CancelSubscription",
    document: concat!(
        "mutation CancelSubscription($input: SubscriptionCancellationInput!) { \
         cancelSubscription(input: $input) { ",
        subscription_fields!(),
        " } }"
    ),
};

/// `CancelSubscriptionUpdates($input: SubscriptionUpdateScheduleCancellationInput!)` → `cancelSchedule`.
pub const CANCEL_SUBSCRIPTION_UPDATES: Operation = Operation {
    name: "CancelSubscriptionUpdates",
    document: "mutation CancelSubscriptionUpdates($input: SubscriptionUpdateScheduleCancellationInput!) { \
               cancelSchedule(input: $input) }",
};

/// `MigrateSubscriptionToLatest($input: SubscriptionMigrationInput!)`. Selects the customer and
/// resource too, for the read-after-write refetch.
pub const MIGRATE_SUBSCRIPTION_TO_LATEST: Operation = Operation {
    name: "MigrateSubscriptionToLatest",
    document: "mutation MigrateSubscriptionToLatest($input: SubscriptionMigrationInput!) { \
               migrateSubscriptionToLatest(input: $input) { subscriptionId customer { id refId } \
               resource { resourceId } } }",
};

/// `EstimateSubscription($input: EstimateSubscriptionInput!)` (a mutation).
pub const ESTIMATE_SUBSCRIPTION: Operation = Operation {
    name: "EstimateSubscription",
    document: concat!(
        "mutation EstimateSubscription($input: EstimateSubscriptionInput!) { \
         estimateSubscription(input: $input) { ",
        subscription_preview_fields!(),
        " } }"
    ),
};

/// `EstimateSubscriptionUpdate($input: EstimateSubscriptionUpdateInput!)` (a mutation).
pub const ESTIMATE_SUBSCRIPTION_UPDATE: Operation = Operation {
    name: "EstimateSubscriptionUpdate",
    document: concat!(
        "mutation EstimateSubscriptionUpdate($input: EstimateSubscriptionUpdateInput!) { \
         estimateSubscriptionUpdate(input: $input) { ",
        subscription_preview_fields!(),
        " } }"
    ),
};

/// `PreviewSubscription($input: PreviewSubscriptionInput!)` (a mutation).
pub const PREVIEW_SUBSCRIPTION: Operation = Operation {
    name: "PreviewSubscription",
    document: concat!(
        "mutation PreviewSubscription($input: PreviewSubscriptionInput!) { \
         previewSubscription(input: $input) { immediateInvoice { ",
        preview_invoice_fields!(),
        " credits { ",
        money_fields_of!("initial" "used" "remaining"),
        "} proration { prorationDate hasProrations ",
        money_fields_of!("credit" "debit" "netAmount"),
        "} } recurringInvoice { ",
        preview_invoice_fields!(),
        " } billingPeriodRange { start end } isPlanDowngrade hasScheduledUpdates } }"
    ),
};

/// `GetSubscription($input: GetSubscriptionInput!)`.
pub const GET_SUBSCRIPTION: Operation = Operation {
    name: "GetSubscription",
    document: concat!(
        "query GetSubscription($input: GetSubscriptionInput!) { getSubscription(input: $input) { ",
        subscription_fields!(),
        " } }"
    ),
};

/// `GetActiveSubscriptions($input: GetActiveSubscriptionsInput!)`.
pub const GET_ACTIVE_SUBSCRIPTIONS: Operation = Operation {
    name: "GetActiveSubscriptions",
    document: concat!(
        "query GetActiveSubscriptions($input: GetActiveSubscriptionsInput!) { \
         getActiveSubscriptions(input: $input) { ",
        subscription_fields!(),
        " } }"
    ),
};

/// `GetActiveSubscriptionsList($input: GetActiveSubscriptionsInput!)`: the GraphQL form of Edge's
/// `subscriptions.json` (used when Edge is disabled).
pub const GET_ACTIVE_SUBSCRIPTIONS_LIST: Operation = Operation {
    name: "GetActiveSubscriptionsList",
    document: concat!(
        "query GetActiveSubscriptionsList($input: GetActiveSubscriptionsInput!) { \
         getActiveSubscriptions(input: $input) { subscriptionId status pricingType startDate endDate \
         cancellationDate effectiveEndDate currentBillingPeriodEnd billingPeriod additionalMetaData \
         trialEndDate totalPrice { subTotal ",
        money!(),
        " total ",
        money!(),
        " } customer { customerId email } payingCustomer { customerId email } resource { resourceId } \
         plan { planId: refId displayName } addons { quantity addon { addonId: refId } } } }"
    ),
};

/// `GetSubscriptions($filter: SubscriptionQueryFilter, $paging: CursorPaging, $sorting: [SubscriptionQuerySort!])`.
pub const GET_SUBSCRIPTIONS: Operation = Operation {
    name: "GetSubscriptions",
    document: concat!(
        "query GetSubscriptions($filter: SubscriptionQueryFilter, $paging: CursorPaging, \
         $sorting: [SubscriptionQuerySort!]) { \
         subscriptions(filter: $filter, paging: $paging, sorting: $sorting) { \
         edges { node { subscriptionId status pricingType startDate trialEndDate \
         currentBillingPeriodEnd resource { resourceId } customer { id refId } \
         payingCustomer { id refId } plan { refId } addons { quantity addon { refId } } } } ",
        page_info!(),
        " totalCount } }"
    ),
};

// ------------------------------------------------------------------------- catalog, promotions

/// `GetPaywall($input: GetPaywallInput!)`.
pub const GET_PAYWALL: Operation = Operation {
    name: "GetPaywall",
    document: concat!(
        "query GetPaywall($input: GetPaywallInput!) { paywall(input: $input) { ",
        paywall_fields!(),
        " } }"
    ),
};

/// `GetCoupons`: the first 25 active coupons (hard-coded, as in Node).
pub const GET_COUPONS: Operation = Operation {
    name: "GetCoupons",
    document: concat!(
        "query GetCoupons { coupons(filter: { status: { eq: ACTIVE } }, paging: { first: 25 }) { \
         edges { node { ",
        coupon_fields!(),
        " } } } }"
    ),
};

/// `GetProducts`: the first 20 products (hard-coded, as in Node).
pub const GET_PRODUCTS: Operation = Operation {
    name: "GetProducts",
    document: "query GetProducts { products(paging: { first: 20 }) { edges { node { \
               refId displayName description additionalMetaData awsMarketplaceProductId \
               productSettings { downgradePlan { refId displayName } } } } } }",
};

/// `GrantPromotionalEntitlements($input: GrantPromotionalEntitlementsInput!)`.
pub const GRANT_PROMOTIONAL_ENTITLEMENTS: Operation = Operation {
    name: "GrantPromotionalEntitlements",
    document: concat!(
        "mutation GrantPromotionalEntitlements($input: GrantPromotionalEntitlementsInput!) { \
         grantPromotionalEntitlements(input: $input) { ",
        promotional_entitlement_fields!(),
        " } }"
    ),
};

/// `RevokePromotionalEntitlement($input: RevokePromotionalEntitlementInput!)`.
pub const REVOKE_PROMOTIONAL_ENTITLEMENT: Operation = Operation {
    name: "RevokePromotionalEntitlement",
    document:
        "mutation RevokePromotionalEntitlement($input: RevokePromotionalEntitlementInput!) { \
               revokePromotionalEntitlement(input: $input) { id } }",
};

// ---------------------------------------------------------------------------------- credits

/// `GrantCredits($input: CreditGrantInput!)` → `createCreditGrant`.
pub const GRANT_CREDITS: Operation = Operation {
    name: "GrantCredits",
    document: concat!(
        "mutation GrantCredits($input: CreditGrantInput!) { createCreditGrant(input: $input) { ",
        credit_grant_fields!(),
        " } }"
    ),
};

/// `VoidCreditGrant($input: VoidCreditGrantInput!)`.
pub const VOID_CREDIT_GRANT: Operation = Operation {
    name: "VoidCreditGrant",
    document: concat!(
        "mutation VoidCreditGrant($input: VoidCreditGrantInput!) { voidCreditGrant(input: $input) { ",
        credit_grant_fields!(),
        " } }"
    ),
};

/// `GetCreditGrants($input: GetCreditGrantsInput!)` → `creditGrants`.
pub const GET_CREDIT_GRANTS: Operation = Operation {
    name: "GetCreditGrants",
    document: concat!(
        "query GetCreditGrants($input: GetCreditGrantsInput!) { creditGrants(input: $input) { ",
        page_info!(),
        " edges { node { ",
        credit_grant_fields!(),
        " } } totalCount } }"
    ),
};

/// `GetCreditBalance($input: CreditBalanceSummaryInput!)` → `creditBalanceSummary`.
pub const GET_CREDIT_BALANCE: Operation = Operation {
    name: "GetCreditBalance",
    document: "query GetCreditBalance($input: CreditBalanceSummaryInput!) { \
               creditBalanceSummary(input: $input) { customerId balances { customerId resourceId \
               currentBalance totalConsumed totalGranted validUntil \
               currency { currencyId displayName symbol units { singular plural } } } } }",
};

// ----------------------------------------------------------------------------- usage history

/// `GetUsageHistoryV2($input: UsageHistoryV2Input!)` → `usageHistoryV2`.
pub const GET_USAGE_HISTORY_V2: Operation = Operation {
    name: "GetUsageHistoryV2",
    document:
        "query GetUsageHistoryV2($input: UsageHistoryV2Input!) { usageHistoryV2(input: $input) { \
               markers { type timestamp } series { tags { key value } \
               points { timestamp value isResetPoint } } } }",
};

/// Every management document, for validation against a schema.
pub const ALL: &[Operation] = &[
    PROVISION_CUSTOMER,
    UPDATE_CUSTOMER,
    GET_CUSTOMER_BY_ID,
    ARCHIVE_CUSTOMER,
    UNARCHIVE_CUSTOMER,
    PROVISION_SUBSCRIPTION,
    UPDATE_SUBSCRIPTION,
    CANCEL_SUBSCRIPTION,
    CANCEL_SUBSCRIPTION_UPDATES,
    MIGRATE_SUBSCRIPTION_TO_LATEST,
    ESTIMATE_SUBSCRIPTION,
    ESTIMATE_SUBSCRIPTION_UPDATE,
    PREVIEW_SUBSCRIPTION,
    GET_SUBSCRIPTION,
    GET_ACTIVE_SUBSCRIPTIONS,
    GET_ACTIVE_SUBSCRIPTIONS_LIST,
    GET_SUBSCRIPTIONS,
    GET_PAYWALL,
    GET_COUPONS,
    GET_PRODUCTS,
    GRANT_PROMOTIONAL_ENTITLEMENTS,
    REVOKE_PROMOTIONAL_ENTITLEMENT,
    GRANT_CREDITS,
    VOID_CREDIT_GRANT,
    GET_CREDIT_GRANTS,
    GET_CREDIT_BALANCE,
    GET_USAGE_HISTORY_V2,
];
