//! Argument and result conversion between Python objects and the core's types.
//!
//! Hot-path arguments (ids, numbers) are read without copying ([`Str`]); cold-path inputs and
//! results cross as JSON-shaped values (`serde_json::Value` <-> dicts/lists), with snake_case keys on
//! the Python side and Stigg's camelCase on the core side.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ffi::c_char;
use std::marker::PhantomData;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::Value;
use stigg_core::model::time::{format_iso, parse_iso};
use stigg_core::model::{CreditEntitlementFallback, EntitlementFallback, Millis};

unsafe extern "C" {
    // In CPython's stable ABI only from 3.10, but exported by every CPython 3.x since 3.3, so an
    // abi3-py39 wheel can use it on 3.9 too. It returns the UTF-8 buffer that the str object caches
    // and owns: valid for as long as the object lives, no copy.
    fn PyUnicode_AsUTF8AndSize(
        unicode: *mut pyo3::ffi::PyObject,
        size: *mut pyo3::ffi::Py_ssize_t,
    ) -> *const c_char;
}

/// The Python name of an argument, for error messages (pyo3 only adds it as a note, 3.11+).
pub trait ArgName {
    /// The parameter's name.
    const NAME: &'static str;
}

macro_rules! arg_names {
    ($($t:ident = $n:literal),* $(,)?) => {
        $(
            #[doc = concat!("Marker of the `", $n, "` argument.")]
            pub struct $t;
            impl ArgName for $t {
                const NAME: &'static str = $n;
            }
        )*
    };
}

arg_names!(
    CustomerId = "customer_id",
    FeatureId = "feature_id",
    CurrencyId = "currency_id",
    ResourceId = "resource_id",
    RequestedUsage = "requested_usage",
    RequestedValues = "requested_values",
    UsageValue = "value",
    Amount = "amount",
    EventName = "event_name",
    IdempotencyKey = "idempotency_key",
    UpdateBehavior = "update_behavior",
    ApiKey = "api_key",
    BaseUri = "base_uri",
    BaseEdgeUri = "base_edge_uri",
    WsUrl = "ws_url",
);

/// A `str` argument borrowed as `&str` without copying (the abi3-py39 `&str` extraction would copy
/// it through a temporary `bytes`, which doubles the cost of a cached check). A wrong type raises
/// `TypeError` naming the argument `N`.
pub struct Str<'a, N>(pub &'a str, PhantomData<N>);

impl<N> Clone for Str<'_, N> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<N> Copy for Str<'_, N> {}

impl<N> Clone for Num<N> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<N> Copy for Num<N> {}

impl<N> Str<'_, N> {
    /// An owned copy.
    pub fn owned(&self) -> String {
        self.0.to_owned()
    }
}

impl<'a, 'py, N: ArgName> FromPyObject<'a, 'py> for Str<'a, N> {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if !obj.is_instance_of::<PyString>() {
            return Err(PyTypeError::new_err(format!(
                "{}: expected str, got {}",
                N::NAME,
                type_name(&obj)
            )));
        }
        let mut size: pyo3::ffi::Py_ssize_t = 0;
        // SAFETY: `obj` is a str (checked above) that the caller keeps alive for 'a; the buffer is
        // owned by the object and immutable.
        let ptr = unsafe { PyUnicode_AsUTF8AndSize(obj.as_ptr(), &mut size) };
        if ptr.is_null() {
            return Err(PyErr::fetch(obj.py()));
        }
        let len = usize::try_from(size).unwrap_or(0);
        // SAFETY: CPython guarantees `len` bytes of valid UTF-8 at `ptr`.
        let bytes = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) };
        // SAFETY: see above: the buffer is UTF-8 by construction.
        Ok(Str(
            unsafe { std::str::from_utf8_unchecked(bytes) },
            PhantomData,
        ))
    }
}

