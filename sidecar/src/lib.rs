//! # stigg-sidecar
//!
//! The Stigg Sidecar over the stigg-native core: the gRPC `stigg.sidecar.v1.SidecarService` (spec
//! §7.1) on cleartext HTTP/2, configured by Stigg's environment variables (spec §7.2), with
//! `/livez`, `/readyz` and `/metrics` on an HTTP port.
//!
//! The sidecar holds no entitlement logic of its own (DESIGN principle 1): [`service`] turns requests
//! into core calls and [`convert`] turns core results into messages.
//!
//! Modules: [`config`] (environment variables), [`server`] (start/shutdown, health endpoints),
//! [`service`] (the RPCs), [`convert`] (proto ⇄ core), [`metrics`] (Prometheus), [`pb`] (the generated
//! messages, server and client).

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![warn(missing_docs)]

pub mod config;
pub mod convert;
pub mod metrics;
pub mod server;
pub mod service;

/// Messages, enums, server and client generated from `proto/stigg/sidecar/v1/sidecar.proto`.
#[allow(missing_docs, clippy::all, clippy::pedantic)]
pub mod pb {
    tonic::include_proto!("stigg.sidecar.v1");
}

pub use config::{ConfigError, SidecarConfig};
pub use server::{start, RunningSidecar, StartError};
