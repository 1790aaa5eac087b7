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
