//! What limits a key beyond its owner's rights (docs/api-keys.md): its
//! lifetime under `LIVREUR_API_KEY_MAX_DAYS`, and the networks it may be
//! used from. Pure functions; the services apply them.

use std::net::IpAddr;

use ipnet::IpNet;

use super::clock::Millis;
use crate::error::AppError;
use crate::model::api::{MAX_ALLOWED_NETS, MAX_ALLOWED_NETS_TEXT};
use crate::model::time::DAY_MS;

/// The shortest lifetime `expires_in_seconds` may ask for.
pub const MIN_SECONDS: i64 = 60;
/// The longest, without a configured maximum: ten years.
pub const MAX_SECONDS: i64 = 10 * 366 * 86_400;

/// When a key asked for `seconds` (`None`: no lifetime given) expires,
/// under `max_days`: without a lifetime it gets the maximum (or never
/// expires when there is none); a lifetime out of range or over the
/// maximum is refused on `field`.
pub fn expiry(
    now: Millis,
    seconds: Option<i64>,
    max_days: Option<u32>,
    field: &str,
) -> Result<Option<Millis>, AppError> {
    let max_seconds = max_days.map(|d| i64::from(d) * 86_400);
    match (seconds, max_seconds) {
        (None, None) => Ok(None),
        (None, Some(max)) => Ok(Some(now + max * 1000)),
        (Some(s), _) if !(MIN_SECONDS..=MAX_SECONDS).contains(&s) => {
            Err(AppError::field(field, "out_of_range"))
        }
        (Some(s), Some(max)) if s > max => Err(AppError::field(field, "longer_than_allowed")),
        (Some(s), _) => Ok(Some(now + s * 1000)),
    }
}

/// The browser's "never expires" under a maximum: refused, since the
/// page does not offer it.
pub fn expiry_for_days(
    now: Millis,
    days: Option<u32>,
    max_days: Option<u32>,
) -> Result<Option<Millis>, AppError> {
    match (days, max_days) {
        (None, Some(_)) => Err(AppError::field("lifetime", "longer_than_allowed")),
        (None, None) => Ok(None),
        (Some(d), _) => expiry(now, Some(i64::from(d) * 86_400), max_days, "lifetime"),
    }
}

/// How far the expiry notices of a new key count as done: a key made to
/// live a day or a week needs no reminder that it ends (0 none sent yet,
/// 1 the 7-day notice, 2 both).
pub fn notices_done(now: Millis, expires_at: Option<Millis>) -> i32 {
    match expires_at.map(|at| at - now) {
        Some(left) if left <= DAY_MS => 2,
        Some(left) if left <= 7 * DAY_MS => 1,
        _ => 0,
    }
}

/// Reads an allow-list as typed: networks in CIDR notation or single
/// addresses, separated by commas, spaces or line breaks. Returns them in
/// their canonical form (host bits cleared), without repeats; an empty
/// text is an empty list (anywhere).
pub fn parse_nets(text: &str) -> Result<Vec<IpNet>, AppError> {
    const FIELD: &str = "allowed_nets";
    if text.len() > MAX_ALLOWED_NETS_TEXT {
        return Err(AppError::field(FIELD, "too_long"));
    }
    let mut nets: Vec<IpNet> = Vec::new();
    for part in text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
    {
        let net = part
            .parse::<IpNet>()
            .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
            .map_err(|_| AppError::field(FIELD, "invalid_network"))?
            .trunc();
        if !nets.contains(&net) {
            nets.push(net);
        }
        if nets.len() > MAX_ALLOWED_NETS {
            return Err(AppError::field(FIELD, "too_many_networks"));
        }
    }
    Ok(nets)
}

/// The stored form of an allow-list: `None` for anywhere.
pub fn stored(nets: &[IpNet]) -> Option<String> {
    (!nets.is_empty()).then(|| {
        nets.iter()
            .map(IpNet::to_string)
            .collect::<Vec<_>>()
            .join(",")
    })
}

