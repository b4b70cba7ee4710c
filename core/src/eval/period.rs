//! Usage periods and their roll-over (spec §4.2 "Metered period roll-over", §4.5 "Roll-over").
//!
//! Rules (one for every getter that reports usage):
//! * The stored period is over iff `usagePeriodEnd < now` (strict: at equality the old usage still counts).
//! * Then usage is `0` and the current period is recomputed from the anchor: boundaries are
//!   `anchor + k·unit` in **UTC** (never the host's time zone), chosen so that `start <= now < end`.
//!   HOUR, DAY and WEEK are fixed durations. MONTH and YEAR step the calendar month/year from the
//!   **anchor** each time, clamping the day to the month's last day (anchor Jan 31 → Feb 29 → Mar 31 →
//!   Apr 30; yearly Feb 29 → Feb 28 in common years), keeping the anchor's time of day.
//! * No anchor or no reset period → usage `0` and the period fields are null.
//! * An unknown reset period (a value this SDK does not know) whose period has ended cannot be
//!   recomputed: [`roll_over`] reports [`UnknownResetPeriod`] and the getter returns its fallback.
//! * The reset-period configuration (`monthlyAccordingTo`, `weeklyAccordingTo`, ...) is not used: the
//!   server already encodes it in `usagePeriodAnchor`, which is authoritative.
//! * Nothing is written back: the roll-over is recomputed on each read.

use chrono::{Datelike, NaiveDate, TimeZone, Utc};

use crate::model::wire::ResetPeriodConfiguration;
use crate::model::{EntitlementResetPeriod, Millis, UsageData};

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;
const WEEK_MS: i64 = 7 * DAY_MS;

/// The period has ended and its reset period is one this SDK does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownResetPeriod;

/// The usage period `[start, end)` that contains `now`, from `anchor` and `period` (UTC).
///
/// `None` for an unknown period or when a boundary falls outside the representable range.
pub fn current_period(
    anchor: Millis,
    period: &EntitlementResetPeriod,
    _configuration: Option<&ResetPeriodConfiguration>,
    now: Millis,
) -> Option<(Millis, Millis)> {
    match period {
        EntitlementResetPeriod::Hour => fixed(anchor, HOUR_MS, now),
        EntitlementResetPeriod::Day => fixed(anchor, DAY_MS, now),
        EntitlementResetPeriod::Week => fixed(anchor, WEEK_MS, now),
        EntitlementResetPeriod::Month => calendar(anchor, 1, now),
        EntitlementResetPeriod::Year => calendar(anchor, 12, now),
        EntitlementResetPeriod::Other(_) => None,
    }
}

fn fixed(anchor: Millis, unit: i64, now: Millis) -> Option<(Millis, Millis)> {
    let unit = i128::from(unit);
    let k = (i128::from(now) - i128::from(anchor)).div_euclid(unit);
    let start = i128::from(anchor) + k * unit;
    let end = start + unit;
    Some((i64::try_from(start).ok()?, i64::try_from(end).ok()?))
}

