//! Idempotency keys of API POSTs: who claimed a key, for which request, and
//! the response to replay.

use super::{Db, on_read, on_tx};
use crate::server::clock::Millis;

/// A stored response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub status: u16,
    /// JSON object of the response headers worth replaying.
    pub headers: String,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is ours: run the request, then [`finish`] or [`release`].
    Fresh,
    /// Done before with the same request: answer this again.
    Replay(Saved),
    /// Used before with a different request.
    Mismatch,
    /// The first request with this key has not finished yet.
    InFlight,
}

/// Claims `key` for `request_hash`. A finished key older than `expires_at`
/// is forgotten; a claim older than `stale_at` whose request never finished
/// (the process died) may be taken over.
pub async fn claim(
    db: &Db,
    account_id: &str,
    key: &str,
    request_hash: &str,
    now: Millis,
    expires_before: Millis,
    stale_before: Millis,
) -> Result<Claim, sqlx::Error> {
    let mut tx = db.begin_data().await?;
    let inserted = on_tx!(&mut tx, conn => {
        sqlx::query(
            "INSERT INTO idempotency_keys (account_id, key, request_hash, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, key) DO NOTHING",
        )
        .bind(account_id)
        .bind(key)
        .bind(request_hash)
        .bind(now)
        .execute(conn)
        .await?
        .rows_affected()
    });
    if inserted == 1 {
        tx.commit().await?;
        return Ok(Claim::Fresh);
    }
    type Row = (String, Option<i32>, Option<String>, Option<Vec<u8>>, i64);
    let row: Option<Row> = on_tx!(&mut tx, conn => {
        sqlx::query_as(
            "SELECT request_hash, status, headers, body, created_at FROM idempotency_keys \
             WHERE account_id = $1 AND key = $2",
        )
        .bind(account_id)
        .bind(key)
        .fetch_optional(conn)
        .await?
    });
    let Some((hash, status, headers, body, created_at)) = row else {
        // Deleted between the two statements (released): try again later.
        tx.commit().await?;
        return Ok(Claim::InFlight);
    };
    let expired = status.is_some() && created_at < expires_before;
    let abandoned = status.is_none() && created_at < stale_before;
    let claim = if expired || abandoned {
        on_tx!(&mut tx, conn => {
            sqlx::query(
                "UPDATE idempotency_keys SET request_hash = $3, status = NULL, headers = NULL, \
                 body = NULL, created_at = $4 WHERE account_id = $1 AND key = $2",
            )
            .bind(account_id)
            .bind(key)
            .bind(request_hash)
            .bind(now)
            .execute(conn)
            .await?
            .rows_affected()
        });
        Claim::Fresh
    } else if hash != request_hash {
        Claim::Mismatch
    } else {
        match status {
            None => Claim::InFlight,
            Some(status) => Claim::Replay(Saved {
                status: u16::try_from(status).unwrap_or(500),
                headers: headers.unwrap_or_else(|| "{}".into()),
                body: body.unwrap_or_default(),
            }),
        }
    };
    tx.commit().await?;
    Ok(claim)
}

/// Stores the response of the request that claimed `key`.
pub async fn finish(
    db: &Db,
    account_id: &str,
    key: &str,
    saved: &Saved,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_data().await?;
    on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE idempotency_keys SET status = $3, headers = $4, body = $5 \
             WHERE account_id = $1 AND key = $2",
        )
        .bind(account_id)
        .bind(key)
        .bind(i32::from(saved.status))
        .bind(&saved.headers)
        .bind(&saved.body)
        .execute(conn)
        .await?
        .rows_affected()
    });
    tx.commit().await
}

/// Stored response bodies: (account, key, body). With `unsealed_only`,
/// only those not starting as a sealed value does (`v1.`), so the check a
/// server makes at every start reads nothing once they are all sealed.
pub async fn stored_bodies(
    db: &Db,
    unsealed_only: bool,
) -> Result<Vec<(String, String, Vec<u8>)>, sqlx::Error> {
    let unsealed = match (unsealed_only, db) {
        (false, _) => "",
        (true, Db::Sqlite { .. }) => " AND substr(body, 1, 3) <> X'76312E'",
        (true, Db::Postgres(..)) => " AND substring(body FROM 1 FOR 3) <> '\\x76312e'::bytea",
    };
    let sql = format!(
        "SELECT account_id, key, body FROM idempotency_keys WHERE body IS NOT NULL{unsealed}"
    );
    on_read!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)
}

/// Replaces a stored response body (with its sealed form).
pub async fn replace_body(
    db: &Db,
    account_id: &str,
    key: &str,
    body: &[u8],
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_data().await?;
    on_tx!(&mut tx, conn => {
        sqlx::query("UPDATE idempotency_keys SET body = $3 WHERE account_id = $1 AND key = $2")
            .bind(account_id)
            .bind(key)
            .bind(body)
            .execute(conn)
            .await?
            .rows_affected()
    });
    tx.commit().await
}

/// Gives the key up: the request failed before doing anything, so a retry
/// with the same key should run it again.
pub async fn release(db: &Db, account_id: &str, key: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_data().await?;
    on_tx!(&mut tx, conn => {
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2 AND status IS NULL",
        )
        .bind(account_id)
        .bind(key)
        .execute(conn)
        .await?
        .rows_affected()
    });
    tx.commit().await
}

/// Forgets keys created before `before`; returns how many.
pub async fn purge(db: &Db, before: Millis) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin_data().await?;
    let n = on_tx!(&mut tx, conn => {
        sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(before)
            .execute(conn)
            .await?
            .rows_affected()
    });
    tx.commit().await?;
    Ok(n)
}
