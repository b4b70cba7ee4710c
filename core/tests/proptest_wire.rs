//! Random JSON into the wire parsers and `CustomerState::from_wire`: never panics.

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use stigg_core::model::wire::EntitlementsState;
use stigg_core::model::CustomerState;

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        prop_oneof![
            ".*",
            Just("FeatureEntitlement".to_owned()),
            Just("CreditEntitlement".to_owned()),
            Just("NUMBER".to_owned()),
            Just("2024-02-29T12:00:00Z".to_owned()),
            Just("MONTH".to_owned()),
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("__typename".to_owned()),
                        Just("entitlementsV2".to_owned()),
                        Just("feature".to_owned()),
                        Just("currency".to_owned()),
                        Just("usageLimit".to_owned()),
                        Just("currentUsage".to_owned()),
                        Just("usagePeriodEnd".to_owned()),
                        Just("accessDeniedReason".to_owned()),
                        "[a-zA-Z]{1,12}",
                    ],
                    inner
                ),
                0..8
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn valid_state() -> Value {
    json!({"entitlementsV2": [
        {"__typename": "FeatureEntitlement", "isGranted": true, "usageLimit": 10, "currentUsage": 3,
         "hasUnlimitedUsage": false, "hasSoftLimit": false, "resetPeriod": "MONTH",
         "usagePeriodAnchor": "2024-01-31T00:00:00Z", "usagePeriodStart": "2024-01-31T00:00:00Z",
         "usagePeriodEnd": "2024-02-29T00:00:00Z", "validUntil": 1706745600000i64,
         "creditRate": {"amount": 2, "currencyId": "credits"},
         "resetPeriodConfiguration": {"__typename": "MonthlyResetPeriodConfig", "monthlyAccordingTo": "SubscriptionStart"},
         "feature": {"refId": "f1", "featureType": "NUMBER", "meterType": "Incremental", "featureUnits": "call",
                     "unitTransformation": {"divide": 10, "round": "UP"}}},
        {"__typename": "FeatureEntitlement", "isGranted": true, "enumValues": ["a", "b"],
         "feature": {"refId": "f2", "featureType": "ENUM"}},
        {"__typename": "CreditEntitlement", "isGranted": true, "usageLimit": 100, "currentUsage": 20,
         "currency": {"currencyId": "credits", "additionalMetaData": {"k": [1, 2]}}}
    ], "accessDeniedReason": null})
}

/// Replaces the value at a pseudo-random path of `v` with `replacement`.
fn mutate(v: &mut Value, choice: u64, replacement: Value) {
    let descend = choice % 4 != 0;
    let i = (choice / 4) as usize;
    let next = choice.rotate_right(7) ^ 0x9e37_79b9;
    match v {
        Value::Object(m) if descend && !m.is_empty() => {
            let n = m.len();
            if let Some(child) = m.values_mut().nth(i % n) {
                mutate(child, next, replacement);
            }
        }
        Value::Array(a) if descend && !a.is_empty() => {
            let n = a.len();
            if let Some(child) = a.get_mut(i % n) {
                mutate(child, next, replacement);
            }
        }
        _ => *v = replacement,
    }
}

fn parse_and_build(v: Value) {
    if let Ok(state) = serde_json::from_value::<EntitlementsState>(v) {
        let cs = CustomerState::from_wire(&state);
        let _ = cs.valid_until();
        let _ = serde_json::to_string(&state);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_json_never_panics(v in arb_json()) {
        parse_and_build(v.clone());
        parse_and_build(json!({"entitlementsV2": [v.clone()], "accessDeniedReason": "CustomerNotFound"}));
        parse_and_build(json!({"entitlementsV2": v}));
    }

    #[test]
    fn mutated_valid_states_never_panic(choices in prop::collection::vec((any::<u64>(), arb_json()), 1..6)) {
        let mut v = valid_state();
        for (c, r) in choices {
            mutate(&mut v, c, r);
        }
        parse_and_build(v);
    }

    #[test]
    fn arbitrary_text_never_panics(s in ".{0,200}") {
        let _ = serde_json::from_str::<EntitlementsState>(&s);
    }
}

#[test]
fn the_valid_state_parses() {
    let state: Result<EntitlementsState, _> = serde_json::from_value(valid_state());
    let cs = state.map(|s| CustomerState::from_wire(&s));
    assert!(cs.is_ok_and(|c| c.features.len() == 2 && c.credits.len() == 1));
}
