//! Input checks shared by the browser (instant feedback) and the server
//! (the rule that counts). Each returns a field error code.

/// A pragmatic e-mail check: one `@`, something on both sides, a dot in the
/// domain, no spaces, at most 254 characters (RFC 5321). Deliverability is
/// not ours to judge.
pub fn email(value: &str) -> Result<(), &'static str> {
    let value = value.trim();
    if value.is_empty() {
        return Err("required");
    }
    if value.len() > 254 {
        return Err("too_long");
    }
    let Some((local, domain)) = value.split_once('@') else {
        return Err("invalid_email");
    };
    let ok = !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !value.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok { Ok(()) } else { Err("invalid_email") }
}

/// A required free-text field of at most `max` characters.
pub fn text(value: &str, max: usize) -> Result<(), &'static str> {
    let value = value.trim();
    if value.is_empty() {
        Err("required")
    } else if value.chars().count() > max {
        Err("too_long")
    } else if value.chars().any(|c| c.is_control()) {
        Err("invalid")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(email("ana@example.com"), Ok(()));
        assert_eq!(email("  Ana.Roy+ops@Example.co.uk "), Ok(()));
        assert_eq!(email(""), Err("required"));
        assert_eq!(email("ana"), Err("invalid_email"));
        assert_eq!(email("ana@localhost"), Err("invalid_email"));
        assert_eq!(email("a b@example.com"), Err("invalid_email"));
        assert_eq!(email("a@b@example.com"), Err("invalid_email"));
        assert_eq!(email("@example.com"), Err("invalid_email"));
        assert_eq!(
            email(&format!("{}@example.com", "a".repeat(250))),
            Err("too_long")
        );
    }

    #[test]
    fn texts() {
        assert_eq!(text("Dépôt Nord", 10), Ok(()));
        assert_eq!(text("   ", 10), Err("required"));
        assert_eq!(text("abcdefghijk", 10), Err("too_long"));
        assert_eq!(text("a\u{0}b", 10), Err("invalid"));
    }
}

/// A reference number: letters, digits, `-`, `_`, `.`, `/`, at most `max`.
pub fn reference(value: &str, max: usize) -> Result<(), &'static str> {
    let value = value.trim();
    if value.is_empty() {
        Err("required")
    } else if value.chars().count() > max {
        Err("too_long")
    } else if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
    {
        Err("invalid_reference")
    } else {
        Ok(())
    }
}

/// An optional free-text field: blank means absent. Returns the trimmed
/// value to store.
pub fn optional_text(value: Option<&str>, max: usize) -> Result<Option<String>, &'static str> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => text(v, max).map(|()| Some(v.to_owned())),
    }
}

/// An IANA time zone name in its usual shape (`UTC`, `America/Montreal`,
/// `America/Argentina/Buenos_Aires`, `Etc/GMT+5`). Only the shape: the
/// browser build has no time zone database; the server's
/// `server::zones::check` adds that the database knows the name.
pub fn timezone(value: &str) -> Result<(), &'static str> {
    let ok = !value.is_empty()
        && value.len() <= 64
        && value.split('/').all(|part| {
            !part.is_empty()
                && part.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
        });
    if ok { Ok(()) } else { Err("invalid_timezone") }
}

#[cfg(test)]
mod more_tests {
    use super::*;

    #[test]
    fn references() {
        assert_eq!(reference("MTL-01", 40), Ok(()));
        assert_eq!(reference("", 40), Err("required"));
        assert_eq!(reference("MTL 01", 40), Err("invalid_reference"));
        assert_eq!(reference(&"A".repeat(41), 40), Err("too_long"));
    }

    #[test]
    fn optional_texts() {
        assert_eq!(optional_text(None, 5), Ok(None));
        assert_eq!(optional_text(Some("  "), 5), Ok(None));
        assert_eq!(optional_text(Some(" ab "), 5), Ok(Some("ab".into())));
        assert_eq!(optional_text(Some("abcdef"), 5), Err("too_long"));
    }

    #[test]
    fn timezones() {
        for ok in [
            "UTC",
            "America/Montreal",
            "America/Argentina/Buenos_Aires",
            "Etc/GMT+5",
        ] {
            assert_eq!(timezone(ok), Ok(()), "{ok}");
        }
        for bad in ["", "America/", "/UTC", "Europe/Paris;DROP", "1/2"] {
            assert_eq!(timezone(bad), Err("invalid_timezone"), "{bad}");
        }
    }
}
