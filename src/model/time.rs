//! Times on the wire and on screen. Everything is stored as milliseconds
//! since the Unix epoch (UTC); the API speaks RFC 3339 UTC and the screens
//! show minutes in the organization's time zone ([`Zone`]), labelled with
//! the zone's abbreviation.

use serde::{Deserialize, Serialize};

/// (year, month, day) of a day count since 1970-01-01, by Howard Hinnant's
/// `civil_from_days` (exact over the whole proleptic Gregorian calendar).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

struct Parts {
    date: (i64, u32, u32),
    hour: i64,
    minute: i64,
    second: i64,
    millis: i64,
}

fn parts(ms: i64) -> Parts {
    let days = ms.div_euclid(86_400_000);
    let rest = ms.rem_euclid(86_400_000);
    Parts {
        date: civil_from_days(days),
        hour: rest / 3_600_000,
        minute: rest / 60_000 % 60,
        second: rest / 1000 % 60,
        millis: rest % 1000,
    }
}

/// `2026-11-29T20:49:25.123Z`.
pub fn rfc3339(ms: i64) -> String {
    let p = parts(ms);
    let (y, mo, d) = p.date;
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        p.hour, p.minute, p.second, p.millis
    )
}

/// `2026-11-29 20:49 UTC`, for tables.
pub fn minutes_utc(ms: i64) -> String {
    let p = parts(ms);
    let (y, mo, d) = p.date;
    format!("{y:04}-{mo:02}-{d:02} {:02}:{:02} UTC", p.hour, p.minute)
}

/// A time zone as the screens use it: the UTC offsets in force over a
/// window of years around now, worked out by the server from the time zone
/// database. The server's rendering and the browser's then agree to the
/// minute without the database reaching the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Zone {
    /// The IANA name, e.g. `America/Montreal`.
    pub name: String,
    /// Oldest first; the first also applies before its start, the last
    /// after the window.
    pub spans: Vec<ZoneSpan>,
}

/// From `from_ms` on, clocks are `offset_s` seconds from UTC and the
/// zone's abbreviation is `abbr` (`EST`, `CEST`, `-03`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneSpan {
    pub from_ms: i64,
    pub offset_s: i32,
    pub abbr: String,
}

impl Default for Zone {
    fn default() -> Self {
        Zone::utc()
    }
}

impl Zone {
    pub fn utc() -> Zone {
        Zone {
            name: "UTC".into(),
            spans: vec![ZoneSpan {
                from_ms: i64::MIN,
                offset_s: 0,
                abbr: "UTC".into(),
            }],
        }
    }

    /// The span in force at `ms`.
    fn span(&self, ms: i64) -> Option<&ZoneSpan> {
        let after = self.spans.partition_point(|s| s.from_ms <= ms);
        self.spans.get(after.saturating_sub(1))
    }

    /// The local clock at `ms`, and the zone's abbreviation then.
    fn local(&self, ms: i64) -> (Parts, &str) {
        match self.span(ms) {
            Some(s) => (
                parts(ms.saturating_add(i64::from(s.offset_s) * 1000)),
                &s.abbr,
            ),
            None => (parts(ms), "UTC"),
        }
    }

    /// `2026-11-29T15:49`: the value of a date-time field showing `ms`.
    pub fn field_value(&self, ms: i64) -> String {
        let (p, _) = self.local(ms);
        let (y, mo, d) = p.date;
        format!("{y:04}-{mo:02}-{d:02}T{:02}:{:02}", p.hour, p.minute)
    }

    /// `2026-11-29 15:49 EST`, for tables.
    pub fn minutes(&self, ms: i64) -> String {
        let (date, time) = self.date_and_minutes(ms);
        format!("{date} {time}")
    }

    /// (`2026-11-29`, `15:49 EST`): a time split where a narrow column
    /// may wrap it.
    pub fn date_and_minutes(&self, ms: i64) -> (String, String) {
        let (p, abbr) = self.local(ms);
        let (y, mo, d) = p.date;
        (
            format!("{y:04}-{mo:02}-{d:02}"),
            format!("{:02}:{:02} {abbr}", p.hour, p.minute),
        )
    }

    /// (`2026-11-29`, `15:49:25 EST`): for events seconds apart
    /// (webhook deliveries).
    pub fn date_and_seconds(&self, ms: i64) -> (String, String) {
        let (p, abbr) = self.local(ms);
        let (y, mo, d) = p.date;
        (
            format!("{y:04}-{mo:02}-{d:02}"),
            format!("{:02}:{:02}:{:02} {abbr}", p.hour, p.minute, p.second),
        )
    }
}

/// `2026-11-29`.
pub fn date(ms: i64) -> String {
    let (y, mo, d) = parts(ms).date;
    format!("{y:04}-{mo:02}-{d:02}")
}

pub const DAY_MS: i64 = 86_400_000;

/// Days since 1970-01-01 of a civil date (the inverse of
/// [`civil_from_days`]), or `None` for a date that does not exist.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> Option<i64> {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let length = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day == 0 || day > length {
        return None;
    }
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// Days since 1970-01-01 of a strict `YYYY-MM-DD` (years 1900 to 9999).
pub fn parse_date(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = text.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let year = num(0..4)?;
    if year < 1900 {
        return None;
    }
    days_from_civil(i64::from(year), num(5..7)?, num(8..10)?)
}

