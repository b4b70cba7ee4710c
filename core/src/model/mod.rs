//! Wire and domain types: Stigg's enums with their exact wire values, the GraphQL fragments of the read
//! path, the cached per-customer state, check results and fallbacks.

pub mod enums;
pub mod fallback;
pub mod management;
pub mod result;
pub mod state;
pub mod time;
pub mod usage;
pub mod wire;
mod wire_enum;

pub use enums::*;
pub use fallback::{CreditEntitlementFallback, EntitlementFallback, FallbackConfig};
pub use result::{
    BooleanEntitlement, CreditEntitlement, Entitlement, EntitlementV2, EntitlementsStateV2,
    EnumEntitlement, MeteredEntitlement, NumericEntitlement, ReloadEntitlementsResult,
};
pub use state::{
    CreditRecord, CurrencyInfo, CustomerState, EntitlementKey, FeatureInfo, FeatureRecord,
    UsageData,
};
pub use time::Millis;
