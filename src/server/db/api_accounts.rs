//! API accounts: the "API access" switch of a user and their public
//! Account ID.

use super::{Db, Tx, on_read, on_tx};
use crate::server::clock::Millis;
use crate::server::ids;

/// Turns access on, creating the account (and its Account ID) the first
/// time. Returns the Account ID.
pub async fn enable(tx: &mut Tx, user_id: &str, now: Millis) -> Result<String, sqlx::Error> {
    let existing: Option<(String,)> = on_tx!(tx, conn => {
        sqlx::query_as("SELECT id FROM api_accounts WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(conn)
            .await?
    });
    if let Some((id,)) = existing {
        on_tx!(tx, conn => {
            sqlx::query("UPDATE api_accounts SET enabled = TRUE, updated_at = $2 WHERE id = $1")
                .bind(&id)
                .bind(now)
                .execute(conn)
                .await
                .map(|_| ())
        })?;
        return Ok(id);
    }
    let id = ids::new_id("acct", now);
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO api_accounts (id, user_id, enabled, created_at, updated_at) VALUES ($1, $2, TRUE, $3, $3)",
        )
        .bind(&id)
        .bind(user_id)
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ())
    })?;
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

/// As [`for_user`], inside a write transaction.
pub async fn for_user_in(
    tx: &mut Tx,
    user_id: &str,
) -> Result<Option<(String, bool)>, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_as("SELECT id, enabled FROM api_accounts WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(conn)
            .await
    })
}
