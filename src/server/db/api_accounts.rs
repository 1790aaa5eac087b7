//! API accounts: the "API access" switch of a user and their public
//! Account ID.

use super::{Db, Tx, on_read, on_tx};
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
        Tx::Postgres(_) => "SELECT id, enabled FROM api_accounts WHERE user_id = $1 FOR UPDATE",
        Tx::Sqlite(_) => "SELECT id, enabled FROM api_accounts WHERE user_id = $1",
    };
    on_tx!(tx, conn => {
        sqlx::query_as(sql)
            .bind(user_id)
            .fetch_optional(conn)
            .await
    })
}
