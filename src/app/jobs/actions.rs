//! A job's actions on its page: the list, and while the job is not
//! finished, a form to add one or change one, and removal. Administrators
//! also record each action's outcome.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::app::jobs::labels::outcome_label;
use crate::app::layout::use_user;
use crate::app::widgets::forms::{FieldMessage, FormAlert, TextField};
use crate::app::widgets::table::EmptyRow;
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
    let draft = Draft::new();
    let fill = move |a: Option<&Action>| draft.fill(a);
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
                                    <EmptyRow columns=5>{t!(i18n, jobs.actions_empty)}</EmptyRow>
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
                                        <td>{a.sku.clone()}</td>
                                        <td class="num">{amount}</td>
                                        <td>{move || outcome_label(i18n, status)}</td>
                                        {editable
                                            .then(|| {
                                                view! {
                                                    <td class="row-actions">
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
                    view! { <ActionForm job_id=job_id.clone() version draft save error is_admin /> }
                })}
        </section>
    }
    .into_any()
}

/// The action being written in the form: a new one, or a copy of the one
/// being changed.
#[derive(Clone, Copy)]
struct Draft {
    /// The action being changed; `None`: the form adds one.
    editing: RwSignal<Option<String>>,
    description: RwSignal<String>,
    sku: RwSignal<String>,
    quantity: RwSignal<String>,
    unit: RwSignal<String>,
    outcome: RwSignal<String>,
}

impl Draft {
    fn new() -> Self {
        Draft {
            editing: RwSignal::new(None),
            description: RwSignal::new(String::new()),
            sku: RwSignal::new(String::new()),
            quantity: RwSignal::new("1".to_owned()),
            unit: RwSignal::new(String::new()),
            outcome: RwSignal::new(ActionStatus::Undetermined.as_str().to_owned()),
        }
    }

    /// Starts changing `a`, or a new action.
    fn fill(&self, a: Option<&Action>) {
        self.editing.set(a.map(|a| a.id.clone()));
        self.description
            .set(a.map(|a| a.description.clone()).unwrap_or_default());
        self.sku
            .set(a.and_then(|a| a.sku.clone()).unwrap_or_default());
        self.quantity
            .set(a.map_or("1".into(), |a| a.quantity.to_string()));
        self.unit
            .set(a.and_then(|a| a.quantity_unit.clone()).unwrap_or_default());
        self.outcome.set(
            a.map_or(ActionStatus::Undetermined, |a| a.status)
                .as_str()
                .to_owned(),
        );
    }

    fn input(&self) -> ActionIn {
        let q = self.quantity.get_untracked();
        let q = q.trim();
        ActionIn {
            description: self.description.get_untracked(),
            sku: Some(self.sku.get_untracked()),
            quantity: (!q.is_empty()).then(|| q.parse().unwrap_or(0)),
            quantity_unit: Some(self.unit.get_untracked()),
            status: Some(self.outcome.get_untracked()),
            ..Default::default()
        }
    }
}

/// Adds an action, or changes the one the draft holds.
#[component]
fn ActionForm(
    job_id: String,
    version: i64,
    draft: Draft,
    save: ServerAction<SaveJobAction>,
    error: Signal<Option<AppError>>,
    is_admin: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveJobAction {
            job_id: job_id.clone(),
            action_id: draft.editing.get_untracked(),
            version,
            input: draft.input(),
        });
    };
    view! {
        <form class="form action-form" on:submit=on_submit novalidate data-testid="action-form">
            <h3>
                {move || {
                    if draft.editing.get().is_some() {
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
                    value=draft.description
                    error
                    required=true
                    maxlength=200
                >
                    {t!(i18n, jobs.action_description)}
                </TextField>
                <TextField id="sku" value=draft.sku error maxlength=64>
                    {t!(i18n, jobs.sku)}
                </TextField>
            </div>
            <div class="form-row">
                <TextField id="quantity" value=draft.quantity error maxlength=6>
                    {t!(i18n, jobs.quantity)}
                </TextField>
                <TextField id="quantity_unit" value=draft.unit error maxlength=20>
                    {t!(i18n, jobs.unit)}
                </TextField>
                {is_admin.then(|| view! { <OutcomeSelect outcome=draft.outcome error /> })}
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
                    draft
                        .editing
                        .get()
                        .map(|_| {
                            view! {
                                <button
                                    type="button"
                                    class="button button-secondary"
                                    on:click=move |_| draft.fill(None)
                                >
                                    {t!(i18n, jobs.cancel_edit)}
                                </button>
                            }
                        })
                }}
            </div>
        </form>
    }
    .into_any()
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