/// The stored allow-list as a list, for the screens.
pub fn listed(stored: Option<&str>) -> Vec<String> {
    stored
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Whether a request from `client` may use a key with the stored
/// allow-list. No list: anywhere. A list and no known address: refused.
/// An IPv4 address seen as IPv6 (`::ffff:192.0.2.1`) is matched as IPv4.
pub fn allows(stored: Option<&str>, client: Option<&str>) -> bool {
    let Some(list) = stored.filter(|s| !s.is_empty()) else {
        return true;
    };
    let Some(ip) = client.and_then(|c| c.parse::<IpAddr>().ok()) else {
        return false;
    };
    let ip = ip.to_canonical();
    list.split(',')
        .filter_map(|n| n.parse::<IpNet>().ok())
        .any(|net| net.contains(&ip))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Millis = 1_800_000_000_000;

    fn field_code(err: AppError) -> String {
        match err {
            AppError::Validation { fields } => format!("{}:{}", fields[0].field, fields[0].code),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn without_a_maximum_a_key_may_live_forever() {
        assert_eq!(expiry(NOW, None, None, "e").unwrap(), None);
        assert_eq!(
            expiry(NOW, Some(3600), None, "e").unwrap(),
            Some(NOW + 3_600_000)
        );
        assert_eq!(
            field_code(expiry(NOW, Some(59), None, "e").unwrap_err()),
            "e:out_of_range"
        );
        assert_eq!(
            field_code(expiry(NOW, Some(MAX_SECONDS + 1), None, "e").unwrap_err()),
            "e:out_of_range"
        );
    }

    #[test]
    fn the_maximum_is_the_default_and_the_ceiling() {
        let max = Some(90);
        assert_eq!(
            expiry(NOW, None, max, "e").unwrap(),
            Some(NOW + 90 * DAY_MS)
        );
        assert_eq!(
            expiry(NOW, Some(90 * 86_400), max, "e").unwrap(),
            Some(NOW + 90 * DAY_MS)
        );
        assert_eq!(
            field_code(expiry(NOW, Some(90 * 86_400 + 1), max, "e").unwrap_err()),
            "e:longer_than_allowed"
        );
        assert_eq!(
            field_code(expiry_for_days(NOW, None, max).unwrap_err()),
            "lifetime:longer_than_allowed"
        );
        assert_eq!(
            field_code(expiry_for_days(NOW, Some(365), max).unwrap_err()),
            "lifetime:longer_than_allowed"
        );
        assert_eq!(
            expiry_for_days(NOW, Some(30), max).unwrap(),
            Some(NOW + 30 * DAY_MS)
        );
        assert_eq!(expiry_for_days(NOW, None, None).unwrap(), None);
    }

    #[test]
    fn short_lived_keys_skip_the_notices_they_do_not_need() {
        assert_eq!(notices_done(NOW, None), 0);
        assert_eq!(notices_done(NOW, Some(NOW + 30 * DAY_MS)), 0);
        assert_eq!(notices_done(NOW, Some(NOW + 7 * DAY_MS)), 1);
        assert_eq!(notices_done(NOW, Some(NOW + DAY_MS)), 2);
    }

    #[test]
    fn allow_lists_are_read_in_canonical_form() {
        let nets =
            parse_nets("203.0.113.7, 198.51.100.77/24\n2001:db8::1/32  203.0.113.7").unwrap();
        assert_eq!(
            stored(&nets).as_deref(),
            Some("203.0.113.7/32,198.51.100.0/24,2001:db8::/32")
        );
        assert_eq!(parse_nets(" \n ").unwrap(), vec![]);
        assert_eq!(stored(&[]), None);
        for bad in ["10.0.0.0/33", "example.com", "10.0.0.1/8/2", "::g"] {
            assert_eq!(
                field_code(parse_nets(bad).unwrap_err()),
                "allowed_nets:invalid_network",
                "{bad}"
            );
        }
        let many = (0..21)
            .map(|i| format!("10.0.{i}.0/24"))
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(
            field_code(parse_nets(&many).unwrap_err()),
            "allowed_nets:too_many_networks"
        );
        assert_eq!(
            field_code(parse_nets(&"1".repeat(MAX_ALLOWED_NETS_TEXT + 1)).unwrap_err()),
            "allowed_nets:too_long"
        );
    }

    #[test]
    fn addresses_are_matched_against_v4_and_v6_networks() {
        let list = Some("203.0.113.0/24,2001:db8::/32");
        assert!(allows(list, Some("203.0.113.9")));
        assert!(allows(list, Some("::ffff:203.0.113.9")));
        assert!(allows(list, Some("2001:db8:1::5")));
        assert!(!allows(list, Some("203.0.114.1")));
        assert!(!allows(list, Some("2001:db9::1")));
        assert!(!allows(list, None));
        assert!(!allows(list, Some("not an address")));
        assert!(allows(None, None));
        assert!(allows(None, Some("192.0.2.1")));
        assert_eq!(listed(list), vec!["203.0.113.0/24", "2001:db8::/32"]);
        assert!(listed(None).is_empty());
    }
}
