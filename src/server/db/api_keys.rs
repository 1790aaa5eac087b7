//! API Auth Keys (hashes only) and the lookup that authenticates every API
//! request; their usage counts are in `key_usage`.

use super::{Db, Tx, on_read, on_tx};
use crate::model::Role;
use crate::model::api::{ApiKeyInfo, EXPIRING_SOON_DAYS, KeyScope};
use crate::model::time::DAY_MS;
use crate::server::clock::Millis;
use crate::server::key_limits;

/// "Active": not revoked and not expired at `$now`. Written once so every
/// query agrees on it.
const ACTIVE: &str = "k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > $now)";

pub(super) fn active_with(now_param: &str) -> String {
    ACTIVE.replace("$now", now_param)
}

pub struct NewKeyRow<'a> {
    pub id: &'a str,
    pub account_id: &'a str,
    pub hash: &'a str,
    pub hint: &'a str,
    pub created_by: Option<&'a str>,
    pub expires_at: Option<Millis>,
    pub scope: KeyScope,
    /// Canonical networks, comma separated; `None`: anywhere.
    pub allowed_nets: Option<&'a str>,
    /// The expiry notices the key will not need (key_limits::notices_done).
    pub notices_done: i32,
}

pub async fn insert(tx: &mut Tx, k: &NewKeyRow<'_>, now: Millis) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO api_keys (id, account_id, key_hash, hint, created_at, created_by, expires_at, \
             scope, allowed_nets, expiry_notices) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(k.id)
        .bind(k.account_id)
        .bind(k.hash)
        .bind(k.hint)
        .bind(now)
        .bind(k.created_by)
        .bind(k.expires_at)
        .bind(k.scope.as_str())
        .bind(k.allowed_nets)
        .bind(k.notices_done)
        .execute(conn)
        .await
        .map(|_| ())
    })
}

/// An account's active keys, oldest first: `$1` the account, `$2` now.
fn active_keys_sql() -> String {
    format!(
        "SELECT k.id, k.hint, k.scope, k.created_at, k.last_used_at, k.last_used_ip, k.expires_at, \
         k.allowed_nets FROM api_keys k \
         WHERE k.account_id = $1 AND {} ORDER BY k.created_at, k.id",
        active_with("$2")
    )
}

/// The account's active keys, oldest first, read inside a transaction so
/// the "at most two" rule is checked against what the write will see.
pub async fn active_in(
    tx: &mut Tx,
    account_id: &str,
    now: Millis,
) -> Result<Vec<ApiKeyInfo>, sqlx::Error> {
    let sql = active_keys_sql();
    let rows: Vec<KeyRow> = on_tx!(tx, conn => {
        sqlx::query_as(&sql).bind(account_id).bind(now).fetch_all(conn).await?
    });
    Ok(rows.into_iter().map(|r| r.into_info(now)).collect())
}

/// The account's active keys, oldest first, each with its requests per
/// day over the last 30 days (API settings).
pub async fn active_with_usage(
    db: &Db,
    account_id: &str,
    now: Millis,
) -> Result<Vec<ApiKeyInfo>, sqlx::Error> {
    let sql = active_keys_sql();
    let rows: Vec<KeyRow> = on_read!(db, pool => {
        sqlx::query_as(&sql).bind(account_id).bind(now).fetch_all(pool).await?
    });
    let mut keys: Vec<ApiKeyInfo> = rows.into_iter().map(|r| r.into_info(now)).collect();
    let today = now.div_euclid(DAY_MS);
    let usage: Vec<(String, i64, i64)> = on_read!(db, pool => {
        sqlx::query_as(
            "SELECT g.key_id, g.day, g.requests FROM api_key_usage g \
             JOIN api_keys k ON k.id = g.key_id WHERE k.account_id = $1 AND g.day > $2",
        )
        .bind(account_id)
        .bind(today - 30)
        .fetch_all(pool)
        .await?
    });
    for key in &mut keys {
        key.requests_30d = super::key_usage::per_day(
            usage
                .iter()
                .filter(|(k, _, _)| *k == key.id)
                .map(|(_, day, n)| (*day, *n)),
            today,
            30,
        );
    }
    Ok(keys)
}

