//! Organization > Locations: list, create, edit, deactivate.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::app::widgets::forms::{
    ActiveBadge, FieldMessage, FormActions, FormAlert, TextField, Toggle, form_error, posted_form,
    sent_or, ticked_or,
};
use crate::app::widgets::loaded::Loaded;
use crate::error::AppError;
use crate::i18n::*;
use crate::model::forms::PostedForm;
use crate::model::org::{Location, LocationIn, LocationKind};
use crate::serverfns::organization::{SaveLocation, get_location, list_locations};

#[component]
pub fn LocationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let locations = Resource::new(|| (), |_| list_locations());
    let load = move || async move { locations.await };
    let show = move |list: Vec<Location>| {
        if list.is_empty() {
            view! { <section class="panel">{t!(i18n, locations.empty)}</section> }.into_any()
        } else {
            view! { <LocationTable list /> }.into_any()
        }
    };
    view! {
        <Title text=move || t_string!(i18n, locations.title) />
        <div class="page-header">
            <h1>{t!(i18n, locations.title)}</h1>
            <A href="/organization/locations/new" attr:class="button button-primary">
                {t!(i18n, locations.create)}
            </A>
        </div>
        <Loaded load show />
    }
}

fn kind_label(i18n: leptos_i18n::I18nContext<Locale>, kind: LocationKind) -> &'static str {
    match kind {
        LocationKind::Branch => t_string!(i18n, locations.branch),
        LocationKind::Warehouse => t_string!(i18n, locations.warehouse),
    }
}

#[component]
fn LocationTable(list: Vec<Location>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="locations-table">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, locations.name)}</th>
                        <th scope="col">{t!(i18n, locations.kind)}</th>
                        <th scope="col">{t!(i18n, locations.ref_no)}</th>
                        <th scope="col">{t!(i18n, locations.timezone)}</th>
                        <th scope="col">{t!(i18n, common.status)}</th>
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|l| {
                            let kind = l.kind;
                            view! {
                                <tr>
                                    <td>
                                        <A href=format!(
                                            "/organization/locations/{}",
                                            l.id,
                                        )>{l.name}</A>
                                    </td>
                                    <td>{move || kind_label(i18n, kind)}</td>
                                    <td>{l.ref_no}</td>
                                    <td>{l.timezone.unwrap_or_else(|| "—".into())}</td>
                                    <td>
                                        <ActiveBadge active=l.active />
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// `/organization/locations/new` and `/organization/locations/:id`.
#[component]
pub fn LocationFormPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id");
    let existing = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_location(id).await.map(Some),
            None => Ok(None),
        }
    });
    let posted = posted_form();
    let load = move || async move { Ok::<_, AppError>((existing.await?, posted.await)) };
    let show = |(initial, posted): (Option<Location>, Option<PostedForm>)| {
        view! { <LocationForm initial posted /> }
    };
    view! { <Loaded load show /> }
}

#[component]
fn LocationForm(initial: Option<Location>, posted: Option<PostedForm>) -> impl IntoView {
    let i18n = use_i18n();
    let is_new = initial.is_none();
    let id = initial.as_ref().map(|l| l.id.clone());
    // What was typed, when the server refused a form sent without
    // JavaScript; else the location's own values.
    let text = |field: &str, current: Option<String>| sent_or(posted.as_ref(), field, current);
    let name = text("name", initial.as_ref().map(|l| l.name.clone()));
    let kind = text(
        "kind",
        Some(
            initial
                .as_ref()
                .map_or("branch", |l| l.kind.as_str())
                .to_owned(),
        ),
    );
    let ref_no = text("ref_no", initial.as_ref().map(|l| l.ref_no.clone()));
    let address = text("address", initial.as_ref().and_then(|l| l.address.clone()));
    let timezone = text(
        "timezone",
        initial.as_ref().and_then(|l| l.timezone.clone()),
    );
    let active = ticked_or(
        posted.as_ref(),
        "active",
        initial.as_ref().is_none_or(|l| l.active),
    );

    let action = ServerAction::<SaveLocation>::new();
    let error = form_error(action, posted.as_ref());
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            navigate("/organization/locations", Default::default());
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        action.dispatch(SaveLocation {
            id: id.clone(),
            input: LocationIn {
                name: name.get_untracked(),
                kind: kind.get_untracked(),
                ref_no: ref_no.get_untracked(),
                address: Some(address.get_untracked()),
                timezone: Some(timezone.get_untracked()),
                active: Some(active.get_untracked()),
            },
        });
    };
    let title = move || {
        if is_new {
            t_string!(i18n, locations.new_title)
        } else {
            t_string!(i18n, locations.edit_title)
        }
    };
    view! {
        <Title text=title />
        <div class="page-header">
            <h1>{title}</h1>
        </div>
        <form class="panel form" method="post" on:submit=on_submit novalidate>
            <FormAlert error />
            <TextField id="name" value=name error required=true maxlength=120>
                {t!(i18n, locations.name)}
            </TextField>
            <div class="field">
                <label for="kind">{t!(i18n, locations.kind)}</label>
                <select
                    id="kind"
                    name="kind"
                    prop:value=move || kind.get()
                    on:change=move |ev| kind.set(event_target_value(&ev))
                >
                    <option value="branch" selected=kind.get_untracked() == "branch">
                        {t!(i18n, locations.branch)}
                    </option>
                    <option value="warehouse" selected=kind.get_untracked() == "warehouse">
                        {t!(i18n, locations.warehouse)}
                    </option>
                </select>
                <FieldMessage field="kind" error />
            </div>
            <TextField
                id="ref_no"
                value=ref_no
                error
                required=true
                maxlength=40
                hint=Signal::derive(move || t_string!(i18n, locations.ref_no_hint))
            >
                {t!(i18n, locations.ref_no)}
            </TextField>
            <TextField id="address" value=address error maxlength=300>
                {t!(i18n, locations.address)}
            </TextField>
            <TextField
                id="timezone"
                value=timezone
                error
                maxlength=64
                hint=Signal::derive(move || t_string!(i18n, locations.timezone_hint))
            >
                {t!(i18n, locations.timezone)}
            </TextField>
            <Toggle
                id="active"
                checked=active
                hint=Signal::derive(move || t_string!(i18n, locations.active_hint))
            >
                {t!(i18n, common.active)}
            </Toggle>
            <FormActions
                pending=Signal::derive(move || action.pending().get())
                cancel_href="/organization/locations"
            />
        </form>
    }
}
