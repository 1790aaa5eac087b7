//! The outgoing mail queue (docs/mail.md): written in the transaction that
//! decides a message must go, sent by the mail worker under a lease, the
//! body emptied once sent.

use super::{Db, Tx, on_read, on_tx};
use crate::server::clock::Millis;
use crate::server::webhooks::seal::Sealer;

/// What a sealed body is bound to: opened as another message's, it fails.
pub fn sealed_row(id: &str) -> String {
    format!("mail_outbox:{id}")
}

/// A message to queue, already rendered in its recipient's language.
pub struct NewMail<'a> {
    pub id: &'a str,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// What it is about, for the logs and the tests (`api_key.expiring`).
    pub kind: &'a str,
}

/// Queues a message. Its body may carry a link that works as a password
/// would, so it is sealed with the instance key (bound to the message's
/// id) until it is sent, and emptied then.
pub async fn enqueue(
    tx: &mut Tx,
    sealer: &Sealer,
    m: &NewMail<'_>,
    now: Millis,
) -> Result<(), sqlx::Error> {
    let body = sealer.seal(&sealed_row(m.id), m.body);
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO mail_outbox (id, recipient, subject, body, kind, created_at, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(m.id)
        .bind(m.recipient)
        .bind(m.subject)
        .bind(&body)
        .bind(m.kind)
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ())
    })
}

/// A message taken by a worker.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub kind: String,
    pub attempts: i32,
}

/// Leases up to `limit` due messages to `token` until `lease_until`.
pub async fn claim(
    db: &Db,
    now: Millis,
    lease_until: Millis,
    token: &str,
    limit: i64,
) -> Result<Vec<Claimed>, sqlx::Error> {
    const DUE: &str = "sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1";
    // A read first: nearly every pass finds nothing, and need not queue
    // for SQLite's write lock to learn it.
    let waiting: Option<(i32,)> = on_read!(db, pool => {
        sqlx::query_as(&format!("SELECT 1 FROM mail_outbox WHERE {DUE} LIMIT 1"))
            .bind(now)
            .fetch_optional(pool)
            .await?
    });
    if waiting.is_none() {
        return Ok(Vec::new());
    }
    let mut tx = db.begin().await?;
    let lock = match tx {
        Tx::Postgres(..) => " FOR UPDATE SKIP LOCKED",
        Tx::Sqlite(..) => "",
    };
    let sql = format!(
        "UPDATE mail_outbox SET next_attempt_at = $2, lease_token = $3 \
         WHERE id IN (SELECT id FROM mail_outbox WHERE {DUE} ORDER BY next_attempt_at, id \
                      LIMIT $4{lock}) \
         RETURNING id, recipient, subject, body, kind, attempts"
    );
    let mut claimed: Vec<Claimed> = on_tx!(&mut tx, conn => {
        sqlx::query_as(&sql)
            .bind(now)
            .bind(lease_until)
            .bind(token)
            .bind(limit)
            .fetch_all(conn)
            .await?
    });
    tx.commit().await?;
    claimed.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(claimed)
}

/// What became of one attempt.
pub enum Outcome<'a> {
    Sent,
    /// Try again at the given time.
    Retry(Millis, &'a str),
    /// Give up: a permanent refusal, or too many attempts.
    Failed(&'a str),
}

/// Records an attempt if `token` still holds the message. A message that
/// is sent or given up keeps its recipient and subject for the record; its
/// body goes.
pub async fn finish(
    db: &Db,
    id: &str,
    token: &str,
    outcome: Outcome<'_>,
    now: Millis,
) -> Result<bool, sqlx::Error> {
    let (next, sent_at, failed_at, error) = match outcome {
        Outcome::Sent => (now, Some(now), None, None),
        Outcome::Retry(at, error) => (at, None, None, Some(error)),
        Outcome::Failed(error) => (now, None, Some(now), Some(error)),
    };
    let mut tx = db.begin().await?;
    let done = on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE mail_outbox SET next_attempt_at = $3, sent_at = $4, failed_at = $5, \
             last_error = $6, lease_token = NULL, attempts = attempts + 1, \
             body = CASE WHEN $4 IS NULL AND $5 IS NULL THEN body ELSE '' END \
             WHERE id = $1 AND lease_token = $2",
        )
        .bind(id)
        .bind(token)
        .bind(next)
        .bind(sent_at)
        .bind(failed_at)
        .bind(error)
        .execute(conn)
        .await?
        .rows_affected()
    });
    tx.commit().await?;
    Ok(done == 1)
}

/// Messages still waiting (neither sent nor given up), for the metrics and
/// the tests.
pub async fn waiting(db: &Db) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = on_read!(db, pool => {
        sqlx::query_as(
            "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL",
        )
        .fetch_one(pool)
        .await?
    });
    Ok(n)
}

/// Messages sent or given up whose body is still stored (none should be).
pub async fn kept_bodies(db: &Db) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = on_read!(db, pool => {
        sqlx::query_as(
            "SELECT COUNT(*) FROM mail_outbox \
             WHERE (sent_at IS NOT NULL OR failed_at IS NOT NULL) AND body <> ''",
        )
        .fetch_one(pool)
        .await?
    });
    Ok(n)
}
