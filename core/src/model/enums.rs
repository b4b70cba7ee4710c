//! Stigg's enums with their exact wire values (spec §3 "Enum wire values").

use super::wire_enum::wire_enum;

wire_enum! {
    /// Why an entitlement check was denied (GraphQL `AccessDeniedReason`, PascalCase on the wire).
    pub enum AccessDeniedReason {
        /// The customer's budget for the feature is exhausted.
        BudgetExceeded = "BudgetExceeded",
        /// The customer is archived.
        CustomerIsArchived = "CustomerIsArchived",
        /// No customer with this id exists.
        CustomerNotFound = "CustomerNotFound",
        /// The customer exists but the resource does not.
        CustomerResourceNotFound = "CustomerResourceNotFound",
        /// The entitlement does not exist.
        EntitlementNotFound = "EntitlementNotFound",
        /// The feature does not exist.
        FeatureNotFound = "FeatureNotFound",
        /// A typed getter was called on a feature of another type.
        FeatureTypeMismatch = "FeatureTypeMismatch",
        /// The credit wallet cannot cover the request.
        InsufficientCredits = "InsufficientCredits",
        /// The customer has no active subscription.
        NoActiveSubscription = "NoActiveSubscription",
        /// The customer's subscription does not include the feature.
        NoFeatureEntitlementInSubscription = "NoFeatureEntitlementInSubscription",
        /// Current usage plus the requested usage exceeds the limit.
        RequestedUsageExceedingLimit = "RequestedUsageExceedingLimit",
        /// A requested enum value is not among the allowed ones.
        RequestedValuesMismatch = "RequestedValuesMismatch",
        /// The entitlement was revoked.
        Revoked = "Revoked",
        /// The reason is unknown (the default fallback's reason).
        Unknown = "Unknown",
    }
}

wire_enum! {
    /// The customer-level reason of an entitlements state (GraphQL `EntitlementsStateAccessDeniedReason`).
    pub enum EntitlementsStateAccessDeniedReason {
        /// The customer is archived.
        CustomerIsArchived = "CustomerIsArchived",
        /// No customer with this id exists.
        CustomerNotFound = "CustomerNotFound",
        /// The customer has no active subscription.
        NoActiveSubscription = "NoActiveSubscription",
    }
}

impl EntitlementsStateAccessDeniedReason {
    /// The same reason as an entitlement-level [`AccessDeniedReason`].
    pub fn to_access_denied_reason(&self) -> AccessDeniedReason {
        AccessDeniedReason::from_wire(self.as_str())
    }
}

wire_enum! {
    /// The type of a feature (GraphQL `FeatureType`).
    pub enum FeatureType {
        /// On/off feature.
        Boolean = "BOOLEAN",
        /// Numeric feature: configuration value (meter `None`) or metered (`Incremental`/`Fluctuating`).
        Number = "NUMBER",
        /// Enum feature: a set of allowed values.
        Enum = "ENUM",
    }
}

wire_enum! {
    /// How a numeric feature is metered (GraphQL `MeterType`).
    pub enum MeterType {
        /// Not metered: a configuration value.
        None = "None",
        /// Usage goes up and down (e.g. seats).
        Fluctuating = "Fluctuating",
        /// Usage only accumulates within a period (e.g. API calls).
        Incremental = "Incremental",
    }
}

wire_enum! {
    /// The period after which metered usage resets (GraphQL `EntitlementResetPeriod`).
    pub enum EntitlementResetPeriod {
        /// Every hour.
        Hour = "HOUR",
        /// Every day.
        Day = "DAY",
        /// Every week.
        Week = "WEEK",
        /// Every month.
        Month = "MONTH",
        /// Every year.
        Year = "YEAR",
    }
}

wire_enum! {
    /// Monthly reset anchoring (GraphQL `MonthlyAccordingTo`).
    pub enum MonthlyAccordingTo {
        /// Reset on the first of each month.
        StartOfTheMonth = "StartOfTheMonth",
        /// Reset on the subscription's start day.
        SubscriptionStart = "SubscriptionStart",
    }
}

wire_enum! {
    /// Weekly reset anchoring (GraphQL `WeeklyAccordingTo`).
    pub enum WeeklyAccordingTo {
        /// Every Sunday.
        EverySunday = "EverySunday",
        /// Every Monday.
        EveryMonday = "EveryMonday",
        /// Every Tuesday.
        EveryTuesday = "EveryTuesday",
        /// Every Wednesday.
        EveryWednesday = "EveryWednesday",
        /// Every Thursday.
        EveryThursday = "EveryThursday",
        /// Every Friday.
        EveryFriday = "EveryFriday",
        /// Every Saturday.
        EverySaturday = "EverySaturday",
        /// On the subscription's start weekday.
        SubscriptionStart = "SubscriptionStart",
    }
}

wire_enum! {
    /// Yearly reset anchoring (GraphQL `YearlyAccordingTo`).
    pub enum YearlyAccordingTo {
        /// On the subscription's start date.
        SubscriptionStart = "SubscriptionStart",
    }
}

wire_enum! {
    /// How a usage report changes current usage (GraphQL `UsageUpdateBehavior`).
    pub enum UsageUpdateBehavior {
        /// Add the value to current usage.
        Delta = "DELTA",
        /// Replace current usage with the value.
        Set = "SET",
    }
}

wire_enum! {
    /// The kind of an entitlement reference (GraphQL `EntitlementType`).
    pub enum EntitlementType {
        /// A feature entitlement.
        Feature = "FEATURE",
        /// A credit (currency) entitlement.
        Credit = "CREDIT",
    }
}

wire_enum! {
    /// The status of a subscription (GraphQL `SubscriptionStatus`).
    pub enum SubscriptionStatus {
        /// Active.
        Active = "ACTIVE",
        /// Canceled.
        Canceled = "CANCELED",
        /// Expired.
        Expired = "EXPIRED",
        /// In a trial.
        InTrial = "IN_TRIAL",
        /// Starts in the future.
        NotStarted = "NOT_STARTED",
        /// Waiting for payment.
        PaymentPending = "PAYMENT_PENDING",
    }
}

wire_enum! {
    /// Whether a package change applies to existing customers (GraphQL `PublishMigrationType`).
    pub enum PublishMigrationType {
        /// Migrate every customer.
        AllCustomers = "ALL_CUSTOMERS",
        /// Only new customers get the new version.
        NewCustomers = "NEW_CUSTOMERS",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_denied_reason_has_all_fourteen_values_and_round_trips() {
        assert_eq!(AccessDeniedReason::KNOWN.len(), 14);
        for r in AccessDeniedReason::KNOWN {
            let json = serde_json::to_string(r).unwrap_or_default();
            let back: AccessDeniedReason =
                serde_json::from_str(&json).unwrap_or(AccessDeniedReason::Unknown);
            assert_eq!(&back, r);
        }
    }

    #[test]
    fn unknown_wire_value_is_kept() {
        let r: Result<MeterType, _> = serde_json::from_str("\"Quantum\"");
        let r = r.ok();
        assert_eq!(r.as_ref().map(|m| m.as_str()), Some("Quantum"));
        assert_eq!(r.map(|m| m.is_known()), Some(false));
    }
}
