//! The audit log (administrators): who did what, when, from where; filter
//! by actor and event type; newest first, paged by cursor. The filters live
//! in the URL and the form is a plain GET form, as on the merchants list.

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_meta::Title;
use leptos_router::components::{A, Form};
use leptos_router::hooks::use_query_map;

use crate::app::layout::use_zone;
use crate::app::status::Loading;
use crate::app::widgets::forms::LoadError;
use crate::app::widgets::query::urlencode;
use crate::app::widgets::table::EmptyRow;
use crate::i18n::*;
use crate::model::audit::{AuditEntry, AuditPage, AuditQuery};
use crate::serverfns::audit::{audit_actions, search_audit};

/// The words for an event type; unknown ones show as they are stored.
pub fn action_label(i18n: I18nContext<Locale>, action: &str) -> Option<&'static str> {
    Some(match action {
        "admin.created" => t_string!(i18n, audit_event.admin_created),
        "admin.password_reset" => t_string!(i18n, audit_event.admin_password_reset),
        "api_access.granted" => t_string!(i18n, audit_event.api_access_granted),
        "api_access.revoked" => t_string!(i18n, audit_event.api_access_revoked),
        "api_key.created" => t_string!(i18n, audit_event.api_key_created),
        "api_key.refused" => t_string!(i18n, audit_event.api_key_refused),
        "user.invited" => t_string!(i18n, audit_event.user_invited),
        "auth.second_factor" => t_string!(i18n, audit_event.auth_second_factor),
        "auth.reauthenticated" => t_string!(i18n, audit_event.auth_reauthenticated),
        "auth.second_factor_failed" => t_string!(i18n, audit_event.auth_second_factor_failed),
        "user.two_factor_enabled" => t_string!(i18n, audit_event.user_two_factor_enabled),
        "user.two_factor_disabled" => t_string!(i18n, audit_event.user_two_factor_disabled),
        "session.ended" => t_string!(i18n, audit_event.session_ended),
        "session.ended_others" => t_string!(i18n, audit_event.session_ended_others),
        "session.ended_all" => t_string!(i18n, audit_event.session_ended_all),
        "user.invitation_accepted" => t_string!(i18n, audit_event.user_invitation_accepted),
        "user.password_reset_requested" => {
            t_string!(i18n, audit_event.user_password_reset_requested)
        }
        "user.password_reset" => t_string!(i18n, audit_event.user_password_reset),
        "api_key.allowed_nets_changed" => {
            t_string!(i18n, audit_event.api_key_allowed_nets_changed)
        }
        "api_key.expired" => t_string!(i18n, audit_event.api_key_expired),
        "api_key.revoked" => t_string!(i18n, audit_event.api_key_revoked),
        "api_key.rolled" => t_string!(i18n, audit_event.api_key_rolled),
        "auth.sign_in_failed" => t_string!(i18n, audit_event.sign_in_failed),
        "auth.signed_in" => t_string!(i18n, audit_event.signed_in),
        "location.activated" => t_string!(i18n, audit_event.location_activated),
        "location.created" => t_string!(i18n, audit_event.location_created),
        "location.deactivated" => t_string!(i18n, audit_event.location_deactivated),
        "location.updated" => t_string!(i18n, audit_event.location_updated),
        "merchant.activated" => t_string!(i18n, audit_event.merchant_activated),
        "merchant.created" => t_string!(i18n, audit_event.merchant_created),
        "merchant.deactivated" => t_string!(i18n, audit_event.merchant_deactivated),
        "merchant.updated" => t_string!(i18n, audit_event.merchant_updated),
        "organization.updated" => t_string!(i18n, audit_event.organization_updated),
        "user.activated" => t_string!(i18n, audit_event.user_activated),
        "user.created" => t_string!(i18n, audit_event.user_created),
        "user.deactivated" => t_string!(i18n, audit_event.user_deactivated),
        "user.role_changed" => t_string!(i18n, audit_event.user_role_changed),
        "user.updated" => t_string!(i18n, audit_event.user_updated),
        "webhook.created" => t_string!(i18n, audit_event.webhook_created),
        "webhook.updated" => t_string!(i18n, audit_event.webhook_updated),
        "webhook.enabled" => t_string!(i18n, audit_event.webhook_enabled),
        "webhook.disabled" => t_string!(i18n, audit_event.webhook_disabled),
        "webhook.deleted" => t_string!(i18n, audit_event.webhook_deleted),
        "webhook.secret_rotated" => t_string!(i18n, audit_event.webhook_secret_rotated),
        "webhook.failing" => t_string!(i18n, audit_event.webhook_failing),
        "webhook.recovered" => t_string!(i18n, audit_event.webhook_recovered),
        "webhook.recovery_started" => t_string!(i18n, audit_event.webhook_recovery_started),
        "webhook.alert_acknowledged" => t_string!(i18n, audit_event.webhook_alert_acknowledged),
        "webhook.test_sent" => t_string!(i18n, audit_event.webhook_test_sent),
        "webhook.resent" => t_string!(i18n, audit_event.webhook_resent),
        _ => return None,
    })
}

