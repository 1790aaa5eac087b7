//! The signed-in user's own profile: who they are, their language, and
//! where they are signed in (docs/people.md).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::app::language::LanguageSwitch;
use crate::app::layout::{role_label, use_user, use_zone};
use crate::app::status::Loading;
use crate::app::widgets::buttons::{ButtonForm, button_error, button_post};
use crate::app::widgets::forms::{FormAlert, LoadError};
use crate::i18n::*;
use crate::model::Lang;
use crate::model::forms::buttons;
use crate::model::sessions::SessionInfo;
use crate::serverfns::sessions::{EndOtherSessions, EndSession, my_sessions};

#[component]
pub fn ProfilePage() -> impl IntoView {
    let i18n = use_i18n();
    let user = use_user();
    view! {
        <Title text=move || t_string!(i18n, profile.page_title) />
        <div class="page-header">
            <h1>{t!(i18n, profile.page_title)}</h1>
        </div>
        <section class="panel">
            <dl class="details">
                <dt>{t!(i18n, profile.name)}</dt>
                <dd>{user.display_name.clone()}</dd>
                <dt>{t!(i18n, profile.email)}</dt>
                <dd>{user.email.clone()}</dd>
                <dt>{t!(i18n, profile.role)}</dt>
                <dd>{role_label(user.role)}</dd>
                <dt>{t!(i18n, profile.language)}</dt>
                <dd class="inline">
                    <span>{move || Lang::from(i18n.get_locale()).native_name()}</span>
                    <LanguageSwitch />
                </dd>
            </dl>
            <p class="hint">{t!(i18n, profile.language_hint)}</p>
        </section>
        <crate::app::two_factor::TwoFactorPanel />
        <Sessions />
    }
}

/// Where the user is signed in, with "Sign out" for each other browser and
/// "Sign out everywhere else".
#[component]
fn Sessions() -> impl IntoView {
    let i18n = use_i18n();
    let end = ServerAction::<EndSession>::new();
    let end_others = ServerAction::<EndOtherSessions>::new();
    let list = Resource::new(
        move || (end.version().get(), end_others.version().get()),
        |_| my_sessions(),
    );
    let post = button_post();
    view! {
        <section class="panel" data-testid="sessions">
            <div class="panel-heading">
                <h2>{t!(i18n, profile.sessions_title)}</h2>
                <ButtonForm
                    name=buttons::END_OTHER_SESSIONS
                    class="button button-secondary"
                    testid="end-other-sessions"
                    pending=end_others.pending()
                    on_press=move || {
                        end_others.dispatch(EndOtherSessions {});
                    }
                >
                    {t!(i18n, profile.end_others)}
                </ButtonForm>
            </div>
            <p class="hint">{t!(i18n, profile.sessions_hint)}</p>
            <Transition fallback=|| {
                view! { <Loading /> }
            }>
                {move || Suspend::new(async move {
                    let post = post.await;
                    let alerts = view! {
                        <FormAlert error=button_error(end, post.as_ref(), buttons::END_SESSION) />
                        <FormAlert error=button_error(
                            end_others,
                            post.as_ref(),
                            buttons::END_OTHER_SESSIONS,
                        ) />
                    };
                    match list.await {
                        Ok(rows) => {
                            view! {
                                {alerts}
                                <SessionsTable rows end />
                            }
                                .into_any()
                        }
                        Err(err) => view! { <LoadError error=err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn SessionsTable(rows: Vec<SessionInfo>, end: ServerAction<EndSession>) -> impl IntoView {
    let i18n = use_i18n();
    let zone = use_zone();
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="sessions-table">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, profile.device)}</th>
                        <th scope="col">{t!(i18n, profile.address)}</th>
                        <th scope="col">{t!(i18n, profile.signed_in)}</th>
                        <th scope="col">{t!(i18n, profile.last_active)}</th>
                        <th scope="col">{t!(i18n, common.actions)}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|s| {
                            let id = StoredValue::new(s.id.clone());
                            let device = if s.device.is_empty() {
                                "—".to_owned()
                            } else {
                                s.device.clone()
                            };
                            view! {
                                <tr data-testid=if s.current {
                                    "session-current"
                                } else {
                                    "session-other"
                                }>
                                    <td>
                                        {device}
                                        {s
                                            .current
                                            .then(|| {
                                                view! {
                                                    " "
                                                    <span class="badge badge-info">
                                                        {t!(i18n, profile.this_browser)}
                                                    </span>
                                                }
                                            })}
                                    </td>
                                    <td>{s.ip.clone().unwrap_or_default()}</td>
                                    <td>{zone.minutes(s.created_at)}</td>
                                    <td>{zone.minutes(s.last_seen_at)}</td>
                                    <td class="row-actions">
                                        {(!s.current)
                                            .then(|| {
                                                view! {
                                                    <ButtonForm
                                                        name=buttons::END_SESSION
                                                        fields=vec![("id", id.get_value())]
                                                        class="button button-secondary button-small"
                                                        testid="end-session"
                                                        pending=end.pending()
                                                        on_press=move || {
                                                            end.dispatch(EndSession { id: id.get_value() });
                                                        }
                                                    >
                                                        {t!(i18n, profile.end_session)}
                                                    </ButtonForm>
                                                }
                                            })}
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
