//! The audit log: who did what to what, when, from where. Entries are
//! written in the same transaction as the change they describe.

use super::{Tx, on_tx};
use crate::server::clock::Millis;
use crate::server::ids;

/// Who acted. `user_id` is `None` for the command line and for anonymous
/// attempts (a failed sign-in), where `label` says what it was.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<String>,
    pub label: String,
    pub ip: Option<String>,
}

impl Actor {
    pub fn cli() -> Self {
        Actor {
            user_id: None,
            label: "command line".into(),
            ip: None,
        }
    }
}

pub struct Entry<'a> {
    pub action: &'a str,
    pub target_type: Option<&'a str>,
    pub target_id: Option<&'a str>,
    /// A small JSON object with what else is worth knowing. Never secrets.
    pub details: serde_json::Value,
}

pub async fn record(
    tx: &mut Tx,
    actor: &Actor,
    entry: Entry<'_>,
    now: Millis,
) -> Result<(), sqlx::Error> {
    let id = ids::new_id("aud", now);
    let details = entry.details.to_string();
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO audit_events (id, at, actor_user_id, actor_label, action, target_type, target_id, ip, details) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&id)
        .bind(now)
        .bind(actor.user_id.as_deref())
        .bind(&actor.label)
        .bind(entry.action)
        .bind(entry.target_type)
        .bind(entry.target_id)
        .bind(actor.ip.as_deref())
        .bind(&details)
        .execute(conn)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// One stored audit event, as tests and the audit screens read it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Event {
    pub id: String,
    pub at: i64,
    pub actor_user_id: Option<String>,
    pub actor_label: String,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub details: String,
}

/// The newest events first, optionally of one action.
pub async fn list_recent(
    db: &super::Db,
    action: Option<&str>,
    limit: i64,
) -> Result<Vec<Event>, sqlx::Error> {
    super::on_read!(db, pool => {
        sqlx::query_as(
            "SELECT id, at, actor_user_id, actor_label, action, target_type, target_id, ip, details \
             FROM audit_events WHERE ($1 IS NULL OR action = $1) ORDER BY at DESC, id DESC LIMIT $2",
        )
        .bind(action)
        .bind(limit)
        .fetch_all(pool)
        .await
    })
}
