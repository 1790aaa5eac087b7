//! Sign-in throttles: attempts counted per key (a client address with an
//! e-mail address, or a client address alone), whether or not an account
//! exists, so the growing delay never reveals who has one.
//!
//! An attempt is claimed, counted as a failure, before its password is
//! checked: under every key at once or under none, inside one write
//! transaction (SQLite's single writer serialises them; PostgreSQL locks
//! the rows). Parallel attempts therefore cannot all pass the check before
//! any of them is recorded. A success then forgets or refunds its claims.

use super::{Tx, on_tx};
use crate::server::clock::Millis;

/// One key to claim an attempt under, with its own rule.
pub struct Key<'a> {
    pub key: &'a str,
    /// Seconds the next attempt must wait after `failures` failures.
    pub delay_after: fn(i64) -> i64,
}

/// Claims one attempt under every key, or under none when any of them must
/// still wait: then the time it may try again. Failures last counted before
/// `forget_before` are forgotten. Keys are taken in order, so that two
/// attempts sharing keys cannot deadlock on PostgreSQL.
pub async fn claim(
    tx: &mut Tx,
    keys: &mut [Key<'_>],
    now: Millis,
    forget_before: Millis,
) -> Result<Result<(), Millis>, sqlx::Error> {
    keys.sort_by(|a, b| a.key.cmp(b.key));
    let lock = match tx {
        Tx::Postgres(..) => " FOR UPDATE",
        Tx::Sqlite(..) => "",
    };
    let select =
        format!("SELECT failures, last_failure_at FROM sign_in_throttles WHERE key = $1{lock}");
    let mut counts = Vec::with_capacity(keys.len());
    let mut wait_until = None;
    for k in keys.iter() {
        let (failures, last): (i64, Millis) = on_tx!(tx, conn => {
            sqlx::query(
                "INSERT INTO sign_in_throttles (key, failures, last_failure_at) VALUES ($1, 0, 0) \
                 ON CONFLICT (key) DO NOTHING",
            )
            .bind(k.key)
            .execute(&mut *conn)
            .await?;
            sqlx::query_as(&select).bind(k.key).fetch_one(&mut *conn).await?
        });
        let failures = if last < forget_before { 0 } else { failures };
        let until = last + (k.delay_after)(failures) * 1000;
        if failures > 0 && until > now {
            wait_until = wait_until.max(Some(until));
        }
        counts.push(failures);
    }
    if let Some(until) = wait_until {
        return Ok(Err(until));
    }
    for (k, failures) in keys.iter().zip(counts) {
        on_tx!(tx, conn => {
            sqlx::query(
                "UPDATE sign_in_throttles SET failures = $2, last_failure_at = $3 WHERE key = $1",
            )
            .bind(k.key)
            .bind(failures + 1)
            .bind(now)
            .execute(conn)
            .await?
            .rows_affected()
        });
    }
    Ok(Ok(()))
}

/// The failures counted under `key` (0 when forgotten or never counted).
pub async fn failures(tx: &mut Tx, key: &str, forget_before: Millis) -> Result<i64, sqlx::Error> {
    let row: Option<(i64,)> = on_tx!(tx, conn => {
        sqlx::query_as(
            "SELECT failures FROM sign_in_throttles WHERE key = $1 AND last_failure_at >= $2",
        )
        .bind(key)
        .bind(forget_before)
        .fetch_optional(conn)
        .await?
    });
    Ok(row.map_or(0, |r| r.0))
}

/// Takes one claimed attempt back from each of `keys`: it was not a
/// failure (the password was right, or it was never checked).
pub async fn refund(tx: &mut Tx, keys: &[&str]) -> Result<(), sqlx::Error> {
    for key in keys {
        on_tx!(tx, conn => {
            sqlx::query(
                "UPDATE sign_in_throttles SET failures = failures - 1 \
                 WHERE key = $1 AND failures > 0",
            )
            .bind(key)
            .execute(conn)
            .await?
            .rows_affected()
        });
    }
    Ok(())
}

/// Forgets `key` altogether (a successful sign-in for that pair).
pub async fn forget(tx: &mut Tx, key: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("DELETE FROM sign_in_throttles WHERE key = $1")
            .bind(key)
            .execute(conn)
            .await?
            .rows_affected()
    });
    Ok(())
}

/// Deletes the counters nobody has added to since `before`: they no longer
/// delay anyone. Run periodically by the server.
pub async fn purge(tx: &mut Tx, before: Millis) -> Result<u64, sqlx::Error> {
    let n = on_tx!(tx, conn => {
        sqlx::query("DELETE FROM sign_in_throttles WHERE last_failure_at < $1")
            .bind(before)
            .execute(conn)
            .await?
            .rows_affected()
    });
    Ok(n)
}
