//! Failed sign-in counters per e-mail address (known or not).

use super::{Db, Tx, on_read, on_tx};
use crate::server::clock::Millis;

/// (failures, time of the last one) for this address.
pub async fn get(db: &Db, email_lower: &str) -> Result<Option<(i64, Millis)>, sqlx::Error> {
    on_read!(db, pool => {
        sqlx::query_as(
            "SELECT failures, last_failure_at FROM sign_in_failures WHERE email_lower = $1",
        )
        .bind(email_lower)
        .fetch_optional(pool)
        .await
    })
}

/// Counts one more failure and returns the new count. A failure long after
/// the previous one (`reset_before`) starts counting afresh.
pub async fn record(
    tx: &mut Tx,
    email_lower: &str,
    now: Millis,
    reset_before: Millis,
) -> Result<i64, sqlx::Error> {
    let (count,): (i64,) = on_tx!(tx, conn => {
        sqlx::query_as(
            "INSERT INTO sign_in_failures (email_lower, failures, last_failure_at) VALUES ($1, 1, $2) \
             ON CONFLICT (email_lower) DO UPDATE SET \
               failures = CASE WHEN sign_in_failures.last_failure_at < $3 THEN 1 \
                               ELSE sign_in_failures.failures + 1 END, \
               last_failure_at = $2 \
             RETURNING failures",
        )
        .bind(email_lower)
        .bind(now)
        .bind(reset_before)
        .fetch_one(conn)
        .await?
    });
    Ok(count)
}

pub async fn clear(tx: &mut Tx, email_lower: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("DELETE FROM sign_in_failures WHERE email_lower = $1")
            .bind(email_lower)
            .execute(conn)
            .await
            .map(|_| ())
    })?;
    Ok(())
}