/// Milliseconds since the epoch of an RFC 3339 time such as
/// `2026-11-29T20:49:25Z`, `2026-11-29T20:49:25.123+01:00`.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let days = parse_date(text.get(..10)?)?;
    let rest = text.get(10..)?;
    let rest = rest.strip_prefix('T').or_else(|| rest.strip_prefix('t'))?;
    let two = |s: &str| -> Option<i64> {
        (s.len() == 2 && s.bytes().all(|c| c.is_ascii_digit())).then(|| s.parse().ok())?
    };
    let (h, m, s) = (
        two(rest.get(0..2)?)?,
        two(rest.get(3..5)?)?,
        two(rest.get(6..8)?)?,
    );
    if rest.get(2..3)? != ":" || rest.get(5..6)? != ":" || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let mut rest = &rest[8..];
    let mut millis = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let first3 = format!("{:0<3}", &frac[..digits.min(3)]);
        millis = first3.parse::<i64>().ok()?;
        rest = &frac[digits..];
    }
    let offset_min = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.get(0..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.get(3..4)? != ":" {
                return None;
            }
            let (oh, om) = (two(rest.get(1..3)?)?, two(rest.get(4..6)?)?);
            if oh > 23 || om > 59 {
                return None;
            }
            sign * (oh * 60 + om)
        }
    };
    Some(days * DAY_MS + ((h * 60 + m - offset_min) * 60 + s.min(59)) * 1000 + millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(rfc3339(1_795_985_365_123), "2026-11-29T20:49:25.123Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(minutes_utc(1_795_985_365_123), "2026-11-29 20:49 UTC");
        assert_eq!(date(1_795_985_365_123), "2026-11-29");
    }

    #[test]
    fn zones_apply_the_offset_in_force() {
        let utc = Zone::utc();
        assert_eq!(utc.minutes(1_795_985_365_123), "2026-11-29 20:49 UTC");
        assert_eq!(
            utc.minutes(1_795_985_365_123),
            minutes_utc(1_795_985_365_123)
        );
        // Montreal: EDT (-4) until 2026-11-01 06:00 UTC, then EST (-5).
        let switch = 1_793_512_800_000;
        let montreal = Zone {
            name: "America/Montreal".into(),
            spans: vec![
                ZoneSpan {
                    from_ms: 1_772_953_200_000,
                    offset_s: -4 * 3600,
                    abbr: "EDT".into(),
                },
                ZoneSpan {
                    from_ms: switch,
                    offset_s: -5 * 3600,
                    abbr: "EST".into(),
                },
            ],
        };
        assert_eq!(montreal.minutes(switch - 1), "2026-11-01 01:59 EDT");
        assert_eq!(montreal.minutes(switch), "2026-11-01 01:00 EST");
        assert_eq!(montreal.minutes(1_795_985_365_123), "2026-11-29 15:49 EST");
        // Before the first span, the first applies; the date may change.
        assert_eq!(
            montreal.date_and_minutes(0),
            ("1969-12-31".to_owned(), "20:00 EDT".to_owned())
        );
        assert_eq!(
            montreal.date_and_seconds(switch + 1_234),
            ("2026-11-01".to_owned(), "01:00:01 EST".to_owned())
        );
        // An empty zone (a bad payload) shows UTC rather than failing.
        let empty = Zone {
            name: "X".into(),
            spans: vec![],
        };
        assert_eq!(empty.minutes(0), "1970-01-01 00:00 UTC");
    }

    #[test]
    fn dates_and_times_parse_strictly() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2000-02-29"), Some(11_016));
        assert_eq!(parse_date("2001-02-29"), None);
        assert_eq!(parse_date("2026-13-01"), None);
        assert_eq!(parse_date("2026-1-01"), None);
        assert_eq!(parse_date("+026-01-01"), None);
        assert_eq!(parse_date("1899-12-31"), None);
        assert_eq!(
            Zone::utc().field_value(1_795_985_365_123),
            "2026-11-29T20:49"
        );
        assert_eq!(
            parse_rfc3339("2026-11-29T20:49:25.123Z"),
            Some(1_795_985_365_123)
        );
        assert_eq!(
            parse_rfc3339("2026-11-29T21:49:25.123+01:00"),
            Some(1_795_985_365_123)
        );
        assert_eq!(
            parse_rfc3339("2026-11-29T20:49:25Z"),
            Some(1_795_985_365_000)
        );
        assert_eq!(parse_rfc3339("2026-11-29 20:49:25Z"), None);
        assert_eq!(parse_rfc3339("2026-11-29T20:49Z"), None);
        assert_eq!(parse_rfc3339("2026-11-29T20:49:25"), None);
        assert_eq!(parse_rfc3339("2026-11-29T20:49:25.Z"), None);
        for days in (-1000..40_000).step_by(7) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), Some(days));
        }
    }

    #[test]
    fn every_day_of_four_centuries_follows_the_previous() {
        let mut previous = civil_from_days(-1);
        for days in 0..146_097 {
            let (y, m, d) = civil_from_days(days);
            let (py, pm, pd) = previous;
            let next_day = (y, m) == (py, pm) && d == pd + 1;
            let next_month = y == py && m == pm + 1 && d == 1;
            let next_year = y == py + 1 && m == 1 && d == 1 && pm == 12;
            assert!(
                next_day || next_month || next_year,
                "{previous:?} → {:?}",
                (y, m, d)
            );
            previous = (y, m, d);
        }
    }
}
