//! The merchant form: create a merchant, or change one (assigned locations
//! and the default among them).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::app::widgets::forms::{
    FieldMessage, FormActions, FormAlert, TextField, form_error, posted_form, sent_or,
};
use crate::app::widgets::loaded::Loaded;
use crate::error::AppError;
use crate::i18n::*;
use crate::model::forms::PostedForm;
use crate::model::org::{Location, Merchant, MerchantIn};
use crate::serverfns::organization::{SaveMerchant, get_merchant, list_locations};

/// `/organization/merchants/new` and `/organization/merchants/:id/edit`.
#[component]
pub fn MerchantFormPage() -> impl IntoView {
    let params = use_params_map();
    // One server function per resource: a second call after an `.await`
    // would run on the server without the request's context.
    let locations = Resource::new(|| (), |_| list_locations());
    let initial = Resource::new(
        move || params.read().get("id"),
        |id| async move {
            match id {
                Some(id) => get_merchant(id).await.map(|d| Some(d.merchant)),
                None => Ok(None),
            }
        },
    );
    let posted = posted_form();
    let load =
        move || async move { Ok::<_, AppError>((initial.await?, locations.await?, posted.await)) };
    let show =
        |(initial, locations, posted): (Option<Merchant>, Vec<Location>, Option<PostedForm>)| {
            view! { <MerchantForm initial locations posted /> }
        };
    view! { <Loaded load show /> }
}

#[component]
fn MerchantForm(
    initial: Option<Merchant>,
    locations: Vec<Location>,
    posted: Option<PostedForm>,
) -> impl IntoView {
    let i18n = use_i18n();
    let is_new = initial.is_none();
    let id = initial.as_ref().map(|m| m.id.clone());
    // What was typed, when the server refused a form sent without
    // JavaScript; else the merchant's own values.
    let text = |field: &str, current: Option<String>| sent_or(posted.as_ref(), field, current);
    let business_name = text(
        "business_name",
        initial.as_ref().map(|m| m.business_name.clone()),
    );
    let contact_email = text(
        "contact_email",
        initial.as_ref().map(|m| m.contact_email.clone()),
    );
    let address = text("address", initial.as_ref().and_then(|m| m.address.clone()));
    let assigned = RwSignal::new(match &posted {
        Some(p) => p.values("location_ids"),
        None => initial
            .as_ref()
            .map(|m| m.location_ids.clone())
            .unwrap_or_default(),
    });
    let default_location = text(
        "default_location_id",
        initial.as_ref().map(|m| m.default_location_id.clone()),
    );
    // Offer active locations, plus any inactive one still assigned.
    let offered: Vec<Location> = locations
        .into_iter()
        .filter(|l| l.active || assigned.get_untracked().contains(&l.id))
        .collect();
    let names: Vec<(String, String)> = offered
        .iter()
        .map(|l| (l.id.clone(), format!("{} ({})", l.name, l.ref_no)))
        .collect();

    let action = ServerAction::<SaveMerchant>::new();
    let error = form_error(action, posted.as_ref());
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(m)) = action.value().get() {
            navigate(
                &format!("/organization/merchants/{}", m.id),
                Default::default(),
            );
        }
    });
    // A newly assigned first location becomes the default.
    Effect::new(move |_| {
        let list = assigned.get();
        if !list.contains(&default_location.get_untracked()) {
            default_location.set(list.first().cloned().unwrap_or_default());
        }
    });
    let cancel_href = id
        .as_ref()
        .map_or("/organization/merchants".to_owned(), |id| {
            format!("/organization/merchants/{id}")
        });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        action.dispatch(SaveMerchant {
            id: id.clone(),
            input: MerchantIn {
                business_name: business_name.get_untracked(),
                contact_email: contact_email.get_untracked(),
                address: Some(address.get_untracked()),
                location_ids: assigned.get_untracked(),
                default_location_id: default_location.get_untracked(),
                active: None,
            },
        });
    };
    let title = move || {
        if is_new {
            t_string!(i18n, merchants.new_title)
        } else {
            t_string!(i18n, merchants.edit_title)
        }
    };
    let no_locations = offered.is_empty();
    view! {
        <Title text=title />
        <div class="page-header">
            <h1>{title}</h1>
        </div>
        {no_locations
            .then(|| {
                view! {
                    <div class="alert alert-info">
                        {t!(i18n, merchants.no_locations)} " "
                        <A href="/organization/locations/new">{t!(i18n, locations.create)}</A>
                    </div>
                }
            })}
        <form class="panel form" method="post" on:submit=on_submit novalidate>
            <FormAlert error />
            <TextField id="business_name" value=business_name error required=true maxlength=160>
                {t!(i18n, merchants.business_name)}
            </TextField>
            <TextField
                id="contact_email"
                value=contact_email
                error
                required=true
                kind="email"
                maxlength=254
            >
                {t!(i18n, merchants.contact_email)}
            </TextField>
            <TextField id="address" value=address error maxlength=300>
                {t!(i18n, merchants.address)}
            </TextField>
            <fieldset class="field" aria-describedby="location_ids-hint">
                <legend>{t!(i18n, merchants.locations)}</legend>
                <p class="field-hint" id="location_ids-hint">
                    {t!(i18n, merchants.locations_hint)}
                </p>
                {offered
                    .into_iter()
                    .map(|l| {
                        let lid = l.id.clone();
                        let lid_for_change = l.id.clone();
                        let input_id = format!("loc-{}", l.id);
                        let label_for = input_id.clone();
                        let ticked = assigned.read_untracked().contains(&l.id);
                        view! {
                            <label class="checkbox" for=label_for>
                                <input
                                    id=input_id
                                    type="checkbox"
                                    name="location_ids"
                                    value=l.id.clone()
                                    checked=ticked
                                    prop:checked=move || assigned.read().contains(&lid)
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        assigned
                                            .update(|list| {
                                                list.retain(|x| *x != lid_for_change);
                                                if on {
                                                    list.push(lid_for_change.clone());
                                                }
                                            });
                                    }
                                />
                                {format!("{} ({})", l.name, l.ref_no)}
                            </label>
                        }
                    })
                    .collect_view()}
                <FieldMessage field="location_ids" error />
            </fieldset>
            <div class="field">
                <label for="default_location_id">{t!(i18n, merchants.default_location)}</label>
                <select
                    id="default_location_id"
                    name="default_location_id"
                    prop:value=move || default_location.get()
                    on:change=move |ev| default_location.set(event_target_value(&ev))
                >
                    {move || {
                        let chosen = assigned.get();
                        names
                            .iter()
                            .filter(|(id, _)| chosen.contains(id))
                            .map(|(id, name)| {
                                let selected = default_location.get_untracked() == *id;
                                view! {
                                    <option value=id.clone() selected=selected>
                                        {name.clone()}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
                <FieldMessage field="default_location_id" error />
            </div>
            <FormActions
                pending=Signal::derive(move || action.pending().get())
                cancel_href=cancel_href
            />
        </form>
    }
}