fn query_from(params: &leptos_router::params::ParamsMap) -> AuditQuery {
    let non_empty = |k: &str| params.get(k).filter(|v| !v.trim().is_empty());
    AuditQuery {
        action: non_empty("action"),
        actor: non_empty("actor"),
        cursor: non_empty("cursor"),
    }
}

fn href(query: &AuditQuery, cursor: Option<&str>) -> String {
    let mut parts = Vec::new();
    if let Some(a) = &query.actor {
        parts.push(format!("actor={}", urlencode(a)));
    }
    if let Some(a) = &query.action {
        parts.push(format!("action={}", urlencode(a)));
    }
    if let Some(c) = cursor {
        parts.push(format!("cursor={}", urlencode(c)));
    }
    if parts.is_empty() {
        "/audit".into()
    } else {
        format!("/audit?{}", parts.join("&"))
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_query_map();
    let query = Memo::new(move |_| query_from(&params.read()));
    // The event types for the filter come with the page, so the whole form
    // is rendered on the server and works without JavaScript.
    // One server function per resource: a second call after an `.await`
    // would run on the server without the request's context.
    let results = Resource::new(move || query.get(), search_audit);
    let actions = Resource::new(|| (), |_| audit_actions());
    view! {
        <Title text=move || t_string!(i18n, audit.title) />
        <div class="page-header">
            <h1>{t!(i18n, audit.title)}</h1>
        </div>
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                let page = results.await;
                let actions = actions.await.unwrap_or_default();
                let query = query.get_untracked();
                match page {
                    Ok(page) => {
                        view! {
                            <AuditFilters query=query.clone() actions />
                            <AuditTable page query />
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
fn AuditFilters(query: AuditQuery, actions: Vec<String>) -> impl IntoView {
    let i18n = use_i18n();
    let current_action = query.action.clone();
    view! {
        <Form method="GET" action="/audit" attr:class="toolbar" attr:role="search">
            <div class="field">
                <label for="actor">{t!(i18n, audit.actor)}</label>
                <input
                    id="actor"
                    name="actor"
                    type="search"
                    maxlength="200"
                    placeholder=move || t_string!(i18n, audit.actor_placeholder)
                    value=query.actor.clone().unwrap_or_default()
                />
            </div>
            <div class="field">
                <label for="action">{t!(i18n, audit.event)}</label>
                <select id="action" name="action">
                    <option value="" selected=current_action.is_none()>
                        {t!(i18n, common.all)}
                    </option>
                    {actions
                        .into_iter()
                        .map(|a| {
                            let selected = current_action.as_deref() == Some(a.as_str());
                            let value = a.clone();
                            view! {
                                <option value=value selected=selected>
                                    {move || {
                                        action_label(i18n, &a).unwrap_or(a.as_str()).to_owned()
                                    }}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <button type="submit" class="button button-secondary">
                {t!(i18n, common.search)}
            </button>
        </Form>
    }
}

#[component]
fn AuditTable(page: AuditPage, query: AuditQuery) -> impl IntoView {
    let i18n = use_i18n();
    let empty = page.items.is_empty();
    let first_page = query.cursor.is_none();
    let newest = href(&query, None);
    let older = page.next_cursor.as_deref().map(|c| href(&query, Some(c)));
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="audit-table">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, audit.when)}</th>
                        <th scope="col">{t!(i18n, audit.actor)}</th>
                        <th scope="col">{t!(i18n, audit.event)}</th>
                        <th scope="col">{t!(i18n, audit.ip)}</th>
                        <th scope="col">{t!(i18n, audit.details)}</th>
                    </tr>
                </thead>
                <tbody>
                    {empty
                        .then(|| view! { <EmptyRow columns=5>{t!(i18n, audit.empty)}</EmptyRow> })}
                    {page.items.into_iter().map(|e| view! { <AuditRow e /> }).collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="pagination" aria-label=move || t_string!(i18n, audit.pages)>
            <span class="form-actions">
                {(!first_page)
                    .then(|| {
                        view! {
                            <A href=newest attr:class="button button-secondary button-small">
                                {t!(i18n, audit.newest)}
                            </A>
                        }
                    })}
                {older
                    .map(|href| {
                        view! {
                            <A
                                href=href
                                attr:class="button button-secondary button-small"
                                attr:data-testid="audit-older"
                            >
                                {t!(i18n, audit.older)}
                            </A>
                        }
                    })}
            </span>
        </nav>
    }
}

#[component]
fn AuditRow(e: AuditEntry) -> impl IntoView {
    let zone = use_zone();
    let i18n = use_i18n();
    let action = e.action.clone();
    let target = e.target_id.clone();
    let details = match &e.details {
        serde_json::Value::Object(map) if !map.is_empty() => map
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}: {s}"),
                other => format!("{k}: {other}"),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    };
    view! {
        <tr data-testid="audit-row" data-action=e.action.clone()>
            <td class="nowrap">{zone.minutes(e.at)}</td>
            <td>{e.actor_label}</td>
            <td>
                {move || {
                    action_label(i18n, &action).map_or_else(|| action.clone(), str::to_owned)
                }}
                {target
                    .map(|id| {
                        view! {
                            <br />
                            <code class="account-id">{id}</code>
                        }
                    })}
            </td>
            <td>{e.ip.unwrap_or_else(|| "—".into())}</td>
            <td class="audit-details">{details}</td>
        </tr>
    }
}
