//! HTTP layer: `POST /graphql`, the graphql-transport-ws WebSocket at `/graphql`, the Edge
//! endpoints (spec §1.4) and the admin/test hooks under `/_emulator`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use async_graphql::dynamic::Schema;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::{broadcast, mpsc};

use crate::catalog::Catalog;
use crate::engine::Engine;
use crate::graphql::{select_all, Registry};

/// A fault injected through `POST /_emulator/faults`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRule {
    /// `status` (HTTP error), `latency` (delay then serve) or `hang` (never answer).
    #[serde(rename = "type")]
    pub kind: String,
    /// HTTP status for `status` (e.g. 500, 429, 401, 503).
    #[serde(default)]
    pub status: Option<u16>,
    /// `Retry-After` seconds for `status`.
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// Delay for `latency`.
    #[serde(default)]
    pub ms: Option<u64>,
    /// Number of matching requests it applies to (none = until cleared).
    #[serde(default)]
    pub count: Option<u32>,
    /// Only for this GraphQL operation name (or Edge operation `edge:<name>`).
    #[serde(default)]
    pub operation: Option<String>,
    /// Only for request paths starting with this.
    #[serde(default)]
    pub path: Option<String>,
}

/// Shared HTTP state.
#[derive(Clone)]
pub struct AppState {
    /// Engine.
    pub engine: Arc<Engine>,
    /// Schema.
    pub schema: Schema,
    /// Registry.
    pub registry: Arc<Registry>,
    /// Accepted API keys.
    pub api_keys: Arc<Vec<String>>,
    /// Fault rules.
    pub faults: Arc<Mutex<Vec<FaultRule>>>,
    /// Broadcast used to close every WebSocket: `(code, reason)`.
    pub ws_kill: broadcast::Sender<(u16, String)>,
    /// Catalog file to reload from.
    pub catalog_path: Option<Arc<std::path::PathBuf>>,
    edge_docs: Arc<HashMap<&'static str, String>>,
    edge_cache: Arc<RwLock<EdgeCache>>,
    fault_count: Arc<std::sync::atomic::AtomicUsize>,
}

/// Most rendered Edge bodies kept; past that the cache starts over.
const EDGE_CACHE_MAX: usize = 50_000;

/// Rendered Edge entitlement bodies by request (`kind|customer|resource|...`), all rendered at one
/// engine generation and clock offset: any state change or clock move makes every entry stale.
/// Entries also carry the instant their content would change by itself (a usage period ending,
/// a grant expiring, a due trial end, ...).
#[derive(Default)]
pub struct EdgeCache {
    generation: u64,
    clock_offset: i64,
    entries: HashMap<String, (Option<crate::clock::Millis>, axum::body::Bytes)>,
}

impl EdgeCache {
    fn get(&self, engine: &Engine, key: &str) -> Option<axum::body::Bytes> {
        if self.generation != engine.generation() || self.clock_offset != engine.clock.offset() {
            return None;
        }
        let (until, body) = self.entries.get(key)?;
        match until {
            Some(u) if engine.clock.now() >= *u => None,
            _ => Some(body.clone()),
        }
    }

    fn put(
        &mut self,
        generation: u64,
        clock_offset: i64,
        key: String,
        until: Option<crate::clock::Millis>,
        body: axum::body::Bytes,
    ) {
        if generation < self.generation {
            return; // rendered from an older state
        }
        if generation > self.generation
            || clock_offset != self.clock_offset
            || self.entries.len() >= EDGE_CACHE_MAX
        {
            self.entries.clear();
            self.generation = generation;
            self.clock_offset = clock_offset;
        }
        self.entries.insert(key, (until, body));
    }
}

