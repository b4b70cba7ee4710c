//! # libstigg: the C ABI of stigg-native
//!
//! A thin translation layer over `stigg-core`: C strings and plain structs in, plain structs out on the
//! hot path (entitlement checks), JSON documents for writes and management calls. `include/stigg.h` is
//! generated from this crate by cbindgen (see `build.rs`) and committed; CI fails when it is stale.
//!
//! Rules every function follows (also in the header's preamble):
//! - **Errors**: a fallible function returns `stigg_error_t *`: NULL = success; otherwise an owned error
//!   (`stigg_error_code`, `stigg_error_message`, `stigg_error_trace_id`, `stigg_error_free`); on error
//!   the out-parameters are not written.
//! - **Strings**: `const char *` arguments are borrowed for the call. Every `char *` the library hands
//!   over as owned (out-parameters) is freed with `stigg_string_free`. `const char *` fields of results
//!   are borrowed from the object that holds them (an error, a `stigg_details_t`, a list).
//! - **Panics** never cross the ABI: every entry point runs inside `catch_unwind` and reports an
//!   `InternalError` instead.
//! - **Threads**: a client may be used from any number of threads at once.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![warn(missing_docs)]
#![allow(clippy::missing_safety_doc)]

pub mod calls;
pub mod checks;
pub mod client;
pub mod config;
pub mod error;
pub mod events;
pub mod management;
pub mod results;
