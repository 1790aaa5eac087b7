//! Checking what clients send for jobs and actions: every problem at once,
//! each named by its field path (`customer.phone`, `actions[3].quantity`)
//! with a code the UI translates and the API spells out.

use crate::error::{AppError, FieldError};
use crate::model::job::{
    Action, ActionIn, ActionStatus, Address, Customer, JobFields, JobIn, JobType, TimeWindow,
};
use crate::model::time::parse_date;
use crate::validate;

/// A job has at most this many actions (docs/rules.md, What Livreur keeps: Action).
pub const MAX_ACTIONS: usize = 200;
pub const MAX_BARCODES: usize = 50;

/// A checked job: its fields as the job will show them, and the actions
/// to create with it.
#[derive(Debug, Clone, PartialEq)]
pub struct CleanJob {
    pub fields: JobFields,
    pub actions: Vec<CleanAction>,
}

/// The checked fields of an action.
#[derive(Debug, Clone, PartialEq)]
pub struct CleanAction {
    pub external_reference_id: Option<String>,
    pub sku: Option<String>,
    pub kind: JobType,
    pub description: String,
    pub quantity: i64,
    pub quantity_unit: Option<String>,
    pub value: Option<f64>,
    pub weight_kg: Option<f64>,
    pub status: ActionStatus,
}

impl CleanAction {
    pub fn into_action(self, id: String, created_at: String, updated_at: String) -> Action {
        Action {
            id,
            external_reference_id: self.external_reference_id,
            sku: self.sku,
            kind: self.kind,
            description: self.description,
            quantity: self.quantity,
            quantity_unit: self.quantity_unit,
            value: self.value,
            weight_kg: self.weight_kg,
            status: self.status,
            created_at,
            updated_at,
        }
    }
}

/// Collects field errors under a path prefix.
struct Errors<'a> {
    prefix: String,
    list: &'a mut Vec<FieldError>,
}

impl Errors<'_> {
    fn add(&mut self, field: &str, code: &str) {
        self.list
            .push(FieldError::new(format!("{}{field}", self.prefix), code));
    }

    /// A trimmed optional text; blank becomes `None`.
    fn optional(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        validate::optional_text(value, max)
            .map_err(|code| self.add(field, code))
            .ok()
            .flatten()
    }

    fn required(&mut self, field: &str, value: &str, max: usize) -> String {
        if let Err(code) = validate::text(value, max) {
            self.add(field, code);
        }
        value.trim().to_owned()
    }

    fn phone(&mut self, field: &str, value: &str) {
        if let Err(code) = phone(value) {
            self.add(field, code);
        }
    }
}

/// Digits with the usual separators, 5 to 20 digits in all.
fn phone(value: &str) -> Result<(), &'static str> {
    let value = value.trim();
    if value.is_empty() {
        return Err("required");
    }
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let allowed = value
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')' | '.'));
    if !allowed || !(5..=20).contains(&digits) || value.len() > 30 {
        return Err("invalid_phone");
    }
    Ok(())
}

