//! The time zone database (jiff, reading the system's copy and falling back
//! on the one built in): whether a zone exists, every name for the settings
//! form, and a zone's offsets around now for the screens.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::model::time::{DAY_MS, Zone, ZoneSpan};

/// The window [`zone`] covers: past times back to five years ago (older
/// ones use the offset of then), and key expiries up to ten years ahead.
const DAYS_BACK: i64 = 5 * 366;
const DAYS_AHEAD: i64 = 11 * 366;
/// More transitions than any zone has in 16 years (two a year with DST).
const MAX_SPANS: usize = 64;

fn get(name: &str) -> Option<TimeZone> {
    // A name is short; anything else is not worth a lookup.
    if name.is_empty() || name.len() > 64 {
        return None;
    }
    jiff::tz::db().get(name).ok()
}

/// A time as `2026-12-07 01:36 EST` in the zone named (UTC when unknown),
/// for text written on the server (mail).
pub fn format_minutes(name: &str, t: i64) -> String {
    let tz = get(name).unwrap_or(TimeZone::UTC);
    Timestamp::from_millisecond(t)
        .map(|ts| ts.to_zoned(tz).strftime("%Y-%m-%d %H:%M %Z").to_string())
        .unwrap_or_default()
}

/// The date (`YYYY-MM-DD`) at `t` in the zone named (UTC when unknown).
pub fn date(name: &str, t: i64) -> String {
    let tz = get(name).unwrap_or(TimeZone::UTC);
    Timestamp::from_millisecond(t)
        .map(|ts| ts.to_zoned(tz).date().to_string())
        .unwrap_or_default()
}

/// A local date and time as a form sends it (`2026-12-07T09:30`, seconds
/// optional) in the zone named: the instant it is there. `None` when it is
/// not such a text; a time skipped by a change of offset is taken as the
/// instant after it, a repeated one as the first.
pub fn parse_local(name: &str, text: &str) -> Option<i64> {
    if text.len() > 32 {
        return None;
    }
    let tz = get(name).unwrap_or(TimeZone::UTC);
    let civil: jiff::civil::DateTime = text.trim().parse().ok()?;
    let zoned = civil.to_zoned(tz).ok()?;
    Some(zoned.timestamp().as_millisecond())
}

/// Whether `name` is a time zone of the database (`UTC` always is).
pub fn exists(name: &str) -> bool {
    get(name).is_some()
}

/// A time zone field's check: a well-formed name the database knows.
pub fn check(name: &str) -> Result<(), &'static str> {
    crate::validate::timezone(name)?;
    if exists(name) {
        Ok(())
    } else {
        Err("invalid_timezone")
    }
}

/// Every time zone name, sorted, for the settings form's suggestions.
pub fn names() -> &'static [String] {
    static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: Vec<String> = jiff::tz::db().available().map(|n| n.to_string()).collect();
        names.sort();
        names.dedup();
        names
    })
}

/// The offsets of `name` in force around `now_ms`; UTC for an unknown name.
pub fn zone(name: &str, now_ms: i64) -> Zone {
    let Some(tz) = get(name) else {
        return Zone::utc();
    };
    let Ok(start) = Timestamp::from_millisecond(now_ms.saturating_sub(DAYS_BACK * DAY_MS)) else {
        return Zone::utc();
    };
    let end = now_ms.saturating_add(DAYS_AHEAD * DAY_MS);
    let first = tz.to_offset_info(start);
    let mut spans = vec![ZoneSpan {
        from_ms: start.as_millisecond(),
        offset_s: first.offset().seconds(),
        abbr: first.abbreviation().to_owned(),
    }];
    for t in tz.following(start).take(MAX_SPANS) {
        let at = t.timestamp().as_millisecond();
        if at > end {
            break;
        }
        spans.push(ZoneSpan {
            from_ms: at,
            offset_s: t.offset().seconds(),
            abbr: t.abbreviation().to_owned(),
        });
    }
    Zone {
        name: name.to_owned(),
        spans,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_are_read_in_the_zone() {
        // 09:30 in Montréal in December is 14:30 UTC.
        let t = parse_local("America/Toronto", "2026-12-07T09:30").unwrap();
        assert_eq!(crate::model::time::rfc3339(t), "2026-12-07T14:30:00.000Z");
        assert_eq!(
            parse_local("UTC", "2026-12-07T09:30:15"),
            Some(t - 5 * 3_600_000 + 15_000)
        );
        assert_eq!(parse_local("UTC", "yesterday"), None);
        assert_eq!(parse_local("UTC", ""), None);
        assert_eq!(date("America/Toronto", t - 15 * 3_600_000), "2026-12-06");
        assert_eq!(date("UTC", t), "2026-12-07");
    }

    #[test]
    fn montreal_changes_clocks_twice_a_year() {
        // 2026-11-29T20:49:25Z
        let now = 1_795_985_365_123;
        let z = zone("America/Montreal", now);
        assert_eq!(z.minutes(now), "2026-11-29 15:49 EST");
        assert_eq!(z.minutes(now - 120 * DAY_MS), "2026-08-01 16:49 EDT");
        // About two transitions a year over the window.
        assert!((25..=40).contains(&z.spans.len()), "{}", z.spans.len());
        assert!(z.spans.windows(2).all(|w| w[0].from_ms < w[1].from_ms));
    }

    #[test]
    fn unknown_or_odd_names_are_utc() {
        assert!(exists("UTC"));
        assert!(exists("Europe/Paris"));
        assert!(!exists("Mars/Olympus_Mons"));
        assert!(!exists(""));
        assert!(!exists(&"A".repeat(65)));
        assert_eq!(check("America/Montreal"), Ok(()));
        assert_eq!(check("Mars/Olympus_Mons"), Err("invalid_timezone"));
        assert_eq!(check("Europe/Paris;DROP"), Err("invalid_timezone"));
        assert_eq!(zone("Mars/Olympus_Mons", 0), Zone::utc());
        assert_eq!(zone("UTC", 0).minutes(0), "1970-01-01 00:00 UTC");
        let names = names();
        assert!(names.iter().any(|n| n == "America/Montreal"));
        assert!(names.len() > 300, "{}", names.len());
    }
}
