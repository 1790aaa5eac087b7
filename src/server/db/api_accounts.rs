//! API accounts: the "API access" switch of a user and their public
//! Account ID.

use super::api_keys::{active_with, expiring_soon};
use super::key_usage::per_day;
use super::{Db, Tx, on_read, on_tx};
use crate::model::api::{ApiAccountRow, KeyBrief, KeyScope};
use crate::server::clock::Millis;
use crate::server::ids;

/// Turns access on, creating the account (and its Account ID) the first
/// time. Returns the Account ID. One upsert: on PostgreSQL it locks the
/// account's row until the transaction ends, as [`for_user_in`] does, so
/// grants, key issues, rolls and revocations of one account take turns.
pub async fn enable(tx: &mut Tx, user_id: &str, now: Millis) -> Result<String, sqlx::Error> {
    let id = ids::new_id("acct", now);
    let (id,): (String,) = on_tx!(tx, conn => {
        sqlx::query_as(
            "INSERT INTO api_accounts (id, user_id, enabled, created_at, updated_at) \
             VALUES ($1, $2, TRUE, $3, $3) \
             ON CONFLICT (user_id) DO UPDATE SET enabled = TRUE, updated_at = $3 \
             RETURNING id",
        )
        .bind(&id)
        .bind(user_id)
        .bind(now)
        .fetch_one(conn)
        .await?
    });
    Ok(id)
}

/// Turns access off. Returns the Account ID when access was on.
pub async fn disable(
    tx: &mut Tx,
    user_id: &str,
    now: Millis,
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = on_tx!(tx, conn => {
        sqlx::query_as(
            "UPDATE api_accounts SET enabled = FALSE, updated_at = $2 \
             WHERE user_id = $1 AND enabled = TRUE RETURNING id",
        )
        .bind(user_id)
        .bind(now)
        .fetch_optional(conn)
        .await?
    });
    Ok(row.map(|(id,)| id))
}

/// The user's account, if they ever had one: (Account ID, enabled).
pub async fn for_user(db: &Db, user_id: &str) -> Result<Option<(String, bool)>, sqlx::Error> {
    on_read!(db, pool => {
        sqlx::query_as("SELECT id, enabled FROM api_accounts WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(pool)
            .await
    })
}

/// As [`for_user`], inside a write transaction, and locking the account
/// until it ends (PostgreSQL; SQLite's single writer already serialises).
/// Every change to an account's keys reads it this way first: without the
/// lock, two issues could each count one key and both insert (three
/// active), or a key could be issued from a read made just before access
/// was turned off, and outlive the revocation.
pub async fn for_user_in(
    tx: &mut Tx,
    user_id: &str,
) -> Result<Option<(String, bool)>, sqlx::Error> {
    let sql = match tx {
        Tx::Postgres(..) => "SELECT id, enabled FROM api_accounts WHERE user_id = $1 FOR UPDATE",
        Tx::Sqlite(..) => "SELECT id, enabled FROM api_accounts WHERE user_id = $1",
    };
    on_tx!(tx, conn => {
        sqlx::query_as(sql)
            .bind(user_id)
            .fetch_optional(conn)
            .await
    })
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
    let sql = format!(
        "SELECT k.account_id, k.hint, k.scope, k.expires_at FROM api_keys k \
         JOIN api_accounts a ON a.id = k.account_id \
         WHERE a.enabled = TRUE AND {} ORDER BY k.created_at, k.id",
        active_with("$1")
    );
    let briefs: Vec<(String, String, String, Option<i64>)> =
        on_read!(db, pool => sqlx::query_as(&sql).bind(now).fetch_all(pool).await?);
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
                let requests_7d = per_day(
                    usage
                        .iter()
                        .filter(|(a, _, _)| *a == account_id)
                        .map(|(_, day, n)| (*day, *n)),
                    today,
                    7,
                );
                let keys = briefs
                    .iter()
                    .filter(|(a, ..)| *a == account_id)
                    .map(|(_, hint, scope, expires_at)| KeyBrief {
                        hint: hint.clone(),
                        scope: scope.parse().unwrap_or(KeyScope::ReadOnly),
                        expires_at: *expires_at,
                        expiring_soon: expiring_soon(*expires_at, now),
                    })
                    .collect();
                ApiAccountRow {
                    account_id,
                    user_id,
                    email,
                    display_name,
                    merchant_id,
                    business_name,
                    active_keys,
                    keys,
                    last_used_at,
                    requests_7d,
                }
            },
        )
        .collect())
}
