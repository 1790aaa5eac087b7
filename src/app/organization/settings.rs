//! Organization > Settings (administrators only): the organization's name
//! (header and page titles), the language new users start in, and the time
//! zone every page shows dates and times in (docs/organization.md).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::app::widgets::forms::{FieldMessage, FormActions, FormAlert, TextField, last_error};
use crate::app::widgets::loaded::Loaded;
use crate::i18n::*;
use crate::model::organization::OrganizationPatch;
use crate::serverfns::organization::{OrganizationForm, SaveOrganization, get_organization};

pub const PATH: &str = "/organization/settings";

/// `/organization/settings`.
#[component]
pub fn OrganizationSettingsPage() -> impl IntoView {
    let form = Resource::new(|| (), |_| get_organization());
    let load = move || async move { form.await };
    let show = |form: OrganizationForm| view! { <SettingsForm form /> };
    view! { <Loaded load show /> }
}

#[component]
fn SettingsForm(form: OrganizationForm) -> impl IntoView {
    let i18n = use_i18n();
    let OrganizationForm {
        organization,
        timezones,
    } = form;
    let name = RwSignal::new(organization.name);
    let language = RwSignal::new(organization.default_language.as_str().to_owned());
    let timezone = RwSignal::new(organization.timezone);
    let saved = use_query_map().read_untracked().get("saved").is_some();

    let action = ServerAction::<SaveOrganization>::new();
    let error = last_error(action);
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            // A full load: the header, the titles and every date follow
            // the new settings.
            let _ = window().location().set_href(&format!("{PATH}?saved=1"));
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        action.dispatch(SaveOrganization {
            patch: OrganizationPatch {
                name: Some(name.get_untracked()),
                default_language: Some(language.get_untracked()),
                timezone: Some(timezone.get_untracked()),
            },
        });
    };
    view! {
        <Title text=move || t_string!(i18n, organization.title) />
        <div class="page-header">
            <h1>{t!(i18n, organization.title)}</h1>
        </div>
        {saved
            .then(|| {
                view! {
                    <div class="alert alert-success" role="status" data-testid="settings-saved">
                        {t!(i18n, organization.saved)}
                    </div>
                }
            })}
        <form class="panel form" on:submit=on_submit novalidate>
            <FormAlert error />
            <TextField
                id="name"
                value=name
                error
                required=true
                maxlength=100
                autocomplete="organization"
                hint=Signal::derive(move || t_string!(i18n, organization.name_hint))
            >
                {t!(i18n, organization.name)}
            </TextField>
            <div class="field">
                <label for="default_language">{t!(i18n, organization.default_language)}</label>
                <select
                    id="default_language"
                    name="default_language"
                    aria-describedby="default_language-hint"
                    prop:value=move || language.get()
                    on:change=move |ev| language.set(event_target_value(&ev))
                >
                    <option value="en">"English"</option>
                    <option value="fr">"Français"</option>
                </select>
                <p class="field-hint" id="default_language-hint">
                    {t!(i18n, organization.default_language_hint)}
                </p>
                <FieldMessage field="default_language" error />
            </div>
            <TextField
                id="timezone"
                value=timezone
                error
                required=true
                maxlength=64
                list="timezones"
                hint=Signal::derive(move || t_string!(i18n, organization.timezone_hint))
            >
                {t!(i18n, organization.timezone)}
            </TextField>
            <datalist id="timezones">
                {timezones
                    .into_iter()
                    .map(|tz| view! { <option value=tz></option> })
                    .collect_view()}
            </datalist>
            <FormActions pending=Signal::derive(move || action.pending().get()) cancel_href="/" />
        </form>
    }
}
