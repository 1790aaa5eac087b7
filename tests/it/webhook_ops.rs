//! Webhook operations (docs/webhooks.md) on SQLite and PostgreSQL, against
//! a real receiver on loopback: recovering an endpoint's messages (the
//! window, the order, exactly once, a restart half way) and the health
//! alerts (once per change, audited, e-mailed through a real SMTP server).

use crate::common::hooks::*;
use crate::common::smtp::Sink;
use crate::common::world::World;
use crate::common::*;
use livreur::model::webhook::WebhookIn;
use livreur::server::db::recoveries;
use livreur::server::services::{webhook_ops, webhooks as service};
use livreur::server::webhooks::{Webhooks, recovery, run_once};
use std::collections::HashSet;
use std::sync::Arc;

const MINUTE: i64 = 60_000;

async fn set_enabled(w: &World, id: &str, enabled: bool) {
    let hook = current(w, id).await;
    let input = WebhookIn {
        url: hook.url,
        location_id: hook.location_id,
        events: hook.events,
        description: hook.description,
        enabled: Some(enabled),
    };
    service::update(&w.state, &w.admin, id, &input)
        .await
        .unwrap();
}

/// Steps the recoveries and the worker until neither has anything to do.
async fn drain(w: &World) {
    for _ in 0..100 {
        let queued = recovery::step(&w.state).await.unwrap();
        let sent = run_once(&w.state).await.unwrap();
        if queued == 0 && sent == 0 {
            // A recovery that waited gets its next look after a moment.
            w.state.clock.advance(1_000);
            if recovery::step(&w.state).await.unwrap() == 0
                && run_once(&w.state).await.unwrap() == 0
            {
                return;
            }
        }
    }
    panic!("the recovery did not finish");
}