impl AppState {
    /// Build the HTTP state.
    pub fn new(
        engine: Arc<Engine>,
        schema: Schema,
        registry: Arc<Registry>,
        api_keys: Vec<String>,
        catalog_path: Option<std::path::PathBuf>,
    ) -> Self {
        let mut docs = HashMap::new();
        let mut p = Vec::new();
        let sel = |t: &str, p: &mut Vec<String>| select_all(&registry, t, 4, p);
        docs.insert("state", format!("query EdgeEntitlementsState($query: FetchEntitlementsQuery!) {{ entitlementsState(query: $query) {} }}", sel("EntitlementsState", &mut p)));
        docs.insert("entitlements", format!("query EdgeEntitlements($query: FetchEntitlementsQuery!) {{ entitlements: cachedEntitlements(query: $query) {} }}", sel("Entitlement", &mut p)));
        docs.insert("entitlement", format!("query EdgeEntitlement($query: FetchEntitlementQuery!) {{ entitlement(query: $query) {} }}", sel("Entitlement", &mut p)));
        // the slim subscription list of the clients aliases `planId: refId` / `addonId: refId`
        let subs = select_all(&registry, "CustomerSubscription", 3, &mut p)
            .replace("plan { __typename ", "plan { __typename planId: refId ")
            .replace("addon { __typename ", "addon { __typename addonId: refId ");
        docs.insert(
            "subscriptions",
            format!("query EdgeActiveSubscriptions($input: GetActiveSubscriptionsInput!) {{ getActiveSubscriptions(input: $input) {subs} }}"),
        );
        docs.insert(
            "paywall",
            format!(
                "query EdgePaywall($input: GetPaywallInput!) {{ paywall(input: $input) {} }}",
                select_all(&registry, "Paywall", 6, &mut p)
            ),
        );
        docs.insert("config", "query EdgeSdkConfiguration { sdkConfiguration { __typename sentryDsn isWidgetWatermarkEnabled showWatermark } }".to_string());
        let (ws_kill, _) = broadcast::channel(16);
        Self {
            engine,
            schema,
            registry,
            api_keys: Arc::new(api_keys),
            faults: Arc::new(Mutex::new(Vec::new())),
            ws_kill,
            catalog_path: catalog_path.map(Arc::new),
            edge_docs: Arc::new(docs),
            edge_cache: Arc::new(RwLock::new(EdgeCache::default())),
            fault_count: Arc::new(std::sync::atomic::AtomicUsize::new(0)),
        }
    }

    fn key_ok(&self, headers: &HeaderMap) -> bool {
        headers
            .get("x-api-key")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|k| self.api_keys.iter().any(|a| a == k))
    }

    /// Whether any fault rule is set (lets the hot path skip the rule lock).
    fn has_faults(&self) -> bool {
        self.fault_count.load(std::sync::atomic::Ordering::Relaxed) > 0
    }

    /// Change the fault rules under their lock (keeps the rule count in step).
    fn edit_faults<R>(&self, f: impl FnOnce(&mut Vec<FaultRule>) -> R) -> R {
        let mut rules = match self.faults.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let out = f(&mut rules);
        self.fault_count
            .store(rules.len(), std::sync::atomic::Ordering::Relaxed);
        out
    }

    /// Take the fault applying to a request, if any.
    fn fault(&self, op: Option<&str>, path: &str) -> Option<FaultRule> {
        self.edit_faults(|rules| {
            let idx = rules.iter().position(|r| {
                r.operation.as_deref().is_none_or(|o| Some(o) == op)
                    && r.path.as_deref().is_none_or(|p| path.starts_with(p))
            })?;
            let rule = rules[idx].clone();
            if let Some(c) = rules[idx].count.as_mut() {
                *c = c.saturating_sub(1);
                if *c == 0 {
                    rules.remove(idx);
                }
            }
            Some(rule)
        })
    }
}

fn unauthenticated() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({"errors": [{"message": "Unauthenticated", "extensions": {"code": "Unauthenticated", "isValidationError": false}}], "data": null})),
    )
        .into_response()
}

/// Apply a fault: `Some(response)` short-circuits the request.
async fn apply_fault(rule: Option<FaultRule>) -> Option<Response> {
    let rule = rule?;
    match rule.kind.as_str() {
        "latency" => {
            tokio::time::sleep(Duration::from_millis(rule.ms.unwrap_or(1000))).await;
            None
        }
        "hang" => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            None
        }
        _ => {
            let status = StatusCode::from_u16(rule.status.unwrap_or(500))
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let code = match status.as_u16() {
                429 => "RateLimitExceeded",
                401 => "Unauthenticated",
                403 => "IdentityForbidden",
                _ => "InternalServerError",
            };
            let mut resp = (status, Json(json!({"errors": [{"message": format!("Injected fault: HTTP {}", status.as_u16()), "extensions": {"code": code}}]}))).into_response();
            if let Some(ra) = rule.retry_after {
                if let Ok(v) = ra.to_string().parse() {
                    resp.headers_mut().insert("retry-after", v);
                }
            }
            Some(resp)
        }
    }
}

