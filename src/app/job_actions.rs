//! A job's actions on its page: the list, and while the job is not
//! finished, a form to add one or change one, and removal. Administrators
//! also record each action's outcome.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::forms::{FieldMessage, FormAlert, TextField};
use super::jobs::outcome_label;
use super::layout::use_user;
use crate::error::AppError;
use crate::i18n::*;
use crate::model::job::{Action, ActionIn, ActionStatus, Job};
use crate::serverfns::jobs::{DeleteJobAction, SaveJobAction};

#[component]
pub fn ActionsPanel(job: Job, changed: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let is_admin = use_user().is_admin();
    let editable = !job.status.is_finished();
    let version = job.version;
    let job_id = job.id.clone();
    let save = ServerAction::<SaveJobAction>::new();
    let remove = ServerAction::<DeleteJobAction>::new();
    // The action being changed in the form; `None`: the form adds one.
    let editing = RwSignal::new(None::<String>);
    let description = RwSignal::new(String::new());
    let sku = RwSignal::new(String::new());
    let quantity = RwSignal::new("1".to_owned());
    let unit = RwSignal::new(String::new());
    let outcome = RwSignal::new(ActionStatus::Undetermined.as_str().to_owned());
    let fill = move |a: Option<&Action>| {
        editing.set(a.map(|a| a.id.clone()));
        description.set(a.map(|a| a.description.clone()).unwrap_or_default());
        sku.set(a.and_then(|a| a.sku.clone()).unwrap_or_default());
        quantity.set(a.map_or("1".into(), |a| a.quantity.to_string()));
        unit.set(a.and_then(|a| a.quantity_unit.clone()).unwrap_or_default());
        outcome.set(
            a.map_or(ActionStatus::Undetermined, |a| a.status)
                .as_str()
                .to_owned(),
        );
    };
    Effect::new(move |_| {
        let done = save.value().with(|v| matches!(v, Some(Ok(_))))
            || remove.value().with(|v| matches!(v, Some(Ok(_))));
        if done {
            changed.update(|n| *n += 1);
        }
    });
    let error = Signal::derive(move || {
        save.value()
            .get()
            .and_then(Result::err)
            .or_else(|| remove.value().get().and_then(Result::err))
    });
    let on_submit = {
        let job_id = job_id.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let q = quantity.get_untracked();
            let q = q.trim();
            save.dispatch(SaveJobAction {
                job_id: job_id.clone(),
                action_id: editing.get_untracked(),
                version,
                input: ActionIn {
                    description: description.get_untracked(),
                    sku: Some(sku.get_untracked()),
                    quantity: (!q.is_empty()).then(|| q.parse().unwrap_or(0)),
                    quantity_unit: Some(unit.get_untracked()),
                    status: Some(outcome.get_untracked()),
                    ..Default::default()
                },
            });
        }
    };
    let empty = job.actions.is_empty();
    let actions = job.actions.clone();
    view! {
        <section class="panel" data-testid="job-actions">
            <h2>{t!(i18n, jobs.section_actions)}</h2>
            <div class="table-wrap">
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, jobs.action_description)}</th>
                            <th scope="col">{t!(i18n, jobs.sku)}</th>
                            <th scope="col" class="num">
                                {t!(i18n, jobs.quantity)}
                            </th>
                            <th scope="col">{t!(i18n, jobs.outcome)}</th>
                            {editable.then(|| view! { <th scope="col"></th> })}
                        </tr>
                    </thead>
                    <tbody>
                        {empty
                            .then(|| {
                                view! {
                                    <tr>
                                        <td colspan="5" class="table-empty">
                                            {t!(i18n, jobs.actions_empty)}
                                        </td>
                                    </tr>
                                }
                            })}
                        {actions
                            .into_iter()
                            .map(|a| {
                                let status = a.status;
                                let for_edit = a.clone();
                                let (job_id, action_id) = (job_id.clone(), a.id.clone());
                                let amount = match &a.quantity_unit {
                                    Some(u) => format!("{} {u}", a.quantity),
                                    None => a.quantity.to_string(),
                                };
                                view! {
                                    <tr>
                                        <td>{a.description.clone()}</td>
                                        <td>{a.sku.clone().unwrap_or_default()}</td>
                                        <td class="num">{amount}</td>
                                        <td>{move || outcome_label(i18n, status)}</td>
                                        {editable
                                            .then(|| {
                                                view! {
                                                    <td class="form-actions">
                                                        <button
                                                            type="button"
                                                            class="button button-secondary button-small"
                                                            on:click=move |_| fill(Some(&for_edit))
                                                        >
                                                            {t!(i18n, jobs.edit_action)}
                                                        </button>
                                                        <button
                                                            type="button"
                                                            class="button button-danger button-small"
                                                            disabled=move || remove.pending().get()
                                                            on:click=move |_| {
                                                                remove
                                                                    .dispatch(DeleteJobAction {
                                                                        job_id: job_id.clone(),
                                                                        action_id: action_id.clone(),
                                                                        version,
                                                                    });
                                                            }
                                                        >
                                                            {t!(i18n, jobs.delete_action)}
                                                        </button>
                                                    </td>
                                                }
                                            })}
                                    </tr>
                                }
                                    .into_any()
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
            {editable
                .then(|| {
                    view! {
                        <form class="form" on:submit=on_submit novalidate data-testid="action-form">
                            <h3>
                                {move || {
                                    if editing.get().is_some() {
                                        t_string!(i18n, jobs.edit_action)
                                    } else {
                                        t_string!(i18n, jobs.add_action)
                                    }
                                }}
                            </h3>
                            <FormAlert error />
                            <div class="form-row">
                                <TextField
                                    id="description"
                                    value=description
                                    error
                                    required=true
                                    maxlength=200
                                >
                                    {t!(i18n, jobs.action_description)}
                                </TextField>
                                <TextField id="sku" value=sku error maxlength=64>
                                    {t!(i18n, jobs.sku)}
                                </TextField>
                            </div>
                            <div class="form-row">
                                <TextField id="quantity" value=quantity error maxlength=6>
                                    {t!(i18n, jobs.quantity)}
                                </TextField>
                                <TextField id="quantity_unit" value=unit error maxlength=20>
                                    {t!(i18n, jobs.unit)}
                                </TextField>
                                {is_admin.then(|| view! { <OutcomeSelect outcome error /> })}
                            </div>
                            <div class="form-actions">
                                <button
                                    type="submit"
                                    class="button button-primary"
                                    disabled=move || save.pending().get()
                                >
                                    {t!(i18n, jobs.save_action)}
                                </button>
                                {move || {
                                    editing
                                        .get()
                                        .map(|_| {
                                            view! {
                                                <button
                                                    type="button"
                                                    class="button button-secondary"
                                                    on:click=move |_| fill(None)
                                                >
                                                    {t!(i18n, jobs.cancel_edit)}
                                                </button>
                                            }
                                        })
                                }}
                            </div>
                        </form>
                    }
                })}
        </section>
    }
}

#[component]
fn OutcomeSelect(outcome: RwSignal<String>, error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="field">
            <label for="status">{t!(i18n, jobs.outcome)}</label>
            <select
                id="status"
                prop:value=move || outcome.get()
                on:change=move |ev| outcome.set(event_target_value(&ev))
            >
                {ActionStatus::ALL
                    .iter()
                    .map(|s| {
                        let s = *s;
                        view! {
                            <option value=s.as_str() selected=move || outcome.get() == s.as_str()>
                                {move || outcome_label(i18n, s)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <FieldMessage field="status" error />
        </div>
    }
}
