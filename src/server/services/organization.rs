//! Organization settings (docs/api.md, Organization): administrators read
//! and change the name, the default language of new users and the time
//! zone. Every change is audited.

use serde_json::json;

use super::Caller;
use crate::error::{AppError, FieldError};
use crate::model::organization::{Organization, OrganizationPatch};
use crate::server::AppState;
use crate::server::db::audit::{self, Entry};
use crate::server::db::organization;
use crate::server::zones;
use crate::validate;

/// The longest organization name.
pub const MAX_NAME: usize = 100;

pub async fn get(state: &AppState, caller: &Caller) -> Result<Organization, AppError> {
    caller.require_admin()?;
    Ok(organization::get(&state.db).await?)
}

/// Applies `patch` onto the current settings; every problem is reported
/// at once and nothing changes then.
pub async fn update(
    state: &AppState,
    caller: &Caller,
    patch: &OrganizationPatch,
) -> Result<Organization, AppError> {
    caller.require_admin()?;
    let mut tx = state.db.begin().await?;
    let mut org = organization::get_in(&mut tx).await?;
    let mut errors = Vec::new();
    if let Some(name) = &patch.name {
        match validate::text(name, MAX_NAME) {
            Ok(()) => org.name = name.trim().to_owned(),
            Err(code) => errors.push(FieldError::new("name", code)),
        }
    }
    if let Some(language) = &patch.default_language {
        match language.parse() {
            Ok(lang) => org.default_language = lang,
            Err(_) => errors.push(FieldError::new("default_language", "invalid_choice")),
        }
    }
    if let Some(tz) = &patch.timezone {
        let tz = tz.trim();
        match zones::check(tz) {
            Ok(()) => org.timezone = tz.to_owned(),
            Err(code) => errors.push(FieldError::new("timezone", code)),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let now = state.clock.now();
    organization::save(&mut tx, &org, now).await?;
    let details = json!({
        "name": org.name,
        "default_language": org.default_language.as_str(),
        "timezone": org.timezone,
    });
    let entry = Entry {
        action: "organization.updated",
        target_type: Some("organization"),
        target_id: None,
        details,
    };
    audit::record(&mut tx, &caller.audit(), entry, now).await?;
    tx.commit().await?;
    Ok(org)
}