/// The router serving everything (used on the main port and the Edge port).
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/graphql", post(graphql_post).get(graphql_ws))
        .route("/v1/c/{customer}/entitlements-state.json", get(edge_state))
        .route("/v1/c/{customer}/entitlements.json", get(edge_entitlements))
        .route(
            "/v1/c/{customer}/subscriptions.json",
            get(edge_subscriptions),
        )
        .route("/v1/paywall.json", get(edge_paywall))
        .route("/v1/p/{product}/paywall.json", get(edge_product_paywall))
        .route("/v1/config/server-sdk-configuration.json", get(edge_config))
        .route(
            "/_emulator/health",
            get(|| async { Json(json!({"status": "UP"})) }),
        )
        .route(
            "/_emulator/faults",
            get(faults_list).post(faults_add).delete(faults_clear),
        )
        .route("/_emulator/ws/drop", post(ws_drop))
        .route("/_emulator/events", post(push_event))
        .route("/_emulator/clock", get(clock_get))
        .route("/_emulator/clock/advance", post(clock_advance))
        .route("/_emulator/catalog/reload", post(catalog_reload))
        .route("/_emulator/reset", post(reset))
        .route("/_emulator/state", get(state_dump))
        .with_state(state)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GqlBody {
    query: String,
    #[serde(default)]
    variables: Option<Value>,
    #[serde(default)]
    operation_name: Option<String>,
}

fn json_response(body: impl Into<axum::body::Body>) -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body.into(),
    )
        .into_response()
}

/// Execute a request; the body keeps the selection order of the document.
async fn run(
    st: &AppState,
    query: String,
    variables: Option<Value>,
    op: Option<String>,
) -> Response {
    json_response(execute(st, query, variables, op).await.0)
}

/// Execute a request: the serialized response and whether it carries errors.
async fn execute(
    st: &AppState,
    query: String,
    variables: Option<Value>,
    op: Option<String>,
) -> (Vec<u8>, bool) {
    let schema = &st.schema;
    let mut req = crate::graphql::request(&st.registry, &query);
    if let Some(v) = variables {
        req = req.variables(async_graphql::Variables::from_json(v));
    }
    if let Some(o) = op {
        req = req.operation_name(o);
    }
    let resp = schema.execute(req).await;
    (
        serde_json::to_vec(&resp).unwrap_or_default(),
        !resp.errors.is_empty(),
    )
}

async fn graphql_post(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if !st.key_ok(&headers) {
        return unauthenticated();
    }
    let body: GqlBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => {
            return (StatusCode::BAD_REQUEST, Json(json!({"errors": [{"message": format!("invalid request body: {e}"), "extensions": {"code": "BadUserInput"}}]}))).into_response()
        }
    };
    let op = headers
        .get("x-graphql-operation-name")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| body.operation_name.clone());
    if let Some(r) = apply_fault(st.fault(op.as_deref(), "/graphql")).await {
        return r;
    }
    run(&st, body.query, body.variables, body.operation_name).await
}

/// Cache scope of an Edge entitlement read: `(customer, resource, cache key)`.
type EdgeScope<'a> = (&'a str, Option<&'a str>, String);

async fn edge(
    st: &AppState,
    headers: &HeaderMap,
    name: &'static str,
    path: &str,
    doc: &str,
    vars: Value,
) -> Response {
    edge_cached(st, headers, name, path, doc, vars, None).await
}

/// An Edge read; entitlement reads (`scope`) are served from [`EdgeCache`] when still valid, and
/// otherwise rendered by the GraphQL resolvers (so both APIs keep one shape) and cached.
async fn edge_cached(
    st: &AppState,
    headers: &HeaderMap,
    name: &'static str,
    path: &str,
    doc: &str,
    vars: Value,
    scope: Option<EdgeScope<'_>>,
) -> Response {
    if !st.key_ok(headers) {
        return unauthenticated();
    }
    if st.has_faults() {
        if let Some(r) = apply_fault(st.fault(Some(&format!("edge:{name}")), path)).await {
            return r;
        }
    }
    let document = st.edge_docs.get(doc).cloned().unwrap_or_default();
    let Some((customer, resource, key)) = scope else {
        return run(st, document, Some(vars), None).await;
    };
    let hit = match st.edge_cache.read() {
        Ok(c) => c.get(&st.engine, &key),
        Err(p) => p.into_inner().get(&st.engine, &key),
    };
    if let Some(body) = hit {
        return json_response(body);
    }
    // generation and validity first: if the state changes while we render, the entry is stale
    let offset = st.engine.clock.offset();
    let (generation, until) = st.engine.entitlements_validity(customer, resource);
    let (body, errors) = execute(st, document, Some(vars), None).await;
    let body = axum::body::Bytes::from(body);
    if !errors {
        let mut c = match st.edge_cache.write() {
            Ok(c) => c,
            Err(p) => p.into_inner(),
        };
        c.put(generation, offset, key, until, body.clone());
    }
    json_response(body)
}

