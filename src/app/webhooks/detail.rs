//! One webhook endpoint: its settings and health, and what an
//! administrator does with it (edit, enable or disable, send a test event,
//! rotate the secret, delete); its deliveries below.

use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::app::status::Loading;
use crate::app::webhooks::alerts::refresh_alert_count;
use crate::app::webhooks::deliveries::Deliveries;
use crate::app::webhooks::parts::{HealthBadge, LIST_PATH, SecretOnce, location_name};
use crate::app::webhooks::recover::{self, RecoverPanel};
use crate::app::webhooks::settings::Settings;
use crate::app::widgets::forms::{ConfirmDialog, FormAlert, LoadError};
use crate::app::widgets::reauth::{ReauthPrompt, besides_prompt, needs_reauth};
use crate::i18n::*;
use crate::model::org::Location;
use crate::model::webhook::Webhook;
use crate::serverfns::organization::list_locations;
use crate::serverfns::webhook_ops::RecoverWebhook;
use crate::serverfns::webhooks::{
    DeleteWebhook, ResendWebhookDelivery, RotateWebhookSecret, SendWebhookTest, SetWebhookEnabled,
    get_webhook,
};

/// The page's state and actions. They live as long as the page, not as
/// long as one rendering of the endpoint, so a reload of the endpoint
/// (after a test, say) keeps a secret on screen and a dialog open.
#[derive(Clone, Copy)]
pub struct Controls {
    /// Bumped to load the endpoint again.
    pub changed: RwSignal<u32>,
    /// Bumped to load the deliveries again.
    pub refresh: RwSignal<u32>,
    /// Bumped to read the recoveries' progress again.
    pub recoveries_changed: RwSignal<u32>,
    /// The confirmation open: `"rotate"` or `"delete"`.
    asking: RwSignal<Option<&'static str>>,
    pub set_enabled: ServerAction<SetWebhookEnabled>,
    pub recover: ServerAction<RecoverWebhook>,
    test: ServerAction<SendWebhookTest>,
    rotate: ServerAction<RotateWebhookSecret>,
    delete: ServerAction<DeleteWebhook>,
    pub resend: ServerAction<ResendWebhookDelivery>,
}

impl Controls {
    fn new() -> Self {
        Controls {
            changed: RwSignal::new(0),
            refresh: RwSignal::new(0),
            recoveries_changed: RwSignal::new(0),
            asking: RwSignal::new(None),
            set_enabled: ServerAction::new(),
            recover: ServerAction::new(),
            test: ServerAction::new(),
            rotate: ServerAction::new(),
            delete: ServerAction::new(),
            resend: ServerAction::new(),
        }
    }

    /// Loads the endpoint and its deliveries again a few times while a
    /// message just queued is delivered (the worker takes milliseconds; a
    /// slow receiver takes longer).
    fn follow_delivery(self) {
        for ms in [400, 1500, 4000] {
            set_timeout(
                move || {
                    self.changed.try_update(|n| *n += 1);
                    self.refresh.try_update(|n| *n += 1);
                },
                Duration::from_millis(ms),
            );
        }
    }
}

#[component]
pub fn WebhookPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let ctl = Controls::new();
    let webhook = Resource::new(
        move || {
            (
                id.get(),
                ctl.changed.get(),
                ctl.set_enabled.version().get(),
                ctl.rotate.version().get(),
            )
        },
        |(id, ..)| get_webhook(id),
    );
    // One server function per resource (see the audit page).
    let locations = Resource::new(|| (), |_| list_locations());
    let recoveries = recover::recoveries(id, ctl);
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = ctl.delete.value().get() {
            navigate(LIST_PATH, Default::default());
        }
    });
    Effect::new(move |_| {
        if ctl.set_enabled.value().with(|v| matches!(v, Some(Ok(_)))) {
            refresh_alert_count();
        }
    });
    Effect::new(move |_| {
        let sent = ctl.test.value().with(|v| matches!(v, Some(Ok(_))))
            || ctl.resend.value().with(|v| matches!(v, Some(Ok(_))));
        if sent {
            ctl.follow_delivery();
        }
    });
    view! {
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                let found = webhook.await;
                let locations = locations.await.unwrap_or_default();
                match found {
                    Ok(webhook) => {
                        view! { <WebhookView webhook locations ctl recoveries /> }.into_any()
                    }
                    Err(err) => view! { <LoadError error=err /> }.into_any(),
                }
            })}
        </Transition>
        <Deliveries id webhook ctl />
    }
}

