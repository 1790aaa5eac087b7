//! Merchants: onboarding, changes, deactivation. Administrators only.
//! Deactivating a merchant revokes the API access of all its users at once
//! (docs/rules.md, API access rule 2) and, through the session lookup, signs them out.

use serde_json::json;

use super::Caller;
use super::merchant_users::revoke_api_access_in;
use crate::error::{AppError, FieldError};
use crate::model::org::{Merchant, MerchantIn, MerchantQuery, MerchantRow, Page};
use crate::server::AppState;
use crate::server::db::audit::{self, Actor, Entry};
use crate::server::db::{Tx, locations, merchant_users, merchants, sessions};
use crate::server::ids;
use crate::validate;

struct Clean {
    business_name: String,
    contact_email: String,
    address: Option<String>,
    location_ids: Vec<String>,
    default_location_id: String,
}

/// The most locations one merchant may be assigned.
const MAX_LOCATIONS: usize = 200;

impl Clean {
    /// `merchant` with the checked fields in place of its own.
    fn onto(self, merchant: Merchant) -> Merchant {
        Merchant {
            business_name: self.business_name,
            contact_email: self.contact_email,
            address: self.address,
            default_location_id: self.default_location_id,
            location_ids: self.location_ids,
            ..merchant
        }
    }
}

/// Checks the fields, including that every location exists and is active
/// and that the default is one of them.
async fn clean(tx: &mut Tx, input: &MerchantIn) -> Result<Clean, AppError> {
    let mut errors = Vec::new();
    let business_name = input.business_name.trim().to_owned();
    if let Err(code) = validate::text(&business_name, 160) {
        errors.push(FieldError::new("business_name", code));
    }
    let contact_email = input.contact_email.trim().to_owned();
    if let Err(code) = validate::email(&contact_email) {
        errors.push(FieldError::new("contact_email", code));
    }
    let address = validate::optional_text(input.address.as_deref(), 300)
        .map_err(|code| errors.push(FieldError::new("address", code)))
        .ok()
        .flatten();
    // Counted before anything else is done with the list.
    let mut location_ids: Vec<String> = if input.location_ids.len() > MAX_LOCATIONS {
        Vec::new()
    } else {
        input
            .location_ids
            .iter()
            .map(|l| l.trim().to_owned())
            .collect()
    };
    location_ids.sort();
    location_ids.dedup();
    let default_location_id = input.default_location_id.trim().to_owned();
    if input.location_ids.len() > MAX_LOCATIONS {
        errors.push(FieldError::new("location_ids", "too_many"));
    } else if location_ids.is_empty() {
        errors.push(FieldError::new("location_ids", "required"));
    } else if !location_ids.iter().all(|l| ids::is_id("loc", l)) {
        errors.push(FieldError::new("location_ids", "unknown_location"));
    } else {
        let known = locations::active_ids_among(tx, &location_ids).await?;
        if known.len() != location_ids.len() {
            errors.push(FieldError::new("location_ids", "unknown_location"));
        }
        if default_location_id.is_empty() {
            errors.push(FieldError::new("default_location_id", "required"));
        } else if !location_ids.contains(&default_location_id) {
            errors.push(FieldError::new("default_location_id", "not_assigned"));
        }
    }
    if errors.is_empty() {
        Ok(Clean {
            business_name,
            contact_email,
            address,
            location_ids,
            default_location_id,
        })
    } else {
        Err(AppError::validation(errors))
    }
}

pub async fn search(
    state: &AppState,
    caller: &Caller,
    query: &MerchantQuery,
) -> Result<Page<MerchantRow>, AppError> {
    caller.require_admin()?;
    if query.q.as_deref().is_some_and(|q| q.chars().count() > 200) {
        return Err(AppError::field("q", "too_long"));
    }
    Ok(merchants::search(&state.db, query).await?)
}

pub async fn get(state: &AppState, caller: &Caller, id: &str) -> Result<Merchant, AppError> {
    caller.require_admin()?;
    merchants::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn create(
    state: &AppState,
    caller: &Caller,
    input: &MerchantIn,
) -> Result<Merchant, AppError> {
    caller.require_admin()?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let merchant = clean(&mut tx, input).await?.onto(Merchant {
        id: ids::new_id("mer", now),
        active: input.active.unwrap_or(true),
        created_at: now,
        updated_at: now,
        ..Merchant::default()
    });
    merchants::insert(&mut tx, &merchant).await?;
    record(&mut tx, &caller.audit(), "merchant.created", &merchant, now).await?;
    tx.commit().await?;
    Ok(merchant)
}

pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: &str,
    input: &MerchantIn,
) -> Result<Merchant, AppError> {
    caller.require_admin()?;
    let existing = merchants::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let merchant = clean(&mut tx, input).await?.onto(Merchant {
        active: input.active.unwrap_or(existing.active),
        updated_at: now,
        ..existing.clone()
    });
    merchants::update(&mut tx, &merchant, now).await?;
    let actor = caller.audit();
    let action = if existing.active == merchant.active {
        "merchant.updated"
    } else {
        activity_change(&mut tx, &actor, &merchant.id, merchant.active, now).await?
    };
    record(&mut tx, &actor, action, &merchant, now).await?;
    tx.commit().await?;
    Ok(merchant)
}

/// Deactivates (or reactivates) a merchant and nothing else; it works even
/// when the merchant's other fields would no longer pass validation.
pub async fn set_active(
    state: &AppState,
    caller: &Caller,
    id: &str,
    active: bool,
) -> Result<Merchant, AppError> {
    caller.require_admin()?;
    let existing = merchants::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if existing.active == active {
        return Ok(existing);
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    merchants::set_active(&mut tx, id, active, now).await?;
    let actor = caller.audit();
    let action = activity_change(&mut tx, &actor, id, active, now).await?;
    let merchant = Merchant {
        active,
        updated_at: now,
        ..existing
    };
    record(&mut tx, &actor, action, &merchant, now).await?;
    tx.commit().await?;
    Ok(merchant)
}

/// The audit entry of a change to `merchant`, in the change's transaction.
async fn record(
    tx: &mut Tx,
    actor: &Actor,
    action: &'static str,
    merchant: &Merchant,
    now: i64,
) -> Result<(), AppError> {
    let details = json!({ "business_name": merchant.business_name });
    let entry = Entry::about(action, "merchant", &merchant.id, details);
    audit::record(tx, actor, entry, now).await?;
    Ok(())
}

/// What a change of the active flag entails; returns the audit action.
async fn activity_change(
    tx: &mut Tx,
    actor: &Actor,
    merchant_id: &str,
    now_active: bool,
    now: i64,
) -> Result<&'static str, AppError> {
    if now_active {
        // Access revoked on deactivation stays revoked: an administrator
        // grants it again, user by user.
        return Ok("merchant.activated");
    }
    for user_id in merchant_users::with_api_access(tx, merchant_id).await? {
        revoke_api_access_in(tx, actor, &user_id, "merchant_deactivated", now).await?;
    }
    // Signed out for good: a session that merely stopped working while
    // the merchant was inactive would work again on reactivation.
    sessions::delete_for_merchant(tx, merchant_id).await?;
    Ok("merchant.deactivated")
}
