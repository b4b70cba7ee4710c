//! Result objects of entitlement reads: frozen classes that hold the core's result and convert a
//! field only when it is read, so a check costs one small allocation on the Python side.
//!
//! Every class has `to_dict()` (the core's serde JSON, identical to the shared vectors' `expected`),
//! value equality and a `repr`. Enum fields are the enums of `stigg_native` (`str` subclasses with
//! Stigg's wire values); a value this SDK does not know yet comes back as a plain `str`.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList};
use stigg_core::model::{self, CurrencyInfo, Entitlement, EntitlementV2, FeatureInfo};

use crate::convert::{datetime_opt, json_to_py, to_py_dict};

/// The Python enums the results use, by name in `stigg_native._enums`.
#[derive(Clone, Copy)]
pub enum PyEnum {
    AccessDeniedReason = 0,
    EntitlementsStateAccessDeniedReason = 1,
    FeatureType = 2,
    MeterType = 3,
    EntitlementResetPeriod = 4,
}

const ENUM_NAMES: [&str; 5] = [
    "AccessDeniedReason",
    "EntitlementsStateAccessDeniedReason",
    "FeatureType",
    "MeterType",
    "EntitlementResetPeriod",
];

static ENUM_MAPS: [PyOnceLock<Py<PyDict>>; 5] = [
    PyOnceLock::new(),
    PyOnceLock::new(),
    PyOnceLock::new(),
    PyOnceLock::new(),
    PyOnceLock::new(),
];

/// The member of a `stigg_native` enum for a wire value, or the plain string when unknown.
pub fn enum_value(py: Python<'_>, e: PyEnum, wire: &str) -> PyResult<Py<PyAny>> {
    let map = ENUM_MAPS[e as usize].get_or_try_init(py, || {
        let cls = py
            .import("stigg_native._enums")?
            .getattr(ENUM_NAMES[e as usize])?;
        cls.getattr("_value2member_map_")?
            .cast_into::<PyDict>()
            .map(Bound::unbind)
            .map_err(PyErr::from)
    })?;
    match map.bind(py).get_item(wire)? {
        Some(member) => Ok(member.unbind()),
        None => Ok(pyo3::types::PyString::new(py, wire).into_any().unbind()),
    }
}

fn enum_opt(py: Python<'_>, e: PyEnum, wire: Option<&str>) -> PyResult<Option<Py<PyAny>>> {
    wire.map(|w| enum_value(py, e, w)).transpose()
}

fn repr_of<T: serde::Serialize>(name: &str, v: &T) -> String {
    match serde_json::to_string(v) {
        Ok(json) => format!("{name}({json})"),
        Err(_) => format!("{name}(...)"),
    }
}

/// The feature a result is about.
#[pyclass(frozen, eq, module = "stigg_native", name = "Feature")]
#[derive(PartialEq)]
pub struct Feature(pub Arc<FeatureInfo>);

#[pymethods]
impl Feature {
    /// Feature id.
    #[getter]
    fn id(&self) -> &str {
        &self.0.id
    }
    /// `FeatureType`.
    #[getter]
    fn feature_type(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        enum_value(py, PyEnum::FeatureType, self.0.feature_type.as_str())
    }
    /// `MeterType`, or None.
    #[getter]
    fn meter_type(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        enum_opt(
            py,
            PyEnum::MeterType,
            self.0.meter_type.as_ref().map(|m| m.as_str()),
        )
    }
    /// Unit, singular (`""` when unset).
    #[getter]
    fn units(&self) -> &str {
        &self.0.units
    }
    /// Unit, plural (`""` when unset).
    #[getter]
    fn units_plural(&self) -> &str {
        &self.0.units_plural
    }
    /// True for a metered NUMBER feature.
    #[getter]
    fn is_metered(&self) -> bool {
        self.0.is_metered()
    }
    /// Display name.
    #[getter]
    fn display_name(&self) -> Option<&str> {
        self.0.display_name.as_deref()
    }
    /// Description.
    #[getter]
    fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The serialized feature.
    fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_py_dict(py, &*self.0)
    }
    fn __repr__(&self) -> String {
        repr_of("Feature", &*self.0)
    }
}

