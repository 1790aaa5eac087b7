//! Merchant users and their "API access" switch (docs/rules.md, API access rules 1,
//! 2 and 7). The rules hold whatever a client sends:
//! - access can be on only for an active Merchant Level 2 user of an active
//!   merchant; asking otherwise is a conflict (409);
//! - demoting from Level 2 or deactivating the user turns access off in the
//!   same transaction; promoting again does not turn it back on.

use serde_json::json;

use super::Caller;
use super::user_links::Purpose;
use crate::error::{AppError, FieldError};
use crate::model::Role;
use crate::model::org::{MerchantUser, MerchantUserIn, MerchantUserPatch};
use crate::server::AppState;
use crate::server::clock::Millis;
use crate::server::db::audit::{self, Actor, Entry};
use crate::server::db::{
    Tx, api_accounts, api_keys, is_unique_violation, merchant_users, merchants, organization,
    sessions, users,
};
use crate::server::{ids, password};
use crate::validate;

fn merchant_role(value: &str) -> Result<Role, &'static str> {
    match value.parse::<Role>() {
        Ok(role) if role.is_merchant() => Ok(role),
        _ => Err("invalid_choice"),
    }
}

/// Why access cannot be granted, if it cannot.
pub fn grant_refusal(role: Role, user_active: bool, merchant_active: bool) -> Option<&'static str> {
    if role != Role::MerchantL2 {
        Some("api_access_requires_level_2")
    } else if !user_active {
        Some("user_inactive")
    } else if !merchant_active {
        Some("merchant_inactive")
    } else {
        None
    }
}

