//! Jobs and actions (docs/rules.md, Jobs and API access rule 5). Administrators reach
//! every job; a merchant user reaches only the jobs they created, in the
//! browser or through the API, and another user's job is "not found". Every
//! change writes its webhook event to the outbox in the same transaction.

mod actions;
pub mod clean;
pub mod patch;
mod search;

pub use actions::{add_action, delete_action, get_action, patch_action, update_action};
pub use search::{MAX_LIMIT, search};

use serde_json::{Value, json};

use self::clean::CleanJob;
pub use super::Caller;
use crate::error::AppError;
use crate::model::job::{CreatedBy, CreationSource, Job, JobDetail, JobIn, JobStatus};
use crate::model::org::Location;
use crate::model::time::rfc3339;
use crate::server::AppState;
use crate::server::clock::Millis;
use crate::server::db::jobs::{self, Scope, Stored};
use crate::server::db::outbox::{self, OutboxEvent};
use crate::server::db::{Tx, is_unique_violation, locations, merchants};
use crate::server::ids;
use crate::server::webhooks::handoff::{self, Outgoing};

/// What a caller may do with jobs (docs/rules.md, Jobs): an administrator
/// reaches every job, a merchant user only the jobs they created.
impl Caller {
    fn scope(&self) -> Scope {
        if self.is_admin() {
            Scope::All
        } else {
            Scope::Creator(self.user.id.clone())
        }
    }

    fn is_merchant(&self) -> bool {
        !self.is_admin()
    }

    fn source(&self) -> CreationSource {
        match (self.account_id(), self.is_admin()) {
            (Some(_), _) => CreationSource::Api,
            (None, true) => CreationSource::Admin,
            (None, false) => CreationSource::Portal,
        }
    }
}

/// Writes one event to the outbox: `{type, timestamp, data}` where `data`
/// is the object with the actor (docs/rules.md, Webhooks), and fans it
/// out to the endpoints that want it, in the same transaction. What it
/// returns goes to [`commit`].
async fn record(
    state: &AppState,
    tx: &mut Tx,
    caller: &Caller,
    kind: &str,
    job: &Job,
    mut data: Value,
    now: Millis,
) -> Result<Outgoing, AppError> {
    if let Value::Object(map) = &mut data {
        map.insert("actor".into(), caller.payload());
    }
    let payload = json!({ "type": kind, "timestamp": rfc3339(now), "data": data });
    let event = OutboxEvent {
        id: &ids::new_id("msg", now),
        kind,
        job_id: &job.id,
        location_id: &job.fields.location_id,
        actor_user_id: Some(&caller.user.id),
        actor_label: &caller.user.email,
        payload: &payload.to_string(),
        at: now,
    };
    outbox::insert_event(tx, &event).await?;
    Ok(handoff::fan_out(state, tx, &event).await?)
}

/// Commits a change and hands its webhook deliveries to this instance's
/// sender: only a committed change is ever sent.
async fn commit(state: &AppState, tx: Tx, out: Outgoing) -> Result<(), AppError> {
    tx.commit().await?;
    state.webhooks.committed(out);
    Ok(())
}

fn job_json(job: &Job) -> Value {
    serde_json::to_value(job).unwrap_or(Value::Null)
}

/// The location rule: it must exist and be active, and a merchant may only
/// use one assigned to their merchant (422 either way).
async fn check_location(tx: &mut Tx, caller: &Caller, location_id: &str) -> Result<(), AppError> {
    let merchant = if caller.is_merchant() {
        Some(
            caller
                .user
                .merchant_id
                .as_deref()
                .ok_or(AppError::Forbidden)?,
        )
    } else {
        None
    };
    if !ids::is_id("loc", location_id) {
        return Err(AppError::field("location_id", "unknown_location"));
    }
    match jobs::usable_location(tx, location_id, merchant).await? {
        None => Err(AppError::field("location_id", "unknown_location")),
        Some(false) => Err(AppError::field("location_id", "location_not_allowed")),
        Some(true) => Ok(()),
    }
}

