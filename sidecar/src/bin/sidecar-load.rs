//! `sidecar-load`: a bounded load generator for a sidecar on this machine.
//!
//! Sends `GetMeteredEntitlement` over `--connections` HTTP/2 connections with `--concurrency` calls in
//! flight, for `--duration` seconds or `--requests` calls (whichever ends first), after a warm-up that
//! fills the sidecar's cache. Prints throughput and latency percentiles (p50/p90/p99/p99.9/max,
//! recorded in an HDR histogram at microsecond precision).
//!
//! Only loopback targets are accepted, and both the duration and the request count are capped.
//!
//! With `--provision-url` it first creates the customer through the emulator's GraphQL API
//! (`provisionCustomer`), so that the checks measured are cached checks of a real customer.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use clap::Parser;
use hdrhistogram::Histogram;
use stigg_sidecar::pb::sidecar_service_client::SidecarServiceClient;
use stigg_sidecar::pb::{GetMeteredEntitlementRequest, MeteredEntitlementOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tonic::codegen::{http, Service};
use tonic::transport::{Channel, Endpoint};

/// Longest run accepted, in seconds.
const MAX_DURATION_SECS: f64 = 300.0;
/// Most requests accepted.
const MAX_REQUESTS: u64 = 50_000_000;

/// Load generator for `stigg.sidecar.v1.SidecarService/GetMeteredEntitlement` (loopback only).
#[derive(Debug, Parser)]
#[command(name = "sidecar-load")]
struct Args {
    /// The sidecar's gRPC address (a loopback address).
    #[arg(long, default_value = "127.0.0.1:80")]
    addr: SocketAddr,
    /// HTTP/2 connections.
    #[arg(long, default_value_t = 2)]
    connections: usize,
    /// Calls in flight at once (spread over the connections).
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Measured run length, in seconds (at most 300).
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Stop after this many measured calls (at most 50,000,000).
    #[arg(long)]
    requests: Option<u64>,
    /// Warm-up before measuring, in seconds.
    #[arg(long, default_value_t = 1.0)]
    warmup: f64,
    /// Customer to check.
    #[arg(long, default_value = "load-customer")]
    customer: String,
    /// Metered feature to check.
    #[arg(long, default_value = "feature-api-calls")]
    feature: String,
    /// `requested_usage` of each check.
    #[arg(long, default_value_t = 1.0)]
    requested_usage: f64,
    /// Worker threads of the client's runtime.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Provision `--customer` on `--plan` first through this GraphQL URL (the emulator's, on loopback).
    #[arg(long)]
    provision_url: Option<String>,
    /// Plan to provision the customer on.
    #[arg(long, default_value = "plan-revvenu-pro")]
    plan: String,
    /// API key for `--provision-url`.
    #[arg(long, default_value = "server-emulator-key")]
    api_key: String,
    /// Exit non-zero when any call failed or answered a fallback.
    #[arg(long)]
    check: bool,
    /// Use tonic's `Channel` (a tower buffer task per connection) instead of bare HTTP/2 connections.
    #[arg(long)]
    tonic_channel: bool,
}

/// A bare hyper HTTP/2 connection as a gRPC transport: requests go straight to the connection,
/// without the buffer task of tonic's `Channel` (one context switch less per call, which matters
/// when client and server share two cores).
#[derive(Clone)]
struct H2 {
    send: hyper::client::conn::http2::SendRequest<tonic::body::Body>,
    authority: http::uri::Authority,
}

impl Service<http::Request<tonic::body::Body>> for H2 {
    type Response = http::Response<hyper::body::Incoming>;
    type Error = hyper::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.send.poll_ready(cx)
    }

    fn call(&mut self, mut req: http::Request<tonic::body::Body>) -> Self::Future {
        let mut parts = req.uri().clone().into_parts();
        parts.scheme = Some(http::uri::Scheme::HTTP);
        parts.authority = Some(self.authority.clone());
        if let Ok(uri) = http::Uri::from_parts(parts) {
            *req.uri_mut() = uri;
        }
        Box::pin(self.send.send_request(req))
    }
}

/// One client per connection, either transport.
#[derive(Clone)]
enum Client {
    Bare(SidecarServiceClient<H2>),
    Channel(SidecarServiceClient<Channel>),
}

impl Client {
    async fn check(
        &mut self,
        request: GetMeteredEntitlementRequest,
    ) -> Result<tonic::Response<stigg_sidecar::pb::GetMeteredEntitlementResponse>, tonic::Status>
    {
        match self {
            Client::Bare(c) => c.get_metered_entitlement(request).await,
            Client::Channel(c) => c.get_metered_entitlement(request).await,
        }
    }
}

async fn connect_bare(addr: SocketAddr) -> Result<Client, String> {
    let tcp = tokio::time::timeout(Duration::from_secs(5), tokio::net::TcpStream::connect(addr))
        .await
        .map_err(|_| String::from("connect timed out"))?
        .map_err(|e| e.to_string())?;
    let _ = tcp.set_nodelay(true);
    let (send, conn) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(tcp),
    )
    .await
    .map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let authority = addr
        .to_string()
        .parse::<http::uri::Authority>()
        .map_err(|e| e.to_string())?;
    Ok(Client::Bare(SidecarServiceClient::new(H2 {
        send,
        authority,
    })))
}

