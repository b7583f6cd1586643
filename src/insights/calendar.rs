//! Periods and days in the shop's UTC offset (pure): `--from 2026-11-01` means midnight there.

use crate::{Error, Result};

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;
/// Longest period insights cover: bounds the days listed and the turns read.
const MAX_DAYS: i64 = 3_660;

/// A half-open period `[from_ms, to_ms)`, with the UTC offset its days and hours are told in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// Start, Unix milliseconds (inclusive).
    pub from_ms: i64,
    /// End, Unix milliseconds (exclusive).
    pub to_ms: i64,
    /// Minutes east of UTC.
    pub offset_minutes: i32,
}

impl Period {
    /// A period; an error when it is empty or longer than ten years.
    pub fn new(from_ms: i64, to_ms: i64, offset_minutes: i32) -> Result<Period> {
        if to_ms <= from_ms || to_ms - from_ms > MAX_DAYS * DAY_MS {
            return Err(Error::InvalidRequest(format!(
                "the period must end after it starts and span at most {MAX_DAYS} days"
            )));
        }
        Ok(Period { from_ms, to_ms, offset_minutes })
    }

    /// The period from the dates given (`YYYY-MM-DD`, `to` included); by default the seven
    /// days that end with `now`'s day.
    pub fn from_dates(
        from: Option<&str>,
        to: Option<&str>,
        offset_minutes: i32,
        now_ms: i64,
    ) -> Result<Period> {
        let offset = i64::from(offset_minutes) * 60_000;
        let today = (now_ms + offset).div_euclid(DAY_MS);
        let day = |field: &str, value: Option<&str>, default: i64| match value {
            None => Ok(default),
            Some(text) => parse_date(text).ok_or_else(|| {
                Error::InvalidRequest(format!("{field}: {text:?} is not a date (YYYY-MM-DD)"))
            }),
        };
        let last = day("to", to, today)?;
        let first = day("from", from, last - 6)?;
        Period::new(first * DAY_MS - offset, (last + 1) * DAY_MS - offset, offset_minutes)
    }

    /// The period of the same length just before this one.
    pub fn previous(&self) -> Period {
        Period { from_ms: 2 * self.from_ms - self.to_ms, to_ms: self.from_ms, ..*self }
    }

    /// Whether `ms` falls in it.
    pub fn contains(&self, ms: i64) -> bool {
        (self.from_ms..self.to_ms).contains(&ms)
    }

    /// `ms` moved to the period's offset (still milliseconds).
    pub fn local(&self, ms: i64) -> i64 {
        ms + i64::from(self.offset_minutes) * 60_000
    }

    /// Every day of the period, `YYYY-MM-DD`.
    pub fn days(&self) -> Vec<String> {
        let first = self.local(self.from_ms).div_euclid(DAY_MS);
        let last = self.local(self.to_ms - 1).div_euclid(DAY_MS);
        (first..=last).map(|d| day_of(d * DAY_MS)).collect()
    }
}

/// The date (`YYYY-MM-DD`) of local milliseconds.
pub fn day_of(local_ms: i64) -> String {
    let (y, m, d) = civil_from_days(local_ms.div_euclid(DAY_MS));
    format!("{y:04}-{m:02}-{d:02}")
}

/// The hour of the day (0–23) of local milliseconds.
pub fn hour_of(local_ms: i64) -> usize {
    (local_ms.rem_euclid(DAY_MS) / HOUR_MS) as usize
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date.
pub fn parse_date(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    if !(1970..=9999).contains(&year)
        || !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
    {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

/// Minutes east of UTC of `+08:00`, `-05:30` or `Z`.
pub fn parse_offset(text: &str) -> Option<i32> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("z") || text == "UTC" {
        return Some(0);
    }
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let (hours, minutes) = rest.split_once(':')?;
    let (hours, minutes): (i32, i32) = (hours.parse().ok()?, minutes.parse().ok()?);
    ((0..=14).contains(&hours) && (0..60).contains(&minutes)).then_some(sign * (hours * 60 + minutes))
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's `days_from_civil`: days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_reject_what_is_not_a_date() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2026-12-01"), Some(20_788));
        assert_eq!(day_of(20_788 * DAY_MS), "2026-12-01");
        assert_eq!(day_of(parse_date("2024-02-29").unwrap() * DAY_MS), "2024-02-29");
        for bad in ["2025-02-29", "2026-13-01", "yesterday", "2026-1", "1969-12-31", ""] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_period_of_dates_starts_at_local_midnight_and_includes_its_last_day() {
        let period = Period::from_dates(Some("2026-11-01"), Some("2026-11-30"), 8 * 60, 0).unwrap();
        assert_eq!(period.from_ms, parse_date("2026-11-01").unwrap() * DAY_MS - 8 * HOUR_MS);
        assert_eq!(period.to_ms - period.from_ms, 30 * DAY_MS);
        assert_eq!(period.days().len(), 30);
        assert_eq!(period.previous().to_ms, period.from_ms);
        // Midnight in Shanghai is 16:00 the day before in UTC, and hour 0 there.
        assert_eq!(hour_of(period.local(period.from_ms)), 0);
        let now = parse_date("2026-12-01").unwrap() * DAY_MS + 5 * HOUR_MS;
        let week = Period::from_dates(None, None, 0, now).unwrap();
        assert_eq!(week.days().first().unwrap(), "2026-11-25");
        assert_eq!(week.days().last().unwrap(), "2026-12-01");
        assert!(Period::from_dates(Some("2026-12-02"), Some("2026-12-01"), 0, now).is_err());
        let error = Period::from_dates(Some("last week"), None, 0, now).unwrap_err().to_string();
        assert!(error.contains("from"), "{error}");
    }

    #[test]
    fn offsets() {
        assert_eq!(parse_offset("+08:00"), Some(480));
        assert_eq!(parse_offset("-05:30"), Some(-330));
        assert_eq!(parse_offset("Z"), Some(0));
        assert_eq!(parse_offset("+25:00"), None);
        assert_eq!(parse_offset("8"), None);
    }
}
