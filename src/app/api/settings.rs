//! Integrations > API ("API settings", docs/rules.md, API access rules 3 and 4).
//!
//! A Merchant Level 2 user with access sees their Account ID and keys,
//! generates and rolls keys, and sees a new key exactly once. An
//! administrator sees every merchant user with API access, can turn it
//! off, and has their own credentials below. Level 1 users get 403.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::app::api::accounts::ApiAccounts;
use crate::app::api::key_form::{ChoiceState, GenerateForm};
use crate::app::api::keys_table::{KeyActions, KeysTable};
use crate::app::layout::use_user;
use crate::app::status::{Forbidden, Loading};
use crate::app::webhooks::alerts::AlertBanner;
use crate::app::widgets::forms::{CopyButton, FormAlert, LoadError, last_error};
use crate::app::widgets::reauth::{ReauthPrompt, besides_prompt, needs_reauth};
use crate::i18n::*;
use crate::model::Role;
use crate::model::api::{IssuedKey, KeyLifetime, KeyScope, OwnApiAccess};
use crate::serverfns::api::{GenerateApiKey, RevokeApiKey, RollApiKey, my_api_access};

#[component]
pub fn ApiSettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let role = use_user().role;
    if role == Role::MerchantL1 {
        return view! { <Forbidden /> }.into_any();
    }
    view! {
        <Title text=move || t_string!(i18n, api.title) />
        <div class="page-header">
            <h1>{t!(i18n, api.title)}</h1>
            <A
                href="/integrations/api/reference"
                attr:class="button button-secondary"
                attr:title=move || t_string!(i18n, reference.link_hint)
            >
                {t!(i18n, reference.link)}
            </A>
        </div>
        {(role == Role::Admin).then(|| view! { <AlertBanner /> })}
        {(role == Role::Admin).then(|| view! { <ApiAccounts /> })}
        <MyCredentials admin=role == Role::Admin />
    }
    .into_any()
}

// ---- the caller's own credentials ----------------------------------------