async fn edge_state(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(customer): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let path = format!("/v1/c/{customer}/entitlements-state.json");
    let resource = q.get("resourceId").map(String::as_str);
    let vars = json!({"query": {"customerId": customer, "resourceId": resource}});
    let key = format!("state|{customer}|{}", resource.unwrap_or("\u{0}"));
    let scope = Some((customer.as_str(), resource, key));
    edge_cached(
        &st,
        &headers,
        "entitlements-state",
        &path,
        "state",
        vars,
        scope,
    )
    .await
}

async fn edge_entitlements(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(customer): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let path = format!("/v1/c/{customer}/entitlements.json");
    let resource = q.get("resourceId").map(String::as_str);
    match q.get("featureId") {
        Some(feat) => {
            let ru = q.get("requestedUsage").and_then(|x| x.parse::<f64>().ok());
            let vars = json!({"query": {"customerId": customer, "resourceId": resource, "featureId": feat, "options": {"requestedUsage": ru}}});
            let key = format!(
                "entitlement|{customer}|{}|{feat}|{ru:?}",
                resource.unwrap_or("\u{0}")
            );
            let scope = Some((customer.as_str(), resource, key));
            edge_cached(
                &st,
                &headers,
                "entitlement",
                &path,
                "entitlement",
                vars,
                scope,
            )
            .await
        }
        None => {
            let vars = json!({"query": {"customerId": customer, "resourceId": resource}});
            let key = format!("entitlements|{customer}|{}", resource.unwrap_or("\u{0}"));
            let scope = Some((customer.as_str(), resource, key));
            edge_cached(
                &st,
                &headers,
                "entitlements",
                &path,
                "entitlements",
                vars,
                scope,
            )
            .await
        }
    }
}

async fn edge_subscriptions(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(customer): Path<String>,
    raw: axum::extract::RawQuery,
) -> Response {
    let path = format!("/v1/c/{customer}/subscriptions.json");
    let mut resource = None;
    let mut resources: Vec<String> = Vec::new();
    for (k, v) in form_pairs(raw.0.as_deref().unwrap_or_default()) {
        match k.as_str() {
            "resourceId" => resource = Some(v),
            "resourceIds" | "resourceIds[]" => resources.push(v),
            _ => {}
        }
    }
    let vars = json!({"input": {"customerId": customer, "resourceId": resource, "resourceIds": if resources.is_empty() { Value::Null } else { json!(resources) }}});
    edge(&st, &headers, "subscriptions", &path, "subscriptions", vars).await
}

fn form_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|x| !x.is_empty())
        .map(|kv| {
            let mut it = kv.splitn(2, '=');
            let dec = |s: &str| percent_decode(s);
            (
                dec(it.next().unwrap_or_default()),
                dec(it.next().unwrap_or_default()),
            )
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(
                    std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                    16,
                ) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn paywall_vars(product: Option<String>, q: &HashMap<String, String>) -> Value {
    let truthy = |k: &str| q.get(k).map(|v| v == "true");
    json!({"input": {"productId": product, "billingCountryCode": q.get("billingCountryCode"),
                     "includeHiddenPlans": truthy("includeHiddenPlans"), "fetchAllCountriesPrices": truthy("fetchAllCountriesPrices")}})
}

async fn edge_paywall(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    edge(
        &st,
        &headers,
        "paywall",
        "/v1/paywall.json",
        "paywall",
        paywall_vars(None, &q),
    )
    .await
}

async fn edge_product_paywall(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(product): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let path = format!("/v1/p/{product}/paywall.json");
    edge(
        &st,
        &headers,
        "paywall",
        &path,
        "paywall",
        paywall_vars(Some(product), &q),
    )
    .await
}

async fn edge_config(State(st): State<AppState>, headers: HeaderMap) -> Response {
    edge(
        &st,
        &headers,
        "sdk-configuration",
        "/v1/config/server-sdk-configuration.json",
        "config",
        json!({}),
    )
    .await
}

// ------------------------------------------------------------------------------ WebSocket

async fn graphql_ws(State(st): State<AppState>, ws: WebSocketUpgrade) -> Response {
    if let Some(r) = apply_fault(st.fault(Some("ws"), "/graphql")).await {
        return r;
    }
    ws.protocols(["graphql-transport-ws"])
        .on_upgrade(move |socket| ws_session(st, socket))
}

fn header_key(payload: &Value) -> Option<String> {
    let find = |obj: &serde_json::Map<String, Value>| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("x-api-key"))
            .and_then(|(_, v)| v.as_str().map(str::to_string))
    };
    let obj = payload.as_object()?;
    obj.get("headers")
        .and_then(Value::as_object)
        .and_then(find)
        .or_else(|| find(obj))
}

