//! # stigg-core
//!
//! The one Rust core of stigg-native: Stigg's wire model, the entitlement evaluation rules, the
//! per-customer entitlement cache and the `Stigg` client handle. Every language package is a thin face
//! over this crate, so every package gives the same answer to the same question.
//!
//! Layout: [`model`] (wire and domain types), [`eval`] (pure decision rules, `now` is an argument),
//! [`cache`] (the in-memory store), [`client`] (the [`Stigg`] handle), [`config`] (the builder with
//! Stigg's option names).

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![warn(missing_docs)]

pub mod api;
pub mod cache;
pub mod client;
pub mod clock;
pub mod config;
pub mod error;
pub mod eval;
mod ids;
pub mod model;
pub mod stream;

pub use client::Stigg;
pub use clock::{Clock, FixedClock, SystemClock};
pub use config::{StiggConfig, StiggConfigBuilder};
pub use error::{ConfigError, Result, StiggError};
