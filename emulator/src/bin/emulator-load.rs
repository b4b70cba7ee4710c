//! `emulator-load`: a loopback load generator for the emulator's entitlement reads.
//!
//! It provisions a set of customers (Pro plan + an addon + some usage, so every entitlement type is
//! present), then keeps `--connections` HTTP/1.1 keep-alive connections busy for `--duration`
//! seconds with `GET /v1/c/{id}/entitlements-state.json` (Edge) and/or the GraphQL
//! `GetEntitlementsState` query, round-robin over the customers, and prints requests per second
//! and p50/p99 latency per mode.
//!
//! By default it starts an emulator in-process (on its own runtime and threads); `--url` targets an
//! emulator that is already running instead (e.g. `stigg-emulator` built with `--release`). Only
//! loopback targets are accepted, the duration is capped, and every loop stops by itself.
//!
//! ```sh
//! cargo run --release -p stigg-emulator --bin emulator-load -- --duration 10 --connections 32
//! cargo run --release -p stigg-emulator --bin emulator-load -- --url http://127.0.0.1:4000 --mode edge
//! ```

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::{Parser, ValueEnum};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper::Request;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpStream;

/// Longest run accepted (the load never runs unbounded).
const MAX_DURATION_S: f64 = 300.0;
const API_KEY: &str = stigg_emulator::DEFAULT_API_KEY;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Mode {
    /// `GET /v1/c/{id}/entitlements-state.json`.
    Edge,
    /// `POST /graphql` `GetEntitlementsState`.
    Graphql,
    /// Edge, then GraphQL.
    Both,
}

/// Loopback load generator for entitlements-state reads.
#[derive(Debug, Parser)]
#[command(name = "emulator-load")]
struct Args {
    /// Target emulator (`http://127.0.0.1:PORT`, loopback only); default: start one in-process.
    #[arg(long)]
    url: Option<String>,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Measured seconds per mode (capped at 300).
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Unmeasured warm-up seconds per mode.
    #[arg(long, default_value_t = 1.0)]
    warmup: f64,
    /// Customers to provision and read.
    #[arg(long, default_value_t = 200)]
    customers: usize,
    /// What to read.
    #[arg(long, value_enum, default_value_t = Mode::Edge)]
    mode: Mode,
    /// Client runtime worker threads.
    #[arg(long, default_value_t = 1)]
    client_threads: usize,
    /// Server runtime worker threads (in-process emulator only).
    #[arg(long, default_value_t = 2)]
    server_threads: usize,
}

type Sender = http1::SendRequest<Full<Bytes>>;

async fn connect(addr: SocketAddr) -> Result<Sender, String> {
    let tcp = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect {addr}: {e}"))?;
    let _ = tcp.set_nodelay(true);
    let (sender, conn) = http1::handshake(TokioIo::new(tcp))
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

/// One request on a keep-alive connection; returns the status and the body.
async fn send(sender: &mut Sender, req: Request<Full<Bytes>>) -> Result<(u16, Bytes), String> {
    sender
        .ready()
        .await
        .map_err(|e| format!("not ready: {e}"))?;
    let resp = sender
        .send_request(req)
        .await
        .map_err(|e| format!("request: {e}"))?;
    let status = resp.status().as_u16();
    let body = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("body: {e}"))?
        .to_bytes();
    Ok((status, body))
}

fn edge_request(host: &str, customer: &str) -> Request<Full<Bytes>> {
    let mut r = Request::new(Full::new(Bytes::new()));
    *r.uri_mut() = format!("/v1/c/{customer}/entitlements-state.json")
        .parse()
        .unwrap_or_default();
    let h = r.headers_mut();
    h.insert("host", host.parse().expect("valid host header"));
    h.insert("x-api-key", API_KEY.parse().expect("valid key header"));
    h.insert("x-api-version", "1".parse().expect("valid header"));
    r
}

const STATE_DOC: &str = "query GetEntitlementsState($query: FetchEntitlementsQuery!) { entitlementsState(query: $query) { __typename accessDeniedReason entitlementsV2 { __typename ... on FeatureEntitlement { isGranted accessDeniedReason usageLimit hasUnlimitedUsage hasSoftLimit currentUsage enumValues usagePeriodStart usagePeriodEnd resetPeriod feature { refId featureType meterType } } ... on CreditEntitlement { isGranted usageLimit currentUsage currency { currencyId } } } } }";