/// The currency of a credit result.
#[pyclass(frozen, eq, module = "stigg_native", name = "Currency")]
#[derive(PartialEq)]
pub struct Currency(pub Arc<CurrencyInfo>);

#[pymethods]
impl Currency {
    /// Currency id.
    #[getter]
    fn currency_id(&self) -> &str {
        &self.0.currency_id
    }
    /// Display name.
    #[getter]
    fn display_name(&self) -> Option<&str> {
        self.0.display_name.as_deref()
    }
    /// Description.
    #[getter]
    fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Unit, singular.
    #[getter]
    fn unit_singular(&self) -> Option<&str> {
        self.0.unit_singular.as_deref()
    }
    /// Unit, plural.
    #[getter]
    fn unit_plural(&self) -> Option<&str> {
        self.0.unit_plural.as_deref()
    }
    /// Free-form metadata.
    #[getter]
    fn metadata(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match &self.0.metadata {
            Some(v) => json_to_py(py, v),
            None => Ok(py.None()),
        }
    }
    /// The serialized currency.
    fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_py_dict(py, &*self.0)
    }
    fn __repr__(&self) -> String {
        repr_of("Currency", &*self.0)
    }
}

fn feature_opt(f: &Option<Arc<FeatureInfo>>) -> Option<Feature> {
    f.as_ref().map(|f| Feature(Arc::clone(f)))
}

/// Declares the getters every entitlement result shares.
macro_rules! common_getters {
    ($ty:ident, $name:literal, $tag:literal, { $($extra:tt)* }) => {
        #[pymethods]
        impl $ty {
            $($extra)*
            /// The result type (`BOOLEAN`, `NUMERIC`, `METERED`, `ENUM`, `CREDIT`).
            #[getter(r#type)]
            fn result_type(&self) -> &'static str {
                $tag
            }
            /// Whether access is granted.
            #[getter]
            fn has_access(&self) -> bool {
                self.0.has_access
            }
            /// True when this is a fallback value, not a decision on real data.
            #[getter]
            fn is_fallback(&self) -> bool {
                self.0.is_fallback
            }
            /// Why access was denied (`AccessDeniedReason`), or None.
            #[getter]
            fn access_denied_reason(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
                enum_opt(
                    py,
                    PyEnum::AccessDeniedReason,
                    self.0.access_denied_reason.as_ref().map(|r| r.as_str()),
                )
            }
            /// The serialized result (the core's JSON shape).
            fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                to_py_dict(py, &self.0)
            }
            fn __repr__(&self) -> String {
                repr_of($name, &self.0)
            }
            fn __bool__(&self) -> bool {
                self.0.has_access
            }
        }
    };
}

/// Result of `get_boolean_entitlement`.
#[pyclass(frozen, eq, module = "stigg_native", name = "BooleanEntitlement")]
#[derive(PartialEq)]
pub struct BooleanEntitlement(pub model::BooleanEntitlement);
common_getters!(BooleanEntitlement, "BooleanEntitlement", "BOOLEAN", {
    /// The feature, when known.
    #[getter]
    fn feature(&self) -> Option<Feature> {
        feature_opt(&self.0.feature)
    }
});

/// Result of `get_numeric_entitlement`.
#[pyclass(frozen, eq, module = "stigg_native", name = "NumericEntitlement")]
#[derive(PartialEq)]
pub struct NumericEntitlement(pub model::NumericEntitlement);
common_getters!(NumericEntitlement, "NumericEntitlement", "NUMERIC", {
    /// The feature, when known.
    #[getter]
    fn feature(&self) -> Option<Feature> {
        feature_opt(&self.0.feature)
    }
    /// The configured value; None when unlimited or unset.
    #[getter]
    fn value(&self) -> Option<f64> {
        self.0.value
    }
    /// Unlimited value.
    #[getter]
    fn is_unlimited(&self) -> bool {
        self.0.is_unlimited
    }
});

