//! Connection tests against a scripted in-process graphql-transport-ws server on a real socket.
//! Every wait has a deadline; nothing sleeps blindly.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use super::*;

const DEADLINE: Duration = Duration::from_secs(5);

type Server = WebSocketStream<TcpStream>;

async fn listener() -> (TcpListener, String) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}", l.local_addr().unwrap());
    (l, url)
}

fn options(url: &str) -> StreamOptions {
    let mut o = StreamOptions::new(
        url,
        vec![
            ("X-API-KEY".into(), "server-test-key".into()),
            ("source".into(), "NODE_SERVER_SDK".into()),
        ],
    );
    o.backoff = Backoff::fixed(Duration::from_millis(10));
    o
}

/// Accepts one WebSocket, checking the path and subprotocol, and answering with the subprotocol.
async fn accept(l: &TcpListener) -> Server {
    let (tcp, _) = timeout(DEADLINE, l.accept()).await.unwrap().unwrap();
    #[allow(clippy::result_large_err)] // the callback's error type is tungstenite's
    fn check(req: &Request, mut resp: Response) -> Result<Response, ErrorResponse> {
        assert_eq!(req.uri().path(), "/graphql");
        assert_eq!(
            req.headers()
                .get("sec-websocket-protocol")
                .and_then(|v| v.to_str().ok()),
            Some("graphql-transport-ws")
        );
        resp.headers_mut().insert(
            "sec-websocket-protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        Ok(resp)
    }
    tokio_tungstenite::accept_hdr_async(tcp, check)
        .await
        .unwrap()
}

/// The next text frame as JSON (`None` when the client closed).
async fn recv(ws: &mut Server) -> Option<Value> {
    loop {
        match timeout(DEADLINE, ws.next()).await.unwrap() {
            Some(Ok(Message::Text(t))) => return Some(serde_json::from_str(t.as_str()).unwrap()),
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
            Some(Ok(_)) => continue,
        }
    }
}

async fn send(ws: &mut Server, v: Value) {
    ws.send(Message::text(v.to_string())).await.unwrap();
}

/// connection_init → ack → the subscribes; returns the subscribe messages.
async fn handshake(ws: &mut Server, n: usize) -> Vec<Value> {
    let init = recv(ws).await.unwrap();
    assert_eq!(init["type"], "connection_init");
    assert_eq!(init["payload"]["headers"]["X-API-KEY"], "server-test-key");
    send(ws, json!({"type":"connection_ack"})).await;
    let mut subs = Vec::new();
    for _ in 0..n {
        subs.push(recv(ws).await.unwrap());
    }
    subs
}

async fn event(rx: &mut mpsc::UnboundedReceiver<StreamEvent>) -> StreamEvent {
    timeout(DEADLINE, rx.recv())
        .await
        .expect("no event before the deadline")
        .expect("the stream ended")
}

/// Waits for the event channel to close (the task ended).
async fn ended(rx: &mut mpsc::UnboundedReceiver<StreamEvent>) {
    loop {
        match timeout(DEADLINE, rx.recv())
            .await
            .expect("stream still running")
        {
            None => return,
            Some(StreamEvent::Disconnected { .. }) => continue,
            Some(other) => panic!("unexpected event {other:?}"),
        }
    }
}

/// Polls (with a deadline) until the handle reports its task ended; the channel closes a moment before.
async fn finished(handle: &StreamHandle) {
    timeout(DEADLINE, async {
        while !handle.is_finished() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the stream task did not end");
}

fn entitlements_next(id: &str, customer: &str) -> Value {
    json!({"type":"next","id":id,"payload":{"data":{"entitlementsUpdatedV2":{
        "__typename":"EntitlementsUpdatedV2","customerId":customer,"resourceId":null,"accessDeniedReason":null,
        "entitlements":[{"__typename":"FeatureEntitlement","isGranted":true,"hasUnlimitedUsage":true,
            "feature":{"__typename":"EntitlementFeature","refId":"f1","featureType":"BOOLEAN","displayName":"F1"}}]}}}})
}

#[tokio::test]
async fn subscribes_to_the_v2_operations_and_delivers_events() {
    let (l, url) = listener().await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let handle = start(options(&url), tx, &tokio::runtime::Handle::current());
    let mut ws = accept(&l).await;
    let subs = handshake(&mut ws, 3).await;
    let names: Vec<(&str, &str)> = subs
        .iter()
        .map(|s| {
            assert_eq!(s["type"], "subscribe");
            assert_eq!(s["payload"]["variables"], json!({}));
            (
                s["id"].as_str().unwrap(),
                s["payload"]["operationName"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("1", "OnEntitlementsUpdatedV2"),
            ("2", "OnUsageUpdatedV2"),
            ("3", "OnPackagePublished")
        ]
    );
    assert_eq!(
        event(&mut rx).await,
        StreamEvent::Connected { reconnect: false }
    );

    // A server ping is answered with a pong.
    send(&mut ws, json!({"type":"ping"})).await;
    assert_eq!(recv(&mut ws).await.unwrap(), json!({"type":"pong"}));

    // Malformed frames and payloads are skipped; the next good one is delivered.
    ws.send(Message::text("not json")).await.unwrap();
    send(&mut ws, json!({"type":"next","id":"1","payload":{"data":{"entitlementsUpdatedV2":{"customerId":7}}}})).await;
    send(&mut ws, json!({"type":"next","id":"9","payload":{}})).await;
    send(&mut ws, json!({"type":"surprise"})).await;
    send(&mut ws, entitlements_next("1", "cust-1")).await;
    match event(&mut rx).await {
        StreamEvent::EntitlementsUpdated(p) => {
            assert_eq!(p.customer_id, "cust-1");
            assert_eq!(p.entitlements.len(), 1);
        }
        other => panic!("{other:?}"),
    }
    send(
        &mut ws,
        json!({"type":"next","id":"2","payload":{"data":{"usageUpdatedV2":{
        "customerId":"cust-1","resourceId":null,"entitlementReference":{"id":"f2","type":"FEATURE"},
        "usage":{"currentUsage":3,"usageUpdatedAt":"2024-01-01T00:00:00.000Z"}}}}}),
    )
    .await;
    assert!(
        matches!(event(&mut rx).await, StreamEvent::UsageUpdated(u) if u.usage.current_usage == 3.0)
    );
    send(&mut ws, json!({"type":"next","id":"3","payload":{"data":{"packagePublished":{
        "accountId":"a","environmentId":"e","packageType":"PLAN","packageRefId":"p","packageVersion":2,
        "migrationType":"NEW_CUSTOMERS"}}}}))
    .await;
    assert!(matches!(
        event(&mut rx).await,
        StreamEvent::PackagePublished(_)
    ));
    handle.shutdown().await;
}

#[tokio::test]
async fn legacy_mode_subscribes_to_the_four_legacy_operations() {
    let (l, url) = listener().await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut o = options(&url);
    o.subscriptions = Subscriptions::Legacy;
    let _handle = start(o, tx, &tokio::runtime::Handle::current());
    let mut ws = accept(&l).await;
    let subs = handshake(&mut ws, 4).await;
    let names: Vec<&str> = subs
        .iter()
        .map(|s| s["payload"]["operationName"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "OnEntitlementsUpdated",
            "OnUsageUpdated",
            "OnPackagePublished",
            "OnCreditBalanceUpdated"
        ]
    );
    assert_eq!(
        event(&mut rx).await,
        StreamEvent::Connected { reconnect: false }
    );
}

#[tokio::test]
async fn stop_completes_the_subscriptions_closes_with_1000_and_ends_the_task() {
    let (l, url) = listener().await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let handle = start(options(&url), tx, &tokio::runtime::Handle::current());
    let mut ws = accept(&l).await;
    handshake(&mut ws, 3).await;
    assert_eq!(
        event(&mut rx).await,
        StreamEvent::Connected { reconnect: false }
    );
    handle.stop();
    for id in ["1", "2", "3"] {
        assert_eq!(
            recv(&mut ws).await.unwrap(),
            json!({"type":"complete","id":id})
        );
    }
    match timeout(DEADLINE, ws.next()).await.unwrap() {
        Some(Ok(Message::Close(Some(f)))) => assert_eq!(f.code, CloseCode::Normal),
        other => panic!("expected close 1000, got {other:?}"),
    }
    ended(&mut rx).await;
    finished(&handle).await;
}

#[tokio::test]
async fn dropping_the_handle_stops_the_stream() {
    let (l, url) = listener().await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let handle = start(options(&url), tx, &tokio::runtime::Handle::current());
    let mut ws = accept(&l).await;
    handshake(&mut ws, 3).await;
    assert_eq!(
        event(&mut rx).await,
        StreamEvent::Connected { reconnect: false }
    );
    drop(handle);
    ended(&mut rx).await;
}

#[tokio::test]
async fn reconnects_after_the_server_drops_the_connection() {
    let (l, url) = listener().await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let handle = start(options(&url), tx, &tokio::runtime::Handle::current());
    let mut ws = accept(&l).await;
    handshake(&mut ws, 3).await;
    assert_eq!(
        event(&mut rx).await,
        StreamEvent::Connected { reconnect: false }
    );

    // A clean server close (1001) and then an abrupt TCP drop: both reconnect.
    ws.close(Some(CloseFrame {
        code: CloseCode::Away,
        reason: "restart".into(),
    }))
    .await
    .unwrap();
    match event(&mut rx).await {
        StreamEvent::Disconnected { reason } => assert!(reason.contains("1001"), "{reason}"),
        other => panic!("{other:?}"),
    }
    let mut ws = accept(&l).await;
    handshake(&mut ws, 3).await;
    assert_eq!(
        event(&mut rx).await,
        StreamEvent::Connected { reconnect: true }
    );
    send(&mut ws, entitlements_next("1", "after-reconnect")).await;
    assert!(
        matches!(event(&mut rx).await, StreamEvent::EntitlementsUpdated(p) if p.customer_id == "after-reconnect")
    );

    drop(ws);
    assert!(matches!(
        event(&mut rx).await,
        StreamEvent::Disconnected { .. }
    ));
    let mut ws = accept(&l).await;
    handshake(&mut ws, 3).await;
    assert_eq!(
        event(&mut rx).await,
        StreamEvent::Connected { reconnect: true }
    );
    handle.shutdown().await;
}

#[tokio::test]
async fn close_4401_is_fatal_and_not_retried() {
    let (l, url) = listener().await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let handle = start(options(&url), tx, &tokio::runtime::Handle::current());
    let mut ws = accept(&l).await;
    assert_eq!(recv(&mut ws).await.unwrap()["type"], "connection_init");
    ws.close(Some(CloseFrame {
        code: CloseCode::from(4401),
        reason: "Invalid API key".into(),
    }))
    .await
    .unwrap();
    assert_eq!(event(&mut rx).await, StreamEvent::InvalidApiKey);
    // The task ends without another attempt: the channel closes with no more events.
    assert_eq!(timeout(DEADLINE, rx.recv()).await.unwrap(), None);
    finished(&handle).await;
}

#[tokio::test]
async fn invalid_api_key_reason_with_another_code_or_in_an_error_frame_is_fatal() {
    // Reason with a non-4401 code.
    let (l, url) = listener().await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _h = start(options(&url), tx, &tokio::runtime::Handle::current());
    let mut ws = accept(&l).await;
    recv(&mut ws).await.unwrap();
    ws.close(Some(CloseFrame {
        code: CloseCode::from(4500),
        reason: "Invalid API key".into(),
    }))
    .await
    .unwrap();
    assert_eq!(event(&mut rx).await, StreamEvent::InvalidApiKey);
    assert_eq!(timeout(DEADLINE, rx.recv()).await.unwrap(), None);

    // An `error` frame for a subscription whose message is the reason.
    let (l, url) = listener().await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _h = start(options(&url), tx, &tokio::runtime::Handle::current());
    let mut ws = accept(&l).await;
    handshake(&mut ws, 3).await;
    assert_eq!(
        event(&mut rx).await,
        StreamEvent::Connected { reconnect: false }
    );
    send(
        &mut ws,
        json!({"type":"error","id":"2","payload":[{"message":"Invalid API key"}]}),
    )
    .await;
    assert_eq!(event(&mut rx).await, StreamEvent::InvalidApiKey);
    assert_eq!(timeout(DEADLINE, rx.recv()).await.unwrap(), None);
}

#[tokio::test]
async fn other_errors_and_server_completes_reconnect() {
    let (l, url) = listener().await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let handle = start(options(&url), tx, &tokio::runtime::Handle::current());
    let mut ws = accept(&l).await;
    handshake(&mut ws, 3).await;
    assert_eq!(
        event(&mut rx).await,
        StreamEvent::Connected { reconnect: false }
    );
    send(&mut ws, json!({"type":"error","id":"1","payload":[{"message":"ThrottlerException: Too Many Requests"}]})).await;
    match event(&mut rx).await {
        StreamEvent::Disconnected { reason } => {
            assert!(reason.contains("OnEntitlementsUpdatedV2"), "{reason}");
            assert!(reason.contains("ThrottlerException"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    let mut ws = accept(&l).await;
    handshake(&mut ws, 3).await;
    assert_eq!(
        event(&mut rx).await,
        StreamEvent::Connected { reconnect: true }
    );
    send(&mut ws, json!({"type":"complete","id":"3"})).await;
    assert!(matches!(
        event(&mut rx).await,
        StreamEvent::Disconnected { .. }
    ));
    let mut ws = accept(&l).await;
    handshake(&mut ws, 3).await;
    assert_eq!(
        event(&mut rx).await,
        StreamEvent::Connected { reconnect: true }
    );
    handle.shutdown().await;
}

#[tokio::test]
async fn pings_on_keep_alive_and_reconnects_when_the_server_goes_silent() {
    let (l, url) = listener().await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut o = options(&url);
    o.keep_alive = Duration::from_millis(100);
    let handle = start(o, tx, &tokio::runtime::Handle::current());
    let mut ws = accept(&l).await;
    handshake(&mut ws, 3).await;
    assert_eq!(
        event(&mut rx).await,
        StreamEvent::Connected { reconnect: false }
    );
    // The client pings; answering keeps the connection up.
    for _ in 0..3 {
        assert_eq!(recv(&mut ws).await.unwrap(), json!({"type":"ping"}));
        send(&mut ws, json!({"type":"pong"})).await;
    }
    assert!(rx.try_recv().is_err(), "no event while pongs arrive");
    // Stop answering (keep the socket open but silent): the client declares it dead.
    match event(&mut rx).await {
        StreamEvent::Disconnected { reason } => assert!(reason.contains("no frame"), "{reason}"),
        other => panic!("{other:?}"),
    }
    let mut ws2 = accept(&l).await;
    handshake(&mut ws2, 3).await;
    assert_eq!(
        event(&mut rx).await,
        StreamEvent::Connected { reconnect: true }
    );
    drop(ws);
    handle.shutdown().await;
}

#[tokio::test]
async fn a_missing_ack_times_out_and_retries() {
    let (l, url) = listener().await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut o = options(&url);
    o.ack_timeout = Duration::from_millis(100);
    let handle = start(o, tx, &tokio::runtime::Handle::current());
    let mut silent = accept(&l).await;
    assert_eq!(recv(&mut silent).await.unwrap()["type"], "connection_init");
    match event(&mut rx).await {
        StreamEvent::Disconnected { reason } => {
            assert!(reason.contains("connection_ack"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    let mut ws = accept(&l).await;
    handshake(&mut ws, 3).await;
    // Never connected before, so this is the first connection.
    assert_eq!(
        event(&mut rx).await,
        StreamEvent::Connected { reconnect: false }
    );
    handle.shutdown().await;
}

#[tokio::test]
async fn an_outage_is_reported_once_while_retries_keep_failing() {
    let (l, url) = listener().await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let handle = start(options(&url), tx, &tokio::runtime::Handle::current());
    let mut ws = accept(&l).await;
    handshake(&mut ws, 3).await;
    assert_eq!(
        event(&mut rx).await,
        StreamEvent::Connected { reconnect: false }
    );
    drop(ws);
    // Five more attempts, each accepted at TCP level and dropped before the upgrade.
    for _ in 0..5 {
        let (tcp, _) = timeout(DEADLINE, l.accept()).await.unwrap().unwrap();
        drop(tcp);
    }
    let mut ws = accept(&l).await;
    handshake(&mut ws, 3).await;
    let mut seen = Vec::new();
    loop {
        let e = event(&mut rx).await;
        let done = matches!(e, StreamEvent::Connected { .. });
        seen.push(e);
        if done {
            break;
        }
    }
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(matches!(seen[0], StreamEvent::Disconnected { .. }));
    assert_eq!(seen[1], StreamEvent::Connected { reconnect: true });
    handle.shutdown().await;
}

#[tokio::test]
async fn the_first_failed_attempt_is_reported_and_stop_interrupts_the_backoff() {
    // Nothing listens on this port.
    let (l, url) = listener().await;
    drop(l);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut o = options(&url);
    o.backoff = Backoff::fixed(Duration::from_secs(3600));
    let handle = start(o, tx, &tokio::runtime::Handle::current());
    assert!(matches!(
        event(&mut rx).await,
        StreamEvent::Disconnected { .. }
    ));
    handle.stop();
    ended(&mut rx).await;
}

#[test]
fn options_debug_hides_header_values_and_endpoint_appends_graphql() {
    let o = StreamOptions::new(
        "ws://127.0.0.1:1234/",
        vec![("X-API-KEY".into(), "server-secret".into())],
    );
    let dbg = format!("{o:?}");
    assert!(dbg.contains("X-API-KEY"));
    assert!(!dbg.contains("server-secret"));
    assert_eq!(o.endpoint(), "ws://127.0.0.1:1234/graphql");
    let o2 = StreamOptions::new("wss://api.example/graphql", vec![]);
    assert_eq!(o2.endpoint(), "wss://api.example/graphql");
    assert_eq!(o.idle_timeout(), Some(Duration::from_secs(25)));
    assert_eq!(o.subscriptions, Subscriptions::V2);
}

#[tokio::test]
async fn wss_uses_rustls_with_ring_and_a_failed_tls_handshake_is_a_disconnect() {
    // A plain TCP server that answers the TLS ClientHello with garbage.
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("wss://{}", l.local_addr().unwrap());
    let (tx, mut rx) = mpsc::unbounded_channel();
    let handle = start(options(&url), tx, &tokio::runtime::Handle::current());
    let (mut tcp, _) = timeout(DEADLINE, l.accept()).await.unwrap().unwrap();
    let mut hello = [0u8; 5];
    tokio::io::AsyncReadExt::read_exact(&mut tcp, &mut hello)
        .await
        .unwrap();
    assert_eq!(hello[0], 0x16, "a TLS handshake record");
    tokio::io::AsyncWriteExt::write_all(&mut tcp, b"HTTP/1.1 400 Bad Request\r\n\r\n")
        .await
        .unwrap();
    match event(&mut rx).await {
        StreamEvent::Disconnected { reason } => assert!(!reason.is_empty()),
        other => panic!("{other:?}"),
    }
    handle.shutdown().await;
}