/// The last day of month `month` (1-based) of `year`.
fn last_day(year: i32, month: u32) -> Option<u32> {
    let (ny, nm) = if month == 12 {
        (year.checked_add(1)?, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(ny, nm, 1)?
        .pred_opt()
        .map(|d| d.day())
}

/// Calendar stepping by `step` months from the anchor.
fn calendar(anchor: Millis, step: i64, now: Millis) -> Option<(Millis, Millis)> {
    let a = Utc.timestamp_millis_opt(anchor).single()?;
    let n = Utc.timestamp_millis_opt(now).single()?;
    let anchor_month = i64::from(a.year()) * 12 + i64::from(a.month0());
    let anchor_day = a.day();
    let midnight = a
        .date_naive()
        .and_hms_opt(0, 0, 0)?
        .and_utc()
        .timestamp_millis();
    let time_of_day = anchor - midnight;

    let boundary = |k: i64| -> Option<Millis> {
        let total = anchor_month.checked_add(k.checked_mul(step)?)?;
        let year = i32::try_from(total.div_euclid(12)).ok()?;
        let month = u32::try_from(total.rem_euclid(12)).ok()? + 1;
        let day = anchor_day.min(last_day(year, month)?);
        let date = NaiveDate::from_ymd_opt(year, month, day)?;
        date.and_hms_opt(0, 0, 0)?
            .and_utc()
            .timestamp_millis()
            .checked_add(time_of_day)
    };

    let now_month = i64::from(n.year()) * 12 + i64::from(n.month0());
    let mut k = (now_month - anchor_month).div_euclid(step);
    // The estimate is off by at most one step either way (day/time within the month); each loop runs
    // at most twice, bounded anyway.
    for _ in 0..4 {
        if boundary(k)? > now {
            k -= 1;
        } else {
            break;
        }
    }
    for _ in 0..4 {
        if boundary(k + 1)? <= now {
            k += 1;
        } else {
            break;
        }
    }
    let (start, end) = (boundary(k)?, boundary(k + 1)?);
    (start <= now && now < end).then_some((start, end))
}

/// Applies the roll-over to the usage of a **metered** feature (the caller checks the feature type).
///
/// Returns the usage unchanged while the stored period has not ended (`usagePeriodEnd >= now` or unset).
pub fn roll_over(
    usage: &UsageData,
    anchor: Option<Millis>,
    reset_period: Option<&EntitlementResetPeriod>,
    configuration: Option<&ResetPeriodConfiguration>,
    now: Millis,
) -> Result<UsageData, UnknownResetPeriod> {
    match usage.usage_period_end {
        Some(end) if end < now => {}
        _ => return Ok(*usage),
    }
    let period = match (anchor, reset_period) {
        (Some(_), Some(EntitlementResetPeriod::Other(_))) => return Err(UnknownResetPeriod),
        (Some(a), Some(p)) => current_period(a, p, configuration, now),
        _ => None,
    };
    Ok(UsageData {
        current_usage: 0.0,
        usage_period_start: period.map(|p| p.0),
        usage_period_end: period.map(|p| p.1),
        updated_at: usage.updated_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::{format_iso, parse_iso};

    fn ms(s: &str) -> Millis {
        parse_iso(s).unwrap_or(Millis::MIN)
    }

    fn period(anchor: &str, p: EntitlementResetPeriod, now: &str) -> Option<(String, String)> {
        current_period(ms(anchor), &p, None, ms(now)).map(|(s, e)| (format_iso(s), format_iso(e)))
    }

    fn pair(a: &str, b: &str) -> Option<(String, String)> {
        Some((a.to_owned(), b.to_owned()))
    }

    #[test]
    fn monthly_from_the_31st_clamps_each_month_from_the_anchor() {
        use EntitlementResetPeriod::Month;
        let a = "2024-01-31T00:00:00Z";
        assert_eq!(
            period(a, Month, "2024-02-15T00:00:00Z"),
            pair("2024-01-31T00:00:00.000Z", "2024-02-29T00:00:00.000Z")
        );
        assert_eq!(
            period(a, Month, "2024-03-01T00:00:00Z"),
            pair("2024-02-29T00:00:00.000Z", "2024-03-31T00:00:00.000Z")
        );
        assert_eq!(
            period(a, Month, "2024-04-10T00:00:00Z"),
            pair("2024-03-31T00:00:00.000Z", "2024-04-30T00:00:00.000Z")
        );
        assert_eq!(
            period(a, Month, "2023-02-10T00:00:00Z"),
            pair("2023-01-31T00:00:00.000Z", "2023-02-28T00:00:00.000Z")
        );
    }

    #[test]
    fn anchor_with_time_of_day_near_short_month_end_contains_now() {
        // 3.95 undercounts here (spec §4.5); the period must contain now.
        assert_eq!(
            period(
                "2024-02-29T12:00:00Z",
                EntitlementResetPeriod::Month,
                "2024-03-30T06:00:00Z"
            ),
            pair("2024-03-29T12:00:00.000Z", "2024-04-29T12:00:00.000Z")
        );
    }

    #[test]
    fn yearly_leap_day() {
        use EntitlementResetPeriod::Year;
        let a = "2024-02-29T00:00:00Z";
        assert_eq!(
            period(a, Year, "2025-06-01T00:00:00Z"),
            pair("2025-02-28T00:00:00.000Z", "2026-02-28T00:00:00.000Z")
        );
        assert_eq!(
            period(a, Year, "2028-03-01T00:00:00Z"),
            pair("2028-02-29T00:00:00.000Z", "2029-02-28T00:00:00.000Z")
        );
    }

    #[test]
    fn fixed_units_and_boundaries() {
        use EntitlementResetPeriod::*;
        let a = "2024-01-01T00:30:00Z";
        assert_eq!(
            period(a, Hour, "2024-01-02T05:30:00Z"),
            pair("2024-01-02T05:30:00.000Z", "2024-01-02T06:30:00.000Z")
        );
        assert_eq!(
            period(a, Day, "2024-01-03T00:29:59.999Z"),
            pair("2024-01-02T00:30:00.000Z", "2024-01-03T00:30:00.000Z")
        );
        assert_eq!(
            period(a, Week, "2024-01-20T00:00:00Z"),
            pair("2024-01-15T00:30:00.000Z", "2024-01-22T00:30:00.000Z")
        );
        // now before the anchor still yields a period containing now
        assert_eq!(
            period(a, Day, "2023-12-31T12:00:00Z"),
            pair("2023-12-31T00:30:00.000Z", "2024-01-01T00:30:00.000Z")
        );
    }

    #[test]
    fn extreme_instants_do_not_panic() {
        for p in [
            EntitlementResetPeriod::Hour,
            EntitlementResetPeriod::Month,
            EntitlementResetPeriod::Year,
        ] {
            for (a, n) in [
                (i64::MIN, i64::MAX),
                (i64::MAX, i64::MIN),
                (0, i64::MAX),
                (8_639_999_999_999_999, -8_639_999_999_999_999),
            ] {
                let _ = current_period(a, &p, None, n);
            }
        }
    }

    #[test]
    fn roll_over_rules() {
        let usage = UsageData {
            current_usage: 7.0,
            usage_period_start: Some(ms("2024-01-01T00:00:00Z")),
            usage_period_end: Some(ms("2024-02-01T00:00:00Z")),
            updated_at: None,
        };
        let month = EntitlementResetPeriod::Month;
        let anchor = Some(ms("2024-01-01T00:00:00Z"));
        // equality: not over
        assert_eq!(
            roll_over(
                &usage,
                anchor,
                Some(&month),
                None,
                ms("2024-02-01T00:00:00Z")
            ),
            Ok(usage)
        );
        let rolled = roll_over(
            &usage,
            anchor,
            Some(&month),
            None,
            ms("2024-02-01T00:00:00.001Z"),
        );
        assert_eq!(
            rolled.map(|u| (u.current_usage, u.usage_period_end.map(format_iso))),
            Ok((0.0, Some("2024-03-01T00:00:00.000Z".to_owned())))
        );
        let none = roll_over(&usage, None, Some(&month), None, ms("2024-03-01T00:00:00Z"));
        assert_eq!(
            none.map(|u| (u.current_usage, u.usage_period_end)),
            Ok((0.0, None))
        );
        let other = EntitlementResetPeriod::from_wire("FORTNIGHT");
        assert_eq!(
            roll_over(
                &usage,
                anchor,
                Some(&other),
                None,
                ms("2024-03-01T00:00:00Z")
            ),
            Err(UnknownResetPeriod)
        );
    }
}
