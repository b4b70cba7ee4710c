//! Usage-period arithmetic: the period `[start, end)` containing `now` for an anchor and a reset
//! period, in UTC, with calendar months clamped to the month's last day.
//!
//! This is the one function to swap for `stigg_core::eval::period::current_period` once core
//! exports it (same rules: spec §4.5 "Roll-over").

use chrono::{Datelike, NaiveDate, TimeZone, Utc};

use crate::catalog::ResetPeriod;
use crate::clock::Millis;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// The usage period containing `now` (`None` only for out-of-range dates).
pub fn usage_period(anchor: Millis, period: ResetPeriod, now: Millis) -> Option<(Millis, Millis)> {
    match period {
        ResetPeriod::Hour => Some(fixed(anchor, HOUR, now)),
        ResetPeriod::Day => Some(fixed(anchor, DAY, now)),
        ResetPeriod::Week => Some(fixed(anchor, 7 * DAY, now)),
        ResetPeriod::Month => calendar(anchor, 1, now),
        ResetPeriod::Year => calendar(anchor, 12, now),
    }
}

/// Billing period containing `now` for a subscription started at `anchor`.
pub fn billing_period(anchor: Millis, annual: bool, now: Millis) -> Option<(Millis, Millis)> {
    calendar(anchor, if annual { 12 } else { 1 }, now)
}

fn fixed(anchor: Millis, unit: i64, now: Millis) -> (Millis, Millis) {
    let k = (now - anchor).div_euclid(unit);
    let start = anchor + k * unit;
    (start, start + unit)
}

fn add_months(anchor: Millis, months: i64) -> Option<Millis> {
    let a = Utc.timestamp_millis_opt(anchor).single()?;
    let total = i64::from(a.year()) * 12 + i64::from(a.month0()) + months;
    let year = i32::try_from(total.div_euclid(12)).ok()?;
    let month = u32::try_from(total.rem_euclid(12)).ok()? + 1;
    let mut day = a.day();
    loop {
        if let Some(d) = NaiveDate::from_ymd_opt(year, month, day) {
            let t = d.and_time(a.time());
            return Some(t.and_utc().timestamp_millis());
        }
        if day <= 28 {
            return None;
        }
        day -= 1;
    }
}

fn calendar(anchor: Millis, step: i64, now: Millis) -> Option<(Millis, Millis)> {
    let a = Utc.timestamp_millis_opt(anchor).single()?;
    let n = Utc.timestamp_millis_opt(now).single()?;
    let months = (i64::from(n.year()) - i64::from(a.year())) * 12 + i64::from(n.month0())
        - i64::from(a.month0());
    let mut k = months.div_euclid(step) + 1;
    // walk k down until boundary(k) <= now, then up while boundary(k+1) <= now
    loop {
        let b = add_months(anchor, k * step)?;
        if b <= now {
            break;
        }
        k -= 1;
    }
    while add_months(anchor, (k + 1) * step)? <= now {
        k += 1;
    }
    Some((
        add_months(anchor, k * step)?,
        add_months(anchor, (k + 1) * step)?,
    ))
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
    fn day_period_contains_now() {
        let now = p("2024-05-10T13:00:00Z");
        let (s, e) =
            usage_period(p("2024-05-01T12:00:00Z"), ResetPeriod::Day, now).unwrap_or_default();
        assert!(s <= now && now < e);
        assert_eq!(s, p("2024-05-10T12:00:00Z"));
    }
}