#[derive(Debug, thiserror::Error)]
enum LoadError {
    #[error("{0}")]
    Args(String),
    #[error("cannot connect to the sidecar at {addr}: {reason}")]
    Connect { addr: SocketAddr, reason: String },
    #[error("provisioning failed: {0}")]
    Provision(String),
    #[error("the warm-up call failed: {0}")]
    Warmup(tonic::Status),
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    #[error("--check: {0}")]
    Check(String),
}

struct Report {
    ok: u64,
    errors: u64,
    fallbacks: u64,
    elapsed: Duration,
    hist: Histogram<u64>,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sidecar-load: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), LoadError> {
    if !args.addr.ip().is_loopback() {
        return Err(LoadError::Args(format!(
            "--addr {} is not a loopback address; this tool only loads a local sidecar",
            args.addr
        )));
    }
    if !(args.duration > 0.0 && args.duration <= MAX_DURATION_SECS) {
        return Err(LoadError::Args(format!(
            "--duration must be in (0, {MAX_DURATION_SECS}] seconds"
        )));
    }
    if !(0.0..=60.0).contains(&args.warmup) {
        return Err(LoadError::Args(
            "--warmup must be in [0, 60] seconds".into(),
        ));
    }
    if args.requests.is_some_and(|n| n == 0 || n > MAX_REQUESTS) {
        return Err(LoadError::Args(format!(
            "--requests must be in [1, {MAX_REQUESTS}]"
        )));
    }
    if args.connections == 0 || args.concurrency == 0 || args.concurrency > 10_000 {
        return Err(LoadError::Args(
            "--connections must be ≥ 1 and --concurrency in [1, 10000]".into(),
        ));
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.max(1))
        .enable_all()
        .build()
        .map_err(LoadError::Runtime)?;
    rt.block_on(load(args))
}

async fn load(args: Args) -> Result<(), LoadError> {
    if let Some(url) = &args.provision_url {
        provision(url, &args.api_key, &args.customer, &args.plan).await?;
    }
    let mut clients = Vec::with_capacity(args.connections);
    for _ in 0..args.connections {
        let client = if args.tonic_channel {
            let endpoint = Endpoint::from_shared(format!("http://{}", args.addr))
                .map_err(|e| LoadError::Args(e.to_string()))?
                .tcp_nodelay(true)
                .connect_timeout(Duration::from_secs(5));
            let channel: Channel = endpoint.connect().await.map_err(|e| LoadError::Connect {
                addr: args.addr,
                reason: e.to_string(),
            })?;
            Client::Channel(SidecarServiceClient::new(channel))
        } else {
            connect_bare(args.addr)
                .await
                .map_err(|reason| LoadError::Connect {
                    addr: args.addr,
                    reason,
                })?
        };
        clients.push(client);
    }
    let request = GetMeteredEntitlementRequest {
        customer_id: args.customer.clone(),
        feature_id: args.feature.clone(),
        resource_id: None,
        options: Some(MeteredEntitlementOptions {
            requested_usage: Some(args.requested_usage),
            fallback: None,
        }),
    };

    // Warm-up: the first call fills the sidecar's cache; then load without measuring.
    let first = clients[0]
        .clone()
        .check(request.clone())
        .await
        .map_err(LoadError::Warmup)?
        .into_inner();
    if first.is_fallback {
        eprintln!(
            "sidecar-load: warning: the check answers a fallback (customer `{}` unknown or Stigg unreachable); \
             the figures are not those of cached checks",
            args.customer
        );
    }
    if args.warmup > 0.0 {
        phase(
            &clients,
            &request,
            args.concurrency,
            Duration::from_secs_f64(args.warmup),
            None,
        )
        .await;
    }

    let report = phase(
        &clients,
        &request,
        args.concurrency,
        Duration::from_secs_f64(args.duration),
        args.requests,
    )
    .await;
    print_report(&args, first.is_fallback, &report);
    if args.check && (report.errors > 0 || report.fallbacks > 0 || report.ok == 0) {
        return Err(LoadError::Check(format!(
            "{} ok, {} errors, {} fallbacks",
            report.ok, report.errors, report.fallbacks
        )));
    }
    Ok(())
}

