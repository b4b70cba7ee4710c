//! `stigg_error_t`: the one error type of the C ABI, and the guard every entry point runs in.
//!
//! Rule (wasmtime's): a fallible function returns `stigg_error_t *`; `NULL` means success and its
//! out-parameters are written; non-`NULL` is an error the caller owns and frees with
//! [`stigg_error_free`], and the out-parameters are left untouched.

use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use stigg_core::StiggError;

/// An error returned by a libstigg call. Opaque; read it with `stigg_error_code`,
/// `stigg_error_message` and `stigg_error_trace_id`; free it with `stigg_error_free`.
#[allow(non_camel_case_types)]
pub struct stigg_error_t {
    code: CString,
    message: CString,
    trace_id: Option<CString>,
}

impl stigg_error_t {
    /// An error with a code and a message.
    pub(crate) fn new(code: &str, message: &str, trace_id: Option<&str>) -> Self {
        stigg_error_t {
            code: to_cstring(code),
            message: to_cstring(message),
            trace_id: trace_id.map(to_cstring),
        }
    }

    /// An `InvalidArgument` error naming the argument.
    pub(crate) fn invalid(arg: &str, reason: &str) -> Self {
        Self::new(
            "InvalidArgument",
            &format!("invalid argument `{arg}`: {reason}"),
            None,
        )
    }

    /// The error's code (for Rust users of this crate, e.g. the UniFFI layer).
    pub fn code(&self) -> &str {
        self.code.to_str().unwrap_or_default()
    }

    /// The error's message.
    pub fn message(&self) -> &str {
        self.message.to_str().unwrap_or_default()
    }

    /// The server's trace id, if any.
    pub fn trace_id(&self) -> Option<&str> {
        self.trace_id.as_ref().and_then(|t| t.to_str().ok())
    }

    /// A `NULL` where a pointer is required.
    pub(crate) fn null(arg: &str) -> Self {
        Self::invalid(arg, "must not be NULL")
    }
}

impl From<StiggError> for stigg_error_t {
    fn from(e: StiggError) -> Self {
        stigg_error_t::new(e.code(), &e.to_string(), e.trace_id())
    }
}

/// A `CString` from text that may hold NUL bytes (they are dropped: C strings cannot carry them).
pub(crate) fn to_cstring(s: &str) -> CString {
    CString::new(s).unwrap_or_else(|_| {
        let cleaned: String = s.chars().filter(|c| *c != '\0').collect();
        CString::new(cleaned).unwrap_or_default()
    })
}

/// The result type of entry-point bodies (and of the helpers other Rust faces reuse).
pub type FfiResult<T = ()> = Result<T, stigg_error_t>;

/// Runs an entry point's body: catches panics (which would otherwise abort the host, Rust ≥ 1.81)
/// and turns the outcome into the ABI's `stigg_error_t *` (`NULL` = ok).
pub(crate) fn guard(f: impl FnOnce() -> FfiResult) -> *mut stigg_error_t {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => ptr::null_mut(),
        Ok(Err(e)) => Box::into_raw(Box::new(e)),
        Err(panic) => Box::into_raw(Box::new(panic_error(panic.as_ref()))),
    }
}

/// Runs a body that returns nothing (destructors): a panic is swallowed, never unwound into C.
pub(crate) fn guard_void(f: impl FnOnce()) {
    let _ = catch_unwind(AssertUnwindSafe(f));
}

fn panic_error(panic: &(dyn std::any::Any + Send)) -> stigg_error_t {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    stigg_error_t::new(
        "InternalError",
        &format!("internal error in libstigg: {what}"),
        None,
    )
}

/// Stigg's error code (`CustomerNotFound`, ...) or one of libstigg's: `InvalidArgument`,
/// `InvalidConfiguration`, `RequestTimeout`, `NetworkError`, `ClientClosed`, `InternalError`.
///
/// \param error the error (borrowed; must not be NULL).
/// \return a NUL-terminated string owned by `error`, valid until `stigg_error_free(error)`;
///         `""` when `error` is NULL.
#[no_mangle]
pub unsafe extern "C" fn stigg_error_code(error: *const stigg_error_t) -> *const c_char {
    // SAFETY: the caller passes NULL or an error this library returned and has not freed.
    match unsafe { error.as_ref() } {
        Some(e) => e.code.as_ptr(),
        None => c"".as_ptr(),
    }
}