/// `HH:MM` on a 24-hour clock, as minutes since midnight.
fn clock_time(value: &str) -> Option<u32> {
    let (h, m) = value.split_once(':')?;
    if h.len() != 2 || m.len() != 2 || !(h.chars().chain(m.chars())).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

fn finite_in(value: Option<f64>, min: f64, max: f64) -> bool {
    value.is_none_or(|v| v.is_finite() && (min..=max).contains(&v))
}

/// Checks a job. `merchant` callers may not record action outcomes.
pub fn job(input: &JobIn, merchant: bool) -> Result<CleanJob, AppError> {
    let mut list = Vec::new();
    let mut e = Errors {
        prefix: String::new(),
        list: &mut list,
    };
    let reference_id = match input.reference_id.as_deref().map(str::trim) {
        Some(r) if !r.is_empty() => {
            if let Err(code) = validate::reference(r, 64) {
                e.add("reference_id", code);
            }
            Some(r.to_owned())
        }
        _ => None,
    };
    let kind = match input.kind.trim() {
        "" => {
            e.add("type", "required");
            None
        }
        k => k
            .parse::<JobType>()
            .map_err(|_| e.add("type", "invalid_choice"))
            .ok(),
    };
    let date = input.date.trim().to_owned();
    if date.is_empty() {
        e.add("date", "required");
    } else if parse_date(&date).is_none() {
        e.add("date", "invalid_date");
    }
    let time_window = input.time_window.as_ref().map(|w| TimeWindow {
        start: w.start.trim().to_owned(),
        end: w.end.trim().to_owned(),
    });
    if let Some(w) = &time_window {
        match (clock_time(&w.start), clock_time(&w.end)) {
            (Some(s), Some(end)) if s >= end => e.add("time_window.end", "window_order"),
            (s, end) => {
                if s.is_none() {
                    e.add("time_window.start", "invalid_time");
                }
                if end.is_none() {
                    e.add("time_window.end", "invalid_time");
                }
            }
        }
    }
    let c = &input.customer;
    let first_name = e.required("customer.first_name", &c.first_name, 100);
    let last_name = e.optional("customer.last_name", c.last_name.as_deref(), 100);
    e.phone("customer.phone", &c.phone);
    let mobile = e.optional("customer.mobile", c.mobile.as_deref(), 30);
    if let Some(m) = &mobile {
        e.phone("customer.mobile", m);
    }
    let email = e.optional("customer.email", c.email.as_deref(), 254);
    if let Some(Err(code)) = email.as_deref().map(validate::email) {
        e.add("customer.email", code);
    }
    let a = &input.address;
    let line1 = e.required("address.line1", &a.line1, 200);
    let apartment = e.optional("address.apartment", a.apartment.as_deref(), 50);
    let city = e.optional("address.city", a.city.as_deref(), 100);
    let postal_code = e.optional("address.postal_code", a.postal_code.as_deref(), 20);
    let country = e
        .optional("address.country", a.country.as_deref(), 2)
        .map(|c| c.to_ascii_uppercase());
    if country
        .as_deref()
        .is_some_and(|c| c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_uppercase()))
    {
        e.add("address.country", "invalid_country");
    }
    if a.lat.is_some() != a.lng.is_some() {
        e.add("address.lng", "coordinates_pair");
    }
    if !finite_in(a.lat, -90.0, 90.0) {
        e.add("address.lat", "out_of_range");
    }
    if !finite_in(a.lng, -180.0, 180.0) {
        e.add("address.lng", "out_of_range");
    }
    let location_id = input.location_id.trim().to_owned();
    if location_id.is_empty() {
        e.add("location_id", "required");
    }
    let description = e.optional("description", input.description.as_deref(), 500);
    let comment = e.optional("comment", input.comment.as_deref(), 2000);
    let mut barcodes = Vec::new();
    if input.barcodes.len() > MAX_BARCODES {
        e.add("barcodes", "too_many");
    } else {
        for (i, b) in input.barcodes.iter().enumerate() {
            let b = b.trim();
            if let Err(code) = validate::text(b, 64) {
                e.add(&format!("barcodes[{i}]"), code);
            } else if !barcodes.iter().any(|x| x == b) {
                barcodes.push(b.to_owned());
            }
        }
    }
    let mut actions = Vec::new();
    if input.actions.len() > MAX_ACTIONS {
        e.add("actions", "too_many");
    } else {
        for (i, a) in input.actions.iter().enumerate() {
            let prefix = format!("actions[{i}].");
            if let Some(clean) = action_into(a, merchant, &prefix, e.list) {
                actions.push(clean);
            }
        }
    }
    match kind {
        Some(kind) if list.is_empty() => Ok(CleanJob {
            fields: JobFields {
                reference_id,
                kind,
                date,
                time_window,
                customer: Customer {
                    first_name,
                    last_name,
                    phone: c.phone.trim().to_owned(),
                    mobile,
                    email: email.map(|m| m.trim().to_owned()),
                },
                address: Address {
                    line1,
                    apartment,
                    city,
                    postal_code,
                    country,
                    lat: a.lat,
                    lng: a.lng,
                },
                location_id,
                description,
                comment,
                barcodes,
            },
            actions,
        }),
        _ => Err(AppError::validation(list)),
    }
}

/// Checks one action on its own.
pub fn action(input: &ActionIn, merchant: bool) -> Result<CleanAction, AppError> {
    let mut list = Vec::new();
    match action_into(input, merchant, "", &mut list) {
        Some(clean) => Ok(clean),
        None => Err(AppError::validation(list)),
    }
}

fn action_into(
    input: &ActionIn,
    merchant: bool,
    prefix: &str,
    list: &mut Vec<FieldError>,
) -> Option<CleanAction> {
    let before = list.len();
    let mut e = Errors {
        prefix: prefix.to_owned(),
        list,
    };
    let external_reference_id = e.optional(
        "external_reference_id",
        input.external_reference_id.as_deref(),
        64,
    );
    let sku = e.optional("sku", input.sku.as_deref(), 64);
    let kind = match input.kind.as_deref().map(str::trim) {
        None | Some("") => Some(JobType::Delivery),
        Some(k) => k
            .parse::<JobType>()
            .map_err(|_| e.add("type", "invalid_choice"))
            .ok(),
    };
    let description = e.required("description", &input.description, 200);
    let quantity = input.quantity.unwrap_or(1);
    if !(1..=100_000).contains(&quantity) {
        e.add("quantity", "out_of_range");
    }
    let quantity_unit = e.optional("quantity_unit", input.quantity_unit.as_deref(), 20);
    if !finite_in(input.value, 0.0, 1e9) {
        e.add("value", "out_of_range");
    }
    if !finite_in(input.weight_kg, 0.0, 1e5) {
        e.add("weight_kg", "out_of_range");
    }
    let status = match input.status.as_deref().map(str::trim) {
        None | Some("") => Some(ActionStatus::Undetermined),
        Some(s) => match s.parse::<ActionStatus>() {
            Ok(ActionStatus::Undetermined) => Some(ActionStatus::Undetermined),
            Ok(_) if merchant => {
                e.add("status", "read_only");
                None
            }
            Ok(status) => Some(status),
            Err(_) => {
                e.add("status", "invalid_choice");
                None
            }
        },
    };
    if e.list.len() > before {
        return None;
    }
    Some(CleanAction {
        external_reference_id,
        sku,
        kind: kind?,
        description,
        quantity,
        quantity_unit,
        value: input.value,
        weight_kg: input.weight_kg,
        status: status?,
    })
}

#[cfg(test)]
#[path = "clean_tests.rs"]
mod tests;
