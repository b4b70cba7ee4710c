//! The one bridge error: every [`StiggError`] becomes an instance of one of the package's `Error`
//! subclasses, carrying `code` (Stigg's error code, or one of the core's codes such as
//! `InvalidArgument`) and `traceId` (or `null`). The classes live in `index.js`, which registers a
//! factory `(kind, message, code, traceId) => Error` once at load (`Stigg._setErrorFactory`); this file
//! picks the `kind`. Without a factory (the addon loaded alone) the error is a plain `Error` with the
//! same properties.

use napi::bindgen_prelude::*;
use stigg_core::StiggError;

/// The factory's arguments: kind, message, code, trace id.
type FactoryArgs = FnArgs<(&'static str, String, String, Option<String>)>;

/// The JS function that builds error objects.
pub(crate) type FactoryFn<'a> = Function<'a, FactoryArgs, Unknown<'static>>;

/// The registered factory (per Node environment: worker threads each register their own).
struct ErrorFactory(FunctionRef<FactoryArgs, Unknown<'static>>);

/// Registers the factory of error objects.
pub(crate) fn register(env: &Env, factory: FactoryFn<'_>) -> Result<()> {
    let f = factory.create_ref()?;
    env.set_instance_data(ErrorFactory(f), (), |_| {})
}

/// The error's family, which `index.js` maps to a JS class.
fn kind(e: &StiggError) -> &'static str {
    match e {
        StiggError::Config(_) => "Configuration",
        StiggError::InvalidArgument { .. } => "InvalidArgument",
        StiggError::Api { .. } => "Api",
        StiggError::Timeout { .. } => "Timeout",
        StiggError::Network(_) => "Network",
        StiggError::Closed => "ClientClosed",
        _ => "Unknown",
    }
}

/// A JS error object for `e`, as a napi error that rethrows that very object.
pub(crate) fn to_js(env: &Env, e: &StiggError) -> Error {
    build(env, e).unwrap_or_else(|fail| fail)
}

fn build(env: &Env, e: &StiggError) -> Result<Error> {
    if let Some(ErrorFactory(f)) = env.get_instance_data::<ErrorFactory>()? {
        let f = f.borrow_back(env)?;
        let obj = f.call(FnArgs::from((
            kind(e),
            e.to_string(),
            e.code().to_owned(),
            e.trace_id().map(str::to_owned),
        )))?;
        return Ok(Error::from(obj));
    }
    let mut obj = env.create_error(Error::new(Status::GenericFailure, e.to_string()))?;
    obj.set_named_property("code", e.code())?;
    obj.set_named_property("traceId", e.trace_id())?;
    obj.set_named_property("kind", kind(e))?;
    Ok(Error::from(obj.to_unknown()))
}

/// An invalid-argument error for a value that could not be read.
pub(crate) fn invalid(field: &'static str, reason: impl std::fmt::Display) -> StiggError {
    StiggError::invalid(field, reason.to_string())
}
