//! Runs every shared conformance vector in `tests/conformance/*.json` (schema: tests/conformance/README.md)
//! twice — through the evaluation engine, and through an offline `Stigg` client's typed getters (the
//! path every language binding takes) — and compares the serialized result with the expected object.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;
use stigg_core::client::{
    GetBooleanEntitlement, GetCreditEntitlement, GetEntitlement, GetEntitlementV2,
    GetEnumEntitlement, GetMeteredEntitlement, GetNumericEntitlement,
};
use stigg_core::eval::{self, EntitlementOptions, EntitlementTarget};
use stigg_core::model::time::parse_iso;
use stigg_core::model::wire::EntitlementsState;
use stigg_core::model::{
    CreditEntitlementFallback, CustomerState, EntitlementFallback, FallbackConfig,
};
use stigg_core::{FixedClock, Stigg, StiggConfig};

const MIN_CASES: usize = 150;

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance")
}

/// A number in a request: a JSON number, or "NaN" / "Infinity" / "-Infinity".
fn number(v: &Value) -> Result<Option<f64>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_f64()
            .map(Some)
            .ok_or_else(|| format!("bad number {n}")),
        Value::String(s) => match s.as_str() {
            "NaN" => Ok(Some(f64::NAN)),
            "Infinity" => Ok(Some(f64::INFINITY)),
            "-Infinity" => Ok(Some(f64::NEG_INFINITY)),
            other => Err(format!("bad number string {other:?}")),
        },
        other => Err(format!("bad number {other}")),
    }
}

/// One vector's inputs, parsed.
struct Case {
    now: i64,
    config: FallbackConfig,
    wire_state: Option<EntitlementsState>,
    method: String,
    feature_id: Option<String>,
    currency_id: Option<String>,
    requested_usage: Option<f64>,
    requested_values: Option<Vec<String>>,
    fallback: Option<EntitlementFallback>,
    credit_fallback: Option<CreditEntitlementFallback>,
}

impl Case {
    /// The options of the generic getters: the credit fallback only for a credit target.
    fn options(&self) -> EntitlementOptions {
        let target =
            EntitlementTarget::from_ids(self.feature_id.as_deref(), self.currency_id.as_deref());
        let is_credit = matches!(target, EntitlementTarget::Credit(_));
        EntitlementOptions {
            requested_usage: self.requested_usage,
            requested_values: self.requested_values.clone(),
            fallback: if is_credit {
                None
            } else {
                self.fallback.clone()
            },
            credit_fallback: if is_credit {
                self.credit_fallback.clone()
            } else {
                None
            },
        }
    }
}

fn parse_case(case: &Value) -> Result<Case, String> {
    let now = case["now"]
        .as_str()
        .and_then(parse_iso)
        .ok_or("missing or bad `now`")?;
    let config: FallbackConfig = match case.get("config") {
        None | Some(Value::Null) => FallbackConfig::default(),
        Some(c) => serde_json::from_value(c.clone()).map_err(|e| format!("config: {e}"))?,
    };
    let wire_state: Option<EntitlementsState> = match case.get("state") {
        None => return Err("missing `state` (use null for an unavailable state)".into()),
        Some(Value::Null) => None,
        Some(s) => Some(serde_json::from_value(s.clone()).map_err(|e| format!("state: {e}"))?),
    };
    let req = &case["request"];
    let method = req["method"].as_str().ok_or("missing request.method")?;
    let feature_id = req.get("featureId").and_then(Value::as_str);
    let currency_id = req.get("currencyId").and_then(Value::as_str);
    let opts = req.get("options").cloned().unwrap_or(Value::Null);
    let requested_usage = number(opts.get("requestedUsage").unwrap_or(&Value::Null))?;
    let requested_values: Option<Vec<String>> = match opts.get("requestedValues") {
        None | Some(Value::Null) => None,
        Some(v) => {
            Some(serde_json::from_value(v.clone()).map_err(|e| format!("requestedValues: {e}"))?)
        }
    };
    let raw_fallback = opts.get("fallback").filter(|v| !v.is_null());
    let fallback: Option<EntitlementFallback> = raw_fallback
        .map(|v| serde_json::from_value(v.clone()))
        .transpose()
        .map_err(|e| format!("fallback: {e}"))?;
    let credit_fallback: Option<CreditEntitlementFallback> = raw_fallback
        .map(|v| serde_json::from_value(v.clone()))
        .transpose()
        .map_err(|e| format!("fallback: {e}"))?;
    Ok(Case {
        now,
        config,
        wire_state,
        method: method.to_owned(),
        feature_id: feature_id.map(str::to_owned),
        currency_id: currency_id.map(str::to_owned),
        requested_usage,
        requested_values,
        fallback,
        credit_fallback,
    })
}

