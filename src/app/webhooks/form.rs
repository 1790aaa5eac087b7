//! The webhook form: create an endpoint (its signing secret is then shown
//! once, in place of the form) or change one.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::app::webhooks::parts::{LIST_PATH, SecretOnce, event_label};
use crate::app::widgets::forms::{
    FieldMessage, FormActions, FormAlert, TextField, Toggle, form_error, posted_form, use_live,
};
use crate::app::widgets::loaded::Loaded;
use crate::app::widgets::reauth::{ReauthPrompt, besides_prompt, needs_reauth};
use crate::error::AppError;
use crate::i18n::*;
use crate::model::forms::PostedForm;
use crate::model::org::Location;
use crate::model::webhook::{EVENT_TYPES, Webhook, WebhookIn, WebhookWithSecret};
use crate::serverfns::organization::list_locations;
use crate::serverfns::webhooks::{SaveWebhook, get_webhook};

/// `/integrations/api/webhooks/new` and `/integrations/api/webhooks/:id/edit`.
#[component]
pub fn WebhookFormPage() -> impl IntoView {
    let params = use_params_map();
    // One server function per resource (see the audit page).
    let locations = Resource::new(|| (), |_| list_locations());
    let initial = Resource::new(
        move || params.read().get("id"),
        |id| async move {
            match id {
                Some(id) => get_webhook(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let posted = posted_form();
    // An endpoint created by a plain post, with its secret to show once.
    let made = {
        let made = use_context::<WebhookWithSecret>();
        OnceResource::new(async move { made })
    };
    let load = move || async move {
        Ok::<_, AppError>((initial.await?, locations.await?, posted.await, made.await))
    };
    let show = |(initial, locations, posted, made): Loaded4| {
        view! { <WebhookForm initial locations posted made /> }
    };
    view! { <Loaded load show /> }
}

type Loaded4 = (
    Option<Webhook>,
    Vec<Location>,
    Option<PostedForm>,
    Option<WebhookWithSecret>,
);

/// What the form holds while it is being filled in.
#[derive(Clone, Copy)]
struct Draft {
    url: RwSignal<String>,
    location_id: RwSignal<String>,
    all_events: RwSignal<bool>,
    events: RwSignal<Vec<String>>,
    description: RwSignal<String>,
    enabled: RwSignal<bool>,
}

impl Draft {
    /// What a refused plain post sent, else the endpoint's own values.
    fn new(w: Option<&Webhook>, posted: Option<&PostedForm>) -> Self {
        if let Some(p) = posted {
            let ticked = p.values("events");
            let all = ticked.iter().any(|e| e == "*");
            return Draft {
                url: RwSignal::new(p.text("url")),
                location_id: RwSignal::new(p.text("location_id")),
                all_events: RwSignal::new(all),
                events: RwSignal::new(if all { Vec::new() } else { ticked }),
                description: RwSignal::new(p.text("description")),
                enabled: RwSignal::new(p.checked("enabled")),
            };
        }
        let all = w.is_none_or(|w| w.events.iter().any(|e| e == "*"));
        Draft {
            url: RwSignal::new(w.map(|w| w.url.clone()).unwrap_or_default()),
            location_id: RwSignal::new(w.and_then(|w| w.location_id.clone()).unwrap_or_default()),
            all_events: RwSignal::new(all),
            events: RwSignal::new(
                w.filter(|_| !all)
                    .map(|w| w.events.clone())
                    .unwrap_or_default(),
            ),
            description: RwSignal::new(w.and_then(|w| w.description.clone()).unwrap_or_default()),
            enabled: RwSignal::new(w.is_none_or(|w| w.enabled)),
        }
    }

    fn input(&self, editing: bool) -> WebhookIn {
        let location = self.location_id.get_untracked();
        let chosen = self.events.get_untracked();
        WebhookIn {
            url: self.url.get_untracked(),
            location_id: (!location.is_empty()).then_some(location),
            events: if self.all_events.get_untracked() {
                vec!["*".to_owned()]
            } else {
                // In the form's order, whatever order they were ticked in.
                EVENT_TYPES
                    .iter()
                    .filter(|e| chosen.iter().any(|c| c == *e))
                    .map(|e| (*e).to_owned())
                    .collect()
            },
            description: Some(self.description.get_untracked()),
            enabled: editing.then(|| self.enabled.get_untracked()),
        }
    }
}

#[component]
fn WebhookForm(
    initial: Option<Webhook>,
    locations: Vec<Location>,
    posted: Option<PostedForm>,
    made: Option<WebhookWithSecret>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = initial.as_ref().map(|w| w.id.clone());
    let editing = id.is_some();
    let draft = Draft::new(initial.as_ref(), posted.as_ref());
    let current_location = initial.as_ref().and_then(|w| w.location_id.clone());
    // Active locations, plus the one the endpoint follows if it is not.
    let offered: Vec<(String, String)> = locations
        .into_iter()
        .filter(|l| l.active || current_location.as_deref() == Some(l.id.as_str()))
        .map(|l| (l.id.clone(), format!("{} ({})", l.name, l.ref_no)))
        .collect();

    let action = ServerAction::<SaveWebhook>::new();
    let error = form_error(action, posted.as_ref());
    // The endpoint just created and its secret: shown once, in this page's
    // memory only (or in the answer to a plain post).
    let made = made.map(|m| (m.webhook, m.secret));
    let created = Memo::new(move |_| match action.value().get() {
        Some(Ok((w, Some(secret)))) => Some((w, secret)),
        _ => made.clone(),
    });
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok((w, None))) = action.value().get() {
            navigate(&format!("{LIST_PATH}/{}", w.id), Default::default());
        }
    });
    let cancel_href = id
        .as_ref()
        .map_or(LIST_PATH.to_owned(), |id| format!("{LIST_PATH}/{id}"));
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        action.dispatch(SaveWebhook {
            id: id.clone(),
            input: draft.input(editing),
        });
    };
    let title = move || {
        if editing {
            t_string!(i18n, webhooks.edit_title)
        } else {
            t_string!(i18n, webhooks.new_title)
        }
    };
    let form = view! {
        <ReauthPrompt needed=Signal::derive(move || needs_reauth(error.get())) />
        <form
            class="panel form"
            method="post"
            on:submit=on_submit
            novalidate
            data-testid="webhook-form"
        >
            <FormAlert error=besides_prompt(error) />
            <TextField
                id="url"
                value=draft.url
                error
                required=true
                kind="url"
                maxlength=2000
                hint=Signal::derive(move || t_string!(i18n, webhooks.url_hint))
            >
                {t!(i18n, webhooks.url)}
            </TextField>
            <LocationSelect draft offered error />
            <EventChoice draft error />
            <TextField
                id="description"
                value=draft.description
                error
                maxlength=300
                hint=Signal::derive(move || t_string!(i18n, webhooks.description_hint))
            >
                {t!(i18n, webhooks.description)}
            </TextField>
            {editing
                .then(|| {
                    view! {
                        <Toggle
                            id="enabled"
                            checked=draft.enabled
                            hint=Signal::derive(move || t_string!(i18n, webhooks.enabled_hint))
                        >
                            {t!(i18n, webhooks.enabled)}
                        </Toggle>
                    }
                })}
            <FormActions
                pending=Signal::derive(move || action.pending().get())
                cancel_href=cancel_href
            />
        </form>
    }
    .into_any();
    // The form stays mounted (hidden) once the secret is shown, so nothing
    // typed is lost and no component is rebuilt on every keystroke.
    view! {
        <Title text=title />
        <div class="page-header">
            <div>
                <p class="breadcrumb">
                    <A href=LIST_PATH>{t!(i18n, webhooks.title)}</A>
                </p>
                <h1>{title}</h1>
            </div>
        </div>
        {move || created.get().map(|(w, secret)| view! { <Created webhook=w secret /> })}
        <div hidden=move || created.with(Option::is_some)>{form}</div>
    }
    .into_any()
}