async fn close(socket: &mut WebSocket, code: u16, reason: &str) {
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        })))
        .await;
}

async fn ws_session(st: AppState, mut socket: WebSocket) {
    let mut kill = st.ws_kill.subscribe();
    // 1. connection_init
    let init = tokio::time::timeout(Duration::from_secs(10), socket.recv()).await;
    let payload = match init {
        Ok(Some(Ok(Message::Text(t)))) => match serde_json::from_str::<Value>(&t) {
            Ok(v) if v.get("type").and_then(Value::as_str) == Some("connection_init") => {
                v.get("payload").cloned().unwrap_or(Value::Null)
            }
            _ => return close(&mut socket, 4400, "Expected connection_init").await,
        },
        Err(_) => return close(&mut socket, 4408, "Connection initialisation timeout").await,
        _ => return,
    };
    match header_key(&payload) {
        Some(k) if st.api_keys.contains(&k) => {}
        _ => return close(&mut socket, 4401, "Invalid API key").await,
    }
    if socket
        .send(Message::Text(
            json!({"type": "connection_ack"}).to_string().into(),
        ))
        .await
        .is_err()
    {
        return;
    }
    let (mut sink, mut stream) = socket.split();
    let (out_tx, mut out_rx) = mpsc::channel::<Message>(1024);
    let mut subs: HashMap<String, tokio::task::JoinHandle<()>> = HashMap::new();
    loop {
        tokio::select! {
            msg = stream.next() => {
                let Some(Ok(msg)) = msg else { break };
                let text = match msg {
                    Message::Text(t) => t.to_string(),
                    Message::Close(_) => break,
                    _ => continue,
                };
                let Ok(v) = serde_json::from_str::<Value>(&text) else { continue };
                match v.get("type").and_then(Value::as_str) {
                    Some("ping") => { let _ = out_tx.send(Message::Text(json!({"type": "pong"}).to_string().into())).await; }
                    Some("subscribe") => {
                        let id = v.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
                        let p = v.get("payload").cloned().unwrap_or(Value::Null);
                        let schema = st.schema.clone();
                        let tx = out_tx.clone();
                        let id2 = id.clone();
                        let mut req = crate::graphql::request(&st.registry, p.get("query").and_then(Value::as_str).unwrap_or_default());
                        if let Some(vars) = p.get("variables").filter(|v| !v.is_null()) {
                            req = req.variables(async_graphql::Variables::from_json(vars.clone()));
                        }
                        if let Some(o) = p.get("operationName").and_then(Value::as_str) {
                            req = req.operation_name(o);
                        }
                        let mut s = schema.execute_stream(req);
                        // Poll once now: this validates the document and registers the event
                        // listener before any later message (e.g. a ping) is answered.
                        let early = futures_util::FutureExt::now_or_never(s.next());
                        let task = tokio::spawn(async move {
                            let mut first = true;
                            let mut early = early;
                            loop {
                                let resp = match early.take() {
                                    Some(r) => r,
                                    None => s.next().await,
                                };
                                let Some(resp) = resp else { break };
                                if !resp.errors.is_empty() {
                                    if first && resp.data == async_graphql::Value::Null {
                                        // invalid document: the protocol's `error` message
                                        let errs = serde_json::to_value(&resp.errors).unwrap_or(Value::Null);
                                        let _ = tx.send(Message::Text(json!({"type": "error", "id": id2, "payload": errs}).to_string().into())).await;
                                        return;
                                    }
                                    continue; // never send error frames on live subscriptions (spec §1.5)
                                }
                                first = false;
                                let payload = serde_json::to_string(&resp).unwrap_or_default();
                                let frame = format!("{{\"type\":\"next\",\"id\":{},\"payload\":{payload}}}", Value::String(id2.clone()));
                                if tx.send(Message::Text(frame.into())).await.is_err() {
                                    return;
                                }
                            }
                            let _ = tx.send(Message::Text(json!({"type": "complete", "id": id2}).to_string().into())).await;
                        });
                        if let Some(old) = subs.insert(id, task) { old.abort(); }
                    }
                    Some("complete") => {
                        if let Some(task) = v.get("id").and_then(Value::as_str).and_then(|id| subs.remove(id)) { task.abort(); }
                    }
                    Some("connection_init") => {
                        let _ = sink.send(Message::Close(Some(CloseFrame { code: 4429, reason: "Too many initialisation requests".into() }))).await;
                        break;
                    }
                    _ => {}
                }
            }
            out = out_rx.recv() => {
                let Some(out) = out else { break };
                if sink.send(out).await.is_err() { break; }
            }
            k = kill.recv() => {
                if let Ok((code, reason)) = k {
                    let _ = sink.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
                }
                break;
            }
        }
    }
    for (_, t) in subs {
        t.abort();
    }
}

