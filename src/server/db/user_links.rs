//! Single-use links to set a password (docs/people.md): invitations and
//! password resets, stored as hashes.

use super::{Db, Tx, on_read, on_tx};
use crate::server::clock::Millis;

/// Replaces the unused links of `purpose` for the user with a new one.
pub async fn replace(
    tx: &mut Tx,
    token_hash: &str,
    user_id: &str,
    purpose: &str,
    now: Millis,
    expires_at: Millis,
) -> Result<(), sqlx::Error> {
    on_tx!(&mut *tx, conn => {
        sqlx::query("DELETE FROM user_links WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL")
            .bind(user_id)
            .bind(purpose)
            .execute(conn)
            .await?
            .rows_affected()
    });
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO user_links (token_hash, user_id, purpose, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(purpose)
        .bind(now)
        .bind(expires_at)
        .execute(conn)
        .await
        .map(|_| ())
    })
}

/// The user and purpose of a link that still works: unused, unexpired,
/// its user active (and their merchant, for a merchant's user).
pub async fn peek(
    db: &Db,
    token_hash: &str,
    now: Millis,
) -> Result<Option<(String, String, String)>, sqlx::Error> {
    Ok(on_read!(db, pool => {
        sqlx::query_as(
            "SELECT l.user_id, l.purpose, u.email FROM user_links l \
             JOIN users u ON u.id = l.user_id LEFT JOIN merchants m ON m.id = u.merchant_id \
             WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2 \
               AND u.active = TRUE AND (u.merchant_id IS NULL OR m.active = TRUE)",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(pool)
        .await?
    }))
}

/// Uses a link: marks it used if it still works, in the transaction that
/// sets the password. Returns (user id, purpose).
pub async fn take(
    tx: &mut Tx,
    token_hash: &str,
    now: Millis,
) -> Result<Option<(String, String)>, sqlx::Error> {
    Ok(on_tx!(tx, conn => {
        sqlx::query_as(
            "UPDATE user_links SET used_at = $2 \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
               AND user_id IN (SELECT u.id FROM users u LEFT JOIN merchants m ON m.id = u.merchant_id \
                               WHERE u.active = TRUE AND (u.merchant_id IS NULL OR m.active = TRUE)) \
             RETURNING user_id, purpose",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(conn)
        .await?
    }))
}

/// Forgets links used or expired before `before`.
pub async fn purge(tx: &mut Tx, before: Millis) -> Result<u64, sqlx::Error> {
    Ok(on_tx!(tx, conn => {
        sqlx::query("DELETE FROM user_links WHERE expires_at < $1")
            .bind(before)
            .execute(conn)
            .await?
            .rows_affected()
    }))
}