/// A readable message of the error.
///
/// \param error the error (borrowed).
/// \return a string owned by `error`, valid until `stigg_error_free(error)`; `""` when `error` is NULL.
#[no_mangle]
pub unsafe extern "C" fn stigg_error_message(error: *const stigg_error_t) -> *const c_char {
    // SAFETY: as in `stigg_error_code`.
    match unsafe { error.as_ref() } {
        Some(e) => e.message.as_ptr(),
        None => c"".as_ptr(),
    }
}

/// The Stigg server's trace id of the failed request, for support requests.
///
/// \param error the error (borrowed).
/// \return a string owned by `error`, or NULL when the server gave none.
#[no_mangle]
pub unsafe extern "C" fn stigg_error_trace_id(error: *const stigg_error_t) -> *const c_char {
    // SAFETY: as in `stigg_error_code`.
    match unsafe { error.as_ref() }.and_then(|e| e.trace_id.as_ref()) {
        Some(t) => t.as_ptr(),
        None => ptr::null(),
    }
}

/// Frees an error returned by any libstigg function. NULL is ignored.
///
/// \param error the error (owned; consumed).
#[no_mangle]
pub unsafe extern "C" fn stigg_error_free(error: *mut stigg_error_t) {
    guard_void(|| {
        if !error.is_null() {
            // SAFETY: a non-NULL error came from `Box::into_raw` in `guard` and is freed once.
            drop(unsafe { Box::from_raw(error) });
        }
    })
}

/// Frees a string that libstigg returned as owned (`char *` out-parameters). NULL is ignored.
///
/// \param s the string (owned; consumed).
#[no_mangle]
pub unsafe extern "C" fn stigg_string_free(s: *mut c_char) {
    guard_void(|| {
        if !s.is_null() {
            // SAFETY: owned strings are created by `CString::into_raw` in this library.
            drop(unsafe { CString::from_raw(s) });
        }
    })
}

/// Reads a required C string argument.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn arg_str<'a>(p: *const c_char, name: &str) -> FfiResult<&'a str> {
    if p.is_null() {
        return Err(stigg_error_t::null(name));
    }
    // SAFETY: non-NULL and NUL-terminated per the caller's contract.
    unsafe { CStr::from_ptr(p) }
        .to_str()
        .map_err(|_| stigg_error_t::invalid(name, "is not valid UTF-8"))
}

/// Reads an optional C string argument (NULL = absent).
///
/// # Safety
/// As [`arg_str`].
pub(crate) unsafe fn opt_str<'a>(p: *const c_char, name: &str) -> FfiResult<Option<&'a str>> {
    if p.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded contract.
        unsafe { arg_str(p, name) }.map(Some)
    }
}

/// Reads an array of C strings (`ptr`, `len`).
///
/// # Safety
/// `ptr` is NULL (only with `len == 0`) or points to `len` valid C strings.
pub(crate) unsafe fn str_array(
    ptr: *const *const c_char,
    len: usize,
    name: &str,
) -> FfiResult<Vec<String>> {
    if len == 0 {
        return Ok(Vec::new());
    }
    if ptr.is_null() {
        return Err(stigg_error_t::null(name));
    }
    // SAFETY: `ptr` points to `len` pointers per the caller's contract.
    let items = unsafe { std::slice::from_raw_parts(ptr, len) };
    items
        .iter()
        // SAFETY: each item is a C string per the caller's contract.
        .map(|p| unsafe { arg_str(*p, name) }.map(str::to_owned))
        .collect()
}

/// Writes an owned C string to an out-parameter.
///
/// # Safety
/// `out` is a valid, writable pointer.
pub(crate) unsafe fn write_owned_string(out: *mut *mut c_char, s: &str) {
    // SAFETY: checked non-NULL by the callers before any work.
    unsafe { *out = to_cstring(s).into_raw() };
}