// ------------------------------------------------------------------------------- admin

async fn faults_list(State(st): State<AppState>) -> Json<Value> {
    let rules = match st.faults.lock() {
        Ok(g) => g.clone(),
        Err(p) => p.into_inner().clone(),
    };
    Json(json!({"faults": rules}))
}

async fn faults_add(State(st): State<AppState>, Json(rule): Json<FaultRule>) -> Response {
    if !matches!(rule.kind.as_str(), "status" | "latency" | "hang") {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "type must be status, latency or hang"})),
        )
            .into_response();
    }
    st.edit_faults(|rules| rules.push(rule));
    Json(json!({"ok": true})).into_response()
}

async fn faults_clear(State(st): State<AppState>) -> Json<Value> {
    st.edit_faults(Vec::clear);
    Json(json!({"ok": true}))
}

#[derive(Deserialize, Default)]
struct DropBody {
    #[serde(default)]
    code: Option<u16>,
    #[serde(default)]
    reason: Option<String>,
}

async fn ws_drop(State(st): State<AppState>, body: Option<Json<DropBody>>) -> Json<Value> {
    let b = body.map(|b| b.0).unwrap_or_default();
    let n = st
        .ws_kill
        .send((
            b.code.unwrap_or(1012),
            b.reason.unwrap_or_else(|| "Service restart".into()),
        ))
        .unwrap_or(0);
    Json(json!({"dropped": n}))
}

#[derive(Deserialize)]
struct EventBody {
    field: String,
    payload: Value,
}

async fn push_event(State(st): State<AppState>, Json(b): Json<EventBody>) -> Json<Value> {
    st.engine.publish(&b.field, b.payload);
    Json(json!({"ok": true}))
}

async fn clock_get(State(st): State<AppState>) -> Json<Value> {
    let now = st.engine.clock.now();
    Json(json!({"now": crate::clock::iso(now), "nowMs": now, "offsetMs": st.engine.clock.offset()}))
}

#[derive(Deserialize, Default)]
struct AdvanceBody {
    #[serde(default)]
    ms: Option<i64>,
    #[serde(default)]
    seconds: Option<i64>,
    #[serde(default)]
    days: Option<i64>,
}

async fn clock_advance(State(st): State<AppState>, Json(b): Json<AdvanceBody>) -> Json<Value> {
    let ms = b.ms.unwrap_or(0) + b.seconds.unwrap_or(0) * 1000 + b.days.unwrap_or(0) * 86_400_000;
    st.engine.advance_clock(ms);
    clock_get(State(st)).await
}

async fn catalog_reload(State(st): State<AppState>, body: axum::body::Bytes) -> Response {
    let trimmed = std::str::from_utf8(&body).map(str::trim).unwrap_or("x");
    let parsed = if trimmed.is_empty() || trimmed == "null" || trimmed == "{}" {
        match st.catalog_path.as_deref() {
            Some(p) => Catalog::load(p),
            None => Catalog::example(),
        }
    } else {
        match std::str::from_utf8(&body) {
            Ok(t) => Catalog::parse(t),
            Err(e) => {
                return (
                    StatusCode::BAD_REQUEST,
                    Json(json!({"error": e.to_string()})),
                )
                    .into_response()
            }
        }
    };
    match parsed {
        Ok(c) => {
            st.engine.reload_catalog(c);
            Json(json!({"ok": true})).into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": e.to_string()})),
        )
            .into_response(),
    }
}

async fn reset(State(st): State<AppState>) -> Json<Value> {
    st.engine.reset();
    st.edit_faults(Vec::clear);
    Json(json!({"ok": true}))
}

async fn state_dump(State(st): State<AppState>) -> Json<Value> {
    Json(st.engine.snapshot())
}