pub async fn list(
    state: &AppState,
    caller: &Caller,
    merchant_id: &str,
) -> Result<Vec<MerchantUser>, AppError> {
    caller.require_admin()?;
    merchants::get(&state.db, merchant_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(merchant_users::list_for_merchant(&state.db, merchant_id).await?)
}

pub async fn get(
    state: &AppState,
    caller: &Caller,
    user_id: &str,
) -> Result<MerchantUser, AppError> {
    caller.require_admin()?;
    merchant_users::get(&state.db, user_id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn create(
    state: &AppState,
    caller: &Caller,
    merchant_id: &str,
    input: &MerchantUserIn,
) -> Result<MerchantUser, AppError> {
    caller.require_admin()?;
    let merchant = merchants::get(&state.db, merchant_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = Vec::new();
    let email = input.email.trim().to_owned();
    if let Err(code) = validate::email(&email) {
        errors.push(FieldError::new("email", code));
    }
    let display_name = input.display_name.trim().to_owned();
    if let Err(code) = validate::text(&display_name, 120) {
        errors.push(FieldError::new("display_name", code));
    }
    let role =
        merchant_role(&input.role).map_err(|code| errors.push(FieldError::new("role", code)));
    // No password: the user is invited to set one by a link.
    let invite = input.password.is_empty();
    if !invite && let Err(code) = password::check_strength(&input.password) {
        errors.push(FieldError::new("password", code));
    }
    let Ok(role) = role else {
        return Err(AppError::validation(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    if input.api_access
        && let Some(code) = grant_refusal(role, true, merchant.active)
    {
        return Err(AppError::conflict(code));
    }

    let hash = if invite {
        // Not a hash: no password matches it.
        "!invited".to_owned()
    } else {
        password::hash(input.password.clone()).await.map_err(|e| {
            tracing::error!(error = %e, "hashing a password failed");
            AppError::Internal
        })?
    };
    let now = state.clock.now();
    let id = ids::new_id("usr", now);
    let actor = caller.audit();
    let mut tx = state.db.begin().await?;
    // New users start in the organization's default language.
    let language = organization::get_in(&mut tx).await?.default_language;
    let inserted = users::insert(
        &mut tx,
        &users::NewUser {
            id: &id,
            email: &email,
            display_name: &display_name,
            password_hash: &hash,
            role,
            merchant_id: Some(merchant_id),
            language,
            invited: invite,
        },
        now,
    )
    .await;
    match inserted {
        Err(err) if is_unique_violation(&err) => return Err(AppError::field("email", "taken")),
        other => other?,
    }
    audit::record(
        &mut tx,
        &actor,
        Entry::about(
            "user.created",
            "user",
            &id,
            json!({ "email": email, "role": role.as_str(), "merchant_id": merchant_id,
                    "invited": invite }),
        ),
        now,
    )
    .await?;
    if input.api_access {
        grant_in(&mut tx, &actor, &id, now).await?;
    }
    let invitation = if invite {
        Some(super::user_links::issue_in(&mut tx, state, &id, Purpose::Invite, now).await?)
    } else {
        None
    };
    tx.commit().await?;
    if let (Some(_), Some(mailer)) = (&invitation, &state.mailer) {
        mailer.wake();
    }
    let mut user = merchant_users::get(&state.db, &id)
        .await?
        .ok_or(AppError::Internal)?;
    user.invitation = invitation;
    Ok(user)
}

pub async fn update(
    state: &AppState,
    caller: &Caller,
    user_id: &str,
    patch: &MerchantUserPatch,
) -> Result<MerchantUser, AppError> {
    caller.require_admin()?;
    let existing = merchant_users::get(&state.db, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let merchant = merchants::get(&state.db, &existing.merchant_id)
        .await?
        .ok_or(AppError::NotFound)?;

    let mut errors = Vec::new();
    let display_name = match &patch.display_name {
        Some(name) => {
            let name = name.trim().to_owned();
            if let Err(code) = validate::text(&name, 120) {
                errors.push(FieldError::new("display_name", code));
            }
            name
        }
        None => existing.display_name.clone(),
    };
    let role = match patch.role.as_deref().map(merchant_role) {
        Some(Ok(role)) => role,
        Some(Err(code)) => {
            errors.push(FieldError::new("role", code));
            existing.role
        }
        None => existing.role,
    };
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let active = patch.active.unwrap_or(existing.active);
    if patch.api_access == Some(true)
        && let Some(code) = grant_refusal(role, active, merchant.active)
    {
        return Err(AppError::conflict(code));
    }

    let now = state.clock.now();
    let actor = caller.audit();
    let mut tx = state.db.begin().await?;
    merchant_users::update(&mut tx, user_id, &display_name, role, active, now).await?;

    let mut access_on = existing.api_access;
    if access_on && role != Role::MerchantL2 {
        revoke_api_access_in(&mut tx, &actor, user_id, "demoted", now).await?;
        access_on = false;
    }
    if access_on && !active {
        revoke_api_access_in(&mut tx, &actor, user_id, "deactivated", now).await?;
        access_on = false;
    }
    match patch.api_access {
        Some(true) if !access_on => grant_in(&mut tx, &actor, user_id, now).await?,
        Some(false) if access_on => {
            revoke_api_access_in(&mut tx, &actor, user_id, "administrator", now).await?
        }
        _ => {}
    }
    if existing.active && !active {
        sessions::delete_for_user(&mut tx, user_id).await?;
    }

    // A call that only switches API access (the toggle, the REST
    // `api-access` endpoint) leaves the user as they were: the access
    // entries above say it all.
    let user_changed =
        display_name != existing.display_name || role != existing.role || active != existing.active;
    if !user_changed {
        tx.commit().await?;
        return merchant_users::get(&state.db, user_id)
            .await?
            .ok_or(AppError::Internal);
    }
    let action = match (existing.active, active) {
        (true, false) => "user.deactivated",
        (false, true) => "user.activated",
        _ if existing.role != role => "user.role_changed",
        _ => "user.updated",
    };
    audit::record(
        &mut tx,
        &actor,
        Entry::about(
            action,
            "user",
            user_id,
            json!({
                "email": existing.email,
                "role": role.as_str(),
                "previous_role": existing.role.as_str(),
                "active": active,
            }),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    merchant_users::get(&state.db, user_id)
        .await?
        .ok_or(AppError::Internal)
}

/// The "API access" switch on its own (the toggle in lists, the REST
/// `PUT /users/{id}/api-access`).
pub async fn set_api_access(
    state: &AppState,
    caller: &Caller,
    user_id: &str,
    enabled: bool,
) -> Result<MerchantUser, AppError> {
    update(
        state,
        caller,
        user_id,
        &MerchantUserPatch {
            api_access: Some(enabled),
            ..Default::default()
        },
    )
    .await
}

async fn grant_in(tx: &mut Tx, actor: &Actor, user_id: &str, now: Millis) -> Result<(), AppError> {
    let account_id = api_accounts::enable(tx, user_id, now).await?;
    audit::record(
        tx,
        actor,
        Entry::about(
            "api_access.granted",
            "user",
            user_id,
            json!({ "account_id": account_id }),
        ),
        now,
    )
    .await?;
    Ok(())
}

/// Turns a user's API access off inside the caller's transaction, with the
/// reason in the audit log. Does nothing when access is already off.
pub(super) async fn revoke_api_access_in(
    tx: &mut Tx,
    actor: &Actor,
    user_id: &str,
    reason: &str,
    now: Millis,
) -> Result<(), AppError> {
    if let Some(account_id) = api_accounts::disable(tx, user_id, now).await? {
        // Every key goes with the access: granting again later starts with
        // no key, so a key that leaked while access was off stays dead.
        let keys_revoked = api_keys::revoke_all(tx, &account_id, now).await?;
        audit::record(
            tx,
            actor,
            Entry::about(
                "api_access.revoked",
                "user",
                user_id,
                json!({ "account_id": account_id, "reason": reason, "keys_revoked": keys_revoked }),
            ),
            now,
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_active_level_2_users_of_active_merchants_get_access() {
        assert_eq!(grant_refusal(Role::MerchantL2, true, true), None);
        assert_eq!(
            grant_refusal(Role::MerchantL1, true, true),
            Some("api_access_requires_level_2")
        );
        assert_eq!(
            grant_refusal(Role::Admin, true, true),
            Some("api_access_requires_level_2")
        );
        assert_eq!(
            grant_refusal(Role::MerchantL2, false, true),
            Some("user_inactive")
        );
        assert_eq!(
            grant_refusal(Role::MerchantL2, true, false),
            Some("merchant_inactive")
        );
    }
}
