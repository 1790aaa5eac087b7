//! Rows of `jobs` and `actions`, and their assembly into the wire shape.

use super::columns::{ACTION_WRITTEN, JOB_WRITTEN};
use crate::model::job::{Action, Address, CreatedBy, Customer, Job, JobFields, TimeWindow};
use crate::model::time::rfc3339;
use sqlx::FromRow;
use std::sync::LazyLock;

/// What a job read selects: the written columns (see `columns.rs`) and the
/// server's own. `JobRow` below names each of them.
static JOB_COLUMNS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "id, {}, created_by_user, created_by_account, creation_source, created_at, updated_at",
        JOB_WRITTEN.join(", ")
    )
});

/// An action's columns, from `actions a`, named `a_…` so that they can sit
/// beside a job's in one row (see [`job_from_rows`]).
static ACTION_COLUMNS: LazyLock<String> = LazyLock::new(|| {
    ["id", "job_id"]
        .iter()
        .chain(ACTION_WRITTEN.iter())
        .chain(["created_at", "updated_at"].iter())
        .map(|c| format!("a.{c} AS a_{c}"))
        .collect::<Vec<_>>()
        .join(", ")
});

pub(super) fn job_columns() -> &'static str {
    &JOB_COLUMNS
}

pub(super) fn action_columns() -> &'static str {
    &ACTION_COLUMNS
}

#[derive(FromRow)]
pub(super) struct JobRow {
    pub(super) id: String,
    reference_id: Option<String>,
    #[sqlx(rename = "type")]
    kind: String,
    status: String,
    date: String,
    window_start: Option<String>,
    window_end: Option<String>,
    first_name: String,
    last_name: Option<String>,
    phone: String,
    mobile: Option<String>,
    email: Option<String>,
    line1: String,
    apartment: Option<String>,
    city: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
    lat: Option<f64>,
    lng: Option<f64>,
    location_id: String,
    description: Option<String>,
    comment: Option<String>,
    barcodes: String,
    created_by_user: String,
    created_by_account: Option<String>,
    creation_source: String,
    version: i64,
    created_at: i64,
    updated_at: i64,
}

/// A stored value the CHECK constraints allow always parses; should one
/// not, the row is reported as a database error rather than a panic.
fn parse<T: std::str::FromStr>(text: &str) -> Result<T, sqlx::Error> {
    text.parse()
        .map_err(|_| sqlx::Error::Decode(format!("unexpected stored value {text:?}").into()))
}

impl JobRow {
    fn into_job(self, actions: Vec<Action>) -> Result<Job, sqlx::Error> {
        let fields = JobFields {
            reference_id: self.reference_id,
            kind: parse(&self.kind)?,
            date: self.date,
            time_window: match (self.window_start, self.window_end) {
                (Some(start), Some(end)) => Some(TimeWindow { start, end }),
                _ => None,
            },
            customer: Customer {
                first_name: self.first_name,
                last_name: self.last_name,
                phone: self.phone,
                mobile: self.mobile,
                email: self.email,
            },
            address: Address {
                line1: self.line1,
                apartment: self.apartment,
                city: self.city,
                postal_code: self.postal_code,
                country: self.country,
                lat: self.lat,
                lng: self.lng,
            },
            location_id: self.location_id,
            description: self.description,
            comment: self.comment,
            barcodes: serde_json::from_str(&self.barcodes).unwrap_or_default(),
        };
        Ok(Job {
            id: self.id,
            fields,
            status: parse(&self.status)?,
            creation_source: parse(&self.creation_source)?,
            created_by: CreatedBy {
                user_id: self.created_by_user,
                account_id: self.created_by_account,
            },
            version: self.version,
            created_at: rfc3339(self.created_at),
            updated_at: rfc3339(self.updated_at),
            actions,
        })
    }
}

#[derive(FromRow)]
pub(super) struct ActionRow {
    a_id: String,
    a_job_id: String,
    a_external_reference_id: Option<String>,
    a_sku: Option<String>,
    a_type: String,
    a_description: String,
    a_quantity: i64,
    a_quantity_unit: Option<String>,
    a_value: Option<f64>,
    a_weight_kg: Option<f64>,
    a_status: String,
    a_created_at: i64,
    a_updated_at: i64,
}

impl ActionRow {
    fn into_action(self) -> Result<Action, sqlx::Error> {
        Ok(Action {
            kind: parse(&self.a_type)?,
            status: parse(&self.a_status)?,
            id: self.a_id,
            external_reference_id: self.a_external_reference_id,
            sku: self.a_sku,
            description: self.a_description,
            quantity: self.a_quantity,
            quantity_unit: self.a_quantity_unit,
            value: self.a_value,
            weight_kg: self.a_weight_kg,
            created_at: rfc3339(self.a_created_at),
            updated_at: rfc3339(self.a_updated_at),
        })
    }
}

/// One job from the rows of `jobs LEFT JOIN actions`: the job's columns
/// (read from the first row) beside one action each, in order; a job
/// without actions is one row whose action columns are NULL. One query
/// instead of two: on SQLite each query is a hand-off to the connection's
/// thread and back, which costs more than the repeated job columns.
pub(super) fn job_from_rows<R>(rows: &[R]) -> Result<Option<Job>, sqlx::Error>
where
    R: sqlx::Row,
    JobRow: for<'r> FromRow<'r, R>,
    ActionRow: for<'r> FromRow<'r, R>,
    Option<String>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    &'static str: sqlx::ColumnIndex<R>,
{
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let mut actions = Vec::with_capacity(rows.len());
    for row in rows {
        if row.try_get::<Option<String>, _>("a_id")?.is_some() {
            actions.push(ActionRow::from_row(row)?.into_action()?);
        }
    }
    JobRow::from_row(first)?.into_job(actions).map(Some)
}

/// Puts each job's actions (ordered by position) under it.
pub(super) fn assemble(
    jobs: Vec<JobRow>,
    actions: Vec<ActionRow>,
) -> Result<Vec<Job>, sqlx::Error> {
    let mut by_job: std::collections::HashMap<String, Vec<Action>> = Default::default();
    for a in actions {
        by_job
            .entry(a.a_job_id.clone())
            .or_default()
            .push(a.into_action()?);
    }
    jobs.into_iter()
        .map(|j| {
            let actions = by_job.remove(&j.id).unwrap_or_default();
            j.into_job(actions)
        })
        .collect()
}
