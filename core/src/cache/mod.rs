//! The per-customer entitlement cache (spec §5.1) behind the store trait.
