//! Starting and stopping the sidecar: the gRPC server (cleartext HTTP/2), the HTTP health and
//! metrics server, the core client, and graceful shutdown.
//!
//! Health endpoints (on `HEALTH_PORT`):
//! * `GET /livez` → `200 {"status":"UP"}` while the process serves.
//! * `GET /readyz` → `503 {"status":"DOWN"}` until the client's first initialization attempt has
//!   finished, then `200 {"status":"UP"}`. A failed initialization (bad key, Stigg unreachable) still
//!   ends as UP: like Stigg's sidecar, this one keeps serving (cache, then fallbacks) and recovers by
//!   itself; the failure is logged and counted in `sidecar_initialization_errors_total`. Offline: UP
//!   at once.
//! * `GET /metrics` → Prometheus text (see [`crate::metrics`]).
//!
//! Shutdown ([`RunningSidecar::shutdown`], SIGTERM/SIGINT in the binary): both servers stop
//! accepting connections, in-flight calls are drained (writes to Stigg included), then the client is
//! closed.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use stigg_core::Stigg;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::SidecarConfig;
use crate::metrics::Metrics;
use crate::pb::sidecar_service_server::SidecarServiceServer;
use crate::service::Sidecar;

/// An error starting the sidecar.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The core client could not be created.
    #[error("cannot create the Stigg client: {0}")]
    Client(#[from] stigg_core::StiggError),
    /// A port could not be bound.
    #[error("cannot listen on {addr} ({what}): {source}")]
    Bind {
        /// Which server.
        what: &'static str,
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// State shared by the health endpoints.
struct Health {
    ready: AtomicBool,
    metrics: Arc<Metrics>,
}

/// A running sidecar.
pub struct RunningSidecar {
    grpc_addr: SocketAddr,
    health_addr: SocketAddr,
    stigg: Stigg,
    metrics: Arc<Metrics>,
    health: Arc<Health>,
    stop: watch::Sender<bool>,
    grpc: JoinHandle<Result<(), tonic::transport::Error>>,
    http: JoinHandle<std::io::Result<()>>,
}

impl RunningSidecar {
    /// The address the gRPC server listens on.
    pub fn grpc_addr(&self) -> SocketAddr {
        self.grpc_addr
    }

    /// The address the health and metrics server listens on.
    pub fn health_addr(&self) -> SocketAddr {
        self.health_addr
    }

    /// The core client.
    pub fn stigg(&self) -> &Stigg {
        &self.stigg
    }

    /// The metrics.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// True once `/readyz` answers UP.
    pub fn is_ready(&self) -> bool {
        self.health.ready.load(Ordering::Acquire)
    }

    /// Stops accepting, drains in-flight calls, then closes the client.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        match self.grpc.await {
            Ok(Err(e)) => tracing::warn!(error = %e, "gRPC server ended with an error"),
            Err(e) => tracing::warn!(error = %e, "gRPC server task failed"),
            Ok(Ok(())) => {}
        }
        match self.http.await {
            Ok(Err(e)) => tracing::warn!(error = %e, "health server ended with an error"),
            Err(e) => tracing::warn!(error = %e, "health server task failed"),
            Ok(Ok(())) => {}
        }
        self.stigg.close().await;
        tracing::info!("Sidecar stopped");
    }
}

async fn bind(what: &'static str, addr: SocketAddr) -> Result<TcpListener, StartError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind { what, addr, source })
}

/// Starts the sidecar inside the current tokio runtime: binds both ports, creates the core client
/// (which starts initializing in the background) and serves until [`RunningSidecar::shutdown`].
pub async fn start(config: SidecarConfig) -> Result<RunningSidecar, StartError> {
    if let Some(redis) = &config.redis {
        tracing::warn!(
            prefix = %redis.environment_prefix,
            host = %redis.host,
            port = redis.port,
            "REDIS_ENVIRONMENT_PREFIX is set, but Redis mode is not supported yet; using the in-memory cache"
        );
    }
    let grpc_listener = bind("gRPC, PORT", SocketAddr::new(config.host, config.port)).await?;
    let http_listener = bind(
        "health, HEALTH_PORT",
        SocketAddr::new(config.host, config.health_port),
    )
    .await?;
    let grpc_addr = grpc_listener
        .local_addr()
        .map_err(|source| StartError::Bind {
            what: "gRPC, PORT",
            addr: SocketAddr::new(config.host, config.port),
            source,
        })?;
    let health_addr = http_listener
        .local_addr()
        .map_err(|source| StartError::Bind {
            what: "health, HEALTH_PORT",
            addr: SocketAddr::new(config.host, config.health_port),
            source,
        })?;

    let offline = config.stigg.offline;
    let metrics = Arc::new(Metrics::default());
    let stigg = Stigg::new(config.stigg)?;
    {
        let m = Arc::clone(&metrics);
        stigg.add_listener(move |e| m.on_event(e));
    }
    let health = Arc::new(Health {
        ready: AtomicBool::new(offline),
        metrics: Arc::clone(&metrics),
    });
    {
        let stigg = stigg.clone();
        let health = Arc::clone(&health);
        tokio::spawn(async move {
            match stigg.wait_for_initialization().await {
                Ok(()) => tracing::info!("Stigg client initialized"),
                Err(e) => tracing::error!(
                    error = %e,
                    code = e.code(),
                    "Stigg client failed to initialize; serving from cache and fallbacks"
                ),
            }
            health.ready.store(true, Ordering::Release);
        });
    }

    let (stop, stop_rx) = watch::channel(false);
    let service = SidecarServiceServer::new(Sidecar::new(stigg.clone(), Arc::clone(&metrics)));
    let grpc = {
        let mut rx = stop_rx.clone();
        let incoming =
            tonic::transport::server::TcpIncoming::from(grpc_listener).with_nodelay(Some(true));
        tokio::spawn(
            tonic::transport::Server::builder()
                .add_service(service)
                .serve_with_incoming_shutdown(incoming, async move {
                    let _ = rx.wait_for(|s| *s).await;
                }),
        )
    };
    let http = {
        let mut rx = stop_rx;
        let app = axum::Router::new()
            .route("/livez", get(livez))
            .route("/readyz", get(readyz))
            .route("/metrics", get(metrics_text))
            .with_state(Arc::clone(&health));
        let serve = axum::serve(http_listener, app).with_graceful_shutdown(async move {
            let _ = rx.wait_for(|s| *s).await;
        });
        tokio::spawn(async move { serve.await })
    };
    tracing::info!(grpc = %grpc_addr, health = %health_addr, offline, "Sidecar is ready");
    Ok(RunningSidecar {
        grpc_addr,
        health_addr,
        stigg,
        metrics,
        health,
        stop,
        grpc,
        http,
    })
}

const STATUS_UP: &str = r#"{"status":"UP"}"#;
const STATUS_DOWN: &str = r#"{"status":"DOWN"}"#;

async fn livez() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], STATUS_UP)
}

async fn readyz(axum::extract::State(h): axum::extract::State<Arc<Health>>) -> impl IntoResponse {
    let (code, body) = if h.ready.load(Ordering::Acquire) {
        (StatusCode::OK, STATUS_UP)
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, STATUS_DOWN)
    };
    (code, [(header::CONTENT_TYPE, "application/json")], body)
}

async fn metrics_text(
    axum::extract::State(h): axum::extract::State<Arc<Health>>,
) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        h.metrics.render(),
    )
}
