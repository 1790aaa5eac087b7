//! Webhook ids take the contract's `whk_` prefix (docs/api.md): endpoints
//! made before, with `wh_` ids, are renamed by migration 0008 with their
//! deliveries, attempts and audit entries, their signing secrets are sealed
//! again under the new id at start-up, and the old id answers 404.

use crate::common::hooks::*;
use crate::common::world::*;
use crate::common::*;
use livreur::server::db::audit::{self, Entry};
use livreur::server::db::{Db, webhooks as stored};
use livreur::server::services::webhooks as service;
use livreur::server::webhooks::run_once;
use livreur::server::webhooks::seal::reseal_renamed;
use serde_json::json;

/// Runs a migration's SQL again, as `livreur migrate` would have.
async fn migrate_0008(db: &Db) {
    let sql = match db {
        Db::Sqlite { .. } => include_str!("../../migrations/sqlite/0008_webhook_ids.sql"),
        Db::Postgres(..) => include_str!("../../migrations/postgres/0008_webhook_ids.sql"),
    };
    match db {
        Db::Sqlite { write, .. } => sqlx::raw_sql(sql).execute(write).await.map(|_| ()),
        Db::Postgres(pool, ..) => sqlx::raw_sql(sql).execute(pool).await.map(|_| ()),
    }
    .unwrap();
}

async fn old_ids_are_renamed_with_their_history(t: &TestDb) {
    let w = hooks_world(t, "0,5", 5, 120).await;
    let (r, base) = receiver().await;
    // An endpoint as the first release made it: a `wh_` id, its secret
    // sealed under that id, an audit entry naming it.
    let (made, secret) = endpoint(&w, &format!("{base}/h"), None, &["*"]).await;
    let suffix = made.id.strip_prefix("whk_").unwrap().to_owned();
    let (old, new) = (format!("wh_{suffix}"), made.id.clone());
    service::delete(&w.state, &w.admin, &new).await.unwrap();
    let sealer = &w.state.webhooks.sealer;
    let mut legacy = made.clone();
    legacy.id = old.clone();
    let mut tx = w.state.db.begin().await.unwrap();
    stored::insert(&mut tx, &legacy, &sealer.seal(&old, &secret))
        .await
        .unwrap();
    let entry = Entry::about("webhook.created", "webhook", &old, json!({}));
    audit::record(&mut tx, &audit::Actor::cli(), entry, START)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    job(&w, "WH-OLD").await;
    run_once(&w.state).await.unwrap();
    assert_eq!(r.got().len(), 1);

    migrate_0008(&t.db).await;
    assert_eq!(reseal_renamed(&t.db, sealer).await.unwrap(), 1);
    assert_eq!(reseal_renamed(&t.db, sealer).await.unwrap(), 0, "once");
    migrate_0008(&t.db).await; // nothing left to rename

    let app = router(&w.state);
    let (account, key) = w.admin_key().await;
    let me = basic(&account, &key);
    let gone = send(
        &app,
        api("GET", &format!("/webhooks/{old}"), Some(&me), None),
    )
    .await;
    assert_eq!(gone.status, 404, "{}", gone.body);
    let found = send(
        &app,
        api("GET", &format!("/webhooks/{new}"), Some(&me), None),
    )
    .await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(found.json()["url"], format!("{base}/h"));
    // Its history came along: the delivery, its attempt, the audit entry.
    let history = deliveries(&w, &new).await;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].attempts, 1);
    assert_eq!(history[0].last_status, Some(200));
    let page = livreur::server::services::audit::search(
        &w.state,
        &w.admin,
        &livreur::model::audit::AuditQuery {
            action: Some("webhook.created".into()),
            ..Default::default()
        },
        50,
    )
    .await
    .unwrap();
    assert!(
        page.items
            .iter()
            .any(|e| e.target_id.as_deref() == Some(new.as_str())),
        "{:?}",
        page.items
    );
    assert!(
        page.items
            .iter()
            .all(|e| e.target_id.as_deref() != Some(old.as_str()))
    );
    // Its secret, sealed again under the new id, still signs.
    job(&w, "WH-NEW").await;
    run_once(&w.state).await.unwrap();
    let got = r.got();
    assert_eq!(got.len(), 2);
    assert!(verifies(&secret, &got[1]));
}
db_test!(old_ids_are_renamed_with_their_history);