/// Runs a case through the evaluation engine directly.
fn via_engine(case: &Case) -> Result<Value, String> {
    let state = case.wire_state.as_ref().map(CustomerState::from_wire);
    let state = state.as_ref();
    let (now, config) = (case.now, &case.config);
    let (fallback, credit_fallback) = (case.fallback.clone(), case.credit_fallback.clone());
    let (feature_id, currency_id) = (case.feature_id.as_deref(), case.currency_id.as_deref());
    let (requested_usage, requested_values) = (case.requested_usage, case.requested_values.clone());
    let fid = || feature_id.ok_or("missing request.featureId");

    let result = match case.method.as_str() {
        "getBooleanEntitlement" => {
            let f = fid()?;
            let fb = eval::choose_fallback(fallback.as_ref(), config, f);
            serde_json::to_value(eval::boolean(state, f, fb, now))
        }
        "getNumericEntitlement" => {
            let f = fid()?;
            let fb = eval::choose_fallback(fallback.as_ref(), config, f);
            serde_json::to_value(eval::numeric(state, f, fb, now))
        }
        "getMeteredEntitlement" => {
            let f = fid()?;
            let fb = eval::choose_fallback(fallback.as_ref(), config, f);
            serde_json::to_value(eval::metered(state, f, requested_usage, fb, now))
        }
        "getEnumEntitlement" => {
            let f = fid()?;
            let fb = eval::choose_fallback(fallback.as_ref(), config, f);
            serde_json::to_value(eval::enumeration(state, f, requested_values, fb, now))
        }
        "getCreditEntitlement" => {
            let c = currency_id.ok_or("missing request.currencyId")?;
            serde_json::to_value(eval::credit(
                state,
                c,
                requested_usage,
                credit_fallback.as_ref(),
                now,
            ))
        }
        "getEntitlement" | "getEntitlementV2" => {
            let target = EntitlementTarget::from_ids(feature_id, currency_id);
            let options = case.options();
            if case.method == "getEntitlement" {
                serde_json::to_value(eval::entitlement(state, fid()?, &options, config, now))
            } else {
                serde_json::to_value(eval::entitlement_v2(state, target, &options, config, now))
            }
        }
        "getEntitlementsStateV2" => {
            serde_json::to_value(eval::entitlements_state_v2(state, config, now))
        }
        other => return Err(format!("unknown method {other}")),
    };
    result.map_err(|e| format!("serialize: {e}"))
}

/// Runs a case the way every language binding does: an offline `Stigg` client with its clock fixed
/// at `now`, the vector's fallbacks configured, and the state (when there is one) as a fixture;
/// then the client's own typed getter, through its blocking face.
fn via_client(case: &Case) -> Result<Value, String> {
    let config = StiggConfig::builder()
        .offline(true)
        .read_env(false)
        .clock(Arc::new(FixedClock::new(case.now)))
        .entitlements_fallback(case.config.entitlements_fallback.clone())
        .credit_entitlements_fallback(case.config.credit_entitlements_fallback.clone())
        .build()
        .map_err(|e| e.to_string())?;
    let stigg = Stigg::new(config).map_err(|e| e.to_string())?;
    let customer_id = "conformance-customer";
    if let Some(state) = &case.wire_state {
        stigg
            .set_entitlements_state(customer_id, None, state)
            .map_err(|e| e.to_string())?;
    }
    let feature_id = case.feature_id.as_deref().unwrap_or_default();
    let run = async {
        let value = match case.method.as_str() {
            "getBooleanEntitlement" => serde_json::to_value(
                stigg
                    .get_boolean_entitlement(&GetBooleanEntitlement {
                        customer_id,
                        feature_id,
                        fallback: case.fallback.as_ref(),
                        ..Default::default()
                    })
                    .await,
            ),
            "getNumericEntitlement" => serde_json::to_value(
                stigg
                    .get_numeric_entitlement(&GetNumericEntitlement {
                        customer_id,
                        feature_id,
                        fallback: case.fallback.as_ref(),
                        ..Default::default()
                    })
                    .await,
            ),
            "getMeteredEntitlement" => serde_json::to_value(
                stigg
                    .get_metered_entitlement(&GetMeteredEntitlement {
                        customer_id,
                        feature_id,
                        requested_usage: case.requested_usage,
                        fallback: case.fallback.as_ref(),
                        ..Default::default()
                    })
                    .await,
            ),
            "getEnumEntitlement" => serde_json::to_value(
                stigg
                    .get_enum_entitlement(&GetEnumEntitlement {
                        customer_id,
                        feature_id,
                        requested_values: case.requested_values.clone(),
                        fallback: case.fallback.as_ref(),
                        ..Default::default()
                    })
                    .await,
            ),
            "getCreditEntitlement" => serde_json::to_value(
                stigg
                    .get_credit_entitlement(&GetCreditEntitlement {
                        customer_id,
                        currency_id: case.currency_id.as_deref().unwrap_or_default(),
                        requested_usage: case.requested_usage,
                        fallback: case.credit_fallback.as_ref(),
                        ..Default::default()
                    })
                    .await,
            ),
            "getEntitlement" => serde_json::to_value(
                stigg
                    .get_entitlement(&GetEntitlement {
                        customer_id,
                        feature_id,
                        options: case.options(),
                        ..Default::default()
                    })
                    .await,
            ),
            "getEntitlementV2" => serde_json::to_value(
                stigg
                    .get_entitlement_v2(&GetEntitlementV2 {
                        customer_id,
                        feature_id: case.feature_id.as_deref(),
                        currency_id: case.currency_id.as_deref(),
                        options: case.options(),
                        ..Default::default()
                    })
                    .await,
            ),
            "getEntitlementsStateV2" => {
                serde_json::to_value(stigg.get_entitlements_state_v2(customer_id, None).await)
            }
            other => return Err(format!("unknown method {other}")),
        };
        value.map_err(|e| format!("serialize: {e}"))
    };
    stigg.block_on(run).map_err(|e| e.to_string())?
}

