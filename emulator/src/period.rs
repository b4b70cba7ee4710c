//! Usage and billing periods: the period `[start, end)` containing `now` for an anchor and a reset
//! period, in UTC, with calendar months clamped to the month's last day.
//!
//! The arithmetic is core's (`stigg_core::eval::period::current_period`, pinned by the conformance
//! vectors), so the emulator and every SDK agree on period boundaries; this module only maps the
//! catalog's reset periods onto it.

use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use stigg_core::eval::period::current_period;
use stigg_core::model::EntitlementResetPeriod;

use crate::catalog::ResetPeriod;
use crate::clock::Millis;

fn core_period(period: ResetPeriod) -> EntitlementResetPeriod {
    match period {
        ResetPeriod::Hour => EntitlementResetPeriod::Hour,
        ResetPeriod::Day => EntitlementResetPeriod::Day,
        ResetPeriod::Week => EntitlementResetPeriod::Week,
        ResetPeriod::Month => EntitlementResetPeriod::Month,
        ResetPeriod::Year => EntitlementResetPeriod::Year,
    }
}

/// The usage period containing `now` (`None` only for out-of-range dates).
pub fn usage_period(anchor: Millis, period: ResetPeriod, now: Millis) -> Option<(Millis, Millis)> {
    current_period(anchor, &core_period(period), None, now)
}

/// Billing period containing `now` for a subscription started at `anchor` (a calendar month or
/// year stepped from the anchor, like a monthly/yearly usage period).
pub fn billing_period(anchor: Millis, annual: bool, now: Millis) -> Option<(Millis, Millis)> {
    let period = if annual {
        EntitlementResetPeriod::Year
    } else {
        EntitlementResetPeriod::Month
    };
    current_period(anchor, &period, None, now)
}

/// First instant of the month containing `t` (UTC).
pub fn start_of_month(t: Millis) -> Millis {
    match Utc.timestamp_millis_opt(t).single() {
        Some(d) => NaiveDate::from_ymd_opt(d.year(), d.month(), 1)
            .and_then(|x| x.and_hms_opt(0, 0, 0))
            .map(|x| x.and_utc().timestamp_millis())
            .unwrap_or(t),
        None => t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::parse_iso;

    fn p(s: &str) -> Millis {
        parse_iso(s).unwrap_or_default()
    }

    #[test]
    fn month_clamps_to_last_day() {
        let (s, e) = usage_period(
            p("2024-01-31T00:00:00Z"),
            ResetPeriod::Month,
            p("2024-03-05T00:00:00Z"),
        )
        .unwrap_or_default();
        assert_eq!(s, p("2024-02-29T00:00:00Z"));
        assert_eq!(e, p("2024-03-31T00:00:00Z"));
    }

    #[test]
    fn billing_periods_step_calendar_months_and_years() {
        let anchor = p("2024-02-29T10:00:00Z");
        assert_eq!(
            billing_period(anchor, false, p("2024-04-15T00:00:00Z")),
            Some((p("2024-03-29T10:00:00Z"), p("2024-04-29T10:00:00Z")))
        );
        assert_eq!(
            billing_period(anchor, true, p("2025-03-01T00:00:00Z")),
            Some((p("2025-02-28T10:00:00Z"), p("2026-02-28T10:00:00Z")))
        );
    }

    #[test]
    fn day_period_contains_now() {
        let now = p("2024-05-10T13:00:00Z");
        let (s, e) =
            usage_period(p("2024-05-01T12:00:00Z"), ResetPeriod::Day, now).unwrap_or_default();
        assert!(s <= now && now < e);
        assert_eq!(s, p("2024-05-10T12:00:00Z"));
    }
}