/// A number argument (`int` or `float`, not `bool`); a wrong type raises `TypeError` naming it.
pub struct Num<N>(pub f64, PhantomData<N>);

impl<'py, N: ArgName> FromPyObject<'_, 'py> for Num<N> {
    type Error = PyErr;

    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(f) = obj.cast::<PyFloat>() {
            return Ok(Num(f.value(), PhantomData));
        }
        if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
            return obj.extract::<f64>().map(|v| Num(v, PhantomData));
        }
        Err(PyTypeError::new_err(format!(
            "{}: expected a number, got {}",
            N::NAME,
            type_name(&obj)
        )))
    }
}

/// A list of `str` argument; a wrong type raises `TypeError` naming it.
pub struct StrList<N>(pub Vec<String>, PhantomData<N>);

impl<'py, N: ArgName> FromPyObject<'_, 'py> for StrList<N> {
    type Error = PyErr;

    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        let err = || {
            PyTypeError::new_err(format!(
                "{}: expected a list of str, got {}",
                N::NAME,
                type_name(&obj)
            ))
        };
        if obj.is_instance_of::<PyString>() {
            return Err(err());
        }
        let mut out = Vec::new();
        for item in obj.try_iter().map_err(|_| err())? {
            let item = item?;
            let s: String = item.extract().map_err(|_| {
                PyTypeError::new_err(format!(
                    "{}: expected a list of str, found a {}",
                    N::NAME,
                    type_name(&item)
                ))
            })?;
            out.push(s);
        }
        Ok(StrList(out, PhantomData))
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| String::from("object"))
}

