//! The banner of webhook alerts (docs/webhooks.md, Alerts): on the API page
//! and the webhooks list, one line per endpoint that started failing or
//! was disabled, until it recovers or an administrator acknowledges it.
//! It keeps the navigation's badge in step.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::app::layout::{WebhookAlertCount, use_zone};
use crate::app::webhooks::parts::LIST_PATH;
use crate::app::widgets::forms::FormAlert;
use crate::i18n::*;
use crate::model::webhook::Webhook;
use crate::serverfns::webhook_ops::{AcknowledgeWebhookAlert, webhook_alerts};

/// Reads the alerts again for the navigation's badge, after a change that
/// may have cleared one (an endpoint turned on or off).
pub fn refresh_alert_count() {
    let Some(count) = use_context::<WebhookAlertCount>() else {
        return;
    };
    leptos::task::spawn_local(async move {
        if let Ok(alerts) = webhook_alerts().await {
            count.0.set(alerts.len() as u32);
        }
    });
}

#[component]
pub fn AlertBanner() -> impl IntoView {
    let acknowledge = ServerAction::<AcknowledgeWebhookAlert>::new();
    let list = Resource::new(move || acknowledge.version().get(), |_| webhook_alerts());
    let count = use_context::<WebhookAlertCount>();
    Effect::new(move |_| {
        if let (Some(Ok(alerts)), Some(count)) = (list.get(), count) {
            count.0.set(alerts.len() as u32);
        }
    });
    let error = Signal::derive(move || acknowledge.value().get().and_then(Result::err));
    view! {
        <FormAlert error />
        <Transition>
            {move || Suspend::new(async move {
                let alerts = list.await.unwrap_or_default();
                alerts
                    .into_iter()
                    .map(|w| view! { <AlertLine webhook=w acknowledge /> })
                    .collect_view()
            })}
        </Transition>
    }
}

#[component]
fn AlertLine(
    webhook: Webhook,
    acknowledge: ServerAction<AcknowledgeWebhookAlert>,
) -> impl IntoView {
    let i18n = use_i18n();
    let zone = use_zone();
    let disabled = webhook.alert.as_deref() == Some("disabled");
    let url = webhook.url.clone();
    let since = zone.minutes(if disabled {
        webhook.disabled_at.unwrap_or(webhook.updated_at)
    } else {
        webhook.failing_since.unwrap_or(webhook.updated_at)
    });
    let id = StoredValue::new(webhook.id.clone());
    let text = move || {
        let (url, since) = (url.clone(), since.clone());
        if disabled {
            td_string!(
                i18n.get_locale(),
                webhooks.alert_disabled,
                url = url,
                since = since
            )
            .to_string()
        } else {
            td_string!(
                i18n.get_locale(),
                webhooks.alert_failing,
                url = url,
                since = since
            )
            .to_string()
        }
    };
    view! {
        <div
            class=if disabled {
                "alert alert-error alert-row"
            } else {
                "alert alert-warning alert-row"
            }
            role="alert"
            data-testid="webhook-alert"
        >
            <span>{text}</span>
            <span class="alert-actions">
                <A
                    href=format!("{LIST_PATH}/{}", webhook.id)
                    attr:class="button button-secondary button-small"
                >
                    {t!(i18n, webhooks.alert_open)}
                </A>
                <button
                    type="button"
                    class="button button-secondary button-small"
                    data-testid="acknowledge-alert"
                    disabled=move || acknowledge.pending().get()
                    on:click=move |_| {
                        acknowledge
                            .dispatch(AcknowledgeWebhookAlert {
                                id: id.get_value(),
                            });
                    }
                >
                    {t!(i18n, webhooks.alert_acknowledge)}
                </button>
            </span>
        </div>
    }
}
