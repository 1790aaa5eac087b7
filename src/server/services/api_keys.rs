//! API Auth Keys (docs/rules.md, API access rules 3, 4 and 7): generating, rolling
//! and revoking them, the administrators' list of API accounts, and the
//! audit entry of a key that expires.
//!
//! Rules that hold whatever a client sends:
//! - a Merchant Level 2 user gets keys only while their API access is on;
//!   Level 1 users never; administrators always (their own account is made
//!   on their first key);
//! - an account has at most two active keys: rolling is how one replaces a
//!   key, and the old one lives on only until the expiry chosen;
//! - a key's lifetime never exceeds `LIVREUR_API_KEY_MAX_DAYS`, and its
//!   scope and allow-list are set by its owner (docs/api-keys.md).

use serde_json::json;

use super::Caller;
use crate::error::AppError;
use crate::model::Role;
use crate::model::api::{
    ApiAccountRow, IssuedKey, KeyChoice, KeyLifetime, KeyScope, OwnApiAccess, RollGrace,
};
use crate::server::AppState;
use crate::server::clock::Millis;
use crate::server::db::audit::{self, Actor, Entry};
use crate::server::db::{Tx, api_accounts, api_keys, users};
use crate::server::{ids, key_limits, keys};

pub const MAX_ACTIVE_KEYS: usize = 2;

/// The signed-in user's own API access, for the API settings page.
pub async fn my_access(state: &AppState, caller: &Caller) -> Result<OwnApiAccess, AppError> {
    let account = match caller.user.role {
        Role::MerchantL1 => None,
        Role::Admin | Role::MerchantL2 => {
            api_accounts::for_user(&state.db, &caller.user.id).await?
        }
    };
    let enabled = match caller.user.role {
        Role::Admin => true,
        Role::MerchantL2 => account.as_ref().is_some_and(|(_, on)| *on),
        Role::MerchantL1 => false,
    };
    let keys = match &account {
        Some((id, true)) => api_keys::active_with_usage(&state.db, id, state.clock.now()).await?,
        _ => Vec::new(),
    };
    Ok(OwnApiAccess {
        enabled,
        account_id: account.filter(|(_, on)| *on).map(|(id, _)| id),
        keys,
        base_url: state
            .settings
            .public_origin()
            .unwrap_or_else(|| format!("http://{}", state.settings.listen)),
        lifetimes: KeyLifetime::offered(state.settings.api_key_max_days),
        max_days: state.settings.api_key_max_days,
    })
}

/// The caller's account inside `tx`, made for an administrator the first
/// time; a conflict when a merchant's access is off; 403 for Level 1.
async fn own_account(tx: &mut Tx, caller: &Caller, now: Millis) -> Result<String, AppError> {
    match caller.user.role {
        Role::Admin => Ok(api_accounts::enable(tx, &caller.user.id, now).await?),
        Role::MerchantL2 => match api_accounts::for_user_in(tx, &caller.user.id).await? {
            Some((id, true)) => Ok(id),
            _ => Err(AppError::conflict("api_access_off")),
        },
        Role::MerchantL1 => Err(AppError::Forbidden),
    }
}

/// What a new key is to be.
struct KeySpec {
    scope: KeyScope,
    expires_at: Option<Millis>,
    allowed_nets: Option<String>,
}

impl KeySpec {
    /// What the browser's form asked for, checked against the settings.
    fn chosen(state: &AppState, choice: &KeyChoice, now: Millis) -> Result<KeySpec, AppError> {
        let expires_at = key_limits::expiry_for_days(
            now,
            choice.lifetime.days(),
            state.settings.api_key_max_days,
        );
        let nets = key_limits::parse_nets(&choice.allowed_nets);
        // Both problems at once, when there are two.
        let (expires_at, nets) = match (expires_at, nets) {
            (Ok(e), Ok(n)) => (e, n),
            (
                Err(AppError::Validation { fields: mut a }),
                Err(AppError::Validation { fields: b }),
            ) => {
                a.extend(b);
                return Err(AppError::Validation { fields: a });
            }
            (Err(e), _) | (_, Err(e)) => return Err(e),
        };
        Ok(KeySpec {
            scope: choice.scope,
            expires_at,
            allowed_nets: key_limits::stored(&nets),
        })
    }
}

