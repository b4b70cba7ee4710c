//! The real-time stream client: Stigg's GraphQL subscriptions over `graphql-transport-ws` (spec §1.5).
//!
//! [`start`] spawns one task on the given runtime. The task connects to `{ws_url}/graphql`, sends
//! `connection_init` with the SDK headers, waits for `connection_ack`, subscribes to the configured
//! operations and forwards every update as a [`StreamEvent`] on an unbounded channel. It pings every
//! `keep_alive`, answers server pings, and treats a socket that stays silent for 2.5 × `keep_alive` as
//! dead. Any failure other than an invalid API key is reported once as [`StreamEvent::Disconnected`]
//! and retried forever with jittered exponential [`Backoff`]; after every successful (re)connect it
//! emits [`StreamEvent::Connected`]. An invalid API key (close code 4401, or any close/error whose reason
//! is exactly `Invalid API key`) emits [`StreamEvent::InvalidApiKey`] and ends the task.
//!
//! What the events mean for the cache (spec §5.1) is the client's business, not this module's.

pub mod backoff;
mod connection;
pub mod documents;
pub mod payloads;
pub mod protocol;
#[cfg(test)]
mod tests;

use std::fmt;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

pub use backoff::Backoff;
pub use payloads::{
    CreditBalanceUpdated, EntitlementReference, EntitlementsUpdated, EntitlementsUpdatedV2,
    PackagePublished, PayloadError, UsageMeasurementUpdated, UsageUpdated, UsageUpdatedV2, UsageV2,
};

use connection::Outcome;
use documents::Operation;

/// Which set of subscriptions to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Subscriptions {
    /// Node SDK 4.x: `OnEntitlementsUpdatedV2`, `OnUsageUpdatedV2`, `OnPackagePublished`.
    #[default]
    V2,
    /// Node SDK 3.x: `OnEntitlementsUpdated`, `OnUsageUpdated`, `OnPackagePublished`,
    /// `OnCreditBalanceUpdated`.
    Legacy,
}

impl Subscriptions {
    /// The operations of this set, in subscribe order (ids "1", "2", ...).
    pub fn operations(self) -> &'static [Operation] {
        match self {
            Subscriptions::V2 => documents::V2_OPERATIONS,
            Subscriptions::Legacy => documents::LEGACY_OPERATIONS,
        }
    }
}

/// Default client ping interval (graphql-ws `keepAlive: 10000` in the official SDK).
pub const DEFAULT_KEEP_ALIVE: Duration = Duration::from_secs(10);

/// Default limit for the TCP/TLS/upgrade handshake and for the wait on `connection_ack`.
pub const DEFAULT_ACK_TIMEOUT: Duration = Duration::from_secs(10);

/// How to reach the stream and what to subscribe to.
///
/// Build it with [`StreamOptions::new`] and adjust fields; the struct may grow.
#[derive(Clone)]
pub struct StreamOptions {
    /// The WebSocket origin (`ws://host:port` or `wss://host`), without `/graphql`.
    pub ws_url: String,
    /// Headers sent in the `connection_init` payload (`{"headers": {...}}`): `X-API-KEY` and the
    /// identification headers of spec §1.2.
    pub headers: Vec<(String, String)>,
    /// Which subscriptions to open.
    pub subscriptions: Subscriptions,
    /// Client `ping` interval; a socket silent for 2.5 × this is dead. Zero disables both.
    pub keep_alive: Duration,
    /// Limit for the connect handshake and for the `connection_ack` wait; on expiry, reconnect.
    pub ack_timeout: Duration,
    /// Reconnect delays.
    pub backoff: Backoff,
}

impl StreamOptions {
    /// Options with the defaults: V2 subscriptions, 10 s keep-alive, 10 s ack timeout,
    /// graphql-ws-like backoff.
    pub fn new(ws_url: impl Into<String>, headers: Vec<(String, String)>) -> Self {
        StreamOptions {
            ws_url: ws_url.into(),
            headers,
            subscriptions: Subscriptions::V2,
            keep_alive: DEFAULT_KEEP_ALIVE,
            ack_timeout: DEFAULT_ACK_TIMEOUT,
            backoff: Backoff::default(),
        }
    }

    /// The endpoint URL: `{ws_url}/graphql`. A `ws_url` that already ends in `/graphql` is used as is
    /// (the official SDK would append a second `/graphql`; no server serves that path).
    pub fn endpoint(&self) -> String {
        let base = self.ws_url.trim_end_matches('/');
        if base.ends_with(protocol::GRAPHQL_PATH) {
            base.to_owned()
        } else {
            format!("{base}{}", protocol::GRAPHQL_PATH)
        }
    }

    /// How long a silent socket is tolerated: 2.5 × `keep_alive` (`None` when keep-alive is off).
    pub fn idle_timeout(&self) -> Option<Duration> {
        (!self.keep_alive.is_zero()).then(|| self.keep_alive.mul_f64(2.5))
    }
}