/// JSON equality where numbers compare by value (`3` equals `3.0`).
fn diff(path: &str, expected: &Value, actual: &Value, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Number(a), Value::Number(b)) => {
            if a.as_f64() != b.as_f64() {
                out.push(format!("{path}: expected {a}, got {b}"));
            }
        }
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                match b.get(k) {
                    Some(vb) => diff(&format!("{path}.{k}"), va, vb, out),
                    None => out.push(format!("{path}.{k}: missing (expected {va})")),
                }
            }
            for (k, vb) in b {
                if !a.contains_key(k) {
                    out.push(format!("{path}.{k}: unexpected {vb}"));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                out.push(format!(
                    "{path}: expected {} items, got {}: {}",
                    a.len(),
                    b.len(),
                    actual
                ));
            } else {
                for (i, (va, vb)) in a.iter().zip(b).enumerate() {
                    diff(&format!("{path}[{i}]"), va, vb, out);
                }
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(format!("{path}: expected {a}, got {b}")),
    }
}

#[test]
fn conformance_vectors() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(vectors_dir())
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| {
        p.extension().is_some_and(|e| e == "json") && !p.to_string_lossy().ends_with(".schema.json")
    });
    files.sort();

    let mut ids = HashSet::new();
    let mut per_file = BTreeMap::new();
    let mut failures = Vec::new();
    let mut total = 0;
    for file in &files {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{name}: {e}"));
        let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(doc["schemaVersion"], 1, "{name}: schemaVersion");
        let cases = doc["cases"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: no cases"));
        per_file.insert(name.clone(), cases.len());
        for case in cases {
            total += 1;
            let id = case["id"].as_str().unwrap_or("<no id>").to_owned();
            if !ids.insert(id.clone()) {
                failures.push(format!("{id}: duplicate id ({name})"));
            }
            let parsed = match parse_case(case) {
                Ok(p) => p,
                Err(e) => {
                    failures.push(format!("{id}: cannot parse: {e}"));
                    continue;
                }
            };
            for (path, run) in [
                ("engine", via_engine as fn(&Case) -> Result<Value, String>),
                ("client", via_client),
            ] {
                match run(&parsed) {
                    Err(e) => failures.push(format!("{id} [{path}]: cannot run: {e}")),
                    Ok(actual) => {
                        let mut out = Vec::new();
                        diff("$", &case["expected"], &actual, &mut out);
                        if !out.is_empty() {
                            failures.push(format!(
                                "{id} [{path}] ({name}):\n    {}\n    actual: {}",
                                out.join("\n    "),
                                actual
                            ));
                        }
                    }
                }
            }
        }
    }
    for (name, n) in &per_file {
        println!("{name}: {n} cases");
    }
    println!("total: {total} cases");
    assert!(
        failures.is_empty(),
        "{} of {total} conformance cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        total >= MIN_CASES,
        "only {total} conformance cases (want >= {MIN_CASES})"
    );
}
