//! Argument checks of writes. Each error names the field as Stigg spells it.

use crate::error::{Result, StiggError};
use crate::model::usage::{ConsumeCredits, ReportEvent, ReportUsage};

/// Most usages in one `reportUsageBulk` call (Stigg's documented bulk size).
pub const MAX_USAGE_BULK: usize = 100;
/// Most events in one `reportEvent` call.
pub const MAX_EVENTS: usize = 1000;
/// Most consumptions in one `consumeCreditsAsync` call.
pub const MAX_CONSUMPTIONS: usize = 1000;

pub(crate) fn non_empty(field: &'static str, v: &str) -> Result<()> {
    if v.trim().is_empty() {
        return Err(StiggError::invalid(field, "must be a non-empty string"));
    }
    Ok(())
}

pub(crate) fn finite(field: &'static str, v: f64) -> Result<()> {
    if !v.is_finite() {
        return Err(StiggError::invalid(
            field,
            format!("must be a finite number, got {v}"),
        ));
    }
    Ok(())
}

fn optional_non_empty(field: &'static str, v: Option<&str>) -> Result<()> {
    v.map_or(Ok(()), |v| non_empty(field, v))
}

/// Checks a `reportUsage` input.
pub fn report_usage(u: &ReportUsage) -> Result<()> {
    non_empty("customerId", &u.customer_id)?;
    non_empty("featureId", &u.feature_id)?;
    finite("value", u.value)?;
    optional_non_empty("resourceId", u.resource_id.as_deref())?;
    optional_non_empty("idempotencyKey", u.idempotency_key.as_deref())
}

/// Checks a `reportUsageBulk` input.
pub fn report_usage_bulk(usages: &[ReportUsage]) -> Result<()> {
    if usages.len() > MAX_USAGE_BULK {
        return Err(StiggError::invalid(
            "usages",
            format!(
                "at most {MAX_USAGE_BULK} usages per call, got {}",
                usages.len()
            ),
        ));
    }
    usages.iter().try_for_each(report_usage)
}

/// Checks a `reportEvent` input.
pub fn report_events(events: &[ReportEvent]) -> Result<()> {
    if events.len() > MAX_EVENTS {
        return Err(StiggError::invalid(
            "events",
            format!("at most {MAX_EVENTS} events per call, got {}", events.len()),
        ));
    }
    events.iter().try_for_each(|e| {
        non_empty("eventName", &e.event_name)?;
        non_empty("customerId", &e.customer_id)?;
        non_empty("idempotencyKey", &e.idempotency_key)?;
        optional_non_empty("resourceId", e.resource_id.as_deref())
    })
}

/// Checks a `consumeCredits` input.
pub fn consume_credits(c: &ConsumeCredits) -> Result<()> {
    non_empty("customerId", &c.customer_id)?;
    non_empty("currencyId", &c.currency_id)?;
    non_empty("idempotencyKey", &c.idempotency_key)?;
    finite("amount", c.amount)?;
    if c.amount <= 0.0 {
        return Err(StiggError::invalid(
            "amount",
            format!("must be positive, got {}", c.amount),
        ));
    }
    optional_non_empty("resourceId", c.resource_id.as_deref())
}

/// Checks a `consumeCreditsAsync` input.
pub fn consume_credits_async(items: &[ConsumeCredits]) -> Result<()> {
    if items.len() > MAX_CONSUMPTIONS {
        return Err(StiggError::invalid(
            "consumptions",
            format!(
                "at most {MAX_CONSUMPTIONS} consumptions per call, got {}",
                items.len()
            ),
        ));
    }
    items.iter().try_for_each(consume_credits)
}
