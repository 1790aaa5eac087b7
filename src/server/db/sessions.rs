//! Browser sessions. The cookie holds a random token; the table holds its
//! SHA-256, the user, and the idle and absolute deadlines.

use super::exec::{Val, exec};
use super::users::{SESSION_USER_COLUMNS, UserRow};
use super::{Db, Tx, on_read};
use crate::model::SessionUser;
use crate::server::clock::Millis;

pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub user_id: &'a str,
    pub expires_at: Millis,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    /// `full`, or `code` / `enrol` while the second factor is due.
    pub stage: &'a str,
}

pub async fn insert(tx: &mut Tx, s: &NewSession<'_>, now: Millis) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, \
               ip, user_agent, stage, proven_at) VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $3)";
    let values = [
        Val::str(s.token_hash),
        Val::str(s.user_id),
        Val::int(now),
        Val::int(s.expires_at),
        Val::Text(s.ip),
        Val::Text(s.user_agent),
        Val::str(s.stage),
    ];
    exec(tx, sql, &values).await.map(|_| ())
}

/// A live session as a request sees it.
pub struct LiveSession {
    pub user: SessionUser,
    pub last_seen_at: Millis,
    /// `full`, `code` or `enrol`.
    pub stage: String,
    /// When its user last proved who they are.
    pub proven_at: Millis,
}

/// Records that the session's user proved who they are just now.
pub async fn prove(tx: &mut Tx, token_hash: &str, now: Millis) -> Result<(), sqlx::Error> {
    let sql = "UPDATE sessions SET proven_at = $2 WHERE token_hash = $1";
    exec(tx, sql, &[Val::str(token_hash), Val::int(now)])
        .await
        .map(|_| ())
}

/// A live session: the user (still active, merchant still active), or
/// `None`.
pub async fn find_live(
    db: &Db,
    token_hash: &str,
    now: Millis,
    idle_cutoff: Millis,
) -> Result<Option<LiveSession>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: UserRow,
        last_seen_at: i64,
        stage: String,
        proven_at: i64,
    }
    let sql = format!(
        "SELECT {SESSION_USER_COLUMNS}, s.last_seen_at, s.stage, \
         COALESCE(s.proven_at, s.created_at) AS proven_at FROM sessions s \
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
    Ok(row.and_then(|r| {
        Some(LiveSession {
            user: r.user.into_session_user()?,
            last_seen_at: r.last_seen_at,
            stage: r.stage,
            proven_at: r.proven_at,
        })
    }))
}

pub async fn touch(tx: &mut Tx, token_hash: &str, now: Millis) -> Result<(), sqlx::Error> {
    let sql = "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1";
    exec(tx, sql, &[Val::str(token_hash), Val::int(now)])
        .await
        .map(|_| ())
}

pub async fn delete(tx: &mut Tx, token_hash: &str) -> Result<(), sqlx::Error> {
    let sql = "DELETE FROM sessions WHERE token_hash = $1";
    exec(tx, sql, &[Val::str(token_hash)]).await.map(|_| ())
}

/// Ends every session of a user (deactivation, password reset).
pub async fn delete_for_user(tx: &mut Tx, user_id: &str) -> Result<u64, sqlx::Error> {
    exec(
        tx,
        "DELETE FROM sessions WHERE user_id = $1",
        &[Val::str(user_id)],
    )
    .await
}

/// Ends every session of a merchant's users (the merchant is deactivated:
/// reactivating it must not bring them back).
pub async fn delete_for_merchant(tx: &mut Tx, merchant_id: &str) -> Result<u64, sqlx::Error> {
    let sql = "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE merchant_id = $1)";
    exec(tx, sql, &[Val::str(merchant_id)]).await
}

/// Removes sessions past either deadline; returns how many.
pub async fn delete_expired(
    tx: &mut Tx,
    now: Millis,
    idle_cutoff: Millis,
) -> Result<u64, sqlx::Error> {
    let sql = "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2";
    exec(tx, sql, &[Val::int(now), Val::int(idle_cutoff)]).await
}

/// A user's live sessions, most recently active first: (token hash, ip,
/// user agent, signed in at, last seen at).
#[allow(clippy::type_complexity)]
pub async fn list_for_user(
    db: &Db,
    user_id: &str,
    now: Millis,
    idle_cutoff: Millis,
) -> Result<Vec<(String, Option<String>, Option<String>, i64, i64)>, sqlx::Error> {
    Ok(on_read!(db, pool => {
        sqlx::query_as(
            "SELECT token_hash, ip, user_agent, created_at, last_seen_at FROM sessions \
             WHERE user_id = $1 AND expires_at > $2 AND last_seen_at > $3 \
             ORDER BY last_seen_at DESC, created_at DESC LIMIT 100",
        )
        .bind(user_id)
        .bind(now)
        .bind(idle_cutoff)
        .fetch_all(pool)
        .await?
    }))
}

/// Ends a user's sessions but one (the caller's own). Returns how many.
pub async fn delete_others(
    tx: &mut Tx,
    user_id: &str,
    keep_hash: &str,
) -> Result<u64, sqlx::Error> {
    let sql = "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2";
    exec(tx, sql, &[Val::str(user_id), Val::str(keep_hash)]).await
}

/// Ends one of a user's sessions. Returns false when it is not theirs.
pub async fn delete_of_user(
    tx: &mut Tx,
    user_id: &str,
    token_hash: &str,
) -> Result<bool, sqlx::Error> {
    let sql = "DELETE FROM sessions WHERE user_id = $1 AND token_hash = $2";
    Ok(exec(tx, sql, &[Val::str(user_id), Val::str(token_hash)]).await? == 1)
}
