//! One connection's life: connect, `connection_init` → `connection_ack`, subscribe, then pump frames
//! until the socket fails, the server closes it, or the stream is stopped.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio::time::{sleep_until, timeout, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

use super::documents::Operation;
use super::payloads::parse_next;
use super::protocol::{self, ClientMessage, ServerMessage};
use super::{stop_requested, StreamEvent, StreamOptions};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Limit for one outgoing frame (a peer that stops reading must not hang the task).
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// How long `stop` waits for the server's close reply before dropping the socket.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

/// How a connection ended.
#[derive(Debug)]
pub(super) enum Outcome {
    /// `stop()` was called (or the handle dropped); the socket was closed with 1000.
    Stopped,
    /// Nobody listens to the events any more.
    ReceiverGone,
    /// The server rejected the API key: fatal.
    InvalidApiKey,
    /// Anything else: reconnect.
    Lost {
        /// What happened.
        reason: String,
        /// True when this connection had been acknowledged (resets the backoff).
        connected: bool,
    },
}

/// Why a connection failed (formatted into [`Outcome::Lost`] reasons).
#[derive(Debug, thiserror::Error)]
enum ConnError {
    #[error("invalid stream URL {url}: {reason}")]
    Url { url: String, reason: String },
    #[error("TLS setup failed: {0}")]
    Tls(String),
    #[error("WebSocket error: {0}")]
    Ws(Box<tokio_tungstenite::tungstenite::Error>),
    #[error("{0} timed out after {1:?}")]
    Timeout(&'static str, Duration),
    #[error("closed by the server: {code} {reason}")]
    Closed { code: u16, reason: String },
    #[error("the server closed the connection")]
    Eof,
    #[error("no frame from the server for {0:?} (missed pongs)")]
    Idle(Duration),
    #[error("subscription {op} failed: {messages}")]
    OperationError { op: String, messages: String },
    #[error("the server completed subscription {0}")]
    OperationCompleted(String),
}

/// What a frame asks the loop to do.
enum Step {
    Continue,
    Acked,
    Fatal,
    Fail(ConnError),
    ReceiverGone,
}

/// One rustls configuration per process, with the ring provider and the webpki roots.
fn tls_connector() -> Result<Connector, ConnError> {
    static CONFIG: OnceLock<Result<Arc<rustls::ClientConfig>, String>> = OnceLock::new();
    let config = CONFIG.get_or_init(|| {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map(|b| Arc::new(b.with_root_certificates(roots).with_no_client_auth()))
        .map_err(|e| e.to_string())
    });
    match config {
        Ok(c) => Ok(Connector::Rustls(c.clone())),
        Err(e) => Err(ConnError::Tls(e.clone())),
    }
}

/// Runs one connection to its end. Emits `Connected` after the ack, and every update event.
pub(super) async fn run_once(
    opts: &StreamOptions,
    events: &mpsc::UnboundedSender<StreamEvent>,
    stop: &mut watch::Receiver<bool>,
    reconnect: bool,
) -> Outcome {
    let mut ws = tokio::select! {
        r = connect(opts) => match r {
            Ok(ws) => ws,
            Err(e) => return Outcome::Lost { reason: e.to_string(), connected: false },
        },
        _ = stop.changed() => return Outcome::Stopped,
    };
    let operations = opts.subscriptions.operations();
    let idle_timeout = opts.idle_timeout();
    let mut connected = false;
    let lost = |e: ConnError, connected: bool| Outcome::Lost {
        reason: e.to_string(),
        connected,
    };

    if let Err(e) = send(&mut ws, &ClientMessage::connection_init(&opts.headers)).await {
        return lost(e, false);
    }

    // Until the ack the deadline is the ack timeout; afterwards it is the idle timeout, pushed back by
    // every frame.
    let mut deadline = Instant::now() + opts.ack_timeout;
    let far = Duration::from_secs(86_400 * 365);
    let keep_alive = if opts.keep_alive.is_zero() {
        far
    } else {
        opts.keep_alive
    };
    let mut ping = tokio::time::interval_at(Instant::now() + keep_alive, keep_alive);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);

