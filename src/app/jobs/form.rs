//! The job form: create a job (with its actions), or change one that is
//! not finished (its actions are changed on the job's page). The server
//! checks everything; its field messages appear under the fields, in the
//! user's language, the same rules as the API.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::app::jobs::form_lines::{ActionLine, ActionRow};
use crate::app::jobs::form_sections::{
    AddressFields, AddressSection, CustomerFields, CustomerSection, text,
};
use crate::app::jobs::labels::type_label;
use crate::app::widgets::forms::{
    FieldMessage, FormActions, FormAlert, TextField, form_error, posted_form, use_live,
};
use crate::app::widgets::loaded::Loaded;
use crate::error::AppError;
use crate::i18n::*;
use crate::model::forms::PostedForm;
use crate::model::job::{Job, JobIn, JobType, TimeWindow};
use crate::model::org::Location;
use crate::serverfns::jobs::{SaveJob, get_job, job_locations};

/// `/jobs/new` and `/jobs/:id/edit`.
#[component]
pub fn JobFormPage() -> impl IntoView {
    let params = use_params_map();
    // One server function per resource: a second call after an `.await`
    // would run on the server without the request's context.
    let locations = Resource::new(|| (), |_| job_locations());
    let initial = Resource::new(
        move || params.read().get("id"),
        |id| async move {
            match id {
                Some(id) => get_job(id).await.map(|d| Some(d.job)),
                None => Ok(None),
            }
        },
    );
    let posted = posted_form();
    let load =
        move || async move { Ok::<_, AppError>((initial.await?, locations.await?, posted.await)) };
    let show = |(initial, locations, posted): (Option<Job>, Vec<Location>, Option<PostedForm>)| {
        view! { <JobForm initial locations posted /> }
    };
    view! { <Loaded load show /> }
}

