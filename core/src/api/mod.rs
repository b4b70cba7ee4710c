//! The transport to Stigg: GraphQL over HTTP and the Edge read API (spec §1.2–§1.4), with the official
//! SDK's headers, retries and timeouts, over one pooled `reqwest` client (rustls).

pub mod documents;
pub mod headers;
pub mod management_documents;
pub mod retry;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use crate::error::{Result, StiggError};
use crate::ids::random_unit;
use retry::{parse_retry_after, RetryPolicy};

/// One GraphQL operation: its name (sent as `operationName` and `x-graphql-operation-name`) and text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The operation name.
    pub name: &'static str,
    /// The document.
    pub document: &'static str,
}

/// What the transport reports to the client's listeners.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiEvent {
    /// Stigg rejected the API key (HTTP 401, or a GraphQL error with code `Unauthenticated`).
    ApiKeyInvalid,
    /// A request failed for another reason.
    NetworkRequestFailed {
        /// The error's message.
        error_message: String,
        /// Stigg's error code, when there is one.
        error_code: Option<String>,
        /// The server's trace id, when there is one.
        trace_id: Option<String>,
    },
}

/// A callback that receives [`ApiEvent`]s.
pub type ApiEventSink = Arc<dyn Fn(ApiEvent) + Send + Sync>;

/// Settings of an [`ApiClient`].
#[derive(Clone)]
pub struct ApiSettings {
    /// GraphQL origin (`baseUri`).
    pub base_uri: String,
    /// Edge origin (`baseEdgeUri`).
    pub base_edge_uri: String,
    /// The API key.
    pub api_key: String,
    /// This SDK instance's id.
    pub instance_id: String,
    /// GraphQL retry policy.
    pub graphql_retry: RetryPolicy,
    /// Edge retry policy.
    pub edge_retry: RetryPolicy,
}

/// A Stigg API client: one connection pool, the SDK headers, retries.
#[derive(Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    graphql_url: String,
    edge_base: url::Url,
    settings: Arc<ApiSettings>,
    events: Option<ApiEventSink>,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient")
            .field("graphql_url", &self.graphql_url)
            .field("edge_base", &self.edge_base.as_str())
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct GraphQlResponse {
    #[serde(default)]
    data: Option<Value>,
    #[serde(default)]
    errors: Option<Vec<GraphQlError>>,
}

#[derive(Deserialize)]
struct GraphQlError {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    extensions: Option<GraphQlErrorExtensions>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GraphQlErrorExtensions {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    trace_id: Option<String>,
}

/// The outcome of one try.
enum Attempt {
    Done(Result<Value>),
    Retry {
        error: StiggError,
        retry_after: Option<Duration>,
    },
}

impl ApiClient {
    /// Builds a client; fails only when the key cannot be sent as a header or TLS cannot start.
    pub fn new(settings: ApiSettings, events: Option<ApiEventSink>) -> Result<Self> {
        let headers = headers::header_map(&settings.api_key, &settings.instance_id)?;
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_nodelay(true)
            .build()
            .map_err(|e| StiggError::Network(format!("cannot start the HTTP client: {e}")))?;
        let edge_base = url::Url::parse(&format!(
            "{}/",
            settings.base_edge_uri.trim_end_matches('/')
        ))
        .map_err(|e| {
            StiggError::Config(crate::error::ConfigError::new("baseEdgeUri", e.to_string()))
        })?;
        Ok(ApiClient {
            http,
            graphql_url: format!("{}/graphql", settings.base_uri.trim_end_matches('/')),
            edge_base,
            settings: Arc::new(settings),
            events,
        })
    }

    fn emit(&self, event: ApiEvent) {
        if let Some(sink) = &self.events {
            sink(event);
        }
    }

    /// Reports a final failure to the listeners, as the official SDK's error handler does.
    fn report(&self, err: &StiggError) {
        match err {
            StiggError::Api { code, .. } if code.as_deref() == Some("Unauthenticated") => {
                self.emit(ApiEvent::ApiKeyInvalid)
            }
            StiggError::InvalidArgument { .. } | StiggError::Config(_) | StiggError::Closed => {}
            other => self.emit(ApiEvent::NetworkRequestFailed {
                error_message: other.to_string(),
                error_code: match other {
                    StiggError::Api { code, .. } => code.clone(),
                    StiggError::Timeout { .. } => Some(String::from("RequestTimeout")),
                    _ => None,
                },
                trace_id: other.trace_id().map(str::to_owned),
            }),
        }
    }

    /// Runs a GraphQL operation and deserializes its `data`.
    ///
    /// `timeout` bounds each try. Retries: connection errors, HTTP 429 and 5xx other than 500
    /// (Apollo's `RetryLink` does not retry 400 and 500), never a GraphQL error in a 200 response and
    /// never a timeout.
    pub async fn graphql<T: DeserializeOwned>(
        &self,
        op: Operation,
        variables: Value,
        timeout: Duration,
    ) -> Result<T> {
        let body = serde_json::json!({
            "operationName": op.name,
            "variables": variables,
            "query": op.document,
        });
        let policy = &self.settings.graphql_retry;
        let mut retry = 0;
        let result = loop {
            let request = self
                .http
                .post(&self.graphql_url)
                .header("x-graphql-operation-name", op.name)
                .json(&body)
                .timeout(timeout);
            match self.attempt(op.name, request).await {
                Attempt::Done(r) => break r,
                Attempt::Retry { error, retry_after } => {
                    if retry >= policy.max_retries {
                        break Err(error);
                    }
                    retry += 1;
                    let delay = policy.delay(retry, random_unit(), retry_after);
                    tracing::debug!(operation = op.name, retry, ?delay, error = %error, "retrying");
                    tokio::time::sleep(delay).await;
                }
            }
        };
        let data = result.inspect_err(|e| self.report(e))?;
        serde_json::from_value(data).map_err(|e| {
            let err = invalid_response(op.name, e);
            self.report(&err);
            err
        })
    }

