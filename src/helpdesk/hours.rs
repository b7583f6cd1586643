//! Business hours: when the shop's agents are at work, so that a customer handed over outside
//! them is told when to expect a reply. Pure: the time is passed in.

use std::fmt;

/// Weekday names as configured, Monday first.
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const MINUTES_A_DAY: i64 = 24 * 60;

/// When agents are at work, e.g. `mon-fri 09:00-18:00, sat 10:00-16:00 +08:00`: comma-separated
/// spans of days and hours, then the UTC offset they are read in (`+00:00` when absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessHours {
    spans: Vec<Span>,
    /// Minutes east of UTC.
    offset_minutes: i64,
    text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Span {
    /// Monday first.
    days: [bool; 7],
    /// Minutes after midnight, `open < close`.
    open: i64,
    close: i64,
}

impl BusinessHours {
    /// Parses the configured text; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<BusinessHours, String> {
        let text = text.trim();
        let (spans_text, offset_minutes) = match text.rsplit_once(' ') {
            Some((rest, last)) if last.starts_with(['+', '-']) => (rest, parse_offset(last)?),
            _ => (text, 0),
        };
        let spans =
            spans_text.split(',').map(|span| parse_span(span.trim())).collect::<Result<Vec<_>, _>>()?;
        if spans.is_empty() {
            return Err("no span of days and hours".into());
        }
        Ok(BusinessHours { spans, offset_minutes, text: text.to_string() })
    }

    /// Whether agents are at work at `unix_ms` (milliseconds since the Unix epoch, UTC).
    pub fn is_open(&self, unix_ms: i64) -> bool {
        let local_minutes = unix_ms.div_euclid(60_000) + self.offset_minutes;
        let day = local_minutes.div_euclid(MINUTES_A_DAY);
        // 1970-01-01 was a Thursday: index 3 with Monday first.
        let weekday = (day + 3).rem_euclid(7) as usize;
        let minute = local_minutes.rem_euclid(MINUTES_A_DAY);
        self.spans.iter().any(|s| s.days[weekday] && (s.open..s.close).contains(&minute))
    }
}

impl fmt::Display for BusinessHours {
    /// As configured, e.g. `mon-fri 09:00-18:00 +08:00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// `mon-fri 09:00-18:00`, `sat 10:00-16:00`, `mon,wed 08:00-12:00` is not allowed (commas
/// separate spans): a day or a range of days, then a range of hours.
fn parse_span(text: &str) -> Result<Span, String> {
    let (days_text, hours_text) = text
        .split_once(' ')
        .ok_or_else(|| format!("`{text}`: expected days and hours, e.g. `mon-fri 09:00-18:00`"))?;
    let day = |name: &str| {
        DAYS.iter()
            .position(|d| d.eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| format!("`{name}` is not a day (mon, tue, wed, thu, fri, sat, sun)"))
    };
    let mut days = [false; 7];
    match days_text.split_once('-') {
        Some((first, last)) => {
            let (first, last) = (day(first)?, day(last)?);
            let mut d = first;
            loop {
                days[d] = true;
                if d == last {
                    break;
                }
                d = (d + 1) % 7;
            }
        }
        None => days[day(days_text)?] = true,
    }
    let (open, close) = hours_text
        .trim()
        .split_once('-')
        .ok_or_else(|| format!("`{hours_text}`: expected hours such as `09:00-18:00`"))?;
    let (open, close) = (parse_time(open)?, parse_time(close)?);
    if open >= close {
        return Err(format!("`{hours_text}`: the opening time must come before the closing time"));
    }
    Ok(Span { days, open, close })
}

/// `HH:MM` (`24:00` is the end of the day) as minutes after midnight.
fn parse_time(text: &str) -> Result<i64, String> {
    let invalid = || format!("`{text}` is not a time of day (HH:MM)");
    let (hours, minutes) = text.trim().split_once(':').ok_or_else(invalid)?;
    let (hours, minutes): (i64, i64) =
        (hours.parse().map_err(|_| invalid())?, minutes.parse().map_err(|_| invalid())?);
    if !(0..=24).contains(&hours) || !(0..60).contains(&minutes) || (hours == 24 && minutes > 0) {
        return Err(invalid());
    }
    Ok(hours * 60 + minutes)
}

/// `+08:00`, `-05:00` as minutes east of UTC.
fn parse_offset(text: &str) -> Result<i64, String> {
    let invalid = || format!("`{text}` is not a UTC offset such as `+08:00`");
    let (sign, rest) = text.split_at(1);
    let minutes = parse_time(rest).map_err(|_| invalid())?;
    if minutes > 14 * 60 {
        return Err(invalid());
    }
    Ok(if sign == "-" { -minutes } else { minutes })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unix ms of a UTC date and time (days from 1970-01-01, a Thursday).
    fn at(day: i64, hour: i64, minute: i64) -> i64 {
        ((day * 24 + hour) * 60 + minute) * 60_000
    }

    #[test]
    fn weekdays_hours_and_offsets() {
        let hours = BusinessHours::parse("mon-fri 09:00-18:00 +08:00").unwrap();
        // 1970-01-05 was a Monday (day 4). 01:00 UTC is 09:00 in UTC+8.
        assert!(hours.is_open(at(4, 1, 0)));
        assert!(!hours.is_open(at(4, 0, 59)), "08:59 local");
        assert!(!hours.is_open(at(4, 10, 0)), "18:00 local: closed");
        assert!(hours.is_open(at(8, 9, 59)), "Friday 17:59 local");
        assert!(!hours.is_open(at(9, 1, 0)), "Saturday");
        assert_eq!(hours.to_string(), "mon-fri 09:00-18:00 +08:00");
        // A span across the week's end, several spans, a negative offset.
        let weekend = BusinessHours::parse("sat-mon 10:00-12:00, wed 00:00-24:00 -05:00").unwrap();
        assert!(weekend.is_open(at(2, 15, 0)), "Saturday 10:00 in UTC-5");
        assert!(weekend.is_open(at(4, 16, 59)), "Monday 11:59 in UTC-5");
        assert!(!weekend.is_open(at(5, 15, 0)), "Tuesday");
        assert!(!weekend.is_open(at(6, 4, 59)), "Tuesday 23:59 UTC-5 is not Wednesday yet");
        assert!(weekend.is_open(at(6, 5, 0)) && weekend.is_open(at(7, 4, 59)), "all Wednesday");
        // UTC when no offset is given, and instants before 1970.
        let utc = BusinessHours::parse("thu 00:00-01:00").unwrap();
        assert!(utc.is_open(at(0, 0, 30)) && utc.is_open(at(-7, 0, 30)) && !utc.is_open(at(-1, 0, 30)));
    }

    #[test]
    fn mistakes_are_named() {
        for (text, named) in [
            ("mon-fri", "expected days and hours"),
            ("monday 09:00-18:00", "`monday` is not a day"),
            ("mon-fri 18:00-09:00", "must come before"),
            ("mon-fri 09:00-25:00", "`25:00` is not a time"),
            ("mon-fri 09:00-18:00 +15:00", "not a UTC offset"),
            ("mon-fri 9-18", "not a time"),
        ] {
            let error = BusinessHours::parse(text).unwrap_err();
            assert!(error.contains(named), "{text}: {error}");
        }
    }
}
