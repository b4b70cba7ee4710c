//! The `graphql-transport-ws` messages (graphql-ws v5, spec §1.5), as JSON text frames.
//!
//! Client → server: `connection_init`, `ping`, `pong`, `subscribe`, `complete`.
//! Server → client: `connection_ack`, `ping`, `pong`, `next`, `error`, `complete`.
//! Parsing is lenient: unknown fields are ignored; a frame that is not one of the known messages is an
//! error the caller logs and skips.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The WebSocket subprotocol the client asks for (`Sec-WebSocket-Protocol`).
pub const SUBPROTOCOL: &str = "graphql-transport-ws";

/// The path of the GraphQL WebSocket endpoint, appended to the origin (`{wsUrl}/graphql`).
pub const GRAPHQL_PATH: &str = "/graphql";

/// The close code graphql-ws uses for "Unauthorized"; the code the emulator pairs with `Invalid API key`.
pub const CLOSE_UNAUTHORIZED: u16 = 4401;

/// The close reason Stigg sends for a bad API key; the only fatal stream failure (spec §1.5).
pub const INVALID_API_KEY: &str = "Invalid API key";

/// A message the client sends.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// First message on a new socket; `payload` is graphql-ws `connectionParams`.
    ConnectionInit {
        /// `{"headers": {...}}` (spec §1.5).
        payload: Value,
    },
    /// Keep-alive ping.
    Ping {
        /// Optional payload (never sent by this client).
        #[serde(skip_serializing_if = "Option::is_none")]
        payload: Option<Value>,
    },
    /// Answer to a server `ping`.
    Pong {
        /// Optional payload (never sent by this client).
        #[serde(skip_serializing_if = "Option::is_none")]
        payload: Option<Value>,
    },
    /// Starts an operation.
    Subscribe {
        /// Operation id, unique on this socket.
        id: String,
        /// The GraphQL request.
        payload: SubscribePayload,
    },
    /// Stops an operation.
    Complete {
        /// Operation id.
        id: String,
    },
}

/// The GraphQL request inside a `subscribe` message.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscribePayload {
    /// The document text.
    pub query: String,
    /// The operation to run.
    pub operation_name: String,
    /// Variables (the Stigg subscriptions take none; the server scopes them by API key).
    pub variables: Map<String, Value>,
}

impl ClientMessage {
    /// `connection_init` with `{"headers": {name: value, ...}}`.
    pub fn connection_init(headers: &[(String, String)]) -> Self {
        let headers: Map<String, Value> = headers
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        let mut payload = Map::new();
        payload.insert("headers".to_owned(), Value::Object(headers));
        ClientMessage::ConnectionInit {
            payload: Value::Object(payload),
        }
    }

    /// `subscribe` of a document without variables.
    pub fn subscribe(id: &str, operation_name: &str, query: &str) -> Self {
        ClientMessage::Subscribe {
            id: id.to_owned(),
            payload: SubscribePayload {
                query: query.to_owned(),
                operation_name: operation_name.to_owned(),
                variables: Map::new(),
            },
        }
    }

    /// The JSON text of this message.
    pub fn to_text(&self) -> String {
        // Serializing these plain structs cannot fail; fall back to an empty object rather than panic.
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{}"))
    }
}

/// A message the server sends.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The server accepted `connection_init`.
    ConnectionAck {
        /// Optional payload.
        #[serde(default)]
        payload: Option<Value>,
    },
    /// Server ping; answer with `pong`.
    Ping {
        /// Optional payload.
        #[serde(default)]
        payload: Option<Value>,
    },
    /// Answer to a client `ping`.
    Pong {
        /// Optional payload.
        #[serde(default)]
        payload: Option<Value>,
    },
    /// One result of an operation: a GraphQL execution result `{data, errors}`.
    Next {
        /// Operation id.
        id: String,
        /// The execution result, parsed later so that one malformed payload only loses one event.
        #[serde(default)]
        payload: Value,
    },
    /// The operation failed (a list of GraphQL errors); the server will send nothing more for it.
    Error {
        /// Operation id.
        id: String,
        /// The errors.
        #[serde(default)]
        payload: Value,
    },
    /// The server ended the operation.
    Complete {
        /// Operation id.
        id: String,
    },
}