/// Runs `concurrency` loops of calls until `duration` passes or `limit` calls were started.
async fn phase(
    clients: &[Client],
    request: &GetMeteredEntitlementRequest,
    concurrency: usize,
    duration: Duration,
    limit: Option<u64>,
) -> Report {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Arc::new(AtomicU64::new(0));
    let limit = limit.unwrap_or(u64::MAX);
    let begin = Instant::now();
    let mut tasks = Vec::with_capacity(concurrency);
    for i in 0..concurrency {
        let mut client = clients[i % clients.len()].clone();
        let request = request.clone();
        let stop = Arc::clone(&stop);
        let started = Arc::clone(&started);
        tasks.push(tokio::spawn(async move {
            let mut hist = new_hist();
            let (mut ok, mut errors, mut fallbacks) = (0u64, 0u64, 0u64);
            while !stop.load(Ordering::Relaxed) {
                if started.fetch_add(1, Ordering::Relaxed) >= limit {
                    break;
                }
                let t = Instant::now();
                let r = client.check(request.clone()).await;
                let micros = u64::try_from(t.elapsed().as_micros()).unwrap_or(u64::MAX);
                let _ = hist.record(micros.clamp(1, 60_000_000));
                match r {
                    Ok(resp) => {
                        ok += 1;
                        if resp.get_ref().is_fallback {
                            fallbacks += 1;
                        }
                    }
                    Err(_) => errors += 1,
                }
            }
            (ok, errors, fallbacks, hist)
        }));
    }
    let timer = {
        let stop = Arc::clone(&stop);
        tokio::spawn(async move {
            tokio::time::sleep(duration).await;
            stop.store(true, Ordering::Relaxed);
        })
    };
    let mut report = Report {
        ok: 0,
        errors: 0,
        fallbacks: 0,
        elapsed: Duration::ZERO,
        hist: new_hist(),
    };
    for t in tasks {
        if let Ok((ok, errors, fallbacks, hist)) = t.await {
            report.ok += ok;
            report.errors += errors;
            report.fallbacks += fallbacks;
            let _ = report.hist.add(&hist);
        }
    }
    report.elapsed = begin.elapsed();
    timer.abort();
    report
}

/// A latency histogram: 1 µs .. 60 s, 3 significant digits.
#[allow(clippy::expect_used)]
fn new_hist() -> Histogram<u64> {
    Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)
        .expect("constant histogram bounds are valid")
}

fn ms(micros: u64) -> f64 {
    micros as f64 / 1000.0
}

fn print_report(args: &Args, fallback: bool, r: &Report) {
    let total = r.ok + r.errors;
    let secs = r.elapsed.as_secs_f64();
    let rps = if secs > 0.0 { total as f64 / secs } else { 0.0 };
    let h = &r.hist;
    println!(
        "sidecar-load: GetMeteredEntitlement {} customer={} feature={} ({})",
        args.addr,
        args.customer,
        args.feature,
        if fallback {
            "FALLBACK answers"
        } else {
            "cached checks"
        }
    );
    println!(
        "  connections={} concurrency={} client_threads={} transport={} measured={:.2}s warmup={:.1}s",
        args.connections,
        args.concurrency,
        args.threads,
        if args.tonic_channel { "tonic-channel" } else { "h2" },
        secs,
        args.warmup
    );
    println!(
        "  requests={} ok={} errors={} fallbacks={}",
        total, r.ok, r.errors, r.fallbacks
    );
    println!("  throughput={rps:.0} req/s");
    println!(
        "  latency_ms p50={:.3} p90={:.3} p99={:.3} p99.9={:.3} max={:.3}",
        ms(h.value_at_quantile(0.50)),
        ms(h.value_at_quantile(0.90)),
        ms(h.value_at_quantile(0.99)),
        ms(h.value_at_quantile(0.999)),
        ms(h.max()),
    );
}

/// Provisions `customer` on `plan` through a GraphQL endpoint on loopback (HTTP/1.1, no TLS).
async fn provision(url: &str, api_key: &str, customer: &str, plan: &str) -> Result<(), LoadError> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| LoadError::Provision(format!("`{url}` is not an http:// URL")))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/graphql"),
    };
    let addr: SocketAddr = authority
        .parse()
        .map_err(|_| LoadError::Provision(format!("`{authority}` is not an ip:port")))?;
    if !addr.ip().is_loopback() {
        return Err(LoadError::Provision(format!(
            "{addr} is not a loopback address"
        )));
    }
    let body = serde_json::json!({
        "query": "mutation ProvisionCustomer($input: ProvisionCustomerInput!) { provisionCustomer(input: $input) { customer { refId } } }",
        "variables": {"input": {"customerId": customer, "name": "Load test",
            "subscriptionParams": {"planId": plan}}},
    })
    .to_string();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nX-API-KEY: {api_key}\r\nx-graphql-operation-name: ProvisionCustomer\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let io = async {
        let mut s = tokio::net::TcpStream::connect(addr).await?;
        s.write_all(head.as_bytes()).await?;
        s.write_all(body.as_bytes()).await?;
        let mut out = Vec::new();
        s.read_to_end(&mut out).await?;
        Ok::<_, std::io::Error>(out)
    };
    let out = tokio::time::timeout(Duration::from_secs(10), io)
        .await
        .map_err(|_| LoadError::Provision("timed out".into()))?
        .map_err(|e| LoadError::Provision(e.to_string()))?;
    let text = String::from_utf8_lossy(&out);
    let ok_status = text.starts_with("HTTP/1.1 200");
    if !ok_status || text.contains("\"errors\"") {
        let first = text.lines().next().unwrap_or_default();
        let snippet: String = text
            .chars()
            .rev()
            .take(300)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        return Err(LoadError::Provision(format!("{first}: {snippet}")));
    }
    Ok(())
}
