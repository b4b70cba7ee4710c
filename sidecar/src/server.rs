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

/// How long shutdown waits for in-flight calls and open connections to finish.
pub const DRAIN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

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
    shutting_down: AtomicBool,
    metrics: Arc<Metrics>,
}

impl Health {
    fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire) && !self.shutting_down.load(Ordering::Acquire)
    }
}

/// A running sidecar.
pub struct RunningSidecar {
    grpc_addr: SocketAddr,
    health_addr: SocketAddr,
    stigg: Stigg,
    metrics: Arc<Metrics>,
    health: Arc<Health>,
    stop: watch::Sender<bool>,
    stop_http: watch::Sender<bool>,
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

    /// True while `/readyz` answers UP.
    pub fn is_ready(&self) -> bool {
        self.health.is_ready()
    }

    /// Shuts down gracefully: `/readyz` turns DOWN, the gRPC listener closes (no new connections),
    /// calls in flight finish (at most [`DRAIN_TIMEOUT`]), then open connections get GOAWAY and are
    /// closed, then the client is closed.
    ///
    /// GOAWAY is sent only once nothing is in flight because some clients (grpclib, which the official
    /// Python SDK uses) fail every open call when they receive it.
    pub async fn shutdown(self) {
        self.health.shutting_down.store(true, Ordering::Release);
        let _ = self.stop.send(true);
        // The drain itself is bounded by DRAIN_TIMEOUT; this leaves time for GOAWAY and closing.
        let deadline =
            tokio::time::Instant::now() + DRAIN_TIMEOUT + std::time::Duration::from_secs(5);
        let mut grpc = self.grpc;
        match tokio::time::timeout_at(deadline, &mut grpc).await {
            Ok(Ok(Err(e))) => tracing::warn!(error = %e, "gRPC server ended with an error"),
            Ok(Err(e)) => tracing::warn!(error = %e, "gRPC server task failed"),
            Ok(Ok(Ok(()))) => {}
            Err(_) => {
                tracing::warn!("gRPC connections still open after the drain timeout; closing them");
                grpc.abort();
            }
        }
        // The health server answers (`/readyz` DOWN) until the gRPC side has drained.
        let _ = self.stop_http.send(true);
        let mut http = self.http;
        match tokio::time::timeout_at(deadline, &mut http).await {
            Ok(Ok(Err(e))) => tracing::warn!(error = %e, "health server ended with an error"),
            Ok(Err(e)) => tracing::warn!(error = %e, "health server task failed"),
            Ok(Ok(Ok(()))) => {}
            Err(_) => http.abort(),
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
        tracing::info!(
            prefix = %redis.environment_prefix,
            host = %redis.host,
            port = redis.port,
            "Redis mode: entitlements are cached in Redis (Stigg's layout)"
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
    // Registered before the client starts, so the first initialization's events are counted.
    let stigg = {
        let m = Arc::clone(&metrics);
        Stigg::new_with_listener(config.stigg, move |e| m.on_event(e))?
    };
    let health = Arc::new(Health {
        ready: AtomicBool::new(offline),
        shutting_down: AtomicBool::new(false),
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
        let incoming = accept_until_stopped(grpc_listener, stop_rx.clone());
        let drained = drained(stop_rx.clone(), Arc::clone(&metrics));
        tokio::spawn(
            tonic::transport::Server::builder()
                .tcp_nodelay(true)
                .add_service(service)
                .serve_with_incoming_shutdown(incoming, drained),
        )
    };
    let (stop_http, stop_http_rx) = watch::channel(false);
    let http = {
        let mut rx = stop_http_rx;
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
        stop_http,
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
    let (code, body) = if h.is_ready() {
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

/// The gRPC connections of `listener`, until `stop`: then the listener is closed (new connections are
/// refused) and the stream stays pending, so that the server's own shutdown signal (see [`drained`])
/// decides when open connections are told to go away.
fn accept_until_stopped(
    listener: TcpListener,
    stop: watch::Receiver<bool>,
) -> impl futures_util::Stream<Item = std::io::Result<tokio::net::TcpStream>> {
    futures_util::stream::unfold((listener, stop), |(listener, mut stop)| async move {
        let accepted = tokio::select! {
            accepted = listener.accept() => Some(accepted),
            _ = stop.wait_for(|s| *s) => None,
        };
        match accepted {
            Some(accepted) => {
                let item = accepted.map(|(stream, _)| {
                    let _ = stream.set_nodelay(true);
                    stream
                });
                Some((item, (listener, stop)))
            }
            None => {
                drop(listener);
                std::future::pending().await
            }
        }
    })
}

/// After the last handler returned, how long its response gets to reach the socket before GOAWAY.
const FLUSH_GRACE: std::time::Duration = std::time::Duration::from_millis(100);

/// Resolves once `stop` is set and no call has been in flight for [`FLUSH_GRACE`] (or
/// [`DRAIN_TIMEOUT`] passed). The grace covers responses whose handler returned but whose frames are
/// not written yet: a GOAWAY ahead of them makes grpclib drop the call.
async fn drained(mut stop: watch::Receiver<bool>, metrics: Arc<Metrics>) {
    let _ = stop.wait_for(|s| *s).await;
    let deadline = tokio::time::Instant::now() + DRAIN_TIMEOUT;
    loop {
        while metrics.in_flight() > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        if tokio::time::Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(FLUSH_GRACE).await;
        if metrics.in_flight() == 0 {
            break;
        }
    }
    if metrics.in_flight() > 0 {
        tracing::warn!(
            in_flight = metrics.in_flight(),
            "drain timeout: closing connections with calls in flight"
        );
    }
}