#[component]
fn WebhookView(
    webhook: Webhook,
    locations: Vec<Location>,
    ctl: Controls,
    recoveries: recover::Recoveries,
) -> impl IntoView {
    let i18n = use_i18n();
    let error = Signal::derive(move || {
        let set_enabled = ctl.set_enabled.value().get().and_then(Result::err);
        let test = ctl.test.value().get().and_then(Result::err);
        let rotate = ctl.rotate.value().get().and_then(Result::err);
        let delete = ctl.delete.value().get().and_then(Result::err);
        set_enabled.or(test).or(rotate).or(delete)
    });
    let test_sent = move || ctl.test.value().with(|v| matches!(v, Some(Ok(_))));
    let rotated = move || {
        ctl.rotate
            .value()
            .get()
            .and_then(Result::ok)
            .map(|r| view! { <SecretOnce secret=r.secret rotated=true /> })
    };
    let location = location_name(&locations, webhook.location_id.as_deref());
    view! {
        <Title text=webhook.url.clone() />
        <div class="page-header">
            <div class="webhook-heading">
                <p class="breadcrumb">
                    <A href=LIST_PATH>{t!(i18n, webhooks.title)}</A>
                </p>
                <h1 class="webhook-url">{webhook.url.clone()}</h1>
            </div>
            <HealthBadge webhook=webhook.clone() />
        </div>
        <WebhookButtons webhook=webhook.clone() ctl />
        <FormAlert error=besides_prompt(error) />
        <ReauthPrompt needed=Signal::derive(move || {
            needs_reauth(ctl.rotate.value().get().and_then(Result::err))
        }) />
        {move || {
            test_sent()
                .then(|| {
                    view! {
                        <div class="alert alert-success" role="status" data-testid="test-sent">
                            {t!(i18n, webhooks.test_sent)}
                        </div>
                    }
                })
        }}
        <Confirmations id=webhook.id.clone() ctl />
        {rotated}
        <Settings webhook=webhook.clone() location />
        <RecoverPanel webhook ctl list=recoveries />
    }
    .into_any()
}

/// Edit, enable or disable, send a test event, rotate the secret, delete.
#[component]
fn WebhookButtons(webhook: Webhook, ctl: Controls) -> impl IntoView {
    let i18n = use_i18n();
    let enabled = webhook.enabled;
    let id = StoredValue::new(webhook.id.clone());
    let busy = move || ctl.set_enabled.pending().get() || ctl.test.pending().get();
    view! {
        <div class="panel toolbar webhook-actions">
            <A href=format!("{LIST_PATH}/{}/edit", webhook.id) attr:class="button button-secondary">
                {t!(i18n, common.edit)}
            </A>
            <button
                type="button"
                class="button button-secondary"
                data-testid="toggle-webhook"
                disabled=busy
                on:click=move |_| {
                    ctl.set_enabled
                        .dispatch(SetWebhookEnabled {
                            id: id.get_value(),
                            enabled: !enabled,
                        });
                }
            >
                {move || {
                    if enabled {
                        t_string!(i18n, webhooks.disable)
                    } else {
                        t_string!(i18n, webhooks.enable)
                    }
                }}
            </button>
            <button
                type="button"
                class="button button-primary"
                data-testid="send-test"
                disabled=move || !enabled || busy()
                on:click=move |_| {
                    ctl.test
                        .dispatch(SendWebhookTest {
                            id: id.get_value(),
                        });
                }
            >
                {t!(i18n, webhooks.send_test)}
            </button>
            <button
                type="button"
                class="button button-secondary"
                data-testid="rotate-secret"
                on:click=move |_| ctl.asking.set(Some("rotate"))
            >
                {t!(i18n, webhooks.rotate)}
            </button>
            <button
                type="button"
                class="button button-danger"
                data-testid="delete-webhook"
                on:click=move |_| ctl.asking.set(Some("delete"))
            >
                {t!(i18n, webhooks.delete)}
            </button>
        </div>
    }
    .into_any()
}

#[component]
fn Confirmations(id: String, ctl: Controls) -> impl IntoView {
    let i18n = use_i18n();
    let id = StoredValue::new(id);
    let cancel = Callback::new(move |()| ctl.asking.set(None));
    move || match ctl.asking.get() {
        Some("rotate") => view! {
            <ConfirmDialog
                title=Signal::derive(move || t_string!(i18n, webhooks.rotate_title))
                body=Signal::derive(move || t_string!(i18n, webhooks.rotate_body))
                confirm=Signal::derive(move || t_string!(i18n, webhooks.rotate))
                confirm_testid="confirm-rotate"
                on_confirm=Callback::new(move |()| {
                    ctl.asking.set(None);
                    ctl.rotate
                        .dispatch(RotateWebhookSecret {
                            id: id.get_value(),
                        });
                })
                on_cancel=cancel
            />
        }
        .into_any(),
        Some(_) => view! {
            <ConfirmDialog
                title=Signal::derive(move || t_string!(i18n, webhooks.delete_title))
                body=Signal::derive(move || t_string!(i18n, webhooks.delete_body))
                confirm=Signal::derive(move || t_string!(i18n, webhooks.delete_confirm))
                confirm_testid="confirm-delete-webhook"
                on_confirm=Callback::new(move |()| {
                    ctl.asking.set(None);
                    ctl.delete
                        .dispatch(DeleteWebhook {
                            id: id.get_value(),
                        });
                })
                on_cancel=cancel
            />
        }
        .into_any(),
        None => ().into_any(),
    }
}