fn graphql_request(host: &str, body: &Bytes) -> Request<Full<Bytes>> {
    let mut r = Request::new(Full::new(body.clone()));
    *r.method_mut() = hyper::Method::POST;
    *r.uri_mut() = "/graphql".parse().unwrap_or_default();
    let h = r.headers_mut();
    h.insert("host", host.parse().expect("valid host header"));
    h.insert("x-api-key", API_KEY.parse().expect("valid key header"));
    h.insert("content-type", "application/json".parse().expect("header"));
    h.insert(
        "x-graphql-operation-name",
        "GetEntitlementsState".parse().expect("header"),
    );
    r
}

/// Per-mode result.
struct Outcome {
    ok: u64,
    errors: u64,
    first_error: Option<String>,
    latencies_us: Vec<u32>,
    elapsed: Duration,
}

async fn run_mode(
    addr: SocketAddr,
    mode: Mode,
    customers: &[String],
    connections: usize,
    warmup: Duration,
    duration: Duration,
) -> Outcome {
    let host = addr.to_string();
    let bodies: Vec<Bytes> = customers
        .iter()
        .map(|c| {
            Bytes::from(
                json!({"query": STATE_DOC, "operationName": "GetEntitlementsState", "variables": {"query": {"customerId": c}}})
                    .to_string(),
            )
        })
        .collect();
    let start = Instant::now();
    let measure_from = start + warmup;
    let stop_at = measure_from + duration;
    let mut tasks = Vec::new();
    for i in 0..connections {
        let host = host.clone();
        let customers = customers.to_vec();
        let bodies = bodies.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat: Vec<u32> = Vec::with_capacity(1 << 16);
            let (mut ok, mut errors, mut first_error) = (0u64, 0u64, None::<String>);
            let mut sender = match connect(addr).await {
                Ok(s) => s,
                Err(e) => return (lat, ok, 1, Some(e)),
            };
            let mut n = i * 7919;
            loop {
                let t0 = Instant::now();
                if t0 >= stop_at {
                    break;
                }
                n = n.wrapping_add(1);
                let idx = n % customers.len();
                let req = match mode {
                    Mode::Graphql => graphql_request(&host, &bodies[idx]),
                    _ => edge_request(&host, &customers[idx]),
                };
                let res = send(&mut sender, req).await;
                let t1 = Instant::now();
                let broken = res.is_err();
                let good = match &res {
                    Ok((200, body)) => body.len() > 20 && !memchr_errors(body),
                    _ => false,
                };
                if t0 >= measure_from {
                    if good {
                        ok += 1;
                        lat.push(u32::try_from((t1 - t0).as_micros()).unwrap_or(u32::MAX));
                    } else {
                        errors += 1;
                        if first_error.is_none() {
                            first_error = Some(match res {
                                Ok((s, b)) => format!(
                                    "HTTP {s}: {}",
                                    String::from_utf8_lossy(&b[..b.len().min(200)])
                                ),
                                Err(e) => e,
                            });
                        }
                    }
                }
                if broken {
                    // reconnect (bounded by the deadline above)
                    match connect(addr).await {
                        Ok(s) => sender = s,
                        Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                    }
                }
            }
            (lat, ok, errors, first_error)
        }));
    }
    let mut out = Outcome {
        ok: 0,
        errors: 0,
        first_error: None,
        latencies_us: Vec::new(),
        elapsed: Duration::ZERO,
    };
    for t in tasks {
        if let Ok((lat, ok, errors, fe)) = t.await {
            out.ok += ok;
            out.errors += errors;
            out.latencies_us.extend(lat);
            if out.first_error.is_none() {
                out.first_error = fe;
            }
        }
    }
    out.elapsed = Instant::now().saturating_duration_since(measure_from);
    out
}

/// A GraphQL error envelope in a 200 response.
fn memchr_errors(body: &[u8]) -> bool {
    body.windows(9).take(64).any(|w| w == b"\"errors\":")
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    f64::from(sorted[rank.min(sorted.len() - 1)]) / 1000.0
}

async fn graphql(addr: SocketAddr, query: &str, variables: Value) -> Result<Value, String> {
    let mut s = connect(addr).await?;
    let body = Bytes::from(json!({"query": query, "variables": variables}).to_string());
    let (status, b) = send(&mut s, graphql_request(&addr.to_string(), &body)).await?;
    let v: Value = serde_json::from_slice(&b).map_err(|e| format!("invalid JSON: {e}"))?;
    if status != 200 || v.get("errors").is_some() {
        return Err(format!("HTTP {status}: {v}"));
    }
    Ok(v)
}