/// Makes a key for `account_id` when it has fewer than two active ones.
async fn issue_in(
    tx: &mut Tx,
    actor: &Actor,
    owner_id: &str,
    account_id: &str,
    spec: &KeySpec,
    now: Millis,
) -> Result<IssuedKey, AppError> {
    let expires_at = spec.expires_at;
    if api_keys::active_in(tx, account_id, now).await?.len() >= MAX_ACTIVE_KEYS {
        return Err(AppError::conflict("too_many_keys"));
    }
    let new = keys::generate();
    let key_id = ids::new_id("key", now);
    api_keys::insert(
        tx,
        &api_keys::NewKeyRow {
            id: &key_id,
            account_id,
            hash: &new.hash,
            hint: &new.hint,
            created_by: actor.user_id.as_deref(),
            expires_at,
            scope: spec.scope,
            allowed_nets: spec.allowed_nets.as_deref(),
            notices_done: key_limits::notices_done(now, expires_at),
        },
        now,
    )
    .await?;
    audit::record(
        tx,
        actor,
        Entry::about(
            "api_key.created",
            "user",
            owner_id,
            json!({
                "account_id": account_id,
                "key_id": key_id,
                "hint": new.hint,
                "scope": spec.scope,
                "expires_at": expires_at,
                "allowed_nets": key_limits::listed(spec.allowed_nets.as_deref()),
            }),
        ),
        now,
    )
    .await?;
    Ok(IssuedKey {
        account_id: account_id.to_owned(),
        key_id,
        key: new.key,
        hint: new.hint,
        scope: spec.scope,
        expires_at,
    })
}

/// A key for the caller's own account, as they chose it.
async fn issue_own(
    tx: &mut Tx,
    caller: &Caller,
    account_id: &str,
    spec: &KeySpec,
    now: Millis,
) -> Result<IssuedKey, AppError> {
    issue_in(tx, &caller.audit(), &caller.user.id, account_id, spec, now).await
}

/// "Generate key" on API settings: a key for the caller's own account.
pub async fn generate(
    state: &AppState,
    caller: &Caller,
    choice: &KeyChoice,
) -> Result<IssuedKey, AppError> {
    let now = state.clock.now();
    let spec = KeySpec::chosen(state, choice, now)?;
    let mut tx = state.db.begin().await?;
    let account_id = own_account(&mut tx, caller, now).await?;
    let issued = issue_own(&mut tx, caller, &account_id, &spec, now).await?;
    tx.commit().await?;
    Ok(issued)
}

/// "Roll key": a new key, and `key_id` expires after `grace`.
pub async fn roll(
    state: &AppState,
    caller: &Caller,
    key_id: &str,
    grace: RollGrace,
    choice: &KeyChoice,
) -> Result<IssuedKey, AppError> {
    if !ids::is_id("key", key_id) {
        return Err(AppError::NotFound);
    }
    let now = state.clock.now();
    let spec = KeySpec::chosen(state, choice, now)?;
    let mut tx = state.db.begin().await?;
    let account_id = own_account(&mut tx, caller, now).await?;
    let old_expires_at = now + grace.millis();
    if !api_keys::expire_at(&mut tx, &account_id, key_id, old_expires_at, now).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        &caller.audit(),
        Entry::about(
            "api_key.rolled",
            "user",
            &caller.user.id,
            json!({
                "account_id": account_id,
                "key_id": key_id,
                "grace": grace.as_str(),
                "expires_at": old_expires_at,
            }),
        ),
        now,
    )
    .await?;
    // The old key counts as active until its expiry, so rolling while
    // another key is still in its grace period is refused here (and the
    // expiry set above rolls back with the transaction).
    let issued = issue_own(&mut tx, caller, &account_id, &spec, now).await?;
    tx.commit().await?;
    Ok(issued)
}