    loop {
        let step = tokio::select! {
            biased;
            _ = stop.changed() => {
                if stop_requested(stop) {
                    close_gracefully(&mut ws, if connected { operations } else { &[] }).await;
                    return Outcome::Stopped;
                }
                Step::Continue
            }
            _ = events.closed() => {
                close_gracefully(&mut ws, if connected { operations } else { &[] }).await;
                return Outcome::ReceiverGone;
            }
            frame = ws.next() => {
                if connected {
                    if let Some(idle) = idle_timeout {
                        deadline = Instant::now() + idle;
                    }
                }
                match frame {
                    None => Step::Fail(ConnError::Eof),
                    Some(Err(e)) => Step::Fail(ConnError::Ws(Box::new(e))),
                    Some(Ok(msg)) => handle_frame(&mut ws, msg, operations, connected, events).await,
                }
            }
            _ = ping.tick(), if connected && !opts.keep_alive.is_zero() => {
                match send(&mut ws, &ClientMessage::Ping { payload: None }).await {
                    Ok(()) => Step::Continue,
                    Err(e) => Step::Fail(e),
                }
            }
            _ = sleep_until(deadline), if !connected || idle_timeout.is_some() => {
                if connected {
                    Step::Fail(ConnError::Idle(idle_timeout.unwrap_or(far)))
                } else {
                    Step::Fail(ConnError::Timeout("connection_ack", opts.ack_timeout))
                }
            }
        };
        match step {
            Step::Continue => {}
            Step::Acked => {
                if connected {
                    continue;
                }
                for (i, op) in operations.iter().enumerate() {
                    let msg = ClientMessage::subscribe(&(i + 1).to_string(), op.name, op.query);
                    if let Err(e) = send(&mut ws, &msg).await {
                        return lost(e, false);
                    }
                }
                connected = true;
                deadline = Instant::now() + idle_timeout.unwrap_or(far);
                ping.reset();
                tracing::info!(reconnect, "stream: connected");
                if events.send(StreamEvent::Connected { reconnect }).is_err() {
                    close_gracefully(&mut ws, operations).await;
                    return Outcome::ReceiverGone;
                }
            }
            Step::Fatal => {
                let _ = timeout(CLOSE_TIMEOUT, ws.close(None)).await;
                return Outcome::InvalidApiKey;
            }
            Step::ReceiverGone => {
                close_gracefully(&mut ws, operations).await;
                return Outcome::ReceiverGone;
            }
            Step::Fail(e) => {
                // Best effort: tell the server we are leaving (it may already be gone).
                let _ = timeout(
                    Duration::from_millis(200),
                    ws.close(Some(CloseFrame {
                        code: CloseCode::Away,
                        reason: "".into(),
                    })),
                )
                .await;
                return lost(e, connected);
            }
        }
    }
}

/// TCP (+ TLS) connect and the WebSocket upgrade with the `graphql-transport-ws` subprotocol.
async fn connect(opts: &StreamOptions) -> Result<Socket, ConnError> {
    let url = opts.endpoint();
    let mut request = url
        .as_str()
        .into_client_request()
        .map_err(|e| ConnError::Url {
            url: url.clone(),
            reason: e.to_string(),
        })?;
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static(protocol::SUBPROTOCOL),
    );
    let connector = if url.starts_with("wss:") {
        Some(tls_connector()?)
    } else {
        Some(Connector::Plain)
    };
    let fut = tokio_tungstenite::connect_async_tls_with_config(request, None, true, connector);
    match timeout(opts.ack_timeout, fut).await {
        Ok(Ok((ws, _response))) => Ok(ws),
        Ok(Err(e)) => Err(ConnError::Ws(Box::new(e))),
        Err(_) => Err(ConnError::Timeout("connect", opts.ack_timeout)),
    }
}