#[component]
fn MyCredentials(admin: bool) -> impl IntoView {
    let generate = ServerAction::<GenerateApiKey>::new();
    let roll = ServerAction::<RollApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    // What the "Generate key" form holds, kept while the page reads the
    // keys again (after a refusal, say).
    let choice = ChoiceState::new(KeyScope::ReadWrite, &[KeyLifetime::Never]);
    // Bumped when a key's addresses were saved (each form has its action).
    let saved = RwSignal::new(0u32);
    let refresh = Callback::new(move |()| saved.update(|n| *n += 1));
    let access = Resource::new(
        move || {
            (
                generate.version().get(),
                roll.version().get(),
                revoke.version().get(),
                saved.get(),
            )
        },
        |_| my_api_access(),
    );
    // The key just made, whichever action made it. Shown once: it lives
    // only in this page's memory and is gone on reload.
    let issued = Signal::derive(move || {
        let from_generate = generate.value().get().and_then(Result::ok);
        let from_roll = roll.value().get().and_then(Result::ok);
        match (from_generate, from_roll) {
            (Some(a), Some(b)) => Some(if a.key_id > b.key_id { a } else { b }),
            (a, b) => a.or(b),
        }
    });
    view! {
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match access.await {
                    Ok(access) => {
                        view! {
                            <CredentialsView
                                access
                                admin
                                generate
                                choice
                                roll
                                revoke
                                refresh
                                issued
                            />
                        }
                            .into_any()
                    }
                    Err(err) => view! { <LoadError error=err /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn CredentialsView(
    access: OwnApiAccess,
    admin: bool,
    generate: ServerAction<GenerateApiKey>,
    choice: ChoiceState,
    roll: ServerAction<RollApiKey>,
    revoke: ServerAction<RevokeApiKey>,
    refresh: Callback<()>,
    issued: Signal<Option<IssuedKey>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lifetimes = access.lifetimes.clone();
    let max_days = access.max_days;
    let heading = move || {
        if admin {
            t_string!(i18n, api.own_title_admin)
        } else {
            t_string!(i18n, api.own_title)
        }
    };
    let (Some(account_id), true) = (access.account_id.clone(), access.enabled) else {
        if admin {
            // An administrator's account is made with their first key.
            return view! {
                <section class="panel" data-testid="my-credentials">
                    <h2>{heading}</h2>
                    <p>{t!(i18n, api.admin_no_account)}</p>
                    <FormAlert error=besides_prompt(last_error(generate)) />
                    <ReauthPrompt needed=Signal::derive(move || needs_reauth(
                        last_error(generate).get(),
                    )) />
                    <GenerateForm generate state=choice lifetimes max_days />
                </section>
            }
            .into_any();
        }
        return view! {
            <section class="panel" data-testid="api-access-off">
                <h2>{heading}</h2>
                <p>{t!(i18n, api.access_off)}</p>
            </section>
        }
        .into_any();
    };
    let key_count = access.keys.len();
    let active: Vec<String> = access.keys.iter().map(|k| k.id.clone()).collect();
    let curl = format!(
        "curl -u {account_id}:YOUR_AUTH_KEY {}/api/v1/ping",
        access.base_url
    );
    let account_for_copy = account_id.clone();
    view! {
        <section class="panel" data-testid="my-credentials">
            <h2>{heading}</h2>
            <dl class="details">
                <dt>{t!(i18n, api.account_id)}</dt>
                <dd class="copy-row">
                    <code data-testid="account-id">{account_id.clone()}</code>
                    <CopyButton
                        text=account_for_copy
                        label=t_string!(i18n, api.copy_account_id).to_owned()
                        testid="copy-account-id"
                    />
                </dd>
            </dl>
            <FormAlert error=besides_prompt(last_error(generate)) />
            <FormAlert error=besides_prompt(last_error(roll)) />
            <FormAlert error=besides_prompt(last_error(revoke)) />
            <ReauthPrompt needed=Signal::derive(move || {
                needs_reauth(last_error(generate).get()) || needs_reauth(last_error(roll).get())
                    || needs_reauth(last_error(revoke).get())
            }) />
            <NewKey issued active />
            <h3>{t!(i18n, api.keys)}</h3>
            {if access.keys.is_empty() {
                view! { <p class="table-empty">{t!(i18n, api.no_keys)}</p> }.into_any()
            } else {
                let actions = KeyActions {
                    roll,
                    revoke,
                    refresh,
                    can_roll: key_count < 2,
                    lifetimes: lifetimes.clone(),
                    max_days,
                };
                view! { <KeysTable keys=access.keys actions /> }.into_any()
            }}
            {(key_count == 0)
                .then(|| view! { <GenerateForm generate state=choice lifetimes max_days /> })}
            <p class="hint">{t!(i18n, api.keys_rule)}</p>
            <h3>{t!(i18n, api.example)}</h3>
            <p class="hint">{t!(i18n, api.example_hint)}</p>
            <pre class="code" data-testid="curl-example">
                <code>{curl}</code>
            </pre>
        </section>
    }
    .into_any()
}

/// The key just made, with the warning that it will not be shown again;
/// hidden once that key is no longer active (revoked since).
#[component]
fn NewKey(issued: Signal<Option<IssuedKey>>, active: Vec<String>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        issued
            .get()
            .filter(|k| active.contains(&k.key_id))
            .map(|k| {
                let key = k.key.clone();
                view! {
                    <div class="alert alert-warning new-key" role="status" data-testid="new-key">
                        <p>
                            <strong>{t!(i18n, api.new_key_title)}</strong>
                        </p>
                        <p>{t!(i18n, api.new_key_warning)}</p>
                        <div class="copy-row">
                            <code data-testid="new-key-value">{k.key}</code>
                            <CopyButton
                                text=key
                                label=t_string!(i18n, api.copy_key).to_owned()
                                testid="copy-key"
                            />
                        </div>
                    </div>
                }
            })
    }
}
