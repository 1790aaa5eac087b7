//! Times on the wire and on screen. Everything is stored as milliseconds
//! since the Unix epoch (UTC); the API speaks RFC 3339 UTC and the screens
//! show minutes in UTC, labelled as such.

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

/// (`2026-11-29`, `20:49 UTC`): a time split where a narrow column may
/// wrap it.
pub fn date_and_minutes_utc(ms: i64) -> (String, String) {
    let p = parts(ms);
    let (y, mo, d) = p.date;
    (
        format!("{y:04}-{mo:02}-{d:02}"),
        format!("{:02}:{:02} UTC", p.hour, p.minute),
    )
}

/// `2026-11-29`.
pub fn date(ms: i64) -> String {
    let (y, mo, d) = parts(ms).date;
    format!("{y:04}-{mo:02}-{d:02}")
}

pub const DAY_MS: i64 = 86_400_000;

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
