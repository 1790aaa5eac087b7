//! API Auth Keys (hashes only), the lookup that authenticates every API
//! request, and the usage counters behind "last used" and the 7-day chart.

use super::{Db, Tx, on_read, on_tx};
use crate::model::Role;
use crate::model::api::{ApiAccountRow, ApiKeyInfo};
use crate::server::clock::Millis;

/// "Active": not revoked and not expired at `$now`. Written once so every
/// query agrees on it.
const ACTIVE: &str = "k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > $now)";

fn active_with(now_param: &str) -> String {
    ACTIVE.replace("$now", now_param)
}

pub struct NewKeyRow<'a> {
    pub id: &'a str,
    pub account_id: &'a str,
    pub hash: &'a str,
    pub hint: &'a str,
    pub created_by: Option<&'a str>,
    pub expires_at: Option<Millis>,
}

pub async fn insert(tx: &mut Tx, k: &NewKeyRow<'_>, now: Millis) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO api_keys (id, account_id, key_hash, hint, created_at, created_by, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(k.id)
        .bind(k.account_id)
        .bind(k.hash)
        .bind(k.hint)
        .bind(now)
        .bind(k.created_by)
        .bind(k.expires_at)
        .execute(conn)
        .await
        .map(|_| ())
    })
}

/// An account's active keys, oldest first: `$1` the account, `$2` now.
fn active_keys_sql() -> String {
    format!(
        "SELECT k.id, k.hint, k.created_at, k.last_used_at, k.expires_at FROM api_keys k \
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
    Ok(rows.into_iter().map(KeyRow::into_info).collect())
}

pub async fn active(
    db: &Db,
    account_id: &str,
    now: Millis,
) -> Result<Vec<ApiKeyInfo>, sqlx::Error> {
    let sql = active_keys_sql();
    let rows: Vec<KeyRow> = on_read!(db, pool => {
        sqlx::query_as(&sql).bind(account_id).bind(now).fetch_all(pool).await?
    });
    Ok(rows.into_iter().map(KeyRow::into_info).collect())
}

#[derive(sqlx::FromRow)]
struct KeyRow {
    id: String,
    hint: String,
    created_at: i64,
    last_used_at: Option<i64>,
    expires_at: Option<i64>,
}

impl KeyRow {
    fn into_info(self) -> ApiKeyInfo {
        ApiKeyInfo {
            id: self.id,
            hint: self.hint,
            created_at: self.created_at,
            last_used_at: self.last_used_at,
            expires_at: self.expires_at,
        }
    }
}

/// Brings an active key's expiry forward to `expires_at` (never later than
/// an expiry it already has). Returns false when the key is not an active
/// key of that account.
pub async fn expire_at(
    tx: &mut Tx,
    account_id: &str,
    key_id: &str,
    expires_at: Millis,
    now: Millis,
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "UPDATE api_keys SET expires_at = CASE \
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

/// Who an API key belongs to, when everything that must hold does.
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
}

/// The one query behind every API request. The key must be active, the
/// account enabled, the user active, and the user an administrator or an
/// active merchant's Level 2 user. Read from the database on every request,
/// never cached, so revocation, expiry, demotion and deactivation bite on
/// the very next request, whichever instance serves it.
pub async fn authenticate(
    db: &Db,
    key_hash: &str,
    now: Millis,
) -> Result<Option<KeyOwner>, sqlx::Error> {
    let sql = format!(
        "SELECT k.id, k.account_id, u.id, u.email, u.display_name, u.role, u.merchant_id, k.last_used_at \
         FROM api_keys k \
         JOIN api_accounts a ON a.id = k.account_id \
         JOIN users u ON u.id = a.user_id \
         LEFT JOIN merchants m ON m.id = u.merchant_id \
         WHERE k.key_hash = $1 AND {} AND a.enabled = TRUE AND u.active = TRUE \
           AND (u.role = 'admin' OR (u.role = 'merchant_l2' AND m.active = TRUE))",
        active_with("$2")
    );
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
    )> = on_read!(db, pool => {
        sqlx::query_as(&sql).bind(key_hash).bind(now).fetch_optional(pool).await?
    });
    Ok(row.and_then(
        |(key_id, account_id, user_id, email, display_name, role, merchant_id, last_used_at)| {
            Some(KeyOwner {
                key_id,
                account_id,
                user_id,
                email,
                display_name,
                role: role.parse().ok()?,
                merchant_id,
                last_used_at,
            })
        },
    ))
}

/// Records `last_used_at`, unless another instance did within the minute.
pub async fn touch(tx: &mut Tx, key_id: &str, at: Millis) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "UPDATE api_keys SET last_used_at = $2 \
             WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $3)",
        )
        .bind(key_id)
        .bind(at)
        .bind(at - 60_000)
        .execute(conn)
        .await
        .map(|_| ())
    })
}

/// Adds `requests` to an account's count for `day` (days since the epoch).
pub async fn add_usage(
    tx: &mut Tx,
    account_id: &str,
    day: i64,
    requests: i64,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO api_usage (account_id, day, requests) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id, day) DO UPDATE SET requests = api_usage.requests + excluded.requests",
        )
        .bind(account_id)
        .bind(day)
        .bind(requests)
        .execute(conn)
        .await
        .map(|_| ())
    })
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

/// The API settings list: every merchant user whose access is on, by
/// merchant then e-mail. Administrators' own accounts are not in it (they
/// are not API-enabled merchants; each sees their own credentials apart).
pub async fn accounts(db: &Db, now: Millis) -> Result<Vec<ApiAccountRow>, sqlx::Error> {
    let sql = format!(
        "SELECT a.id, u.id, u.email, u.display_name, u.merchant_id, m.business_name, \
           (SELECT COUNT(*) FROM api_keys k WHERE k.account_id = a.id AND {}) AS active_keys, \
           (SELECT MAX(k.last_used_at) FROM api_keys k WHERE k.account_id = a.id) AS last_used_at \
         FROM api_accounts a JOIN users u ON u.id = a.user_id \
         JOIN merchants m ON m.id = u.merchant_id \
         WHERE a.enabled = TRUE \
         ORDER BY LOWER(m.business_name), LOWER(u.email), a.id",
        active_with("$1")
    );
    #[allow(clippy::type_complexity)]
    let rows: Vec<(
        String,
        String,
        String,
        String,
        String,
        String,
        i64,
        Option<i64>,
    )> = on_read!(db, pool => sqlx::query_as(&sql).bind(now).fetch_all(pool).await?);
    let today = now.div_euclid(crate::model::time::DAY_MS);
    let usage: Vec<(String, i64, i64)> = on_read!(db, pool => {
        sqlx::query_as(
            "SELECT g.account_id, g.day, g.requests FROM api_usage g \
             JOIN api_accounts a ON a.id = g.account_id \
             JOIN users u ON u.id = a.user_id \
             WHERE a.enabled = TRUE AND u.merchant_id IS NOT NULL AND g.day > $1",
        )
        .bind(today - 7)
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(
            |(
                account_id,
                user_id,
                email,
                display_name,
                merchant_id,
                business_name,
                active_keys,
                last_used_at,
            )| {
                let mut requests_7d = vec![0; 7];
                for (_, day, n) in usage.iter().filter(|(a, _, _)| *a == account_id) {
                    let index = 6 - (today - day);
                    if (0..7).contains(&index) {
                        requests_7d[index as usize] += n;
                    }
                }
                ApiAccountRow {
                    account_id,
                    user_id,
                    email,
                    display_name,
                    merchant_id,
                    business_name,
                    active_keys,
                    last_used_at,
                    requests_7d,
                }
            },
        )
        .collect())
}