#[component]
fn JobForm(
    initial: Option<Job>,
    locations: Vec<Location>,
    posted: Option<PostedForm>,
) -> impl IntoView {
    let i18n = use_i18n();
    let is_new = initial.is_none();
    let id = initial.as_ref().map(|j| j.id.clone());
    let version = initial.as_ref().map(|j| j.version);
    // What a refused plain post sent; else the job's own values, or a new
    // delivery at the first location.
    let start = match &posted {
        Some(p) => JobIn::from_fields(p),
        None => initial
            .as_ref()
            .map(JobIn::from_job)
            .unwrap_or_else(|| JobIn {
                kind: JobType::Delivery.as_str().into(),
                location_id: locations.first().map(|l| l.id.clone()).unwrap_or_default(),
                ..Default::default()
            }),
    };
    let reference_id = RwSignal::new(text(&start.reference_id));
    let kind = RwSignal::new(start.kind.clone());
    let date = RwSignal::new(start.date.clone());
    let window = start.time_window.clone().unwrap_or_default();
    let window_start = RwSignal::new(window.start);
    let window_end = RwSignal::new(window.end);
    let customer = CustomerFields::new(&start.customer);
    let address = AddressFields::new(&start.address);
    let location_id = RwSignal::new(start.location_id.clone());
    let description = RwSignal::new(text(&start.description));
    let comment = RwSignal::new(text(&start.comment));
    let barcodes = RwSignal::new(start.barcodes.join("\n"));
    let rows = RwSignal::new(match (is_new, &posted) {
        (false, _) => Vec::new(),
        (true, Some(_)) if !start.actions.is_empty() => start
            .actions
            .iter()
            .enumerate()
            .map(|(key, a)| ActionRow::sent(key, a))
            .collect(),
        (true, _) => vec![ActionRow::new(0)],
    });

    let action = ServerAction::<SaveJob>::new();
    let error = form_error(action, posted.as_ref());
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(job)) = action.value().get() {
            navigate(&format!("/jobs/{}", job.id), Default::default());
        }
    });
    let cancel_href = id
        .as_ref()
        .map_or("/jobs".to_owned(), |id| format!("/jobs/{id}"));
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (ws, we) = (window_start.get_untracked(), window_end.get_untracked());
        let time_window = (!ws.trim().is_empty() || !we.trim().is_empty())
            .then_some(TimeWindow { start: ws, end: we });
        let input = JobIn {
            reference_id: Some(reference_id.get_untracked()),
            kind: kind.get_untracked(),
            date: date.get_untracked(),
            time_window,
            customer: customer.value(),
            address: address.value(),
            location_id: location_id.get_untracked(),
            description: Some(description.get_untracked()),
            comment: Some(comment.get_untracked()),
            barcodes: barcodes
                .get_untracked()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            actions: rows.get_untracked().iter().map(ActionRow::input).collect(),
        };
        action.dispatch(SaveJob {
            id: id.clone(),
            version,
            input,
        });
    };
    let title = move || {
        if is_new {
            t_string!(i18n, jobs.new_title)
        } else {
            t_string!(i18n, jobs.edit_title)
        }
    };
    let no_locations = locations.is_empty();
    let chosen_location = start.location_id.clone();
    view! {
        <Title text=title />
        <div class="page-header">
            <h1>{title}</h1>
        </div>
        {no_locations
            .then(|| view! { <div class="alert alert-info">{t!(i18n, jobs.no_locations)}</div> })}
        <form
            class="panel form"
            method="post"
            on:submit=on_submit
            novalidate
            data-testid="job-form"
        >
            <FormAlert error />
            // What a plain post needs besides the fields shown: the version
            // edited (a change made meanwhile is refused) and the
            // coordinates the form does not show.
            {version.map(|v| view! { <input type="hidden" name="version" value=v /> })}
            {start
                .address
                .lat
                .map(|v| view! { <input type="hidden" name="address.lat" value=v /> })}
            {start
                .address
                .lng
                .map(|v| view! { <input type="hidden" name="address.lng" value=v /> })}
            <h2>{t!(i18n, jobs.section_visit)}</h2>
            <div class="field">
                <label for="type">{t!(i18n, jobs.kind)}</label>
                <select
                    id="type"
                    name="type"
                    prop:value=move || kind.get()
                    on:change=move |ev| kind.set(event_target_value(&ev))
                >
                    {JobType::ALL
                        .iter()
                        .map(|t| {
                            let t = *t;
                            let selected = start.kind == t.as_str();
                            view! {
                                <option value=t.as_str() selected=selected>
                                    {move || type_label(i18n, t)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <FieldMessage field="type" error />
            </div>
            <TextField id="date" value=date error required=true kind="date" maxlength=10>
                {t!(i18n, jobs.date)}
            </TextField>
            <div class="form-row">
                <TextField id="time_window.start" value=window_start error kind="time" maxlength=5>
                    {t!(i18n, jobs.window_start)}
                </TextField>
                <TextField id="time_window.end" value=window_end error kind="time" maxlength=5>
                    {t!(i18n, jobs.window_end)}
                </TextField>
            </div>
            <div class="field">
                <label for="location_id">{t!(i18n, jobs.location)}</label>
                <select
                    id="location_id"
                    name="location_id"
                    prop:value=move || location_id.get()
                    on:change=move |ev| location_id.set(event_target_value(&ev))
                >
                    {locations
                        .into_iter()
                        .map(|l| {
                            let selected = l.id == chosen_location;
                            view! {
                                <option value=l.id selected=selected>
                                    {format!("{} ({})", l.name, l.ref_no)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <FieldMessage field="location_id" error />
            </div>
            <TextField
                id="reference_id"
                value=reference_id
                error
                maxlength=64
                hint=Signal::derive(move || t_string!(i18n, jobs.reference_hint))
            >
                {t!(i18n, jobs.reference_id)}
            </TextField>
            <CustomerSection f=customer error />
            <AddressSection f=address error />
            <h2>{t!(i18n, jobs.section_notes)}</h2>
            <TextField id="description" value=description error maxlength=500>
                {t!(i18n, jobs.description)}
            </TextField>
            <TextArea id="comment" value=comment error>
                {t!(i18n, jobs.comment)}
            </TextArea>
            <TextArea id="barcodes" value=barcodes error>
                {t!(i18n, jobs.barcodes)}
                <span class="field-hint">" · " {t!(i18n, jobs.barcodes_hint)}</span>
            </TextArea>
            {is_new.then(|| view! { <NewActions rows error /> })}
            <FormActions
                pending=Signal::derive(move || action.pending().get())
                cancel_href=cancel_href
            />
        </form>
    }
    .into_any()
}

/// The action lines of a new job, with the button that adds one.
#[component]
fn NewActions(rows: RwSignal<Vec<ActionRow>>, error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let next_key = StoredValue::new(rows.read_untracked().len().max(1));
    // Lines are added and removed in the browser: without JavaScript the
    // form has its lines as they are (a blank one is no action).
    let live = use_live();
    view! {
        <h2>{t!(i18n, jobs.section_actions)}</h2>
        <p class="field-hint">{t!(i18n, jobs.actions_hint)}</p>
        <FieldMessage field="actions" error />
        <For each=move || rows.get() key=|r| r.key let:row>
            <ActionLine row rows error live />
        </For>
        <div hidden=move || !live.get()>
            <button
                type="button"
                class="button button-secondary button-small"
                on:click=move |_| {
                    let key = next_key.get_value();
                    next_key.set_value(key + 1);
                    rows.update(|r| r.push(ActionRow::new(key)));
                }
            >
                {t!(i18n, jobs.add_action)}
            </button>
        </div>
    }
    .into_any()
}

/// A multi-line text field, with the error for `id`.
#[component]
fn TextArea(
    id: &'static str,
    value: RwSignal<String>,
    error: Signal<Option<AppError>>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{children()}</label>
            <textarea
                id=id
                name=id
                rows="3"
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            >
                {value.get_untracked()}
            </textarea>
            <FieldMessage field=id error />
        </div>
    }
}
