//! Approximate byte size of a cached state: the weight the byte budget counts.
//!
//! Stigg's in-memory cache counts the UTF-8 length of the entry's JSON (spec §5.1). We count what the
//! entry holds in memory instead, which is what the budget is meant to bound:
//!
//! * a fixed [`ENTRY_OVERHEAD`] per entry (the index slot and its allocation, the `Arc` header, the
//!   eviction policy's node and key copy), plus the key's two strings;
//! * `size_of::<CustomerState>()`;
//! * each hash table by its **capacity** (not its length), at `size_of` of a slot plus one control byte,
//!   since that is what it allocated; the `order` vector by its capacity likewise;
//! * per feature record: its map key's bytes, the shared [`FeatureInfo`] (struct
//!   plus every string: id, units, plural, display name, description, rounding name) with its `Arc`
//!   header, the enum values (one `String` header plus bytes each, plus the `Arc` header), the reset
//!   configuration's type name and the credit rate's currency id;
//! * per credit record: its map key's bytes and the shared `CurrencyInfo` (struct plus strings plus
//!   `Arc` header; free-form `metadata` JSON is counted by its serialized length);
//! * per `order` entry: its key's bytes.
//!
//! Allocator rounding and the `Arc`s that records share with each other are not modelled, so the figure
//! is an estimate: usually within ±25 % of the heap the entry really pins. Weights are saturated to
//! `u32::MAX` (moka's weight type).

use std::mem::size_of;

use crate::model::{
    CreditRecord, CurrencyInfo, CustomerState, EntitlementKey, FeatureInfo, FeatureRecord,
};

use super::key::CacheKey;

/// Fixed bytes charged per cache entry besides the state: index slot, `Arc` header, policy node, key.
pub const ENTRY_OVERHEAD: usize = 192;

/// Bytes of an `Arc` header (strong + weak counts).
const ARC_HEADER: usize = 2 * size_of::<usize>();

/// The approximate number of bytes `state` cached under `key` occupies.
pub fn entry_weight(key: &CacheKey, state: &CustomerState) -> u32 {
    let bytes = ENTRY_OVERHEAD
        .saturating_add(key.customer_id().len())
        .saturating_add(key.resource_id().map_or(0, str::len))
        .saturating_add(state_bytes(state));
    u32::try_from(bytes).unwrap_or(u32::MAX)
}

/// The approximate heap footprint of one state, without the entry overhead.
pub fn state_bytes(state: &CustomerState) -> usize {
    let feature_slot = size_of::<(Box<str>, FeatureRecord)>() + 1;
    let credit_slot = size_of::<(Box<str>, CreditRecord)>() + 1;
    let mut n = size_of::<CustomerState>()
        .saturating_add(state.features.capacity().saturating_mul(feature_slot))
        .saturating_add(state.credits.capacity().saturating_mul(credit_slot))
        .saturating_add(
            state
                .order
                .capacity()
                .saturating_mul(size_of::<EntitlementKey>()),
        );
    for (k, r) in &state.features {
        n = n.saturating_add(k.len()).saturating_add(feature_bytes(r));
    }
    for (k, r) in &state.credits {
        n = n
            .saturating_add(k.len())
            .saturating_add(currency_bytes(&r.currency));
    }
    for k in &state.order {
        let len = match k {
            EntitlementKey::Feature(s) | EntitlementKey::Credit(s) => s.len(),
        };
        n = n.saturating_add(len);
    }
    n
}

fn opt_len(s: &Option<String>) -> usize {
    s.as_ref().map_or(0, String::len)
}

fn feature_info_bytes(f: &FeatureInfo) -> usize {
    ARC_HEADER
        + size_of::<FeatureInfo>()
        + f.id.len()
        + f.units.len()
        + f.units_plural.len()
        + opt_len(&f.display_name)
        + opt_len(&f.description)
        + f.unit_transformation
            .as_ref()
            .map_or(0, |t| opt_len(&t.round))
}

fn feature_bytes(r: &FeatureRecord) -> usize {
    let enums: usize = r
        .enum_values
        .iter()
        .map(|v| size_of::<String>() + v.len())
        .sum();
    feature_info_bytes(&r.feature)
        + ARC_HEADER
        + enums
        + r.reset_period_configuration
            .as_ref()
            .map_or(0, |c| opt_len(&c.typename))
        + r.credit_rate.as_ref().map_or(0, |c| c.currency_id.len())
}

fn currency_bytes(c: &CurrencyInfo) -> usize {
    ARC_HEADER
        + size_of::<CurrencyInfo>()
        + c.currency_id.len()
        + opt_len(&c.display_name)
        + opt_len(&c.description)
        + opt_len(&c.unit_singular)
        + opt_len(&c.unit_plural)
        + c.metadata.as_ref().map_or(0, |m| m.to_string().len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_state_costs_the_overhead() {
        let w = entry_weight(&CacheKey::customer("abc"), &CustomerState::default());
        assert_eq!(w as usize, ENTRY_OVERHEAD + 3 + size_of::<CustomerState>());
    }

    #[test]
    fn more_features_weigh_more() {
        let key = CacheKey::customer("c");
        let small = crate::cache::test_support::state(2, Some(1));
        let big = crate::cache::test_support::state(20, Some(1));
        let (ws, wb) = (entry_weight(&key, &small), entry_weight(&key, &big));
        assert!(wb > ws * 5, "{ws} vs {wb}");
        // A 20-feature state is a few kilobytes, not tens.
        assert!((1_000..20_000).contains(&wb), "{wb}");
    }
}