/// The job a message is about, by its reference.
fn reference(m: &Received) -> String {
    m.json()["data"]["reference_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn ids_of(got: &[Received]) -> Vec<String> {
    got.iter()
        .map(|r| r.header("webhook-id").to_owned())
        .collect()
}

/// Failed, given-up and dropped-while-disabled messages of the window are
/// sent again with their own ids, in order, once; a success, a message
/// before the window and one after it are not.
async fn failed_messages_are_recovered_once_in_order(t: &TestDb) {
    // One attempt, then the message is given up.
    let w = hooks_world(t, "0", 5, 120).await;
    let (r, base) = receiver().await;
    let (hook, secret) = endpoint(&w, &format!("{base}/h"), None, &["*"]).await;

    r.script(&[answer(500)]);
    job(&w, "BEFORE").await;
    run_once(&w.state).await.unwrap();
    w.state.clock.advance(10 * MINUTE);
    let since = w.state.clock.now();

    job(&w, "OK").await;
    run_once(&w.state).await.unwrap();
    r.script(&[answer(500), answer(503), answer(500)]);
    job(&w, "FAIL-1").await;
    job(&w, "FAIL-2").await;
    job(&w, "FAIL-3").await;
    run_once(&w.state).await.unwrap();
    // Off for a while: these two never become deliveries.
    set_enabled(&w, &hook.id, false).await;
    w.state.clock.advance(MINUTE);
    job(&w, "DROPPED-1").await;
    job(&w, "DROPPED-2").await;
    run_once(&w.state).await.unwrap();
    w.state.clock.advance(MINUTE);
    let until = w.state.clock.now();
    w.state.clock.advance(MINUTE);
    r.script(&[answer(500)]);
    set_enabled(&w, &hook.id, true).await;
    job(&w, "AFTER").await;
    run_once(&w.state).await.unwrap();
    let before: Vec<String> = ids_of(&r.got());
    assert_eq!(before.len(), 6, "BEFORE, OK, three failures, AFTER");

    let started = webhook_ops::recover(&w.state, &w.admin, &hook.id, Some(since), Some(until))
        .await
        .unwrap();
    assert_eq!(started.total, 5, "three failed, two dropped");
    // Queued in creation order: due one after the other, which is the
    // order the worker takes them in.
    assert_eq!(recovery::step(&w.state).await.unwrap(), 5);
    let mut queued: Vec<_> = deliveries(&w, &hook.id)
        .await
        .into_iter()
        .filter(|d| d.state == "pending")
        .map(|d| (d.next_attempt_at.unwrap(), d.message_id))
        .collect();
    queued.sort();
    let in_due_order: Vec<String> = queued.into_iter().map(|(_, id)| id).collect();
    let mut in_creation_order = in_due_order.clone();
    in_creation_order.sort();
    assert_eq!(in_due_order, in_creation_order);
    drain(&w).await;

    let got = r.got();
    let again = &got[6..];
    let mut references: Vec<String> = again.iter().map(reference).collect();
    references.sort();
    assert_eq!(
        references,
        ["DROPPED-1", "DROPPED-2", "FAIL-1", "FAIL-2", "FAIL-3"],
        "only the window's messages that did not get through"
    );
    for m in again {
        assert!(verifies(&secret, m), "signed");
    }
    // The failures come back under their first webhook-id.
    for m in again {
        let (job, id) = (reference(m), m.header("webhook-id").to_owned());
        assert_eq!(before.contains(&id), job.starts_with("FAIL"), "{job}");
    }
    let unique: HashSet<String> = ids_of(&got).into_iter().collect();
    assert_eq!(unique.len(), 8, "each message once more at most");

    let list = webhook_ops::recoveries(&w.state, &w.admin, &hook.id)
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    assert!(list[0].done);
    assert_eq!((list[0].queued, list[0].total), (5, 5));
    // Nothing left to recover: a second recovery finds nothing.
    let again = webhook_ops::recover(&w.state, &w.admin, &hook.id, Some(since), Some(until))
        .await
        .unwrap();
    assert_eq!(again.total, 0);
    drain(&w).await;
    assert_eq!(r.got().len(), 11);
}
db_test!(failed_messages_are_recovered_once_in_order);

/// A long recovery queues a batch at a time, each after the previous one
/// was tried; one whose instance died half way is taken up again after
/// its lease, from where it stopped, sending nothing twice.
async fn a_recovery_goes_in_batches_and_survives_a_restart(t: &TestDb) {
    let w = hooks_world(t, "0", 5, 120).await;
    let (r, base) = receiver().await;
    let (hook, _) = endpoint(&w, &format!("{base}/h"), None, &["job.created"]).await;
    let count = recovery::BATCH as usize * 2 + 10;
    r.script(&vec![answer(500); count]);
    let since = w.state.clock.now();
    for i in 0..count {
        job(&w, &format!("B-{i:03}")).await;
        w.state.clock.advance(1);
    }
    while run_once(&w.state).await.unwrap() > 0 {}
    assert_eq!(r.got().len(), count);

    let started = webhook_ops::recover(&w.state, &w.admin, &hook.id, Some(since), None)
        .await
        .unwrap();
    assert_eq!(started.total as usize, count);
    // One batch, and nothing more until it was tried.
    assert_eq!(
        recovery::step(&w.state).await.unwrap(),
        recovery::BATCH as usize
    );
    w.state.clock.advance(1_000);
    assert_eq!(
        recovery::step(&w.state).await.unwrap(),
        0,
        "waits for its batch"
    );
    assert_eq!(run_once(&w.state).await.unwrap(), recovery::BATCH as usize);

    // The instance dies holding the recovery: nobody steps it until its
    // lease runs out.
    w.state.clock.advance(1_000);
    let now = w.state.clock.now();
    let held = recoveries::claim(&w.state.db, now, now + 30_000)
        .await
        .unwrap();
    assert!(held.is_some());
    assert_eq!(
        recovery::step(&w.state).await.unwrap(),
        0,
        "held by the dead instance"
    );
    w.state.clock.advance(30_001);
    drain(&w).await;

    let again = &r.got()[count..];
    let references: Vec<String> = again.iter().map(reference).collect();
    let expected: Vec<String> = (0..count).map(|i| format!("B-{i:03}")).collect();
    let mut sorted = references.clone();
    sorted.sort();
    assert_eq!(sorted, expected, "every message once");
    // Batches follow one another: every message of a batch before any of
    // the next.
    let batch = recovery::BATCH as usize;
    for (n, chunk) in references.chunks(batch).enumerate() {
        let mut chunk = chunk.to_vec();
        chunk.sort();
        assert_eq!(
            chunk,
            expected[n * batch..(n * batch + chunk.len())],
            "batch {n}"
        );
    }
    let list = webhook_ops::recoveries(&w.state, &w.admin, &hook.id)
        .await
        .unwrap();
    assert!(list[0].done);
    assert_eq!(list[0].queued as usize, count);
}
db_test!(a_recovery_goes_in_batches_and_survives_a_restart);

/// A window is checked, and a disabled endpoint cannot be recovered.
async fn recover_checks_its_window_and_the_endpoint(t: &TestDb) {
    let w = hooks_world(t, "0", 5, 120).await;
    let (hook, _) = endpoint(&w, "http://127.0.0.1:9/h", None, &["*"]).await;
    let now = w.state.clock.now();
    let refused = |since, until| {
        let w = &w;
        let id = hook.id.clone();
        async move {
            webhook_ops::recover(&w.state, &w.admin, &id, since, until)
                .await
                .unwrap_err()
        }
    };
    let e = refused(Some(now + 1), None).await;
    assert_eq!(e.field_code("since"), Some("in_future"));
    let e = refused(Some(now - 30 * 24 * 3600 * 1000), None).await;
    assert_eq!(e.field_code("since"), Some("too_old"));
    let e = refused(Some(now - MINUTE), Some(now - 2 * MINUTE)).await;
    assert_eq!(e.field_code("until"), Some("before_since"));
    set_enabled(&w, &hook.id, false).await;
    let e = refused(Some(now - MINUTE), None).await;
    assert_eq!(e, livreur::error::AppError::conflict("webhook_disabled"));
    let merchant = w.user("m@example.com", "merchant_l2", true).await;
    let e = webhook_ops::recover(&w.state, &merchant, &hook.id, Some(now - MINUTE), None)
        .await
        .unwrap_err();
    assert_eq!(e, livreur::error::AppError::Forbidden);
}
db_test!(recover_checks_its_window_and_the_endpoint);

async fn mail_kinds(w: &World) -> Vec<String> {
    let rows: Vec<(String,)> = match &w.state.db {
        livreur::server::db::Db::Sqlite { read, .. } => {
            sqlx::query_as("SELECT kind FROM mail_outbox ORDER BY created_at, id")
                .fetch_all(read)
                .await
                .unwrap()
        }
        livreur::server::db::Db::Postgres(pool, ..) => {
            sqlx::query_as("SELECT kind FROM mail_outbox ORDER BY created_at, id")
                .fetch_all(pool)
                .await
                .unwrap()
        }
    };
    rows.into_iter().map(|(k,)| k).collect()
}

async fn audit_actions(w: &World) -> Vec<String> {
    let page = livreur::server::services::audit::search(
        &w.state,
        &w.admin,
        &livreur::model::audit::AuditQuery::default(),
        100,
    )
    .await
    .unwrap();
    page.items
        .into_iter()
        .filter(|e| e.action.starts_with("webhook."))
        .map(|e| e.action)
        .rev()
        .collect()
}

/// Starting to fail, being disabled and recovering are each one alert,
/// one audit entry and one e-mail per administrator, in their language,
/// however many attempts fail; an acknowledgement clears the alert.
async fn health_changes_alert_once_each(t: &TestDb) {
    let sink = Sink::start();
    let mut s = settings();
    s.smtp_url = Some(sink.url.clone());
    s.mail_from = Some("Livreur <noreply@example.com>".into());
    s.public_url = Some("https://livreur.example.com".into());
    s.webhook_allowed_nets = "127.0.0.0/8".into();
    s.webhook_retry_schedule = Some("0,60,60,60".into());
    s.webhook_disable_after_hours = 1;
    let mut w = crate::common::world::world(t).await;
    w.state = state_with(t, s.clone());
    w.state.webhooks = Arc::new(Webhooks::ephemeral(&s));
    let (r, base) = receiver().await;
    let (hook, _) = endpoint(&w, &format!("{base}/h"), None, &["*"]).await;

    r.script(&vec![answer(500); 40]);
    for i in 0..3 {
        job(&w, &format!("A-{i}")).await;
    }
    run_once(&w.state).await.unwrap();
    assert_eq!(
        current(&w, &hook.id).await.alert.as_deref(),
        Some("failing")
    );
    for _ in 0..3 {
        w.state.clock.advance(61_000);
        run_once(&w.state).await.unwrap();
    }
    assert_eq!(
        mail_kinds(&w).await,
        ["webhook.failing"],
        "one e-mail, not one per failure"
    );
    // An hour later it is off.
    w.state.clock.advance(3600 * 1000);
    job(&w, "A-late").await;
    run_once(&w.state).await.unwrap();
    let off = current(&w, &hook.id).await;
    assert!(!off.enabled);
    assert_eq!(off.alert.as_deref(), Some("disabled"));
    assert!(off.disabled_at.is_some());
    assert_eq!(
        livreur::server::db::webhooks::alert_count(&w.state.db)
            .await
            .unwrap(),
        1
    );
    let alerts = webhook_ops::alerts(&w.state, &w.admin).await.unwrap();
    assert_eq!(alerts.len(), 1);
    // An administrator acknowledges it: the alert goes, the audit says so.
    webhook_ops::acknowledge(&w.state, &w.admin, &hook.id)
        .await
        .unwrap();
    assert!(
        webhook_ops::alerts(&w.state, &w.admin)
            .await
            .unwrap()
            .is_empty()
    );

    // Back on, failing again, then a success: it recovered.
    set_enabled(&w, &hook.id, true).await;
    r.got.lock().unwrap().clear();
    r.script.lock().unwrap().clear();
    r.script(&[answer(500)]);
    job(&w, "B-1").await;
    run_once(&w.state).await.unwrap();
    job(&w, "B-2").await;
    run_once(&w.state).await.unwrap();
    let back = current(&w, &hook.id).await;
    assert_eq!(back.alert, None);
    assert!(back.failing_since.is_none());

    assert_eq!(
        mail_kinds(&w).await,
        [
            "webhook.failing",
            "webhook.disabled",
            "webhook.failing",
            "webhook.recovered"
        ]
    );
    assert_eq!(
        audit_actions(&w).await,
        [
            "webhook.created",
            "webhook.failing",
            "webhook.disabled",
            "webhook.alert_acknowledged",
            "webhook.enabled",
            "webhook.failing",
            "webhook.recovered"
        ]
    );
    livreur::server::mail::send_due(&w.state).await.unwrap();
    let mails = sink.messages();
    assert_eq!(mails.len(), 4);
    assert!(
        mails[1].subject.contains("disabled"),
        "{}",
        mails[1].subject
    );
    assert!(
        mails[1].body.contains(&format!(
            "https://livreur.example.com/integrations/api/webhooks/{}",
            hook.id
        )),
        "{}",
        mails[1].body
    );
    // A merchant sees no alerts.
    let merchant = w.user("m@example.com", "merchant_l2", true).await;
    assert!(webhook_ops::alerts(&w.state, &merchant).await.is_err());
}
db_test!(health_changes_alert_once_each);

/// The administrator's overview: endpoints needing attention, keys
/// expiring within 7 days, merchant users with API access, today's jobs
/// by status; merchants are refused it.
async fn the_overview_says_what_needs_attention(t: &TestDb) {
    use livreur::model::api::{KeyChoice, KeyLifetime};
    use livreur::server::services::{api_keys, overview};
    let w = hooks_world(t, "0", 5, 120).await;
    let (healthy, _) = endpoint(&w, "http://127.0.0.1:9/ok", None, &["*"]).await;
    let (off, _) = endpoint(&w, "http://127.0.0.1:9/off", None, &["*"]).await;
    set_enabled(&w, &off.id, false).await;
    let (user, _, _) = w.api_user("overview@example.com").await;
    let choice = KeyChoice {
        lifetime: KeyLifetime::Days30,
        ..Default::default()
    };
    api_keys::generate(&w.state, &user, &choice).await.unwrap();
    w.user("no-access@example.com", "merchant_l2", false).await;
    // Today, in the organization's zone, is START's date; one job today.
    let today = livreur::server::zones::date(
        &livreur::server::db::organization::get(&w.state.db)
            .await
            .unwrap()
            .timezone,
        w.state.clock.now(),
    );
    use livreur::model::job::JobIn;
    let input: JobIn = serde_json::from_value(serde_json::json!({
        "type": "delivery", "date": today,
        "customer": {"first_name": "Ana", "phone": "+15145550100"},
        "address": {"line1": "100 Rue Saint-Paul"},
        "location_id": w.location_id,
    }))
    .unwrap();
    livreur::server::services::jobs::create(&w.state, &w.admin, &input)
        .await
        .unwrap();
    job(&w, "ANOTHER-DAY").await;

    let o = overview::admin(&w.state, &w.admin).await.unwrap();
    let attention: Vec<&str> = o.endpoints.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(attention, [off.id.as_str()], "not {}", healthy.id);
    assert!(o.expiring_keys.is_empty(), "30 days left");
    assert_eq!(o.api_users_total, 1);
    assert_eq!(o.api_users[0].email, "overview@example.com");
    assert_eq!(o.today, today);
    let new = o.jobs_today.iter().find(|(s, _)| s == "new").unwrap().1;
    assert_eq!(new, 1, "{:?}", o.jobs_today);
    assert_eq!(o.jobs_today.len(), 7, "every status, in order");

    w.state.clock.advance(24 * 24 * 3600 * 1000);
    let o = overview::admin(&w.state, &w.admin).await.unwrap();
    assert_eq!(o.expiring_keys.len(), 1, "6 days left");
    assert_eq!(o.expiring_keys[0].user_id, user.user.id);
    assert_eq!(
        o.expiring_keys[0].merchant_id.as_deref(),
        Some(w.merchant_id.as_str())
    );
    assert!(overview::admin(&w.state, &user).await.is_err());
}
db_test!(the_overview_says_what_needs_attention);
