//! The second factor's rows (docs/people.md): a user's sealed TOTP secret
//! and last accepted step, their recovery codes (hashes), and the stage
//! and pending secret of a session.

use super::exec::{Val, exec};
use super::{Tx, on_tx};

/// The sealed secret and last accepted step, if the user has a second
/// factor.
pub async fn secret(tx: &mut Tx, user_id: &str) -> Result<Option<(String, i64)>, sqlx::Error> {
    let row: Option<(Option<String>, i64)> = on_tx!(tx, conn => {
        sqlx::query_as("SELECT totp_secret, totp_last_step FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(conn)
            .await?
    });
    Ok(row.and_then(|(s, step)| s.map(|s| (s, step))))
}

/// Records the step of a code just accepted: only if it is after the last
/// one (two requests with one code cannot both pass).
pub async fn accept_step(tx: &mut Tx, user_id: &str, step: i64) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2";
    Ok(exec(tx, sql, &[Val::str(user_id), Val::int(step)]).await? == 1)
}

/// Turns the second factor on with `sealed` (or off with `None`), and
/// replaces the recovery codes with `code_hashes`.
pub async fn set(
    tx: &mut Tx,
    user_id: &str,
    sealed: Option<&str>,
    last_step: i64,
    code_hashes: &[String],
) -> Result<(), sqlx::Error> {
    let sql = "UPDATE users SET totp_secret = $2, totp_last_step = $3 WHERE id = $1";
    exec(
        tx,
        sql,
        &[Val::str(user_id), Val::Text(sealed), Val::int(last_step)],
    )
    .await?;
    exec(
        tx,
        "DELETE FROM recovery_codes WHERE user_id = $1",
        &[Val::str(user_id)],
    )
    .await?;
    for hash in code_hashes {
        exec(
            tx,
            "INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)",
            &[Val::str(user_id), Val::str(hash)],
        )
        .await?;
    }
    Ok(())
}

/// Uses a recovery code: true when it was the user's and unused.
pub async fn use_recovery_code(
    tx: &mut Tx,
    user_id: &str,
    code_hash: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE recovery_codes SET used_at = $3 \
               WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL";
    Ok(exec(
        tx,
        sql,
        &[Val::str(user_id), Val::str(code_hash), Val::int(now)],
    )
    .await?
        == 1)
}

/// Recovery codes not used yet.
pub async fn recovery_codes_left(tx: &mut Tx, user_id: &str) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = on_tx!(tx, conn => {
        sqlx::query_as(
            "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(conn)
        .await?
    });
    Ok(n)
}

/// Moves a session to `stage` (and sets or clears its pending secret).
pub async fn set_stage(
    tx: &mut Tx,
    token_hash: &str,
    stage: &str,
    pending_secret: Option<&str>,
) -> Result<(), sqlx::Error> {
    let sql = "UPDATE sessions SET stage = $2, pending_secret = $3 WHERE token_hash = $1";
    exec(
        tx,
        sql,
        &[
            Val::str(token_hash),
            Val::str(stage),
            Val::Text(pending_secret),
        ],
    )
    .await
    .map(|_| ())
}

/// Sets or clears a session's pending secret, its stage unchanged.
pub async fn set_pending(
    tx: &mut Tx,
    token_hash: &str,
    sealed: Option<&str>,
) -> Result<(), sqlx::Error> {
    let sql = "UPDATE sessions SET pending_secret = $2 WHERE token_hash = $1";
    exec(tx, sql, &[Val::str(token_hash), Val::Text(sealed)])
        .await
        .map(|_| ())
}

/// A session's pending secret (sealed), if any.
pub async fn pending_secret(tx: &mut Tx, token_hash: &str) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(Option<String>,)> = on_tx!(tx, conn => {
        sqlx::query_as("SELECT pending_secret FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(conn)
            .await?
    });
    Ok(row.and_then(|(s,)| s))
}
