//! What clients send to create and change jobs and actions (docs/api.md),
//! from the API, the server functions and the forms posted without
//! JavaScript alike.

use serde::{Deserialize, Serialize};

use super::job::{Action, Address, Customer, Job, TimeWindow};
#[cfg(feature = "ssr")]
use super::job::{ActionStatus, JobType};

/// What a client sends to create an action, alone or inline in a job.
/// Missing required fields become field errors (422), not parse errors.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct ActionIn {
    #[cfg_attr(feature = "ssr", schema(max_length = 64))]
    pub external_reference_id: Option<String>,
    #[cfg_attr(feature = "ssr", schema(max_length = 64))]
    pub sku: Option<String>,
    /// Defaults to `delivery`.
    #[serde(rename = "type")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<JobType>))]
    pub kind: Option<String>,
    #[cfg_attr(feature = "ssr", schema(required, min_length = 1, max_length = 200))]
    pub description: String,
    /// 1 to 100 000; defaults to 1.
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 100_000))]
    pub quantity: Option<i64>,
    #[cfg_attr(feature = "ssr", schema(max_length = 20))]
    pub quantity_unit: Option<String>,
    #[cfg_attr(feature = "ssr", schema(minimum = 0.0, maximum = 1e9))]
    pub value: Option<f64>,
    #[cfg_attr(feature = "ssr", schema(minimum = 0.0, maximum = 1e5))]
    pub weight_kg: Option<f64>,
    /// Administrators record outcomes; a merchant may only leave it
    /// `undetermined`.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<ActionStatus>))]
    pub status: Option<String>,
}

/// What a client sends to create a job. The server owns `id`, `status`,
/// `created_by`, `creation_source`, `version` and the times: sending them is
/// an unknown field (400).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct JobIn {
    /// Your own reference, unique among the jobs you created: letters,
    /// digits and `- _ . /`.
    #[cfg_attr(
        feature = "ssr",
        schema(max_length = 64, pattern = "^[A-Za-z0-9._/-]*$")
    )]
    pub reference_id: Option<String>,
    #[serde(rename = "type")]
    #[cfg_attr(feature = "ssr", schema(value_type = JobType, required))]
    pub kind: String,
    /// `YYYY-MM-DD`, years 1900 to 9999.
    #[cfg_attr(
        feature = "ssr",
        schema(
            required,
            format = Date,
            example = "2026-12-01"
        )
    )]
    pub date: String,
    pub time_window: Option<TimeWindow>,
    #[cfg_attr(feature = "ssr", schema(required))]
    pub customer: Customer,
    #[cfg_attr(feature = "ssr", schema(required))]
    pub address: Address,
    /// For a merchant, one of the merchant's locations.
    #[cfg_attr(feature = "ssr", schema(required, min_length = 1, max_length = 64))]
    pub location_id: String,
    #[cfg_attr(feature = "ssr", schema(max_length = 500))]
    pub description: Option<String>,
    #[cfg_attr(feature = "ssr", schema(max_length = 2000))]
    pub comment: Option<String>,
    /// At most 50, each at most 64 characters.
    #[cfg_attr(feature = "ssr", schema(max_items = 50))]
    pub barcodes: Vec<String>,
    /// At most 200.
    #[cfg_attr(feature = "ssr", schema(max_items = 200))]
    pub actions: Vec<ActionIn>,
}

impl JobIn {
    /// The job form's fields as a browser posts them (docs/architecture.md,
    /// Forms without JavaScript): the same names as the API's paths
    /// (`customer.phone`), one `action.*` value per action line, in order.
    pub fn from_fields(form: &super::forms::PostedForm) -> JobIn {
        let some = |name: &str| Some(form.text(name));
        let number = |name: &str| form.value(name).and_then(|v| v.trim().parse::<f64>().ok());
        let (start, end) = (form.text("time_window.start"), form.text("time_window.end"));
        JobIn {
            reference_id: some("reference_id"),
            kind: form.text("type"),
            date: form.text("date"),
            time_window: (!start.trim().is_empty() || !end.trim().is_empty())
                .then_some(TimeWindow { start, end }),
            customer: Customer {
                first_name: form.text("customer.first_name"),
                last_name: some("customer.last_name"),
                phone: form.text("customer.phone"),
                mobile: some("customer.mobile"),
                email: some("customer.email"),
            },
            address: Address {
                line1: form.text("address.line1"),
                apartment: some("address.apartment"),
                city: some("address.city"),
                postal_code: some("address.postal_code"),
                country: some("address.country"),
                lat: number("address.lat"),
                lng: number("address.lng"),
            },
            location_id: form.text("location_id"),
            description: some("description"),
            comment: some("comment"),
            barcodes: form
                .text("barcodes")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            actions: action_lines(form),
        }
    }

    /// The editable fields of `job`, as a client would send them back
    /// (actions are edited one by one, so they are left out).
    pub fn from_job(job: &Job) -> Self {
        let f = job.fields.clone();
        JobIn {
            reference_id: f.reference_id,
            kind: f.kind.as_str().to_owned(),
            date: f.date,
            time_window: f.time_window,
            customer: f.customer,
            address: f.address,
            location_id: f.location_id,
            description: f.description,
            comment: f.comment,
            barcodes: f.barcodes,
            actions: Vec::new(),
        }
    }
}

impl ActionIn {
    pub fn from_action(action: &Action) -> Self {
        ActionIn {
            external_reference_id: action.external_reference_id.clone(),
            sku: action.sku.clone(),
            kind: Some(action.kind.as_str().to_owned()),
            description: action.description.clone(),
            quantity: Some(action.quantity),
            quantity_unit: action.quantity_unit.clone(),
            value: action.value,
            weight_kg: action.weight_kg,
            status: Some(action.status.as_str().to_owned()),
        }
    }

    /// An action line of the job form: a blank quantity is the default
    /// (1), one that is not a number is out of range.
    pub fn line(description: String, sku: String, quantity: &str, unit: String) -> ActionIn {
        let quantity = quantity.trim();
        ActionIn {
            description,
            sku: Some(sku),
            quantity: (!quantity.is_empty()).then(|| quantity.parse().unwrap_or(0)),
            quantity_unit: Some(unit),
            ..Default::default()
        }
    }
}

/// The action lines of a posted job form: `action.description`,
/// `action.sku`, `action.quantity` and `action.unit`, one of each per line.
/// A line left blank (no description, SKU or unit) is no action: without
/// JavaScript the form's one line cannot be removed.
fn action_lines(form: &super::forms::PostedForm) -> Vec<ActionIn> {
    let [descriptions, skus, quantities, units] = [
        "action.description",
        "action.sku",
        "action.quantity",
        "action.unit",
    ]
    .map(|name| form.values(name));
    descriptions
        .into_iter()
        .enumerate()
        .map(|(i, description)| {
            let at = |list: &Vec<String>| list.get(i).cloned().unwrap_or_default();
            ActionIn::line(description, at(&skus), &at(&quantities), at(&units))
        })
        .filter(|a| {
            let blank = |v: &Option<String>| v.as_deref().is_none_or(|v| v.trim().is_empty());
            !(a.description.trim().is_empty() && blank(&a.sku) && blank(&a.quantity_unit))
        })
        .collect()
}
