//! A scriptable webhook receiver on loopback, and the world the webhook
//! tests share: loopback opened to webhooks, a shrunk retry schedule.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use livreur::model::webhook::{Webhook, WebhookIn};
use livreur::server::services::webhooks as service;
use livreur::server::webhooks::{Webhooks, sign};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::world::{World, world};
use super::{TestDb, settings};

/// What the receiver answers next: status, delay, extra headers.
#[derive(Clone)]
pub struct Answer {
    pub status: u16,
    pub delay_ms: u64,
    pub headers: Vec<(&'static str, String)>,
}

pub fn answer(status: u16) -> Answer {
    Answer {
        status,
        delay_ms: 0,
        headers: Vec::new(),
    }
}

#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).unwrap().to_str().unwrap()
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

#[derive(Clone, Default)]
pub struct Receiver {
    pub script: Arc<Mutex<VecDeque<Answer>>>,
    pub got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub fn script(&self, answers: &[Answer]) {
        self.script.lock().unwrap().extend(answers.iter().cloned());
    }
    pub fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

pub async fn receive(
    State(r): State<Receiver>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    r.got.lock().unwrap().push(Received {
        path: uri.path().to_owned(),
        headers,
        body,
    });
    let next = r.script.lock().unwrap().pop_front().unwrap_or(answer(200));
    if next.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(next.delay_ms)).await;
    }
    let mut resp = (
        StatusCode::from_u16(next.status).unwrap(),
        "receiver says hi",
    )
        .into_response();
    for (k, v) in next.headers {
        resp.headers_mut().insert(k, v.parse().unwrap());
    }
    resp
}

/// A receiver on a free loopback port; answers 200 unless scripted.
pub async fn receiver() -> (Receiver, String) {
    let r = Receiver::default();
    let app = Router::new().fallback(receive).with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (r, format!("http://{addr}"))
}

/// The world, with loopback opened to webhooks and the given retry
/// schedule, timeout and disable period.
pub async fn hooks_world(t: &TestDb, schedule: &str, timeout_s: u64, disable_h: u64) -> World {
    let mut w = world(t).await;
    let mut s = settings();
    s.webhook_allowed_nets = "127.0.0.0/8".into();
    s.webhook_retry_schedule = Some(schedule.into());
    s.webhook_timeout_seconds = timeout_s;
    s.webhook_disable_after_hours = disable_h;
    w.state.webhooks = Arc::new(Webhooks::ephemeral(&s));
    w
}

pub async fn endpoint(
    w: &World,
    url: &str,
    location: Option<&str>,
    events: &[&str],
) -> (Webhook, String) {
    let made = service::create(
        &w.state,
        &w.admin,
        &WebhookIn {
            url: url.into(),
            location_id: location.map(str::to_owned),
            events: events.iter().map(|e| (*e).to_owned()).collect(),
            description: Some("test receiver".into()),
            enabled: None,
        },
    )
    .await
    .unwrap();
    (made.webhook, made.secret)
}

/// Creates a job as the administrator (one `job.created` event).
pub async fn job(w: &World, reference: &str) -> String {
    use livreur::server::services::jobs;
    jobs::create(&w.state, &w.admin, &job_input(w, reference))
        .await
        .unwrap()
        .id
}

/// A job at the world's location, as `job` creates it.
pub fn job_input(w: &World, reference: &str) -> livreur::model::job::JobIn {
    serde_json::from_value(json!({
        "reference_id": reference, "type": "delivery", "date": "2026-12-01",
        "customer": {"first_name": "Ana", "phone": "+15145550100"},
        "address": {"line1": "100 Rue Saint-Paul"},
        "location_id": w.location_id,
    }))
    .unwrap()
}

pub async fn deliveries(w: &World, id: &str) -> Vec<livreur::model::webhook::Delivery> {
    service::deliveries(&w.state, &w.admin, id, None, Some(100))
        .await
        .unwrap()
        .data
}

pub async fn current(w: &World, id: &str) -> Webhook {
    service::get(&w.state, &w.admin, id).await.unwrap()
}

pub fn verifies(secret: &str, r: &Received) -> bool {
    let key = sign::key_of(secret).unwrap();
    let ts: i64 = r.header("webhook-timestamp").parse().unwrap();
    let expected = sign::sign(&key, r.header("webhook-id"), ts, &r.body);
    r.header("webhook-signature")
        .split(' ')
        .any(|s| s == expected)
}
