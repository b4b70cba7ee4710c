//! Pure decision rules of entitlement checks (spec §4.2). Filled in by the evaluation engine.
