//! Rows of `jobs` and `actions`, and their assembly into the wire shape.

use crate::model::job::{Action, Address, CreatedBy, Customer, Job, TimeWindow};
use crate::model::time::rfc3339;

pub(super) const JOB_COLUMNS: &str = "id, reference_id, type, status, date, window_start, window_end, \
     first_name, last_name, phone, mobile, email, line1, apartment, city, postal_code, country, \
     lat, lng, location_id, description, comment, barcodes, created_by_user, created_by_account, \
     creation_source, version, created_at, updated_at";

pub(super) const ACTION_COLUMNS: &str = "id, job_id, external_reference_id, sku, type, description, quantity, \
     quantity_unit, value, weight_kg, status, created_at, updated_at";

#[derive(sqlx::FromRow)]
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
        Ok(Job {
            kind: parse(&self.kind)?,
            status: parse(&self.status)?,
            creation_source: parse(&self.creation_source)?,
            barcodes: serde_json::from_str(&self.barcodes).unwrap_or_default(),
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
            id: self.id,
            reference_id: self.reference_id,
            date: self.date,
            location_id: self.location_id,
            description: self.description,
            comment: self.comment,
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

#[derive(sqlx::FromRow)]
pub(super) struct ActionRow {
    id: String,
    job_id: String,
    external_reference_id: Option<String>,
    sku: Option<String>,
    #[sqlx(rename = "type")]
    kind: String,
    description: String,
    quantity: i64,
    quantity_unit: Option<String>,
    value: Option<f64>,
    weight_kg: Option<f64>,
    status: String,
    created_at: i64,
    updated_at: i64,
}

impl ActionRow {
    fn into_action(self) -> Result<Action, sqlx::Error> {
        Ok(Action {
            kind: parse(&self.kind)?,
            status: parse(&self.status)?,
            id: self.id,
            external_reference_id: self.external_reference_id,
            sku: self.sku,
            description: self.description,
            quantity: self.quantity,
            quantity_unit: self.quantity_unit,
            value: self.value,
            weight_kg: self.weight_kg,
            created_at: rfc3339(self.created_at),
            updated_at: rfc3339(self.updated_at),
        })
    }
}

/// Puts each job's actions (ordered by position) under it.
pub(super) fn assemble(
    jobs: Vec<JobRow>,
    actions: Vec<ActionRow>,
) -> Result<Vec<Job>, sqlx::Error> {
    let mut by_job: std::collections::HashMap<String, Vec<Action>> = Default::default();
    for a in actions {
        by_job
            .entry(a.job_id.clone())
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