/// Result of `get_metered_entitlement`.
#[pyclass(frozen, eq, module = "stigg_native", name = "MeteredEntitlement")]
#[derive(PartialEq)]
pub struct MeteredEntitlement(pub model::MeteredEntitlement);
common_getters!(MeteredEntitlement, "MeteredEntitlement", "METERED", {
    /// The feature, when known.
    #[getter]
    fn feature(&self) -> Option<Feature> {
        feature_opt(&self.0.feature)
    }
    /// The usage limit; None when unlimited or unset.
    #[getter]
    fn usage_limit(&self) -> Option<f64> {
        self.0.usage_limit
    }
    /// Unlimited usage.
    #[getter]
    fn is_unlimited(&self) -> bool {
        self.0.is_unlimited
    }
    /// Soft limit: usage past the limit is allowed.
    #[getter]
    fn has_soft_limit(&self) -> bool {
        self.0.has_soft_limit
    }
    /// Usage in the current period.
    #[getter]
    fn current_usage(&self) -> f64 {
        self.0.current_usage
    }
    /// The usage the check asked about.
    #[getter]
    fn requested_usage(&self) -> f64 {
        self.0.requested_usage
    }
    /// Reset period (`EntitlementResetPeriod`), or None.
    #[getter]
    fn reset_period(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        enum_opt(
            py,
            PyEnum::EntitlementResetPeriod,
            self.0.reset_period.as_ref().map(|r| r.as_str()),
        )
    }
    /// Anchor of the usage periods (aware UTC datetime).
    #[getter]
    fn usage_period_anchor(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        datetime_opt(py, self.0.usage_period_anchor)
    }
    /// Start of the current period.
    #[getter]
    fn usage_period_start(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        datetime_opt(py, self.0.usage_period_start)
    }
    /// End of the current period.
    #[getter]
    fn usage_period_end(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        datetime_opt(py, self.0.usage_period_end)
    }
    /// Deprecated alias of `usage_period_end`.
    #[getter]
    fn next_reset_date(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        datetime_opt(py, self.0.next_reset_date)
    }
});

/// Result of `get_enum_entitlement`.
#[pyclass(frozen, eq, module = "stigg_native", name = "EnumEntitlement")]
#[derive(PartialEq)]
pub struct EnumEntitlement(pub model::EnumEntitlement);
common_getters!(EnumEntitlement, "EnumEntitlement", "ENUM", {
    /// The feature, when known.
    #[getter]
    fn feature(&self) -> Option<Feature> {
        feature_opt(&self.0.feature)
    }
    /// Allowed values.
    #[getter]
    fn enum_values(&self) -> Vec<String> {
        self.0.enum_values.to_vec()
    }
    /// The values the check asked about, or None.
    #[getter]
    fn requested_values(&self) -> Option<Vec<String>> {
        self.0.requested_values.clone()
    }
});

/// Result of `get_credit_entitlement`.
#[pyclass(frozen, eq, module = "stigg_native", name = "CreditEntitlement")]
#[derive(PartialEq)]
pub struct CreditEntitlement(pub model::CreditEntitlement);
common_getters!(CreditEntitlement, "CreditEntitlement", "CREDIT", {
    /// The wallet's currency.
    #[getter]
    fn currency(&self) -> Currency {
        Currency(Arc::clone(&self.0.currency))
    }
    /// Credits granted in the period.
    #[getter]
    fn usage_limit(&self) -> f64 {
        self.0.usage_limit
    }
    /// Credits consumed in the period.
    #[getter]
    fn current_usage(&self) -> f64 {
        self.0.current_usage
    }
    /// `usage_limit - current_usage`.
    #[getter]
    fn remaining(&self) -> f64 {
        self.0.remaining
    }
    /// End of the current period.
    #[getter]
    fn usage_period_end(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        datetime_opt(py, self.0.usage_period_end)
    }
    /// Soft limit.
    #[getter]
    fn has_soft_limit(&self) -> bool {
        self.0.has_soft_limit
    }
    /// The amount the check asked about.
    #[getter]
    fn requested_usage(&self) -> f64 {
        self.0.requested_usage
    }
});