impl fmt::Debug for StreamOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values hold the API key: print names only.
        let names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("StreamOptions")
            .field("ws_url", &self.ws_url)
            .field("headers", &names)
            .field("subscriptions", &self.subscriptions)
            .field("keep_alive", &self.keep_alive)
            .field("ack_timeout", &self.ack_timeout)
            .field("backoff", &self.backoff)
            .finish()
    }
}

/// What the stream reports.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    /// `connection_ack` received and the subscriptions sent. `reconnect` is false for the first
    /// connection of this stream and true for every later one (the client re-validates its cache).
    ///
    /// graphql-transport-ws has no per-subscription acknowledgement: the server may start delivering a
    /// moment after this event, so a change made in that window can be missed (as with the official
    /// SDK). Treat states fetched up to shortly after `Connected` as needing revalidation.
    Connected {
        /// True after the first connection.
        reconnect: bool,
    },
    /// The connection was lost or could not be made; the stream retries with backoff. Reported once
    /// per outage (not for every failed retry).
    Disconnected {
        /// What happened (close code and reason, I/O error, timeout, ...).
        reason: String,
    },
    /// `entitlementsUpdatedV2`.
    EntitlementsUpdated(EntitlementsUpdatedV2),
    /// `usageUpdatedV2`.
    UsageUpdated(UsageUpdatedV2),
    /// `packagePublished`.
    PackagePublished(PackagePublished),
    /// Legacy `entitlementsUpdated` (only with [`Subscriptions::Legacy`]).
    LegacyEntitlementsUpdated(EntitlementsUpdated),
    /// Legacy `usageUpdated` (only with [`Subscriptions::Legacy`]).
    LegacyUsageUpdated(Box<UsageUpdated>),
    /// Legacy `creditBalanceUpdated` (only with [`Subscriptions::Legacy`]).
    CreditBalanceUpdated(CreditBalanceUpdated),
    /// The server rejected the API key (close 4401 or reason `Invalid API key`). Fatal: the stream has
    /// stopped and does not reconnect.
    InvalidApiKey,
}

/// Controls a running stream. Dropping it stops the stream.
#[derive(Debug)]
pub struct StreamHandle {
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl StreamHandle {
    /// Asks the stream to stop: it completes its subscriptions, closes the socket with 1000 and ends
    /// its task (which drops its event sender). Returns at once; idempotent.
    pub fn stop(&self) {
        self.stop.send_replace(true);
    }

    /// True once the task has ended (stopped, invalid key, or runtime shut down).
    pub fn is_finished(&self) -> bool {
        self.task.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Stops the stream and waits until its task has ended.
    pub async fn shutdown(mut self) {
        self.stop();
        if let Some(task) = self.task.take() {
            if let Err(e) = task.await {
                tracing::debug!(error = %e, "stream: task ended abnormally");
            }
        }
    }
}

impl Drop for StreamHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Starts the stream on `runtime`; events arrive on `events` until the stream stops.
pub fn start(
    opts: StreamOptions,
    events: mpsc::UnboundedSender<StreamEvent>,
    runtime: &tokio::runtime::Handle,
) -> StreamHandle {
    let (stop_tx, stop_rx) = watch::channel(false);
    let task = runtime.spawn(run(opts, events, stop_rx));
    StreamHandle {
        stop: stop_tx,
        task: Some(task),
    }
}

/// True when a stop was requested or the handle is gone.
fn stop_requested(stop: &watch::Receiver<bool>) -> bool {
    *stop.borrow() || stop.has_changed().is_err()
}

/// The stream task: connect, run, reconnect with backoff until stopped or the key is rejected.
async fn run(
    opts: StreamOptions,
    events: mpsc::UnboundedSender<StreamEvent>,
    mut stop: watch::Receiver<bool>,
) {
    let mut ever_connected = false;
    let mut attempt: u32 = 0;
    let mut outage_reported = false;
    loop {
        if stop_requested(&stop) {
            break;
        }
        match connection::run_once(&opts, &events, &mut stop, ever_connected).await {
            Outcome::Stopped => break,
            Outcome::ReceiverGone => {
                tracing::debug!("stream: event receiver dropped; stopping");
                break;
            }
            Outcome::InvalidApiKey => {
                tracing::error!(
                    "stream: the API key was rejected (Invalid API key); not reconnecting"
                );
                let _ = events.send(StreamEvent::InvalidApiKey);
                break;
            }
            Outcome::Lost { reason, connected } => {
                if connected {
                    ever_connected = true;
                    attempt = 0;
                    outage_reported = false;
                }
                let delay = opts.backoff.delay(attempt);
                attempt = attempt.saturating_add(1);
                if outage_reported {
                    tracing::debug!(%reason, ?delay, attempt, "stream: reconnect failed; retrying");
                } else {
                    tracing::warn!(%reason, ?delay, "stream: disconnected; reconnecting");
                    outage_reported = true;
                    if events.send(StreamEvent::Disconnected { reason }).is_err() {
                        break;
                    }
                }
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = stop.changed() => {}
                    _ = events.closed() => break,
                }
            }
        }
    }
    tracing::debug!("stream: stopped");
}