/// Sends one protocol message, bounded by [`SEND_TIMEOUT`].
async fn send(ws: &mut Socket, msg: &ClientMessage) -> Result<(), ConnError> {
    match timeout(SEND_TIMEOUT, ws.send(Message::text(msg.to_text()))).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(ConnError::Ws(Box::new(e))),
        Err(_) => Err(ConnError::Timeout("send", SEND_TIMEOUT)),
    }
}

/// `complete` every operation, close with 1000, and wait briefly for the server's close reply.
async fn close_gracefully(ws: &mut Socket, operations: &[Operation]) {
    let work = async {
        for i in 0..operations.len() {
            let _ = ws
                .send(Message::text(
                    ClientMessage::Complete {
                        id: (i + 1).to_string(),
                    }
                    .to_text(),
                ))
                .await;
        }
        let _ = ws
            .close(Some(CloseFrame {
                code: CloseCode::Normal,
                reason: "Normal Closure".into(),
            }))
            .await;
        // Drain until the close handshake completes.
        while let Some(Ok(_)) = ws.next().await {}
    };
    let _ = timeout(CLOSE_TIMEOUT, work).await;
}

/// Handles one incoming WebSocket message.
async fn handle_frame(
    ws: &mut Socket,
    msg: Message,
    operations: &[Operation],
    connected: bool,
    events: &mpsc::UnboundedSender<StreamEvent>,
) -> Step {
    let text = match msg {
        Message::Text(t) => t,
        Message::Close(frame) => {
            let (code, reason) = frame
                .map(|f| (u16::from(f.code), f.reason.as_str().to_owned()))
                .unwrap_or((1005, String::new()));
            if protocol::is_invalid_api_key_close(code, &reason) {
                return Step::Fatal;
            }
            return Step::Fail(ConnError::Closed { code, reason });
        }
        // WebSocket-level pings are answered by tungstenite; binary frames are not part of the protocol.
        Message::Binary(_) => {
            tracing::warn!("stream: ignoring a binary frame");
            return Step::Continue;
        }
        Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => return Step::Continue,
    };
    let parsed = match ServerMessage::parse(text.as_str()) {
        Ok(m) => m,
        Err(e) => {
            tracing::warn!(error = %e, len = text.len(), "stream: ignoring an unreadable message");
            return Step::Continue;
        }
    };
    match parsed {
        ServerMessage::ConnectionAck { .. } => Step::Acked,
        ServerMessage::Ping { .. } => {
            match send(ws, &ClientMessage::Pong { payload: None }).await {
                Ok(()) => Step::Continue,
                Err(e) => Step::Fail(e),
            }
        }
        ServerMessage::Pong { .. } => Step::Continue,
        ServerMessage::Next { id, payload } => {
            let Some(op) = operation_by_id(operations, &id).filter(|_| connected) else {
                tracing::warn!(%id, "stream: `next` for an unknown operation");
                return Step::Continue;
            };
            match parse_next(op, &payload) {
                Ok(event) => {
                    if events.send(event).is_err() {
                        return Step::ReceiverGone;
                    }
                }
                Err(e) => tracing::warn!(op = op.name, error = %e, "stream: skipping an event"),
            }
            Step::Continue
        }
        ServerMessage::Error { id, payload } => {
            let messages = protocol::error_messages(&payload);
            if messages.iter().any(|m| m == protocol::INVALID_API_KEY) {
                return Step::Fatal;
            }
            let op = operation_by_id(operations, &id)
                .map(|o| o.name.to_owned())
                .unwrap_or(id);
            // Like the official SDK, a failed subscription tears the connection down and starts over
            // (with backoff), rather than leaving one stream silently dead.
            Step::Fail(ConnError::OperationError {
                op,
                messages: messages.join("; "),
            })
        }
        ServerMessage::Complete { id } => {
            if operation_by_id(operations, &id).is_none() {
                return Step::Continue;
            }
            Step::Fail(ConnError::OperationCompleted(id))
        }
    }
}

fn operation_by_id<'a>(operations: &'a [Operation], id: &str) -> Option<&'a Operation> {
    let n: usize = id.parse().ok()?;
    operations.get(n.checked_sub(1)?)
}