/// `camelCase` from `snake_case` (`usage_limit` -> `usageLimit`); camelCase input is unchanged.
pub fn camel(key: &str) -> Cow<'_, str> {
    if !key.contains('_') {
        return Cow::Borrowed(key);
    }
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for (i, c) in key.chars().enumerate() {
        if c == '_' && i > 0 {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `snake_case` from `camelCase` (`customerId` -> `customer_id`).
pub fn snake(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Keys whose values are user data: their own keys are passed through unchanged.
const VERBATIM: &[&str] = &["dimensions", "metadata", "additionalMetaData"];

/// Converts a Python value into JSON for a core input. Dict keys are converted to camelCase (except
/// inside user-data maps), `datetime`/`date` become ISO strings, enums their `.value`.
pub fn py_to_json(obj: &Bound<'_, PyAny>, arg: &str, convert_keys: bool) -> PyResult<Value> {
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        let f: f64 = obj.extract()?;
        return finite_number(f, arg);
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return finite_number(f.value(), arg);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = serde_json::Map::with_capacity(d.len());
        for (k, v) in d.iter() {
            let k: String = k
                .extract()
                .map_err(|_| PyTypeError::new_err(format!("{arg}: dict keys must be str")))?;
            let key = if convert_keys {
                camel(&k).into_owned()
            } else {
                k
            };
            let inner = convert_keys && !VERBATIM.contains(&key.as_str());
            map.insert(key, py_to_json(&v, arg, inner)?);
        }
        return Ok(Value::Object(map));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut out = Vec::new();
        for item in obj.try_iter()? {
            out.push(py_to_json(&item?, arg, convert_keys)?);
        }
        return Ok(Value::Array(out));
    }
    let py = obj.py();
    if obj.is_instance(datetime_type(py)?)? {
        return Ok(Value::String(format_iso(instant_of_datetime(obj)?)));
    }
    if obj.is_instance(enum_type(py)?)? {
        return py_to_json(&obj.getattr("value")?, arg, convert_keys);
    }
    if obj.hasattr("to_dict")? {
        return py_to_json(&obj.call_method0("to_dict")?, arg, convert_keys);
    }
    Err(PyTypeError::new_err(format!(
        "{arg}: cannot send a {} to Stigg",
        type_name(obj)
    )))
}

fn finite_number(f: f64, arg: &str) -> PyResult<Value> {
    serde_json::Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| PyValueError::new_err(format!("{arg}: {f} is not a finite number")))
}

/// Converts JSON from the core into plain Python values (dicts with the JSON's keys).
pub fn json_to_py(py: Python<'_>, v: &Value) -> PyResult<Py<PyAny>> {
    Ok(match v {
        Value::Null => py.None(),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any().unbind(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any().unbind()
            } else {
                n.as_f64()
                    .unwrap_or(f64::NAN)
                    .into_pyobject(py)?
                    .into_any()
                    .unbind()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any().unbind(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            list.into_any().unbind()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, item) in map {
                dict.set_item(k, json_to_py(py, item)?)?;
            }
            dict.into_any().unbind()
        }
    })
}

/// Serializes a core value and converts it to Python (`to_dict`).
pub fn to_py_dict<T: serde::Serialize>(py: Python<'_>, v: &T) -> PyResult<Py<PyAny>> {
    let json = serde_json::to_value(v)
        .map_err(|e| PyValueError::new_err(format!("cannot serialize the result: {e}")))?;
    json_to_py(py, &json)
}

/// Deserializes a core input from a Python value (snake_case or camelCase keys).
pub fn from_py<T: serde::de::DeserializeOwned>(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<T> {
    let json = py_to_json(obj, arg, true)?;
    serde_json::from_value(json).map_err(|e| PyValueError::new_err(format!("{arg}: {e}")))
}

static DATETIME: PyOnceLock<Py<pyo3::types::PyType>> = PyOnceLock::new();
static DATE: PyOnceLock<Py<pyo3::types::PyType>> = PyOnceLock::new();
static ENUM: PyOnceLock<Py<pyo3::types::PyType>> = PyOnceLock::new();
static EPOCH: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static TIMEDELTA: PyOnceLock<Py<pyo3::types::PyType>> = PyOnceLock::new();

fn datetime_type(py: Python<'_>) -> PyResult<&Bound<'_, pyo3::types::PyType>> {
    DATETIME.import(py, "datetime", "datetime")
}

fn enum_type(py: Python<'_>) -> PyResult<&Bound<'_, pyo3::types::PyType>> {
    ENUM.import(py, "enum", "Enum")
}

/// Epoch milliseconds of a `datetime` (naive = UTC).
fn instant_of_datetime(obj: &Bound<'_, PyAny>) -> PyResult<Millis> {
    let iso: String = obj.call_method0("isoformat")?.extract()?;
    parse_iso(&iso).ok_or_else(|| PyValueError::new_err(format!("cannot read the instant {iso}")))
}

/// An instant argument: a `datetime` (naive = UTC), an ISO-8601 string, or epoch milliseconds.
pub fn instant(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<Millis> {
    let py = obj.py();
    if obj.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!(
            "{arg}: expected a datetime, an ISO string or epoch milliseconds, got bool"
        )));
    }
    if obj.is_instance_of::<PyInt>() {
        return obj.extract::<i64>();
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        let f = f.value();
        if f.is_finite() {
            return Ok(f as Millis);
        }
        return Err(PyValueError::new_err(format!(
            "{arg}: {f} is not an instant"
        )));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        let s = s.to_cow()?;
        return parse_iso(&s).ok_or_else(|| {
            PyValueError::new_err(format!("{arg}: `{s}` is not an ISO-8601 instant"))
        });
    }
    if obj.is_instance(datetime_type(py)?)? {
        return instant_of_datetime(obj);
    }
    if obj.is_instance(DATE.import(py, "datetime", "date")?)? {
        let iso: String = obj.call_method0("isoformat")?.extract()?;
        return parse_iso(&format!("{iso}T00:00:00Z"))
            .ok_or_else(|| PyValueError::new_err(format!("{arg}: cannot read the date {iso}")));
    }
    Err(PyTypeError::new_err(format!(
        "{arg}: expected a datetime, an ISO string or epoch milliseconds, got {}",
        type_name(obj)
    )))
}

/// An aware UTC `datetime` of epoch milliseconds (exact: epoch + timedelta).
pub fn datetime_of(py: Python<'_>, ms: Millis) -> PyResult<Py<PyAny>> {
    let epoch = EPOCH.get_or_try_init(py, || {
        let dt = py.import("datetime")?;
        let utc = dt.getattr("timezone")?.getattr("utc")?;
        dt.getattr("datetime")?
            .call1((1970, 1, 1, 0, 0, 0, 0, utc))
            .map(Bound::unbind)
    })?;
    let delta = TIMEDELTA
        .import(py, "datetime", "timedelta")?
        .call1((0, 0, 0, ms))?;
    Ok(epoch.bind(py).add(delta)?.unbind())
}

/// An optional instant as an aware `datetime`.
pub fn datetime_opt(py: Python<'_>, ms: Option<Millis>) -> PyResult<Option<Py<PyAny>>> {
    ms.map(|ms| datetime_of(py, ms)).transpose()
}

/// A duration argument in seconds (`float`) or a `timedelta`.
pub fn duration(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<std::time::Duration> {
    let secs: f64 = if obj.is_instance(TIMEDELTA.import(obj.py(), "datetime", "timedelta")?)? {
        obj.call_method0("total_seconds")?.extract()?
    } else if obj.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!(
            "{arg}: expected seconds (float) or a timedelta, got bool"
        )));
    } else {
        obj.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "{arg}: expected seconds (float) or a timedelta, got {}",
                type_name(obj)
            ))
        })?
    };
    std::time::Duration::try_from_secs_f64(secs)
        .map_err(|_| PyValueError::new_err(format!("{arg}: {secs} is not a valid duration")))
}