async fn provision(addr: SocketAddr, n: usize) -> Result<Vec<String>, String> {
    let run = chrono::Utc::now().timestamp_millis();
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let id = format!("load-{run}-{i}");
        graphql(
            addr,
            "mutation P($input: ProvisionCustomerInput!) { provisionCustomer(input: $input) { customer { refId } } }",
            json!({"input": {"customerId": id, "subscriptionParams": {"planId": "plan-revvenu-pro",
                   "addons": [{"addonId": "addon-extra-seats", "quantity": 1}],
                   "trialOverrideConfiguration": {"isTrial": false}}}}),
        )
        .await?;
        graphql(
            addr,
            "mutation U($input: ReportUsageInput!) { reportUsage(input: $input) { currentUsage } }",
            json!({"input": {"customerId": id, "featureId": "feature-api-calls", "value": (i % 50) + 1}}),
        )
        .await?;
        ids.push(id);
    }
    Ok(ids)
}

fn loopback_addr(url: &str) -> Result<SocketAddr, String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or("only http:// URLs are supported")?;
    let hostport = rest.split('/').next().unwrap_or_default();
    let hostport = hostport.replacen("localhost", "127.0.0.1", 1);
    let addr: SocketAddr = hostport
        .parse()
        .map_err(|e| format!("expected http://127.0.0.1:PORT, got {url}: {e}"))?;
    if !addr.ip().is_loopback() {
        return Err(format!(
            "refusing non-loopback target {addr}: load runs on this machine only"
        ));
    }
    Ok(addr)
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    if !(args.duration > 0.0 && args.duration <= MAX_DURATION_S && args.warmup >= 0.0) {
        eprintln!("emulator-load: --duration must be in (0, {MAX_DURATION_S}] seconds");
        return std::process::ExitCode::FAILURE;
    }
    if args.connections == 0 || args.customers == 0 {
        eprintln!("emulator-load: --connections and --customers must be positive");
        return std::process::ExitCode::FAILURE;
    }
    // The in-process emulator gets its own runtime (its own threads), like a separate server.
    let server_rt;
    let mut emu = None;
    let addr = match &args.url {
        Some(u) => match loopback_addr(u) {
            Ok(a) => a,
            Err(e) => {
                eprintln!("emulator-load: {e}");
                return std::process::ExitCode::FAILURE;
            }
        },
        None => {
            server_rt = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(args.server_threads.max(1))
                .thread_name("emulator")
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    eprintln!("emulator-load: runtime: {e}");
                    return std::process::ExitCode::FAILURE;
                }
            };
            match server_rt.block_on(
                stigg_emulator::Emulator::builder()
                    .port(0)
                    .no_edge_port()
                    .start(),
            ) {
                Ok(e) => {
                    let a = e.addr();
                    emu = Some((e, server_rt));
                    a
                }
                Err(e) => {
                    eprintln!("emulator-load: cannot start the emulator: {e}");
                    return std::process::ExitCode::FAILURE;
                }
            }
        }
    };
    let client_rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.client_threads.max(1))
        .thread_name("load")
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("emulator-load: runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let code = client_rt.block_on(async {
        let customers = match provision(addr, args.customers).await {
            Ok(c) => c,
            Err(e) => {
                eprintln!("emulator-load: provisioning failed: {e}");
                return std::process::ExitCode::FAILURE;
            }
        };
        println!(
            "emulator-load: target {} ({}), {} customers, {} connections, {} client thread(s), {:.1} s per mode (+{:.1} s warm-up)",
            addr,
            if args.url.is_some() { "external" } else { "in-process" },
            customers.len(),
            args.connections,
            args.client_threads,
            args.duration,
            args.warmup
        );
        let modes: &[Mode] = match args.mode {
            Mode::Both => &[Mode::Edge, Mode::Graphql],
            Mode::Edge => &[Mode::Edge],
            Mode::Graphql => &[Mode::Graphql],
        };
        let mut failed = false;
        for &m in modes {
            let mut o = run_mode(
                addr,
                m,
                &customers,
                args.connections,
                Duration::from_secs_f64(args.warmup),
                Duration::from_secs_f64(args.duration),
            )
            .await;
            o.latencies_us.sort_unstable();
            let secs = o.elapsed.as_secs_f64().max(1e-9);
            let name = match m {
                Mode::Graphql => "graphql GetEntitlementsState",
                _ => "edge entitlements-state.json",
            };
            println!(
                "{name}: {} ok in {:.2} s = {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, errors {}",
                o.ok,
                secs,
                o.ok as f64 / secs,
                percentile(&o.latencies_us, 50.0),
                percentile(&o.latencies_us, 99.0),
                o.errors
            );
            if let Some(e) = o.first_error {
                println!("  first error: {e}");
            }
            failed |= o.errors > 0 || o.ok == 0;
        }
        if failed {
            std::process::ExitCode::FAILURE
        } else {
            std::process::ExitCode::SUCCESS
        }
    });
    if let Some((e, rt)) = emu {
        rt.block_on(e.shutdown());
    }
    code
}
