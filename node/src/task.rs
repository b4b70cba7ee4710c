//! Promises settled from the core's runtime.
//!
//! An async method creates a JS promise (a napi deferred), spawns the core's future on the client's
//! own tokio runtime (`Stigg::runtime_handle`) and settles the promise from there; the conversion to
//! JS values runs back on the JS thread. No second runtime exists: napi-rs's own (`tokio_rt`) is not
//! compiled in. A pending promise keeps the Node process alive (as any pending I/O does); nothing
//! else of the client does.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use napi::bindgen_prelude::*;
use stigg_core::StiggError;

use crate::errors;

/// Runs `work` on the client's runtime and returns a promise of `convert(output)`.
///
/// A panic inside `work` or `convert` rejects the promise instead of crossing the boundary.
pub(crate) fn spawn<'env, T, R, F, C>(
    env: &'env Env,
    runtime: &tokio::runtime::Handle,
    work: F,
    convert: C,
) -> Result<Object<'env>>
where
    T: Send + 'static,
    R: ToNapiValue + 'static,
    F: Future<Output = std::result::Result<T, StiggError>> + Send + 'static,
    C: FnOnce(T) -> R + Send + 'static,
{
    let (deferred, promise) = env.create_deferred()?;
    runtime.spawn(async move {
        let out = AssertUnwindSafe(work)
            .catch_unwind()
            .await
            .unwrap_or_else(|_| {
                Err(StiggError::Network(
                    "internal error: the call panicked".into(),
                ))
            });
        deferred.resolve(move |env: Env| match out {
            Ok(v) => std::panic::catch_unwind(AssertUnwindSafe(|| convert(v))).map_err(|_| {
                Error::new(
                    Status::GenericFailure,
                    "internal error: converting the result panicked",
                )
            }),
            Err(e) => Err(errors::to_js(&env, &e)),
        });
    });
    Ok(promise)
}
