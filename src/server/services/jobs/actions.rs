//! A job's actions, changed one by one: each change loads the job in the
//! write transaction, checks it is not finished, bumps its version and
//! writes the action's event.

use serde_json::Value;

use super::clean::{self, MAX_ACTIONS};
use super::patch::patched;
use super::{ATTEMPTS, Caller, commit, get, load_for_change, record, save};
use crate::error::AppError;
use crate::model::job::{Action, ActionIn, ActionStatus, Job};
use crate::model::time::rfc3339;
use crate::server::AppState;
use crate::server::db::{Tx, jobs};
use crate::server::ids;

fn action_json(job: &Job, action: &Action) -> Value {
    let mut data = serde_json::to_value(action).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut data {
        map.insert("job_id".into(), Value::String(job.id.clone()));
    }
    data
}

pub async fn get_action(
    state: &AppState,
    caller: &Caller,
    job_id: &str,
    action_id: &str,
) -> Result<Action, AppError> {
    get(state, caller, job_id)
        .await?
        .actions
        .into_iter()
        .find(|a| a.id == action_id)
        .ok_or(AppError::NotFound)
}

/// Loads a job whose actions are about to change: in scope, at the
/// expected version, not finished.
async fn load_for_actions(
    tx: &mut Tx,
    caller: &Caller,
    job_id: &str,
    expected_version: Option<i64>,
) -> Result<Job, AppError> {
    let job = load_for_change(tx, caller, job_id, expected_version).await?;
    if job.status.is_finished() {
        return Err(AppError::conflict("job_finished"));
    }
    Ok(job)
}

/// Loads a job and finds one of its actions, for a change: the action must
/// exist (404 before anything else) and the job must not be finished.
async fn load_action(
    tx: &mut Tx,
    caller: &Caller,
    job_id: &str,
    action_id: &str,
    expected_version: Option<i64>,
) -> Result<(Job, usize), AppError> {
    let job = load_for_change(tx, caller, job_id, expected_version).await?;
    let Some(index) = job.actions.iter().position(|a| a.id == action_id) else {
        return Err(AppError::NotFound);
    };
    if job.status.is_finished() {
        return Err(AppError::conflict("job_finished"));
    }
    Ok((job, index))
}

/// Adds an action; returns the job with it.
pub async fn add_action(
    state: &AppState,
    caller: &Caller,
    job_id: &str,
    input: &ActionIn,
    expected_version: Option<i64>,
) -> Result<(Job, Action), AppError> {
    let clean = clean::action(input, caller.is_merchant())?;
    let now = state.clock.now();
    let mut tx = state.db.begin_data().await?;
    let mut job = load_for_actions(&mut tx, caller, job_id, expected_version).await?;
    if job.actions.len() >= MAX_ACTIONS {
        return Err(AppError::field("actions", "too_many"));
    }
    let stamp = rfc3339(now);
    let action = clean.into_action(ids::new_id("act", now), stamp.clone(), stamp);
    let position = jobs::next_position(&mut tx, &job.id).await?;
    jobs::insert_actions(
        &mut tx,
        &job.id,
        position,
        std::slice::from_ref(&action),
        now,
    )
    .await?;
    job.actions.push(action.clone());
    save(&mut tx, &mut job, now).await?;
    let data = action_json(&job, &action);
    let out = record(state, &mut tx, caller, "action.created", &job, data, now).await?;
    commit(state, tx, out).await?;
    Ok((job, action))
}

/// Replaces an action's fields with `input`.
pub async fn update_action(
    state: &AppState,
    caller: &Caller,
    job_id: &str,
    action_id: &str,
    input: &ActionIn,
    expected_version: Option<i64>,
) -> Result<(Job, Action), AppError> {
    let now = state.clock.now();
    let mut tx = state.db.begin_data().await?;
    let (mut job, index) =
        load_action(&mut tx, caller, job_id, action_id, expected_version).await?;
    let current = &job.actions[index];
    // Outcomes are the administrator’s (docs/security.md): a merchant may send
    // back the one recorded, but any other value, `undetermined` or none
    // included, would overwrite it and is refused.
    if caller.is_merchant() {
        let asked = match input.status.as_deref().map(str::trim) {
            None | Some("") => ActionStatus::Undetermined.as_str(),
            Some(s) => s,
        };
        if asked != current.status.as_str() {
            return Err(AppError::field("status", "read_only"));
        }
    }
    let clean = clean::action(input, false)?;
    let action = clean.into_action(current.id.clone(), current.created_at.clone(), rfc3339(now));
    jobs::update_action(&mut tx, &job.id, &action, now).await?;
    job.actions[index] = action.clone();
    save(&mut tx, &mut job, now).await?;
    let data = action_json(&job, &action);
    let out = record(state, &mut tx, caller, "action.updated", &job, data, now).await?;
    commit(state, tx, out).await?;
    Ok((job, action))
}

/// Applies a JSON Merge Patch to an action's fields, as [`super::patch`]
/// does to a job's: `wanted` is the job's version the client saw.
pub async fn patch_action(
    state: &AppState,
    caller: &Caller,
    job_id: &str,
    action_id: &str,
    body: &Value,
    wanted: Option<i64>,
) -> Result<(Job, Action), AppError> {
    for _ in 0..ATTEMPTS {
        let job = get(state, caller, job_id).await?;
        if wanted.is_some_and(|v| v != job.version) {
            return Err(AppError::Stale);
        }
        let current = job
            .actions
            .iter()
            .find(|a| a.id == action_id)
            .ok_or(AppError::NotFound)?;
        let input = patched(&ActionIn::from_action(current), body)?;
        match update_action(state, caller, job_id, action_id, &input, Some(job.version)).await {
            Err(AppError::Stale) if wanted.is_none() => continue,
            result => return result,
        }
    }
    Err(AppError::Stale)
}

pub async fn delete_action(
    state: &AppState,
    caller: &Caller,
    job_id: &str,
    action_id: &str,
    expected_version: Option<i64>,
) -> Result<Job, AppError> {
    let now = state.clock.now();
    let mut tx = state.db.begin_data().await?;
    let (mut job, index) =
        load_action(&mut tx, caller, job_id, action_id, expected_version).await?;
    if caller.is_merchant() && job.actions[index].status != ActionStatus::Undetermined {
        // Deleting it would erase the outcome an administrator recorded.
        return Err(AppError::conflict("outcome_recorded"));
    }
    let action = job.actions.remove(index);
    jobs::delete_action(&mut tx, &job.id, &action.id).await?;
    save(&mut tx, &mut job, now).await?;
    let data = action_json(&job, &action);
    let out = record(state, &mut tx, caller, "action.deleted", &job, data, now).await?;
    commit(state, tx, out).await?;
    Ok(job)
}
