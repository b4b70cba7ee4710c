//! Error types. Entitlement reads never return these (they degrade to fallbacks); configuration,
//! argument validation, usage writes and management calls do.

/// A configuration value that cannot be used, naming Stigg's option.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid configuration `{option}`: {reason}")]
pub struct ConfigError {
    /// The option's name as Stigg spells it (`apiKey`, `baseUri`, ...).
    pub option: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

impl ConfigError {
    /// A new error for `option`.
    pub fn new(option: &'static str, reason: impl Into<String>) -> Self {
        ConfigError {
            option,
            reason: reason.into(),
        }
    }
}

/// An error of a client call.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StiggError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// An argument is invalid; `field` names it as the caller spelled it (camelCase, Stigg's names).
    #[error("invalid argument `{field}`: {reason}")]
    InvalidArgument {
        /// The argument's name.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// Stigg answered with an error.
    #[error("{message}")]
    Api {
        /// The server's message.
        message: String,
        /// Stigg's `ErrorCode` (e.g. `CustomerNotFound`), when the server gave one.
        code: Option<String>,
        /// The server's trace id, for support requests.
        trace_id: Option<String>,
    },
    /// The call did not finish within its timeout.
    #[error("{operation}: Request timed out")]
    Timeout {
        /// The operation that timed out.
        operation: String,
    },
    /// The request could not reach Stigg.
    #[error("network error: {0}")]
    Network(String),
    /// The client was closed.
    #[error("the Stigg client is closed")]
    Closed,
}

impl StiggError {
    /// A stable code for this error: Stigg's `ErrorCode` for API errors, otherwise one of
    /// `InvalidConfiguration`, `InvalidArgument`, `RequestTimeout`, `NetworkError`, `ClientClosed`.
    pub fn code(&self) -> &str {
        match self {
            StiggError::Config(_) => "InvalidConfiguration",
            StiggError::InvalidArgument { .. } => "InvalidArgument",
            StiggError::Api { code, .. } => code.as_deref().unwrap_or("Unknown"),
            StiggError::Timeout { .. } => "RequestTimeout",
            StiggError::Network(_) => "NetworkError",
            StiggError::Closed => "ClientClosed",
        }
    }

    /// The server's trace id, when there is one.
    pub fn trace_id(&self) -> Option<&str> {
        match self {
            StiggError::Api { trace_id, .. } => trace_id.as_deref(),
            _ => None,
        }
    }

    /// An invalid-argument error.
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        StiggError::InvalidArgument {
            field,
            reason: reason.into(),
        }
    }
}

/// The result type of client calls.
pub type Result<T, E = StiggError> = std::result::Result<T, E>;
