//! Prometheus metrics, hand-rolled: lock-free atomic counters and fixed-bucket histograms, rendered
//! in the Prometheus text exposition format (version 0.0.4) by [`Metrics::render`].
//!
//! Counters (spec §7.2): `sidecar_initialization_errors_total`, `sidecar_invalid_api_key_errors_total`,
//! `sidecar_network_request_errors_total`, `sidecar_redis_client_errors_total`,
//! `sidecar_cache_hits_total`, `sidecar_cache_misses_total`. Per RPC:
//! `sidecar_grpc_request_duration_seconds{method}` (histogram of the handler's time, from the
//! decoded request to the response message) and `sidecar_grpc_request_errors_total{method}` (write
//! RPCs that returned an error status).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Instant;

use stigg_core::client::StiggEvent;

/// The RPCs of `SidecarService`, as metric labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
pub enum Rpc {
    /// `GetEntitlements`.
    GetEntitlements,
    /// `GetEntitlement`.
    GetEntitlement,
    /// `GetBooleanEntitlement`.
    GetBooleanEntitlement,
    /// `GetNumericEntitlement`.
    GetNumericEntitlement,
    /// `GetMeteredEntitlement`.
    GetMeteredEntitlement,
    /// `GetEnumEntitlement`.
    GetEnumEntitlement,
    /// `ReportUsage`.
    ReportUsage,
    /// `ReportEvents`.
    ReportEvents,
    /// `ReloadEntitlements`.
    ReloadEntitlements,
    /// `ReportUsageBulk`.
    ReportUsageBulk,
    /// `GetEntitlementV2`.
    GetEntitlementV2,
    /// `GetEntitlementsStateV2`.
    GetEntitlementsStateV2,
}

impl Rpc {
    /// Every RPC, in proto order.
    pub const ALL: [Rpc; 12] = [
        Rpc::GetEntitlements,
        Rpc::GetEntitlement,
        Rpc::GetBooleanEntitlement,
        Rpc::GetNumericEntitlement,
        Rpc::GetMeteredEntitlement,
        Rpc::GetEnumEntitlement,
        Rpc::ReportUsage,
        Rpc::ReportEvents,
        Rpc::ReloadEntitlements,
        Rpc::ReportUsageBulk,
        Rpc::GetEntitlementV2,
        Rpc::GetEntitlementsStateV2,
    ];

    /// The method name, as in the proto.
    pub fn name(self) -> &'static str {
        match self {
            Rpc::GetEntitlements => "GetEntitlements",
            Rpc::GetEntitlement => "GetEntitlement",
            Rpc::GetBooleanEntitlement => "GetBooleanEntitlement",
            Rpc::GetNumericEntitlement => "GetNumericEntitlement",
            Rpc::GetMeteredEntitlement => "GetMeteredEntitlement",
            Rpc::GetEnumEntitlement => "GetEnumEntitlement",
            Rpc::ReportUsage => "ReportUsage",
            Rpc::ReportEvents => "ReportEvents",
            Rpc::ReloadEntitlements => "ReloadEntitlements",
            Rpc::ReportUsageBulk => "ReportUsageBulk",
            Rpc::GetEntitlementV2 => "GetEntitlementV2",
            Rpc::GetEntitlementsStateV2 => "GetEntitlementsStateV2",
        }
    }
}

/// Upper bounds of the latency buckets, in microseconds (25 µs … 10 s).
const BUCKETS_MICROS: [u64; 16] = [
    25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000,
    1_000_000, 2_500_000, 10_000_000,
];

#[derive(Default)]
struct Histogram {
    /// Non-cumulative counts per bucket; the last slot is `+Inf`.
    buckets: [AtomicU64; BUCKETS_MICROS.len() + 1],
    count: AtomicU64,
    sum_nanos: AtomicU64,
    errors: AtomicU64,
}

impl Histogram {
    fn observe(&self, nanos: u64) {
        let i = BUCKETS_MICROS
            .iter()
            .position(|&b| nanos <= b * 1_000)
            .unwrap_or(BUCKETS_MICROS.len());
        self.buckets[i].fetch_add(1, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }
}

/// The sidecar's metrics.
#[derive(Default)]
pub struct Metrics {
    initialization_errors: AtomicU64,
    invalid_api_key_errors: AtomicU64,
    network_request_errors: AtomicU64,
    redis_client_errors: AtomicU64,
    cache_hits: AtomicU64,
    cache_misses: AtomicU64,
    in_flight: AtomicI64,
    rpcs: [Histogram; 12],
}

/// Records one RPC's duration when dropped.
pub struct RpcTimer<'a> {
    metrics: &'a Metrics,
    rpc: Rpc,
    start: Instant,
}

