"""Stigg's enums, with the exact wire values as their values (``str`` subclasses).

A result field holding a value this SDK does not know yet is returned as a plain ``str``.
"""

from enum import Enum


class AccessDeniedReason(str, Enum):
    """Why an entitlement check was denied."""

    BUDGET_EXCEEDED = "BudgetExceeded"
    CUSTOMER_IS_ARCHIVED = "CustomerIsArchived"
    CUSTOMER_NOT_FOUND = "CustomerNotFound"
    CUSTOMER_RESOURCE_NOT_FOUND = "CustomerResourceNotFound"
    ENTITLEMENT_NOT_FOUND = "EntitlementNotFound"
    FEATURE_NOT_FOUND = "FeatureNotFound"
    FEATURE_TYPE_MISMATCH = "FeatureTypeMismatch"
    INSUFFICIENT_CREDITS = "InsufficientCredits"
    NO_ACTIVE_SUBSCRIPTION = "NoActiveSubscription"
    NO_FEATURE_ENTITLEMENT_IN_SUBSCRIPTION = "NoFeatureEntitlementInSubscription"
    REQUESTED_USAGE_EXCEEDING_LIMIT = "RequestedUsageExceedingLimit"
    REQUESTED_VALUES_MISMATCH = "RequestedValuesMismatch"
    REVOKED = "Revoked"
    UNKNOWN = "Unknown"

    def __str__(self) -> str:
        return str(self.value)


class EntitlementsStateAccessDeniedReason(str, Enum):
    """The customer-level reason of an entitlements state."""

    CUSTOMER_IS_ARCHIVED = "CustomerIsArchived"
    CUSTOMER_NOT_FOUND = "CustomerNotFound"
    NO_ACTIVE_SUBSCRIPTION = "NoActiveSubscription"

    def __str__(self) -> str:
        return str(self.value)


class FeatureType(str, Enum):
    """The type of a feature."""

    BOOLEAN = "BOOLEAN"
    NUMBER = "NUMBER"
    ENUM = "ENUM"

    def __str__(self) -> str:
        return str(self.value)


class MeterType(str, Enum):
    """How a numeric feature is metered."""

    NONE = "None"
    FLUCTUATING = "Fluctuating"
    INCREMENTAL = "Incremental"

    def __str__(self) -> str:
        return str(self.value)


class EntitlementResetPeriod(str, Enum):
    """The period after which metered usage resets."""

    HOUR = "HOUR"
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    YEAR = "YEAR"

    def __str__(self) -> str:
        return str(self.value)


class UsageUpdateBehavior(str, Enum):
    """How a usage report changes current usage."""

    DELTA = "DELTA"
    SET = "SET"

    def __str__(self) -> str:
        return str(self.value)


class EntitlementType(str, Enum):
    """The kind of an entitlement reference."""

    FEATURE = "FEATURE"
    CREDIT = "CREDIT"

    def __str__(self) -> str:
        return str(self.value)


class EventType(str, Enum):
    """The events a listener can receive (``Stigg.add_listener``)."""

    INITIALIZE_SUCCESSFULLY = "initializeSuccessfully"
    INITIALIZE_FAILED = "initializeFailed"
    ENTITLEMENTS_UPDATED = "entitlementsUpdated"
    USAGE_UPDATED = "usageUpdated"
    PACKAGE_PUBLISHED = "packagePublished"
    CACHE_HIT = "cacheHit"
    CACHE_MISS = "cacheMiss"
    API_KEY_INVALID = "apiKeyInvalid"
    NETWORK_REQUEST_FAILED = "networkRequestFailed"
    STREAM_CONNECTED = "streamConnected"
    STREAM_DISCONNECTED = "streamDisconnected"
    REDIS_CLIENT_ERROR = "redisClientError"

    def __str__(self) -> str:
        return str(self.value)