impl ServerMessage {
    /// Parses one text frame.
    pub fn parse(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// The error messages of an `error` frame payload (`[{message, ...}, ...]`) or of an execution result's
/// `errors`; tolerant of a single object or a bare string.
pub fn error_messages(payload: &Value) -> Vec<String> {
    fn one(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o
                .get("message")
                .or_else(|| o.get("reason"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            _ => None,
        }
    }
    match payload {
        Value::Array(items) => items.iter().filter_map(one).collect(),
        other => one(other).into_iter().collect(),
    }
}

/// True when a WebSocket close means "the API key is invalid": code 4401, or the exact reason
/// `Invalid API key` with any code (spec §1.5: the official SDK decides by the reason).
pub fn is_invalid_api_key_close(code: u16, reason: &str) -> bool {
    code == CLOSE_UNAUTHORIZED || reason == INVALID_API_KEY
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn to_value(m: &ClientMessage) -> Value {
        serde_json::from_str(&m.to_text()).unwrap_or(Value::Null)
    }

    #[test]
    fn client_messages_have_the_graphql_transport_ws_shape() {
        let init = ClientMessage::connection_init(&[
            ("X-API-KEY".into(), "server-k".into()),
            ("source".into(), "NODE_SERVER_SDK".into()),
        ]);
        assert_eq!(
            to_value(&init),
            json!({"type":"connection_init","payload":{"headers":{"X-API-KEY":"server-k","source":"NODE_SERVER_SDK"}}})
        );
        assert_eq!(
            to_value(&ClientMessage::Ping { payload: None }),
            json!({"type":"ping"})
        );
        assert_eq!(
            to_value(&ClientMessage::Pong { payload: None }),
            json!({"type":"pong"})
        );
        assert_eq!(
            to_value(&ClientMessage::subscribe(
                "1",
                "OnX",
                "subscription OnX { x }"
            )),
            json!({"type":"subscribe","id":"1","payload":{"query":"subscription OnX { x }","operationName":"OnX","variables":{}}})
        );
        assert_eq!(
            to_value(&ClientMessage::Complete { id: "3".into() }),
            json!({"type":"complete","id":"3"})
        );
    }

    #[test]
    fn server_messages_parse_and_unknown_ones_fail() {
        assert_eq!(
            ServerMessage::parse(r#"{"type":"connection_ack"}"#).ok(),
            Some(ServerMessage::ConnectionAck { payload: None })
        );
        assert_eq!(
            ServerMessage::parse(r#"{"type":"ping","payload":{"a":1}}"#).ok(),
            Some(ServerMessage::Ping {
                payload: Some(json!({"a":1}))
            })
        );
        assert_eq!(
            ServerMessage::parse(r#"{"type":"pong"}"#).ok(),
            Some(ServerMessage::Pong { payload: None })
        );
        assert_eq!(
            ServerMessage::parse(r#"{"id":"2","type":"next","payload":{"data":{"x":1}}}"#).ok(),
            Some(ServerMessage::Next {
                id: "2".into(),
                payload: json!({"data":{"x":1}})
            })
        );
        assert_eq!(
            ServerMessage::parse(r#"{"type":"error","id":"1","payload":[{"message":"boom"}]}"#)
                .ok(),
            Some(ServerMessage::Error {
                id: "1".into(),
                payload: json!([{"message":"boom"}])
            })
        );
        assert_eq!(
            ServerMessage::parse(r#"{"type":"complete","id":"1"}"#).ok(),
            Some(ServerMessage::Complete { id: "1".into() })
        );
        assert!(ServerMessage::parse(r#"{"type":"ka"}"#).is_err());
        assert!(ServerMessage::parse(r#"{"type":"next"}"#).is_err());
        assert!(ServerMessage::parse("not json").is_err());
    }

    #[test]
    fn error_messages_and_invalid_key_detection() {
        assert_eq!(
            error_messages(&json!([{"message":"a"},{"reason":"b"},{"x":1}])),
            vec!["a".to_string(), "b".to_string()]
        );
        assert_eq!(error_messages(&json!("c")), vec!["c".to_string()]);
        assert!(is_invalid_api_key_close(4401, ""));
        assert!(is_invalid_api_key_close(4500, "Invalid API key"));
        assert!(!is_invalid_api_key_close(4500, "invalid api key!"));
        assert!(!is_invalid_api_key_close(1000, ""));
    }
}