impl Drop for RpcTimer<'_> {
    fn drop(&mut self) {
        let nanos = u64::try_from(self.start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.metrics.rpcs[self.rpc as usize].observe(nanos);
        self.metrics.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Metrics {
    /// Starts timing an RPC (and counts it in flight); the duration is recorded when the timer is
    /// dropped.
    #[inline]
    pub fn timer(&self, rpc: Rpc) -> RpcTimer<'_> {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        RpcTimer {
            metrics: self,
            rpc,
            start: Instant::now(),
        }
    }

    /// Counts a write RPC that failed.
    pub fn rpc_error(&self, rpc: Rpc) {
        self.rpcs[rpc as usize]
            .errors
            .fetch_add(1, Ordering::Relaxed);
    }

    /// Counts an initialization failure.
    pub fn initialization_error(&self) {
        self.initialization_errors.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts what a core event says (the listener the server registers on the client).
    pub fn on_event(&self, e: &StiggEvent) {
        let c = match e {
            StiggEvent::CacheHit { .. } => &self.cache_hits,
            StiggEvent::CacheMiss { .. } => &self.cache_misses,
            StiggEvent::ApiKeyInvalid => &self.invalid_api_key_errors,
            StiggEvent::NetworkRequestFailed { .. } => &self.network_request_errors,
            StiggEvent::InitializeFailed { .. } => &self.initialization_errors,
            StiggEvent::RedisClientError { .. } => &self.redis_client_errors,
            _ => return,
        };
        c.fetch_add(1, Ordering::Relaxed);
    }

    /// RPCs being handled right now.
    pub fn in_flight(&self) -> i64 {
        self.in_flight.load(Ordering::Acquire)
    }

    /// The number of requests of `rpc` seen so far.
    pub fn rpc_count(&self, rpc: Rpc) -> u64 {
        self.rpcs[rpc as usize].count.load(Ordering::Relaxed)
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(16 * 1024);
        let counters: [(&str, &str, &AtomicU64); 6] = [
            (
                "sidecar_initialization_errors_total",
                "Failed initializations of the Stigg client.",
                &self.initialization_errors,
            ),
            (
                "sidecar_invalid_api_key_errors_total",
                "Requests Stigg rejected because of an invalid SERVER_API_KEY.",
                &self.invalid_api_key_errors,
            ),
            (
                "sidecar_network_request_errors_total",
                "Requests to Stigg that failed.",
                &self.network_request_errors,
            ),
            (
                "sidecar_redis_client_errors_total",
                "Errors of the Redis client.",
                &self.redis_client_errors,
            ),
            (
                "sidecar_cache_hits_total",
                "Entitlement reads answered from the cache.",
                &self.cache_hits,
            ),
            (
                "sidecar_cache_misses_total",
                "Entitlement reads that had to fetch from Stigg.",
                &self.cache_misses,
            ),
        ];
        for (name, help, v) in counters {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} counter");
            let _ = writeln!(out, "{name} {}", v.load(Ordering::Relaxed));
        }

        let name = "sidecar_grpc_requests_in_flight";
        let _ = writeln!(out, "# HELP {name} SidecarService requests being handled.");
        let _ = writeln!(out, "# TYPE {name} gauge");
        let _ = writeln!(out, "{name} {}", self.in_flight());

        let name = "sidecar_grpc_request_duration_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} Time spent handling a SidecarService request."
        );
        let _ = writeln!(out, "# TYPE {name} histogram");
        for rpc in Rpc::ALL {
            let h = &self.rpcs[rpc as usize];
            let method = rpc.name();
            let mut cumulative = 0u64;
            for (i, bound) in BUCKETS_MICROS.iter().enumerate() {
                cumulative += h.buckets[i].load(Ordering::Relaxed);
                let le = *bound as f64 / 1e6;
                let _ = writeln!(
                    out,
                    "{name}_bucket{{method=\"{method}\",le=\"{le}\"}} {cumulative}"
                );
            }
            cumulative += h.buckets[BUCKETS_MICROS.len()].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "{name}_bucket{{method=\"{method}\",le=\"+Inf\"}} {cumulative}"
            );
            let sum = h.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
            let _ = writeln!(out, "{name}_sum{{method=\"{method}\"}} {sum}");
            let _ = writeln!(
                out,
                "{name}_count{{method=\"{method}\"}} {}",
                h.count.load(Ordering::Relaxed)
            );
        }

        let name = "sidecar_grpc_request_errors_total";
        let _ = writeln!(
            out,
            "# HELP {name} SidecarService requests answered with an error status."
        );
        let _ = writeln!(out, "# TYPE {name} counter");
        for rpc in Rpc::ALL {
            let _ = writeln!(
                out,
                "{name}{{method=\"{}\"}} {}",
                rpc.name(),
                self.rpcs[rpc as usize].errors.load(Ordering::Relaxed)
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
        text.lines().find(|l| l.starts_with(prefix))
    }

    #[test]
    fn counters_follow_core_events() {
        let m = Metrics::default();
        m.on_event(&StiggEvent::CacheHit {
            customer_id: "c".into(),
            resource_id: None,
        });
        m.on_event(&StiggEvent::CacheHit {
            customer_id: "c".into(),
            resource_id: None,
        });
        m.on_event(&StiggEvent::CacheMiss {
            customer_id: "c".into(),
            resource_id: None,
        });
        m.on_event(&StiggEvent::ApiKeyInvalid);
        m.on_event(&StiggEvent::NetworkRequestFailed {
            error_message: "x".into(),
            error_code: None,
            trace_id: None,
        });
        m.on_event(&StiggEvent::InitializeFailed {
            message: "x".into(),
        });
        m.on_event(&StiggEvent::InitializeSuccessfully);
        m.on_event(&StiggEvent::RedisClientError {
            error: "x".into(),
            client_name: "redis",
        });
        let t = m.render();
        assert_eq!(
            line(&t, "sidecar_cache_hits_total "),
            Some("sidecar_cache_hits_total 2")
        );
        assert_eq!(
            line(&t, "sidecar_cache_misses_total "),
            Some("sidecar_cache_misses_total 1")
        );
        assert_eq!(
            line(&t, "sidecar_invalid_api_key_errors_total "),
            Some("sidecar_invalid_api_key_errors_total 1")
        );
        assert_eq!(
            line(&t, "sidecar_network_request_errors_total "),
            Some("sidecar_network_request_errors_total 1")
        );
        assert_eq!(
            line(&t, "sidecar_initialization_errors_total "),
            Some("sidecar_initialization_errors_total 1")
        );
        assert_eq!(
            line(&t, "sidecar_redis_client_errors_total "),
            Some("sidecar_redis_client_errors_total 1")
        );
    }

    #[test]
    fn histogram_buckets_are_cumulative() {
        let h = Histogram::default();
        h.observe(10_000); // 10 µs
        h.observe(25_000); // exactly 25 µs: le=0.000025
        h.observe(3_000_000); // 3 ms
        h.observe(60_000_000_000); // 60 s: +Inf only
        let m = Metrics::default();
        for (i, b) in h.buckets.iter().enumerate() {
            m.rpcs[Rpc::GetMeteredEntitlement as usize].buckets[i]
                .store(b.load(Ordering::Relaxed), Ordering::Relaxed);
        }
        m.rpcs[Rpc::GetMeteredEntitlement as usize]
            .count
            .store(4, Ordering::Relaxed);
        let t = m.render();
        let p = "sidecar_grpc_request_duration_seconds_bucket{method=\"GetMeteredEntitlement\",";
        assert_eq!(
            line(&t, &format!("{p}le=\"0.000025\"}}")).map(|l| l.ends_with(" 2")),
            Some(true)
        );
        assert_eq!(
            line(&t, &format!("{p}le=\"0.0025\"}}")).map(|l| l.ends_with(" 2")),
            Some(true)
        );
        assert_eq!(
            line(&t, &format!("{p}le=\"0.005\"}}")).map(|l| l.ends_with(" 3")),
            Some(true)
        );
        assert_eq!(
            line(&t, &format!("{p}le=\"10\"}}")).map(|l| l.ends_with(" 3")),
            Some(true)
        );
        assert_eq!(
            line(&t, &format!("{p}le=\"+Inf\"}}")).map(|l| l.ends_with(" 4")),
            Some(true)
        );
    }

    #[test]
    fn every_rpc_has_a_histogram_and_timers_record() {
        let m = Metrics::default();
        let t = m.timer(Rpc::ReportUsage);
        assert_eq!(m.in_flight(), 1);
        drop(t);
        assert_eq!(m.in_flight(), 0);
        m.rpc_error(Rpc::ReportUsage);
        assert_eq!(m.rpc_count(Rpc::ReportUsage), 1);
        let t = m.render();
        for rpc in Rpc::ALL {
            assert!(
                t.contains(&format!(
                    "sidecar_grpc_request_duration_seconds_count{{method=\"{}\"}}",
                    rpc.name()
                )),
                "{}",
                rpc.name()
            );
        }
        assert!(t.contains("sidecar_grpc_request_errors_total{method=\"ReportUsage\"} 1"));
    }
}
