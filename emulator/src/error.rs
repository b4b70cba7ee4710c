//! API errors: a Stigg `ErrorCode` name plus a message, rendered as GraphQL errors.

/// An error returned to API clients as a GraphQL error with `extensions.code`.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    /// Stigg `ErrorCode` name, e.g. `CustomerNotFound`.
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
}

impl ApiError {
    /// A new error.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
    /// `CustomerNotFound`.
    pub fn customer_not_found(id: &str) -> Self {
        Self::new("CustomerNotFound", format!("Customer not found: {id}"))
    }
    /// `SubscriptionNotFound`.
    pub fn subscription_not_found(id: &str) -> Self {
        Self::new(
            "SubscriptionNotFound",
            format!("Subscription not found: {id}"),
        )
    }
    /// `BadUserInput`.
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::new("BadUserInput", message)
    }
}

/// Result of a domain operation.
pub type ApiResult<T> = Result<T, ApiError>;