/// A feature entitlement of any type as its typed Python class.
pub fn entitlement_to_py(py: Python<'_>, e: Entitlement) -> PyResult<Py<PyAny>> {
    Ok(match e {
        Entitlement::Boolean(e) => Py::new(py, BooleanEntitlement(e))?.into_any(),
        Entitlement::Numeric(e) => Py::new(py, NumericEntitlement(e))?.into_any(),
        Entitlement::Metered(e) => Py::new(py, MeteredEntitlement(e))?.into_any(),
        Entitlement::Enum(e) => Py::new(py, EnumEntitlement(e))?.into_any(),
    })
}

/// A feature or credit entitlement as its typed Python class.
pub fn entitlement_v2_to_py(py: Python<'_>, e: EntitlementV2) -> PyResult<Py<PyAny>> {
    match e {
        EntitlementV2::Feature(f) => entitlement_to_py(py, f),
        EntitlementV2::Credit(c) => Ok(Py::new(py, CreditEntitlement(c))?.into_any()),
    }
}

/// Result of `get_entitlements_state_v2`.
#[pyclass(frozen, eq, module = "stigg_native", name = "EntitlementsStateV2")]
#[derive(PartialEq)]
pub struct EntitlementsStateV2(pub model::EntitlementsStateV2);

#[pymethods]
impl EntitlementsStateV2 {
    /// Every entitlement of the customer, typed.
    #[getter]
    fn entitlements<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for e in &self.0.entitlements {
            list.append(entitlement_v2_to_py(py, e.clone())?)?;
        }
        Ok(list)
    }
    /// Customer-level reason (`EntitlementsStateAccessDeniedReason`), or None.
    #[getter]
    fn access_denied_reason(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        enum_opt(
            py,
            PyEnum::EntitlementsStateAccessDeniedReason,
            self.0.access_denied_reason.as_ref().map(|r| r.as_str()),
        )
    }
    /// The serialized result.
    fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_py_dict(py, &self.0)
    }
    fn __repr__(&self) -> String {
        repr_of("EntitlementsStateV2", &self.0)
    }
}

/// Result of `reload_entitlements`.
#[pyclass(frozen, eq, module = "stigg_native", name = "ReloadEntitlementsResult")]
#[derive(PartialEq)]
pub struct ReloadEntitlementsResult(pub model::ReloadEntitlementsResult);

#[pymethods]
impl ReloadEntitlementsResult {
    /// True when the customer (or resource) exists.
    #[getter]
    fn entitled_entity_exists(&self) -> bool {
        self.0.entitled_entity_exists
    }
    /// The serialized result.
    fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_py_dict(py, &self.0)
    }
    fn __repr__(&self) -> String {
        repr_of("ReloadEntitlementsResult", &self.0)
    }
}

/// Registers the result classes on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Feature>()?;
    m.add_class::<Currency>()?;
    m.add_class::<BooleanEntitlement>()?;
    m.add_class::<NumericEntitlement>()?;
    m.add_class::<MeteredEntitlement>()?;
    m.add_class::<EnumEntitlement>()?;
    m.add_class::<CreditEntitlement>()?;
    m.add_class::<EntitlementsStateV2>()?;
    m.add_class::<ReloadEntitlementsResult>()?;
    Ok(())
}

/// A cold-path result as an instance of a record class of `stigg_native._records` (attribute access
/// by snake_case name over the camelCase JSON; `to_dict()` gives the JSON back).
pub fn record<T: serde::Serialize>(py: Python<'_>, class: &str, v: &T) -> PyResult<Py<PyAny>> {
    let dict = to_py_dict(py, v)?;
    record_of_py(py, class, dict)
}

/// A record class instance from an already converted dict.
pub fn record_of_py(py: Python<'_>, class: &str, dict: Py<PyAny>) -> PyResult<Py<PyAny>> {
    static RECORDS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    let module =
        RECORDS.get_or_try_init(py, || py.import("stigg_native._records").map(Bound::unbind))?;
    Ok(module.bind(py).getattr(class)?.call1((dict,))?.unbind())
}
