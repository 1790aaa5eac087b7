//! Locations: create, change, deactivate. Administrators only.

use serde_json::json;

use super::Caller;
use crate::error::{AppError, FieldError};
use crate::model::org::{Location, LocationIn, LocationKind};
use crate::server::AppState;
use crate::server::clock::Millis;
use crate::server::db::audit::{self, Entry};
use crate::server::db::{Tx, is_unique_violation, locations};
use crate::server::{ids, zones};
use crate::validate;

/// A location's fields, trimmed and checked.
struct Clean {
    name: String,
    kind: LocationKind,
    ref_no: String,
    address: Option<String>,
    timezone: Option<String>,
}

impl Clean {
    /// `location` with the checked fields in place of its own.
    fn onto(self, location: Location) -> Location {
        Location {
            name: self.name,
            kind: self.kind,
            ref_no: self.ref_no,
            address: self.address,
            timezone: self.timezone,
            ..location
        }
    }
}

/// Trims and checks every field; collects all problems at once.
fn clean(input: &LocationIn) -> Result<Clean, AppError> {
    let mut errors = Vec::new();
    let name = input.name.trim().to_owned();
    if let Err(code) = validate::text(&name, 120) {
        errors.push(FieldError::new("name", code));
    }
    let kind = input.kind.parse::<LocationKind>();
    if kind.is_err() {
        errors.push(FieldError::new("kind", "invalid_choice"));
    }
    let ref_no = input.ref_no.trim().to_owned();
    if let Err(code) = validate::reference(&ref_no, 40) {
        errors.push(FieldError::new("ref_no", code));
    }
    let address = validate::optional_text(input.address.as_deref(), 300)
        .map_err(|code| errors.push(FieldError::new("address", code)))
        .ok()
        .flatten();
    let timezone = match input
        .timezone
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        Some(tz) if zones::check(tz).is_err() => {
            errors.push(FieldError::new("timezone", "invalid_timezone"));
            None
        }
        other => other.map(str::to_owned),
    };
    match kind {
        Ok(kind) if errors.is_empty() => Ok(Clean {
            name,
            kind,
            ref_no,
            address,
            timezone,
        }),
        _ => Err(AppError::validation(errors)),
    }
}

pub async fn list(state: &AppState, caller: &Caller) -> Result<Vec<Location>, AppError> {
    caller.require_admin()?;
    Ok(locations::list(&state.db).await?)
}

pub async fn get(state: &AppState, caller: &Caller, id: &str) -> Result<Location, AppError> {
    caller.require_admin()?;
    locations::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn create(
    state: &AppState,
    caller: &Caller,
    input: &LocationIn,
) -> Result<Location, AppError> {
    caller.require_admin()?;
    let fields = clean(input)?;
    let now = state.clock.now();
    let location = fields.onto(Location {
        id: ids::new_id("loc", now),
        active: input.active.unwrap_or(true),
        created_at: now,
        updated_at: now,
        ..Location::default()
    });
    let mut tx = state.db.begin().await?;
    if let Err(err) = locations::insert(&mut tx, &location).await {
        return Err(ref_no_taken(err));
    }
    record(&mut tx, caller, "location.created", &location, now).await?;
    tx.commit().await?;
    Ok(location)
}

pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: &str,
    input: &LocationIn,
) -> Result<Location, AppError> {
    caller.require_admin()?;
    let existing = locations::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let fields = clean(input)?;
    let now = state.clock.now();
    let location = fields.onto(Location {
        active: input.active.unwrap_or(existing.active),
        updated_at: now,
        ..existing.clone()
    });
    let mut tx = state.db.begin().await?;
    match locations::update(&mut tx, &location, now).await {
        Ok(true) => {}
        Ok(false) => return Err(AppError::NotFound),
        Err(err) => return Err(ref_no_taken(err)),
    }
    let action = match (existing.active, location.active) {
        (true, false) => "location.deactivated",
        (false, true) => "location.activated",
        _ => "location.updated",
    };
    record(&mut tx, caller, action, &location, now).await?;
    tx.commit().await?;
    Ok(location)
}

/// A write refused by the unique reference number is the field's error.
fn ref_no_taken(err: sqlx::Error) -> AppError {
    if is_unique_violation(&err) {
        AppError::field("ref_no", "taken")
    } else {
        err.into()
    }
}

/// The audit entry of a change to `location`, in the change's transaction.
async fn record(
    tx: &mut Tx,
    caller: &Caller,
    action: &'static str,
    location: &Location,
    now: Millis,
) -> Result<(), AppError> {
    let details = json!({ "name": location.name, "ref_no": location.ref_no });
    let entry = Entry::about(action, "location", &location.id, details);
    audit::record(tx, &caller.audit(), entry, now).await?;
    Ok(())
}
