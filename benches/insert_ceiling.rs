//! The database ceiling for `POST /api/v1/jobs`: the same rows the create
//! service writes (a job, 3 actions, one `job.created` outbox event), through
//! the crate's own `db` functions and `Db::connect` with the server's pool
//! settings, one transaction per job, from `--concurrency` tasks at once
//! (as many as the HTTP benchmark's connections). No HTTP, no
//! authentication, no validation: what is left is the database's cost.
//!
//!   cargo bench --features ssr --bench insert_ceiling -- \
//!     --url sqlite://bench.db --location loc_… --user usr_… --merchant mer_… [--seconds 5]
//!
//! The database must be migrated, with that location and user present
//! (bench/run.py passes its fixture's). Prints one JSON line.

use livreur::model::job::{Action, Job};
use livreur::server::db::jobs::{Stored, insert, insert_actions};
use livreur::server::db::outbox::{OutboxEvent, insert_event};
use livreur::server::db::{Db, Tx};
use livreur::server::ids::new_id;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

struct Args {
    url: String,
    location: String,
    user: String,
    merchant: String,
    seconds: f64,
    concurrency: usize,
    pool: u32,
}

fn args() -> Args {
    let mut a = Args {
        url: String::new(),
        location: String::new(),
        user: String::new(),
        merchant: String::new(),
        seconds: 5.0,
        concurrency: 32,
        pool: 10,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        // `cargo bench` passes `--bench` to harness-less benches: ignore it.
        if flag == "--bench" {
            continue;
        }
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => a.url = value,
            "--location" => a.location = value,
            "--user" => a.user = value,
            "--merchant" => a.merchant = value,
            "--seconds" => a.seconds = value.parse().expect("--seconds"),
            "--concurrency" => a.concurrency = value.parse().expect("--concurrency"),
            "--pool" => a.pool = value.parse().expect("--pool"),
            _ => panic!("unknown flag {flag}"),
        }
    }
    assert!(
        !a.url.is_empty() && !a.location.is_empty() && !a.user.is_empty(),
        "--url, --location and --user are required"
    );
    a
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The job `bench/common.py::job_body` creates, as the service stores it.
fn template(location: &str, user: &str) -> Job {
    let action = |i: usize| {
        json!({"id": "", "external_reference_id": null, "sku": format!("SKU-{i}"), "type": "delivery",
               "description": "Chair", "quantity": 2, "quantity_unit": "box", "value": null,
               "weight_kg": null, "status": "undetermined", "created_at": "", "updated_at": ""})
    };
    serde_json::from_value(json!({
        "id": "", "reference_id": null, "type": "delivery", "status": "new", "date": "2026-12-01",
        "time_window": {"start": "09:00", "end": "12:00"},
        "customer": {"first_name": "Ana", "last_name": "Roy", "phone": "+15145550100",
                     "mobile": null, "email": null},
        "address": {"line1": "100 Rue Saint-Paul", "apartment": null, "city": "Montréal",
                    "postal_code": "H2Y 1Z1", "country": "CA", "lat": null, "lng": null},
        "location_id": location, "description": null, "comment": null, "barcodes": [],
        "creation_source": "api", "created_by": {"user_id": user, "account_id": null},
        "version": 1, "created_at": "", "updated_at": "",
        "actions": [action(0), action(1), action(2)]
    }))
    .expect("the template matches model::job::Job")
}

async fn one(db: &Db, base: &Job, merchant: Option<&str>) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let mut job = base.clone();
    job.id = new_id("job", now);
    let actions: Vec<Action> = job
        .actions
        .iter()
        .map(|a| Action {
            id: new_id("act", now),
            ..a.clone()
        })
        .collect();
    job.actions = actions;
    let payload = json!({"type": "job.created", "timestamp": "2026-12-01T00:00:00Z",
                         "data": serde_json::to_value(&job).unwrap_or_default()})
    .to_string();
    let mut tx: Tx = db.begin().await?;
    let stored = Stored {
        merchant_id: merchant,
        created_at: now,
        updated_at: now,
    };
    insert(&mut tx, &job, &stored).await?;
    insert_actions(&mut tx, &job.id, 0, &job.actions, now).await?;
    let msg = new_id("msg", now);
    insert_event(
        &mut tx,
        &OutboxEvent {
            id: &msg,
            kind: "job.created",
            job_id: &job.id,
            location_id: &job.fields.location_id,
            actor_user_id: Some(&job.created_by.user_id),
            actor_label: "bench",
            payload: &payload,
            at: now,
        },
    )
    .await?;
    tx.commit().await
}

#[tokio::main]
async fn main() {
    let a = args();
    let db = Db::connect(&a.url, a.pool).await.expect("connect");
    let base = Arc::new(template(&a.location, &a.user));
    let merchant = Arc::new((!a.merchant.is_empty()).then(|| a.merchant.clone()));
    let done = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let end = start + Duration::from_secs_f64(a.seconds);
    let mut tasks = Vec::new();
    for _ in 0..a.concurrency {
        let (db, base, merchant, done) = (db.clone(), base.clone(), merchant.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < end {
                one(&db, &base, merchant.as_deref()).await.expect("insert");
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    let secs = start.elapsed().as_secs_f64();
    let n = done.load(Ordering::Relaxed);
    println!(
        "{}",
        json!({"backend": db.backend(), "transactions": n, "seconds": secs,
               "tx_per_s": n as f64 / secs, "concurrency": a.concurrency, "pool": a.pool})
    );
}
