#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every operation document the official clients send must pass the emulator's GraphQL
//! validation. The documents are read from the unpacked packages (not copied into the repo):
//! `STIGG_PY_CLIENT` (the `generated/client.py` of PyPI `stigg-api-client-v2`, default under
//! /work/ref) and, optionally, `STIGG_NODE_DOCS_JSON` (written by `tools/dump_node_docs.js` from
//! `@stigg/api-client-js`, the documents of the Node SDK 3.95). Missing files skip the test.

mod common;
use common::*;
use serde_json::{json, Value};

fn python_documents() -> Vec<(String, String)> {
    let path = std::env::var("STIGG_PY_CLIENT").unwrap_or_else(|_| {
        "/work/ref/py/stigg_api_client_v2-6.25.0-py3-none-any/stigg/generated/client.py".to_string()
    });
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipping python documents: {path} not found");
        return Vec::new();
    };
    let mut out = Vec::new();
    for chunk in text.split("gql(").skip(1) {
        let Some(end) = chunk.find("\n        )") else {
            continue;
        };
        let body = &chunk[..end];
        let doc: String = body
            .split("\"\"\"")
            .skip(1)
            .step_by(2)
            .collect::<Vec<_>>()
            .join("");
        if let Some(name) = doc
            .split_whitespace()
            .skip_while(|w| !matches!(*w, "query" | "mutation" | "subscription"))
            .nth(1)
        {
            let name = name
                .split(['(', '{'])
                .next()
                .unwrap_or_default()
                .to_string();
            out.push((format!("py:{name}"), doc));
        }
    }
    out
}

fn node_documents() -> Vec<(String, String)> {
    let Ok(path) = std::env::var("STIGG_NODE_DOCS_JSON") else {
        return Vec::new();
    };
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Vec::new();
    };
    let map: serde_json::Map<String, Value> = serde_json::from_str(&text).unwrap();
    map.into_iter()
        .filter(|(k, _)| k != "GetCreditLedger") // a retired shape of the 3.x client, unused by the SDK
        .map(|(k, v)| {
            (
                format!("node:{k}"),
                dedupe_fragments(v.as_str().unwrap_or_default()),
            )
        })
        .collect()
}

/// graphql-tag removes repeated fragment definitions; do the same.
fn dedupe_fragments(doc: &str) -> String {
    let mut out = String::new();
    let mut seen = Vec::new();
    for part in doc.split("fragment ").enumerate() {
        let (i, p) = part;
        if i == 0 {
            out.push_str(p);
            continue;
        }
        let name = p.split_whitespace().next().unwrap_or_default().to_string();
        if !seen.contains(&name) {
            seen.push(name);
            out.push_str("fragment ");
            out.push_str(p);
        }
    }
    out
}

/// Errors that come from missing variable values (we send none) are not validation failures.
fn is_validation_error(e: &Value) -> bool {
    let m = e["message"].as_str().unwrap_or_default();
    !(m.contains("Variable") || m.contains("variable"))
}

#[tokio::test]
async fn official_documents_pass_validation() {
    let docs: Vec<(String, String)> = python_documents()
        .into_iter()
        .chain(node_documents())
        .collect();
    if docs.is_empty() {
        eprintln!("no official documents available; skipped");
        return;
    }
    let emu = start().await;
    let mut failures = Vec::new();
    for (name, doc) in &docs {
        let (_, body) = gql_raw(&emu, KEY, doc, json!({})).await;
        let bad: Vec<&Value> = body["errors"]
            .as_array()
            .map(|a| a.iter().filter(|e| is_validation_error(e)).collect())
            .unwrap_or_default();
        // subscriptions over HTTP are rejected by design; everything else must validate
        if !bad.is_empty() && !doc.trim_start().starts_with("subscription") {
            failures.push(format!(
                "{name}: {}",
                bad.iter()
                    .map(|e| e["message"].to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} documents failed:\n{}",
        failures.len(),
        docs.len(),
        failures.join("\n")
    );
    eprintln!("{} official documents validated", docs.len());
    emu.shutdown().await;
}
