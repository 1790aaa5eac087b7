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

    /// Livreur itself, for what happens with time (a key expiring).
    pub fn system() -> Self {
        Actor {
            user_id: None,
            label: "system".into(),
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

impl<'a> Entry<'a> {
    /// An entry about one object: `action` done to `target_type`
    /// `target_id`.
    pub fn about(
        action: &'a str,
        target_type: &'a str,
        target_id: &'a str,
        details: serde_json::Value,
    ) -> Self {
        Entry {
            action,
            target_type: Some(target_type),
            target_id: Some(target_id),
            details,
        }
    }
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

/// What the audit log screens and `GET /api/v1/audit` filter on.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Exact action, e.g. `api_access.granted`.
    pub action: Option<String>,
    /// Part of the actor's label (their e-mail), ignoring case.
    pub actor: Option<String>,
    pub actor_user_id: Option<String>,
    /// Only events strictly older than this (at, id): the keyset cursor.
    pub before: Option<(i64, String)>,
}

/// Newest first, `limit` at most. Paging by keyset on (at, id) keeps pages
/// stable while new events arrive.
pub async fn search(db: &super::Db, f: &Filter, limit: i64) -> Result<Vec<Event>, sqlx::Error> {
    let actor = f
        .actor
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(super::merchants::like_pattern);
    let (before_at, before_id) = match &f.before {
        Some((at, id)) => (Some(*at), Some(id.as_str())),
        None => (None, None),
    };
    super::on_read!(db, pool => {
        sqlx::query_as(
            "SELECT id, at, actor_user_id, actor_label, action, target_type, target_id, ip, details \
             FROM audit_events \
             WHERE ($1 IS NULL OR action = $1) \
               AND ($2 IS NULL OR LOWER(actor_label) LIKE $2 ESCAPE '\\') \
               AND ($3 IS NULL OR actor_user_id = $3) \
               AND ($4 IS NULL OR at < $4 OR (at = $4 AND id < $5)) \
             ORDER BY at DESC, id DESC LIMIT $6",
        )
        .bind(f.action.as_deref())
        .bind(actor)
        .bind(f.actor_user_id.as_deref())
        .bind(before_at)
        .bind(before_id)
        .bind(limit)
        .fetch_all(pool)
        .await
    })
}

/// The actions that occur in the log, for the filter's choices.
pub async fn actions(db: &super::Db) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = super::on_read!(db, pool => {
        sqlx::query_as("SELECT DISTINCT action FROM audit_events ORDER BY action")
            .fetch_all(pool)
            .await?
    });
    Ok(rows.into_iter().map(|(a,)| a).collect())
}