fn reference_taken(err: sqlx::Error) -> AppError {
    if is_unique_violation(&err) {
        AppError::field("reference_id", "taken")
    } else {
        err.into()
    }
}

pub async fn create(state: &AppState, caller: &Caller, input: &JobIn) -> Result<Job, AppError> {
    let clean = clean::job(input, caller.is_merchant())?;
    let now = state.clock.now();
    let stamp = rfc3339(now);
    let mut tx = state.db.begin_data().await?;
    check_location(&mut tx, caller, &clean.fields.location_id).await?;
    let CleanJob { fields, actions } = clean;
    let mut job = Job {
        id: ids::new_id("job", now),
        fields,
        status: JobStatus::New,
        creation_source: caller.source(),
        created_by: CreatedBy {
            user_id: caller.user.id.clone(),
            account_id: caller.account_id().map(str::to_owned),
        },
        version: 1,
        created_at: stamp.clone(),
        updated_at: stamp.clone(),
        actions: Vec::new(),
    };
    let meta = Stored {
        merchant_id: caller.user.merchant_id.as_deref(),
        created_at: now,
        updated_at: now,
    };
    jobs::insert(&mut tx, &job, &meta)
        .await
        .map_err(reference_taken)?;
    job.actions = actions
        .into_iter()
        .map(|a| a.into_action(ids::new_id("act", now), stamp.clone(), stamp.clone()))
        .collect();
    jobs::insert_actions(&mut tx, &job.id, 0, &job.actions, now).await?;
    let out = record(
        state,
        &mut tx,
        caller,
        "job.created",
        &job,
        job_json(&job),
        now,
    )
    .await?;
    commit(state, tx, out).await?;
    Ok(job)
}