/// The keys a fallback dict may have (snake_case or camelCase).
const FEATURE_FALLBACK_KEYS: &[&str] = &[
    "hasAccess",
    "value",
    "isUnlimited",
    "usageLimit",
    "enumValues",
];
const CREDIT_FALLBACK_KEYS: &[&str] = &["hasAccess", "usageLimit", "currentUsage"];

fn opt_f64(v: &Bound<'_, PyAny>, arg: &str, key: &str) -> PyResult<Option<f64>> {
    if v.is_none() {
        return Ok(None);
    }
    if v.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!(
            "{arg}: `{}` must be a number, got bool",
            snake(key)
        )));
    }
    v.extract::<f64>().map(Some).map_err(|_| {
        PyTypeError::new_err(format!(
            "{arg}: `{}` must be a number, got {}",
            snake(key),
            type_name(v)
        ))
    })
}

fn bool_of(v: &Bound<'_, PyAny>, arg: &str, key: &str) -> PyResult<bool> {
    v.cast::<PyBool>().map(|b| b.is_true()).map_err(|_| {
        PyTypeError::new_err(format!(
            "{arg}: `{}` must be a bool, got {}",
            snake(key),
            type_name(v)
        ))
    })
}

fn fallback_dict<'a, 'py>(
    obj: &'a Bound<'py, PyAny>,
    arg: &str,
) -> PyResult<&'a Bound<'py, PyDict>> {
    obj.cast::<PyDict>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{arg}: expected a dict such as {{\"has_access\": True}}, got {}",
            type_name(obj)
        ))
    })
}