    /// GETs an Edge path (relative, e.g. `v1/c/{id}/entitlements-state.json`) with query pairs and
    /// deserializes its `data`. Every try shares the one `timeout` budget.
    pub async fn edge<T: DeserializeOwned>(
        &self,
        path_segments: &[&str],
        query: &[(&str, &str)],
        timeout: Duration,
    ) -> Result<T> {
        let mut url = self.edge_base.clone();
        if let Ok(mut segs) = url.path_segments_mut() {
            segs.pop_if_empty().extend(path_segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let name = path_segments.last().copied().unwrap_or("edge");
        let policy = &self.settings.edge_retry;
        let deadline = Instant::now() + timeout;
        let mut retry = 0;
        let result = loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                break Err(StiggError::Timeout {
                    operation: name.to_owned(),
                });
            }
            let request = self
                .http
                .get(url.clone())
                .header("X-API-VERSION", "1")
                .timeout(remaining);
            match self.attempt(name, request).await {
                Attempt::Done(r) => break r,
                Attempt::Retry { error, retry_after } => {
                    if retry >= policy.max_retries {
                        break Err(error);
                    }
                    retry += 1;
                    let delay = policy.delay(retry, random_unit(), retry_after);
                    if delay >= deadline.saturating_duration_since(Instant::now()) {
                        break Err(error);
                    }
                    tracing::debug!(path = %url, retry, ?delay, error = %error, "retrying edge");
                    tokio::time::sleep(delay).await;
                }
            }
        };
        let data = result.inspect_err(|e| self.report(e))?;
        serde_json::from_value(data).map_err(|e| {
            let err = invalid_response(name, e);
            self.report(&err);
            err
        })
    }

    async fn attempt(&self, operation: &str, request: reqwest::RequestBuilder) -> Attempt {
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) if e.is_timeout() => {
                return Attempt::Done(Err(StiggError::Timeout {
                    operation: operation.to_owned(),
                }))
            }
            Err(e) => {
                return Attempt::Retry {
                    error: StiggError::Network(format!("{operation}: {}", error_chain(&e))),
                    retry_after: None,
                }
            }
        };
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let body = match response.bytes().await {
            Ok(b) => b,
            Err(e) if e.is_timeout() => {
                return Attempt::Done(Err(StiggError::Timeout {
                    operation: operation.to_owned(),
                }))
            }
            Err(e) => {
                return Attempt::Retry {
                    error: StiggError::Network(format!("{operation}: {}", error_chain(&e))),
                    retry_after: None,
                }
            }
        };
        let parsed: Option<GraphQlResponse> = serde_json::from_slice(&body).ok();
        let first_error = parsed
            .as_ref()
            .and_then(|p| p.errors.as_ref())
            .and_then(|e| e.first());
        let api_error = first_error.map(|e| StiggError::Api {
            message: e
                .message
                .clone()
                .unwrap_or_else(|| String::from("unknown error")),
            code: e.extensions.as_ref().and_then(|x| x.code.clone()),
            trace_id: e.extensions.as_ref().and_then(|x| x.trace_id.clone()),
        });
        if status.is_success() {
            return Attempt::Done(match (api_error, parsed.and_then(|p| p.data)) {
                (Some(err), _) => Err(err),
                (None, Some(data)) => Ok(data),
                (None, None) => Err(StiggError::Api {
                    message: format!("{operation}: the response has no data"),
                    code: None,
                    trace_id: None,
                }),
            });
        }
        let error = match api_error {
            Some(StiggError::Api {
                message,
                code,
                trace_id,
            }) => StiggError::Api {
                message,
                code: code.or_else(|| status_code_name(status.as_u16())),
                trace_id,
            },
            _ => StiggError::Api {
                message: format!("{operation}: HTTP {status}"),
                code: status_code_name(status.as_u16()),
                trace_id: None,
            },
        };
        match status.as_u16() {
            400 | 401 | 403 | 404 | 500 => Attempt::Done(Err(error)),
            _ => Attempt::Retry { error, retry_after },
        }
    }
}

/// Stigg-style codes for HTTP failures that carry no GraphQL error code.
fn status_code_name(status: u16) -> Option<String> {
    let name = match status {
        401 => "Unauthenticated",
        403 => "IdentityForbidden",
        429 => "RateLimitExceeded",
        _ => return None,
    };
    Some(name.to_owned())
}

fn invalid_response(operation: &str, e: serde_json::Error) -> StiggError {
    StiggError::Api {
        message: format!("{operation}: unexpected response shape: {e}"),
        code: Some(String::from("InvalidResponse")),
        trace_id: None,
    }
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
