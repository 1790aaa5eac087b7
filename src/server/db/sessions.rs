//! Browser sessions. The cookie holds a random token; the table holds its
//! SHA-256, the user, and the idle and absolute deadlines.

use super::users::{SESSION_USER_COLUMNS, UserRow};
use super::{Db, Tx, on_read, on_tx};
use crate::model::SessionUser;
use crate::server::clock::Millis;

pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub user_id: &'a str,
    pub expires_at: Millis,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

pub async fn insert(tx: &mut Tx, s: &NewSession<'_>, now: Millis) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent) \
             VALUES ($1, $2, $3, $3, $4, $5, $6)",
        )
        .bind(s.token_hash)
        .bind(s.user_id)
        .bind(now)
        .bind(s.expires_at)
        .bind(s.ip)
        .bind(s.user_agent)
        .execute(conn)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// A live session: the user (still active, merchant still active) and when
/// the session was last seen, or `None`.
pub async fn find_live(
    db: &Db,
    token_hash: &str,
    now: Millis,
    idle_cutoff: Millis,
) -> Result<Option<(SessionUser, Millis)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: UserRow,
        last_seen_at: i64,
    }
    let sql = format!(
        "SELECT {SESSION_USER_COLUMNS}, s.last_seen_at FROM sessions s \
         JOIN users u ON u.id = s.user_id \
         LEFT JOIN merchants m ON m.id = u.merchant_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 \
           AND u.active = TRUE AND (u.merchant_id IS NULL OR m.active = TRUE)"
    );
    let row: Option<Row> = on_read!(db, pool => {
        sqlx::query_as(&sql)
            .bind(token_hash)
            .bind(now)
            .bind(idle_cutoff)
            .fetch_optional(pool)
            .await?
    });
    Ok(row.and_then(|r| Some((r.user.into_session_user()?, r.last_seen_at))))
}

pub async fn touch(tx: &mut Tx, token_hash: &str, now: Millis) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(now)
            .execute(conn)
            .await
            .map(|_| ())
    })?;
    Ok(())
}

pub async fn delete(tx: &mut Tx, token_hash: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(conn)
            .await
            .map(|_| ())
    })?;
    Ok(())
}

/// Ends every session of a user (deactivation, password reset).
pub async fn delete_for_user(tx: &mut Tx, user_id: &str) -> Result<u64, sqlx::Error> {
    let done = on_tx!(tx, conn => {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(conn)
            .await?
            .rows_affected()
    });
    Ok(done)
}

/// Ends every session of a merchant's users (the merchant is deactivated:
/// reactivating it must not bring them back).
pub async fn delete_for_merchant(tx: &mut Tx, merchant_id: &str) -> Result<u64, sqlx::Error> {
    let done = on_tx!(tx, conn => {
        sqlx::query(
            "DELETE FROM sessions WHERE user_id IN \
             (SELECT id FROM users WHERE merchant_id = $1)",
        )
        .bind(merchant_id)
        .execute(conn)
        .await?
        .rows_affected()
    });
    Ok(done)
}

/// Removes sessions past either deadline; returns how many.
pub async fn delete_expired(
    tx: &mut Tx,
    now: Millis,
    idle_cutoff: Millis,
) -> Result<u64, sqlx::Error> {
    let done = on_tx!(tx, conn => {
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
            .bind(now)
            .bind(idle_cutoff)
            .execute(conn)
            .await?
            .rows_affected()
    });
    Ok(done)
}
