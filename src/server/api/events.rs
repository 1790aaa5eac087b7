//! The event catalog (docs/webhooks.md, Events): every webhook event type
//! in the OpenAPI document's top-level `webhooks` (OpenAPI 3.1), each with
//! the headers it is signed with, its payload's schema and an example.
//! The examples are real values: a job and an action deserialized into the
//! model's own types and written out as the job services write them, so an
//! example that drifts from the types fails to build (a unit test reads
//! them).

use serde_json::{Value, json};

use crate::model::job::{Action, Job, JobStatus};
use crate::model::webhook::EVENT_TYPES;

/// What the receiver is told about each event type.
fn description(event: &str) -> &'static str {
    match event {
        "job.created" => "A job was created. `data` is the job as `GET /jobs/{job_id}` shows it.",
        "job.updated" => "A job's fields or actions changed. `data` is the job after the change.",
        "job.status_changed" => {
            "A job moved to another status (but not to `cancelled`). `data` is the job, with \
             `previous_status`."
        }
        "job.cancelled" => "A job was cancelled. `data` is the job, with `previous_status`.",
        "job.deleted" => "A job was deleted. `data` is the job as it was.",
        "action.created" => "An action was added to a job. `data` is the action, with `job_id`.",
        "action.updated" => {
            "An action changed. `data` is the action after the change, with `job_id`."
        }
        "action.deleted" => "An action was removed. `data` is the action as it was, with `job_id`.",
        "webhook.test" => {
            "Sent by \"Send test event\" (or `POST /webhooks/{webhook_id}/test`) to that endpoint \
             only, whatever it subscribes to."
        }
        _ => "",
    }
}

/// The schema of `data` for an event type (in `components/schemas`).
fn data_schema(event: &str) -> &'static str {
    match event {
        "job.status_changed" | "job.cancelled" => "JobStatusEventData",
        e if e.starts_with("job.") => "JobEventData",
        e if e.starts_with("action.") => "ActionEventData",
        _ => "TestEventData",
    }
}

pub fn sample_job() -> Job {
    serde_json::from_value(json!({
        "id": "job_01kbx2d4f6h8j0k2m4n6p8r0s2",
        "reference_id": "ORD-1042",
        "type": "delivery",
        "date": "2026-12-08",
        "time_window": {"start": "09:00", "end": "12:00"},
        "customer": {"first_name": "Camille", "last_name": "Roy", "phone": "+15145550100"},
        "address": {"line1": "200 Rue Saint-Paul O", "city": "Montréal",
                    "postal_code": "H2Y 1Z9", "country": "CA"},
        "location_id": "loc_01kbx2d4f6h8j0k2m4n6p8r0s3",
        "barcodes": ["0012345678905"],
        "status": "in_progress",
        "creation_source": "api",
        "created_by": {"user_id": "usr_01kbx2d4f6h8j0k2m4n6p8r0s4",
                       "account_id": "acct_01kbx2d4f6h8j0k2m4n6p8r0s5"},
        "version": 3,
        "created_at": "2026-12-07T14:02:11.250Z",
        "updated_at": "2026-12-07T15:30:00.000Z",
        "actions": []
    }))
    .expect("the sample job is a job")
}

pub fn sample_action() -> Action {
    serde_json::from_value(json!({
        "id": "act_01kbx2d4f6h8j0k2m4n6p8r0s6",
        "sku": "BOX-M",
        "type": "delivery",
        "description": "Box, medium",
        "quantity": 2,
        "quantity_unit": "box",
        "weight_kg": 4.5,
        "status": "undetermined",
        "created_at": "2026-12-07T14:02:11.250Z",
        "updated_at": "2026-12-07T14:02:11.250Z"
    }))
    .expect("the sample action is an action")
}

fn actor() -> Value {
    json!({"user_id": "usr_01kbx2d4f6h8j0k2m4n6p8r0s4", "role": "merchant_l2",
           "account_id": "acct_01kbx2d4f6h8j0k2m4n6p8r0s5"})
}

/// An example payload of `event`, as the services write it.
pub fn example(event: &str) -> Value {
    let mut data = match data_schema(event) {
        "ActionEventData" => {
            let mut a = serde_json::to_value(sample_action()).unwrap_or_default();
            a["job_id"] = json!(sample_job().id);
            a
        }
        "TestEventData" => json!({
            "webhook_id": "whk_01kbx2d4f6h8j0k2m4n6p8r0s7",
            "message": "A test event from Livreur.",
        }),
        _ => {
            let mut job = sample_job();
            job.actions = vec![sample_action()];
            serde_json::to_value(job).unwrap_or_default()
        }
    };
    match event {
        "job.status_changed" => data["previous_status"] = json!("new"),
        "job.cancelled" => {
            data["status"] = json!("cancelled");
            data["previous_status"] = json!("new");
        }
        _ => {}
    }
    data["actor"] = actor();
    json!({"type": event, "timestamp": "2026-12-07T15:30:00.000Z", "data": data})
}

