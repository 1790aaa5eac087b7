//! Job search for the API and the screens: a page of full jobs, newest
//! first, and an opaque cursor for the next page.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::Caller;
use crate::error::{AppError, FieldError};
use crate::model::job::{JobPage, JobQuery};
use crate::model::time::parse_date;
use crate::server::AppState;
use crate::server::db::jobs;

pub const DEFAULT_LIMIT: u32 = 25;
pub const MAX_LIMIT: u32 = 100;
/// The longest text a search looks for, in characters. Nothing a person
/// types to find a job (a reference, a name, a phone, an address) comes
/// near it, and planning and matching cost grows with it: a longer `q` is
/// refused (`too_long`) before any work (docs/security.md).
pub const MAX_Q: usize = 200;
/// The longest id-like filter (`location_id`, `reference_id`, `cursor`).
const MAX_TOKEN: usize = 100;

/// An opaque cursor: the last id of the page, so later pages neither skip
/// nor repeat jobs while new ones are created (they sort before it).
fn encode_cursor(id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("v1:{id}"))
}

fn decode_cursor(cursor: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor.trim()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let id = text.strip_prefix("v1:job_")?;
    (id.len() == 26 && id.chars().all(|c| c.is_ascii_alphanumeric())).then(|| format!("job_{id}"))
}

pub async fn search(
    state: &AppState,
    caller: &Caller,
    query: &JobQuery,
) -> Result<JobPage, AppError> {
    check_bounds(query)?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(AppError::Request {
            detail: format!("`limit` must be between 1 and {MAX_LIMIT}."),
        });
    }
    let after = match query.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(decode_cursor(c).ok_or_else(|| AppError::Request {
            detail: "`cursor` is not one this API gave out.".into(),
        })?),
        None => None,
    };
    let mut data = jobs::search(
        &state.db,
        &caller.scope(),
        query,
        after.as_deref(),
        limit + 1,
    )
    .await?;
    let next_cursor = if data.len() > limit as usize {
        data.truncate(limit as usize);
        data.last().map(|j| encode_cursor(&j.id))
    } else {
        None
    };
    Ok(JobPage { data, next_cursor })
}

/// Every free-text filter is bounded before the search runs, whichever
/// door it came through (the API checks its query string, but a server
/// function receives a `JobQuery` as the browser sent it).
fn check_bounds(query: &JobQuery) -> Result<(), AppError> {
    let mut errors = Vec::new();
    let over =
        |v: &Option<String>, max: usize| v.as_deref().is_some_and(|s| s.chars().count() > max);
    if over(&query.q, MAX_Q) {
        errors.push(FieldError::new("q", "too_long"));
    }
    for (name, value) in [
        ("location_id", &query.location_id),
        ("reference_id", &query.reference_id),
        ("cursor", &query.cursor),
    ] {
        if over(value, MAX_TOKEN) {
            errors.push(FieldError::new(name, "too_long"));
        }
    }
    for (name, value) in [("date_from", &query.date_from), ("date_to", &query.date_to)] {
        if value
            .as_deref()
            .is_some_and(|d| !d.is_empty() && parse_date(d).is_none())
        {
            errors.push(FieldError::new(name, "invalid_date"));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::validation(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_anything_else() {
        let id = "job_01jdx7k3m5n8p9q2r4s6t8v0w2";
        assert_eq!(decode_cursor(&encode_cursor(id)).as_deref(), Some(id));
        assert_eq!(decode_cursor("job_01jdx7k3m5n8p9q2r4s6t8v0w2"), None);
        assert_eq!(
            decode_cursor(&URL_SAFE_NO_PAD.encode("v1:job_' OR 1=1")),
            None
        );
        assert_eq!(decode_cursor("%%%"), None);
    }
}