#[derive(sqlx::FromRow)]
struct KeyRow {
    id: String,
    hint: String,
    scope: String,
    created_at: i64,
    last_used_at: Option<i64>,
    last_used_ip: Option<String>,
    expires_at: Option<i64>,
    allowed_nets: Option<String>,
}

/// Whether a key expiring at `expires_at` is flagged at `now`.
pub(super) fn expiring_soon(expires_at: Option<Millis>, now: Millis) -> bool {
    expires_at.is_some_and(|at| at - now <= EXPIRING_SOON_DAYS * DAY_MS)
}

impl KeyRow {
    fn into_info(self, now: Millis) -> ApiKeyInfo {
        ApiKeyInfo {
            expiring_soon: expiring_soon(self.expires_at, now),
            allowed_nets: key_limits::listed(self.allowed_nets.as_deref()),
            id: self.id,
            hint: self.hint,
            scope: self.scope.parse().unwrap_or(KeyScope::ReadOnly),
            created_at: self.created_at,
            last_used_at: self.last_used_at,
            last_used_ip: self.last_used_ip,
            expires_at: self.expires_at,
            requests_30d: Vec::new(),
        }
    }
}

/// Sets the allow-list of an active key of the account. Returns false when
/// there is no such active key.
pub async fn set_allowed_nets(
    tx: &mut Tx,
    account_id: &str,
    key_id: &str,
    nets: Option<&str>,
    now: Millis,
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "UPDATE api_keys SET allowed_nets = $3 WHERE id = $1 AND account_id = $2 AND {}",
        ACTIVE.replace("k.", "").replace("$now", "$4")
    );
    let done = on_tx!(tx, conn => {
        sqlx::query(&sql)
            .bind(key_id)
            .bind(account_id)
            .bind(nets)
            .bind(now)
            .execute(conn)
            .await?
            .rows_affected()
    });
    Ok(done == 1)
}

/// Brings an active key's expiry forward to `expires_at` (never later than
/// an expiry it already has); its owner chose it, so no notice follows.
/// Returns false when the key is not an active key of that account.
pub async fn expire_at(
    tx: &mut Tx,
    account_id: &str,
    key_id: &str,
    expires_at: Millis,
    now: Millis,
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "UPDATE api_keys SET expiry_notices = 2, expires_at = CASE \
           WHEN expires_at IS NULL OR expires_at > $3 THEN $3 ELSE expires_at END \
         WHERE id = $1 AND account_id = $2 AND {}",
        ACTIVE.replace("k.", "").replace("$now", "$4")
    );
    let done = on_tx!(tx, conn => {
        sqlx::query(&sql)
            .bind(key_id)
            .bind(account_id)
            .bind(expires_at)
            .bind(now)
            .execute(conn)
            .await?
            .rows_affected()
    });
    Ok(done == 1)
}

/// Revokes one active key of the account. Returns false when there is no
/// such active key.
pub async fn revoke_one(
    tx: &mut Tx,
    account_id: &str,
    key_id: &str,
    now: Millis,
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "UPDATE api_keys SET revoked_at = $3 WHERE id = $1 AND account_id = $2 AND {}",
        ACTIVE.replace("k.", "").replace("$now", "$3")
    );
    let done = on_tx!(tx, conn => {
        sqlx::query(&sql)
            .bind(key_id)
            .bind(account_id)
            .bind(now)
            .execute(conn)
            .await?
            .rows_affected()
    });
    Ok(done == 1)
}