fn schemas() -> Value {
    let actor = json!({"$ref": "#/components/schemas/EventActor"});
    let statuses: Vec<&str> = JobStatus::ALL.iter().map(|s| s.as_str()).collect();
    json!({
        "EventActor": {
            "type": "object",
            "description": "Who made the change: the user, their role, and the API account \
                whose key was used (null in the browser).",
            "required": ["user_id", "role", "account_id"],
            "properties": {
                "user_id": {"type": "string"},
                "role": {"type": "string", "enum": ["admin", "merchant_l1", "merchant_l2"]},
                "account_id": {"type": ["string", "null"]}
            }
        },
        "JobEventData": {"allOf": [
            {"$ref": "#/components/schemas/Job"},
            {"type": "object", "required": ["actor"], "properties": {"actor": actor}}
        ]},
        "JobStatusEventData": {"allOf": [
            {"$ref": "#/components/schemas/Job"},
            {"type": "object", "required": ["actor", "previous_status"], "properties": {
                "actor": actor,
                "previous_status": {"type": "string", "enum": statuses}
            }}
        ]},
        "ActionEventData": {"allOf": [
            {"$ref": "#/components/schemas/Action"},
            {"type": "object", "required": ["actor", "job_id"], "properties": {
                "actor": actor, "job_id": {"type": "string"}
            }}
        ]},
        "TestEventData": {
            "type": "object",
            "required": ["webhook_id", "message", "actor"],
            "properties": {
                "webhook_id": {"type": "string"},
                "message": {"type": "string"},
                "actor": actor
            }
        }
    })
}

/// The headers every message carries (Standard Webhooks).
fn headers() -> Value {
    let header = |name: &str, description: &str, example: &str| {
        json!({"name": name, "in": "header", "required": true, "description": description,
               "schema": {"type": "string"}, "example": example})
    };
    json!([
        header(
            "webhook-id",
            "The message's id: the same on every retry and recovery; \
            use it to ignore a message received twice.",
            "msg_01kbx2d4f6h8j0k2m4n6p8r0s8"
        ),
        header(
            "webhook-timestamp",
            "Seconds since the Unix epoch when it was signed; refuse \
            one too far from now.",
            "1796657400"
        ),
        header(
            "webhook-signature",
            "`v1,<base64 HMAC-SHA256 of id.timestamp.body>`, \
            space separated while a rotated secret still signs.",
            "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="
        )
    ])
}

/// Adds the catalog to the served document.
pub fn add_catalog(doc: &mut Value) {
    if let (Some(Value::Object(into)), Value::Object(new)) =
        (doc.pointer_mut("/components/schemas"), schemas())
    {
        into.extend(new);
    }
    let mut hooks = serde_json::Map::new();
    for event in EVENT_TYPES.iter().copied().chain(["webhook.test"]) {
        let body = json!({
            "type": "object",
            "required": ["type", "timestamp", "data"],
            "properties": {
                "type": {"type": "string", "const": event},
                "timestamp": {"type": "string", "format": "date-time"},
                "data": {"$ref": format!("#/components/schemas/{}", data_schema(event))}
            }
        });
        let operation = json!({
            "post": {
                "operationId": format!("event_{}", event.replace('.', "_")),
                "summary": event,
                "description": description(event),
                "tags": ["Events"],
                "parameters": headers(),
                "requestBody": {"required": true, "content": {"application/json": {
                    "schema": body, "example": example(event)
                }}},
                "responses": {
                    "2XX": {"description": "Received. Anything else (a redirect too) is retried."},
                    "410": {"description": "Gone: the endpoint is disabled."}
                }
            }
        });
        hooks.insert(event.to_owned(), operation);
    }
    doc["webhooks"] = Value::Object(hooks);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_type_has_a_described_example() {
        for event in EVENT_TYPES.iter().copied().chain(["webhook.test"]) {
            assert!(!description(event).is_empty(), "{event}");
            let e = example(event);
            assert_eq!(e["type"], event);
            assert!(e["data"]["actor"]["user_id"].is_string(), "{event}");
        }
        assert_eq!(example("job.cancelled")["data"]["status"], "cancelled");
        assert_eq!(example("action.deleted")["data"]["job_id"], sample_job().id);
    }
}
