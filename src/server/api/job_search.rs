//! The query of `GET /api/v1/jobs` as it arrives, checked into a
//! [`JobQuery`]: a value that does not parse is a 400 naming the parameter.

use serde::Deserialize;

use super::problem::Problem;
use crate::model::job::{JobQuery, JobStatus, JobType};
use crate::model::time::{parse_date, parse_rfc3339};
use crate::server::services::jobs;

/// Search parameters as they arrive; checked into a [`JobQuery`].
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Text in the reference, customer name, phone, address or barcodes.
    q: Option<String>,
    #[param(value_type = Option<JobStatus>)]
    status: Option<String>,
    #[serde(rename = "type")]
    #[param(rename = "type", value_type = Option<JobType>)]
    kind: Option<String>,
    /// `YYYY-MM-DD`, inclusive.
    #[param(format = Date)]
    date_from: Option<String>,
    /// `YYYY-MM-DD`, inclusive.
    #[param(format = Date)]
    date_to: Option<String>,
    location_id: Option<String>,
    reference_id: Option<String>,
    /// RFC 3339; jobs changed at or after it.
    #[param(format = DateTime)]
    updated_since: Option<String>,
    /// 1 to 100, default 25.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

impl SearchParams {
    pub(super) fn check(self) -> Result<JobQuery, Problem> {
        let bad = |name: &str, what: &str| Problem::bad_request(format!("`{name}` {what}."));
        let date = |name: &str, v: Option<String>| match v.filter(|d| !d.is_empty()) {
            Some(d) if parse_date(&d).is_none() => Err(bad(name, "must be a date as YYYY-MM-DD")),
            other => Ok(other),
        };
        let blank = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(JobQuery {
            q: blank(self.q),
            status: match blank(self.status) {
                Some(s) => Some(
                    s.parse()
                        .map_err(|_| bad("status", "is not a job status"))?,
                ),
                None => None,
            },
            kind: match blank(self.kind) {
                Some(s) => Some(s.parse().map_err(|_| bad("type", "is not a job type"))?),
                None => None,
            },
            date_from: date("date_from", self.date_from)?,
            date_to: date("date_to", self.date_to)?,
            location_id: blank(self.location_id),
            reference_id: blank(self.reference_id),
            updated_since: match blank(self.updated_since) {
                Some(t) => Some(
                    parse_rfc3339(&t).ok_or_else(|| bad("updated_since", "must be RFC 3339"))?,
                ),
                None => None,
            },
            limit: match blank(self.limit) {
                Some(l) => Some(
                    l.parse::<u32>()
                        .ok()
                        .filter(|l| (1..=jobs::MAX_LIMIT).contains(l))
                        .ok_or_else(|| bad("limit", "must be a whole number from 1 to 100"))?,
                ),
                None => None,
            },
            cursor: blank(self.cursor),
        })
    }
}
