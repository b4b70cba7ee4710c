//! Runs every shared conformance vector in `tests/conformance/*.json` (schema: tests/conformance/README.md)
//! through the evaluation engine and compares the serialized result with the expected object.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use serde_json::Value;
use stigg_core::eval::{self, EntitlementOptions, EntitlementTarget};
use stigg_core::model::time::parse_iso;
use stigg_core::model::wire::EntitlementsState;
use stigg_core::model::{
    CreditEntitlementFallback, CustomerState, EntitlementFallback, FallbackConfig,
};

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

fn run_case(case: &Value) -> Result<Value, String> {
    let now = case["now"]
        .as_str()
        .and_then(parse_iso)
        .ok_or("missing or bad `now`")?;
    let config: FallbackConfig = match case.get("config") {
        None | Some(Value::Null) => FallbackConfig::default(),
        Some(c) => serde_json::from_value(c.clone()).map_err(|e| format!("config: {e}"))?,
    };
    let state: Option<CustomerState> = match case.get("state") {
        None => return Err("missing `state` (use null for an unavailable state)".into()),
        Some(Value::Null) => None,
        Some(s) => {
            let wire: EntitlementsState =
                serde_json::from_value(s.clone()).map_err(|e| format!("state: {e}"))?;
            Some(CustomerState::from_wire(&wire))
        }
    };
    let state = state.as_ref();
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
    let fid = || feature_id.ok_or("missing request.featureId");

    let result = match method {
        "getBooleanEntitlement" => {
            let f = fid()?;
            let fb = eval::choose_fallback(fallback.as_ref(), &config, f);
            serde_json::to_value(eval::boolean(state, f, fb, now))
        }
        "getNumericEntitlement" => {
            let f = fid()?;
            let fb = eval::choose_fallback(fallback.as_ref(), &config, f);
            serde_json::to_value(eval::numeric(state, f, fb, now))
        }
        "getMeteredEntitlement" => {
            let f = fid()?;
            let fb = eval::choose_fallback(fallback.as_ref(), &config, f);
            serde_json::to_value(eval::metered(state, f, requested_usage, fb, now))
        }
        "getEnumEntitlement" => {
            let f = fid()?;
            let fb = eval::choose_fallback(fallback.as_ref(), &config, f);
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
            let is_credit = matches!(target, EntitlementTarget::Credit(_));
            let options = EntitlementOptions {
                requested_usage,
                requested_values,
                fallback: if is_credit { None } else { fallback },
                credit_fallback: if is_credit { credit_fallback } else { None },
            };
            if method == "getEntitlement" {
                serde_json::to_value(eval::entitlement(state, fid()?, &options, &config, now))
            } else {
                serde_json::to_value(eval::entitlement_v2(state, target, &options, &config, now))
            }
        }
        "getEntitlementsStateV2" => {
            serde_json::to_value(eval::entitlements_state_v2(state, &config, now))
        }
        other => return Err(format!("unknown method {other}")),
    };
    result.map_err(|e| format!("serialize: {e}"))
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
            match run_case(case) {
                Err(e) => failures.push(format!("{id}: cannot run: {e}")),
                Ok(actual) => {
                    let mut out = Vec::new();
                    diff("$", &case["expected"], &actual, &mut out);
                    if !out.is_empty() {
                        failures.push(format!(
                            "{id} ({name}):\n    {}\n    actual: {}",
                            out.join("\n    "),
                            actual
                        ));
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