/// Revokes every key of the account that is still active. Returns how many.
pub async fn revoke_all(tx: &mut Tx, account_id: &str, now: Millis) -> Result<u64, sqlx::Error> {
    let sql = format!(
        "UPDATE api_keys SET revoked_at = $2 WHERE account_id = $1 AND {}",
        ACTIVE.replace("k.", "").replace("$now", "$2")
    );
    Ok(on_tx!(tx, conn => {
        sqlx::query(&sql)
            .bind(account_id)
            .bind(now)
            .execute(conn)
            .await?
            .rows_affected()
    }))
}

/// Who an API key belongs to, when everything about its owner holds.
#[derive(Debug, Clone)]
pub struct KeyOwner {
    pub key_id: String,
    pub account_id: String,
    pub user_id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub merchant_id: Option<String>,
    pub last_used_at: Option<Millis>,
    pub scope: KeyScope,
    pub allowed_nets: Option<String>,
    pub expires_at: Option<Millis>,
    /// Past its expiry: refused, but worth an audit entry (docs/api-keys.md).
    pub expired: bool,
}

/// The one query behind every API request: the key, unless it is revoked,
/// and its owner, when the account is enabled, the user active, and the
/// user an administrator or an active merchant's Level 2 user. Whether it
/// has expired is told apart (the caller refuses it all the same). The API
/// keeps its answers in `server::credentials`, which every change to these
/// four tables empties, so revocation, expiry, demotion and deactivation
/// still bite on the very next request.
pub async fn authenticate(
    db: &Db,
    key_hash: &str,
    now: Millis,
) -> Result<Option<KeyOwner>, sqlx::Error> {
    let sql = "SELECT k.id, k.account_id, u.id, u.email, u.display_name, u.role, u.merchant_id, \
           k.last_used_at, k.scope, k.allowed_nets, k.expires_at \
         FROM api_keys k \
         JOIN api_accounts a ON a.id = k.account_id \
         JOIN users u ON u.id = a.user_id \
         LEFT JOIN merchants m ON m.id = u.merchant_id \
         WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND a.enabled = TRUE AND u.active = TRUE \
           AND (u.role = 'admin' OR (u.role = 'merchant_l2' AND m.active = TRUE))";
    #[allow(clippy::type_complexity)]
    let row: Option<(
        String,
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        Option<i64>,
        String,
        Option<String>,
        Option<i64>,
    )> = on_read!(db, pool => {
        sqlx::query_as(sql).bind(key_hash).fetch_optional(pool).await?
    });
    Ok(row.and_then(
        |(
            key_id,
            account_id,
            user_id,
            email,
            display_name,
            role,
            merchant_id,
            last_used_at,
            scope,
            allowed_nets,
            expires_at,
        )| {
            Some(KeyOwner {
                key_id,
                account_id,
                user_id,
                email,
                display_name,
                role: role.parse().ok()?,
                merchant_id,
                last_used_at,
                // An unknown scope reads as the narrower one.
                scope: scope.parse().unwrap_or(KeyScope::ReadOnly),
                allowed_nets,
                expires_at,
                expired: expires_at.is_some_and(|at| at <= now),
            })
        },
    ))
}

/// Keys that expired since the last call and have no audit entry yet,
/// marked as recorded in the same statement so that several instances do
/// not record one twice. Returns (key id, account id, user id).
pub async fn claim_expired(
    tx: &mut Tx,
    now: Millis,
) -> Result<Vec<(String, String, String)>, sqlx::Error> {
    Ok(on_tx!(tx, conn => {
        sqlx::query_as(
            "UPDATE api_keys SET expiry_recorded = TRUE \
             WHERE expiry_recorded = FALSE AND expires_at IS NOT NULL AND expires_at <= $1 \
               AND revoked_at IS NULL \
             RETURNING id, account_id, (SELECT user_id FROM api_accounts a WHERE a.id = api_keys.account_id)",
        )
        .bind(now)
        .fetch_all(conn)
        .await?
    }))
}