/// The active locations `caller` may put jobs at: all of them for an
/// administrator, the merchant's own for a merchant user.
pub async fn usable_locations(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<Location>, AppError> {
    let mut all = locations::list(&state.db).await?;
    all.retain(|l| l.active);
    if caller.is_merchant() {
        let merchant_id = caller
            .user
            .merchant_id
            .as_deref()
            .ok_or(AppError::Forbidden)?;
        let merchant = merchants::get(&state.db, merchant_id)
            .await?
            .ok_or(AppError::Forbidden)?;
        all.retain(|l| merchant.location_ids.contains(&l.id));
    }
    Ok(all)
}

pub async fn get(state: &AppState, caller: &Caller, id: &str) -> Result<Job, AppError> {
    if !ids::is_id("job", id) {
        return Err(AppError::NotFound);
    }
    jobs::get(&state.db, &caller.scope(), id)
        .await?
        .ok_or(AppError::NotFound)
}

/// A job's page: the job, its history and its location's name.
pub async fn detail(state: &AppState, caller: &Caller, id: &str) -> Result<JobDetail, AppError> {
    let job = get(state, caller, id).await?;
    let history = outbox::history(&state.db, &job.id).await?;
    let location_name = locations::get(&state.db, &job.fields.location_id)
        .await?
        .map(|l| l.name);
    Ok(JobDetail {
        job,
        history,
        location_name,
    })
}

/// Loads the job for a change: in scope (404 otherwise) and at the version
/// the client saw (412 otherwise). Whether a finished job may take the
/// change is the caller's rule (docs/rules.md, Jobs rule 3).
async fn load_for_change(
    tx: &mut Tx,
    caller: &Caller,
    id: &str,
    expected_version: Option<i64>,
) -> Result<Job, AppError> {
    if !ids::is_id("job", id) {
        return Err(AppError::NotFound);
    }
    let job = jobs::get_in(tx, &caller.scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if expected_version.is_some_and(|v| v != job.version) {
        return Err(AppError::Stale);
    }
    Ok(job)
}

/// Saves a changed job as the next version.
async fn save(tx: &mut Tx, job: &mut Job, now: Millis) -> Result<(), AppError> {
    job.version += 1;
    job.updated_at = rfc3339(now);
    jobs::update(tx, job, now).await.map_err(reference_taken)
}

/// Replaces the editable fields of a job with `input` (actions are changed
/// one by one, so `input.actions` must be empty).
pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: &str,
    input: &JobIn,
    expected_version: Option<i64>,
) -> Result<Job, AppError> {
    if !input.actions.is_empty() {
        return Err(AppError::field("actions", "read_only"));
    }
    let clean = clean::job(input, caller.is_merchant())?;
    let now = state.clock.now();
    let mut tx = state.db.begin_data().await?;
    let mut job = load_for_change(&mut tx, caller, id, expected_version).await?;
    if job.status.is_finished() {
        return Err(AppError::conflict("job_finished"));
    }
    if clean.fields.location_id != job.fields.location_id {
        check_location(&mut tx, caller, &clean.fields.location_id).await?;
    }
    job.fields = clean.fields;
    save(&mut tx, &mut job, now).await?;
    let out = record(
        state,
        &mut tx,
        caller,
        "job.updated",
        &job,
        job_json(&job),
        now,
    )
    .await?;
    commit(state, tx, out).await?;
    Ok(job)
}

/// How many times a change without `If-Match` is read and tried again
/// when another change lands between its read and its write.
const ATTEMPTS: usize = 3;

/// Applies a JSON Merge Patch to the job's editable fields (docs/api.md,
/// Jobs and actions). With `wanted` (the client's `If-Match`) the job must
/// still be at that version (412 otherwise). Without it the patch applies
/// to the version just read, and a concurrent change makes it read again.
pub async fn patch(
    state: &AppState,
    caller: &Caller,
    id: &str,
    body: &Value,
    wanted: Option<i64>,
) -> Result<Job, AppError> {
    for _ in 0..ATTEMPTS {
        let current = get(state, caller, id).await?;
        if wanted.is_some_and(|v| v != current.version) {
            return Err(AppError::Stale);
        }
        let input = patch::patched(&JobIn::from_job(&current), body)?;
        match update(state, caller, id, &input, Some(current.version)).await {
            Err(AppError::Stale) if wanted.is_none() => continue,
            result => return result,
        }
    }
    Err(AppError::Stale)
}

/// Moves a job along its lifecycle. Administrators move any status; a
/// merchant may only cancel a new job ([`cancel`]).
pub async fn set_status(
    state: &AppState,
    caller: &Caller,
    id: &str,
    to: JobStatus,
    expected_version: Option<i64>,
) -> Result<Job, AppError> {
    if caller.is_merchant() && to != JobStatus::Cancelled {
        return Err(AppError::Forbidden);
    }
    let now = state.clock.now();
    let mut tx = state.db.begin_data().await?;
    let mut job = load_for_change(&mut tx, caller, id, expected_version).await?;
    let previous = job.status;
    if !previous.can_move_to(to) {
        return Err(AppError::conflict("transition_not_allowed"));
    }
    job.status = to;
    save(&mut tx, &mut job, now).await?;
    let kind = if to == JobStatus::Cancelled {
        "job.cancelled"
    } else {
        "job.status_changed"
    };
    let mut data = job_json(&job);
    data["previous_status"] = Value::String(previous.as_str().into());
    let out = record(state, &mut tx, caller, kind, &job, data, now).await?;
    commit(state, tx, out).await?;
    Ok(job)
}

/// Cancels a new job.
pub async fn cancel(state: &AppState, caller: &Caller, id: &str) -> Result<Job, AppError> {
    set_status(state, caller, id, JobStatus::Cancelled, None).await
}

/// Deletes a job, which is allowed only while it is new.
pub async fn delete(state: &AppState, caller: &Caller, id: &str) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = state.db.begin_data().await?;
    let job = load_for_change(&mut tx, caller, id, None).await?;
    if job.status != JobStatus::New {
        return Err(AppError::conflict("job_not_new"));
    }
    let out = record(
        state,
        &mut tx,
        caller,
        "job.deleted",
        &job,
        job_json(&job),
        now,
    )
    .await?;
    jobs::delete(&mut tx, &job.id).await?;
    commit(state, tx, out).await?;
    Ok(())
}