/// What follows a create: the secret, once, and the way to the endpoint.
#[component]
fn Created(webhook: Webhook, secret: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="alert alert-success" role="status">
            {t!(i18n, webhooks.created_notice)}
        </div>
        <SecretOnce secret rotated=false />
        <div class="form-actions">
            <A
                href=format!("{LIST_PATH}/{}", webhook.id)
                attr:class="button button-primary"
                attr:data-testid="go-to-webhook"
            >
                {t!(i18n, webhooks.go_to_webhook)}
            </A>
        </div>
    }
    .into_any()
}

#[component]
fn LocationSelect(
    draft: Draft,
    offered: Vec<(String, String)>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let chosen = draft.location_id;
    view! {
        <div class="field">
            <label for="location_id">{t!(i18n, webhooks.location)}</label>
            <select
                id="location_id"
                name="location_id"
                aria-describedby="location_id-hint"
                prop:value=move || chosen.get()
                on:change=move |ev| chosen.set(event_target_value(&ev))
            >
                <option value="" selected=chosen.get_untracked().is_empty()>
                    {t!(i18n, webhooks.all_locations)}
                </option>
                {offered
                    .into_iter()
                    .map(|(id, name)| {
                        let selected = chosen.get_untracked() == id;
                        view! {
                            <option value=id selected=selected>
                                {name}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <p class="field-hint" id="location_id-hint">
                {t!(i18n, webhooks.location_hint)}
            </p>
            <FieldMessage field="location_id" error />
        </div>
    }
    .into_any()
}

/// "All events", or a box per event type (shown ticked and locked while
/// "All events" is on).
#[component]
fn EventChoice(draft: Draft, error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let all = draft.all_events;
    let events = draft.events;
    // The single events lock while "All events" is on only once the page
    // is live: without JavaScript they stay free to tick, and "All events"
    // wins on the server if it stays ticked too.
    let live = use_live();
    view! {
        <fieldset class="field event-choice" aria-describedby="events-hint">
            <legend>{t!(i18n, webhooks.events)}</legend>
            <p class="field-hint" id="events-hint">
                {t!(i18n, webhooks.events_hint)}
            </p>
            <label class="checkbox" for="events-all">
                <input
                    id="events-all"
                    type="checkbox"
                    name="events"
                    value="*"
                    checked=all.get_untracked()
                    prop:checked=move || all.get()
                    on:change=move |ev| all.set(event_target_checked(&ev))
                />
                <span>
                    <strong>{t!(i18n, webhooks.all_events)}</strong>
                    " "
                    <span class="field-hint">"(" {t!(i18n, webhooks.all_events_hint)} ")"</span>
                </span>
            </label>
            <div class="event-options">
                {EVENT_TYPES
                    .iter()
                    .map(|e| {
                        let e: &'static str = e;
                        let input_id = format!("event-{}", e.replace('.', "-"));
                        let label_for = input_id.clone();
                        let ticked = move || all.get() || events.read().iter().any(|x| x == e);
                        let initially = untrack(ticked);
                        view! {
                            <label class="checkbox" for=label_for>
                                <input
                                    id=input_id
                                    type="checkbox"
                                    name="events"
                                    value=e
                                    checked=initially
                                    prop:checked=ticked
                                    disabled=move || live.get() && all.get()
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        events
                                            .update(|list| {
                                                list.retain(|x| x != e);
                                                if on {
                                                    list.push(e.to_owned());
                                                }
                                            });
                                    }
                                />
                                <span>
                                    <code>{e}</code>
                                    " "
                                    <span class="field-hint">
                                        {move || event_label(i18n, e).unwrap_or(e)}
                                    </span>
                                </span>
                            </label>
                        }
                    })
                    .collect_view()}
            </div>
            <FieldMessage field="events" error />
        </fieldset>
    }
    .into_any()
}