/// "Allowed from" on API settings: the networks one of the caller's keys
/// may be used from (an empty text: anywhere).
pub async fn set_allowed_nets(
    state: &AppState,
    caller: &Caller,
    key_id: &str,
    text: &str,
) -> Result<Vec<String>, AppError> {
    if !ids::is_id("key", key_id) {
        return Err(AppError::NotFound);
    }
    let nets = key_limits::parse_nets(text)?;
    let stored = key_limits::stored(&nets);
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let account_id = own_account(&mut tx, caller, now).await?;
    if !api_keys::set_allowed_nets(&mut tx, &account_id, key_id, stored.as_deref(), now).await? {
        return Err(AppError::NotFound);
    }
    let listed = key_limits::listed(stored.as_deref());
    audit::record(
        &mut tx,
        &caller.audit(),
        Entry::about(
            "api_key.allowed_nets_changed",
            "user",
            &caller.user.id,
            json!({ "account_id": account_id, "key_id": key_id, "allowed_nets": listed }),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(listed)
}

/// "Revoke now": one of the caller's keys stops working at once.
pub async fn revoke(state: &AppState, caller: &Caller, key_id: &str) -> Result<(), AppError> {
    if !ids::is_id("key", key_id) {
        return Err(AppError::NotFound);
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let account_id = own_account(&mut tx, caller, now).await?;
    if !api_keys::revoke_one(&mut tx, &account_id, key_id, now).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        &caller.audit(),
        Entry::about(
            "api_key.revoked",
            "user",
            &caller.user.id,
            json!({ "account_id": account_id, "key_id": key_id }),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An administrator issues a key for a user (`POST /users/{id}/api-keys`).
pub async fn issue_for_user(
    state: &AppState,
    caller: &Caller,
    user_id: &str,
    expires_in_seconds: Option<i64>,
    scope: KeyScope,
) -> Result<IssuedKey, AppError> {
    caller.require_admin()?;
    let now = state.clock.now();
    let spec = KeySpec {
        scope,
        expires_at: key_limits::expiry(
            now,
            expires_in_seconds,
            state.settings.api_key_max_days,
            "expires_in_seconds",
        )?,
        allowed_nets: None,
    };
    let mut tx = state.db.begin().await?;
    let issued = issue_for_in(&mut tx, &caller.audit(), user_id, &spec, now).await?;
    tx.commit().await?;
    Ok(issued)
}

/// `livreur api-key create --email`: a key for an administrator, or for a
/// Merchant Level 2 user whose access is on.
pub async fn issue_for_email(state: &AppState, email: &str) -> Result<IssuedKey, AppError> {
    let now = state.clock.now();
    // One transaction: the user looked up is the user the key is made for.
    let mut tx = state.db.begin().await?;
    let (user_id, _) = users::find_id_by_email(&mut tx, &email.trim().to_lowercase())
        .await?
        .ok_or(AppError::NotFound)?;
    let spec = KeySpec {
        scope: KeyScope::ReadWrite,
        expires_at: key_limits::expiry(now, None, state.settings.api_key_max_days, "lifetime")?,
        allowed_nets: None,
    };
    let issued = issue_for_in(&mut tx, &Actor::cli(), &user_id, &spec, now).await?;
    tx.commit().await?;
    Ok(issued)
}

async fn issue_for_in(
    tx: &mut Tx,
    actor: &Actor,
    user_id: &str,
    spec: &KeySpec,
    now: Millis,
) -> Result<IssuedKey, AppError> {
    let (user, usable) = users::get_in(tx, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !usable {
        return Err(AppError::conflict("user_inactive"));
    }
    let account_id = match user.role {
        Role::Admin => api_accounts::enable(tx, user_id, now).await?,
        Role::MerchantL2 => match api_accounts::for_user_in(tx, user_id).await? {
            Some((id, true)) => id,
            _ => return Err(AppError::conflict("api_access_off")),
        },
        Role::MerchantL1 => return Err(AppError::conflict("api_access_off")),
    };
    issue_in(tx, actor, user_id, &account_id, spec, now).await
}

/// The administrators' API settings table.
pub async fn accounts(state: &AppState, caller: &Caller) -> Result<Vec<ApiAccountRow>, AppError> {
    caller.require_admin()?;
    Ok(api_accounts::accounts(&state.db, state.clock.now()).await?)
}

/// Writes an "api_key.expired" audit entry for each key whose expiry has
/// passed. Run every minute; each key is recorded once, even with several
/// instances.
pub async fn record_expiries(state: &AppState) -> Result<usize, AppError> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let expired = api_keys::claim_expired(&mut tx, now).await?;
    for (key_id, account_id, user_id) in &expired {
        audit::record(
            &mut tx,
            &Actor::system(),
            Entry::about(
                "api_key.expired",
                "user",
                user_id,
                json!({ "account_id": account_id, "key_id": key_id }),
            ),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(expired.len())
}