/// Reads a feature fallback dict. `lenient` ignores the keys of credit fallbacks
/// (`get_entitlement_v2`, whose one `fallback` serves either target).
pub fn feature_fallback(
    obj: &Bound<'_, PyAny>,
    arg: &str,
    lenient: bool,
) -> PyResult<EntitlementFallback> {
    let dict = fallback_dict(obj, arg)?;
    let mut fb = EntitlementFallback::default();
    for (k, v) in dict.iter() {
        let k: String = k.extract()?;
        let key = camel(&k);
        match key.as_ref() {
            "hasAccess" => fb.has_access = bool_of(&v, arg, &key)?,
            "value" => fb.value = opt_f64(&v, arg, &key)?,
            "isUnlimited" => {
                fb.is_unlimited = if v.is_none() {
                    None
                } else {
                    Some(bool_of(&v, arg, &key)?)
                }
            }
            "usageLimit" => fb.usage_limit = opt_f64(&v, arg, &key)?,
            "enumValues" => {
                fb.enum_values = if v.is_none() {
                    None
                } else {
                    Some(v.extract::<Vec<String>>().map_err(|_| {
                        PyTypeError::new_err(format!("{arg}: `enum_values` must be a list of str"))
                    })?)
                }
            }
            other if lenient && CREDIT_FALLBACK_KEYS.contains(&other) => {}
            other => {
                return Err(PyValueError::new_err(format!(
                    "{arg}: unknown key `{k}` (expected {})",
                    keys_list(FEATURE_FALLBACK_KEYS, other)
                )))
            }
        }
    }
    Ok(fb)
}

/// Reads a credit fallback dict (`lenient`: see [`feature_fallback`]).
pub fn credit_fallback(
    obj: &Bound<'_, PyAny>,
    arg: &str,
    lenient: bool,
) -> PyResult<CreditEntitlementFallback> {
    let dict = fallback_dict(obj, arg)?;
    let mut fb = CreditEntitlementFallback::default();
    for (k, v) in dict.iter() {
        let k: String = k.extract()?;
        let key = camel(&k);
        match key.as_ref() {
            "hasAccess" => fb.has_access = bool_of(&v, arg, &key)?,
            "usageLimit" => fb.usage_limit = opt_f64(&v, arg, &key)?,
            "currentUsage" => fb.current_usage = opt_f64(&v, arg, &key)?,
            other if lenient && FEATURE_FALLBACK_KEYS.contains(&other) => {}
            other => {
                return Err(PyValueError::new_err(format!(
                    "{arg}: unknown key `{k}` (expected {})",
                    keys_list(CREDIT_FALLBACK_KEYS, other)
                )))
            }
        }
    }
    Ok(fb)
}

fn keys_list(keys: &[&str], _got: &str) -> String {
    keys.iter().map(|k| snake(k)).collect::<Vec<_>>().join(", ")
}

/// `entitlements_fallback={feature_id: {...}}`.
pub fn feature_fallbacks(
    obj: &Bound<'_, PyAny>,
    arg: &str,
) -> PyResult<HashMap<String, EntitlementFallback>> {
    let dict = obj.cast::<PyDict>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{arg}: expected a dict of feature id -> fallback, got {}",
            type_name(obj)
        ))
    })?;
    let mut out = HashMap::with_capacity(dict.len());
    for (k, v) in dict.iter() {
        let id: String = k
            .extract()
            .map_err(|_| PyTypeError::new_err(format!("{arg}: keys must be feature ids (str)")))?;
        let fb = feature_fallback(&v, &format!("{arg}[{id:?}]"), false)?;
        out.insert(id, fb);
    }
    Ok(out)
}

/// `credit_entitlements_fallback={currency_id: {...}}`.
pub fn credit_fallbacks(
    obj: &Bound<'_, PyAny>,
    arg: &str,
) -> PyResult<HashMap<String, CreditEntitlementFallback>> {
    let dict = obj.cast::<PyDict>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{arg}: expected a dict of currency id -> fallback, got {}",
            type_name(obj)
        ))
    })?;
    let mut out = HashMap::with_capacity(dict.len());
    for (k, v) in dict.iter() {
        let id: String = k
            .extract()
            .map_err(|_| PyTypeError::new_err(format!("{arg}: keys must be currency ids (str)")))?;
        let fb = credit_fallback(&v, &format!("{arg}[{id:?}]"), false)?;
        out.insert(id, fb);
    }
    Ok(out)
}
