//! Form building blocks: fields that show their server-side error in the
//! user's language, and the alert for errors that belong to no field.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::error::AppError;
use crate::i18n::*;
use crate::model::forms::PostedForm;

pub use super::messages::{error_message, field_message, role_name};

/// False while a page is rendered on the server (so in a browser without
/// JavaScript), true once it runs in the browser: controls that need
/// JavaScript (add a line, lock boxes) appear or act only then.
pub fn use_live() -> Signal<bool> {
    let live = RwSignal::new(false);
    Effect::new(move |_| live.set(true));
    live.into()
}

/// The form this page is rendered for after the server refused it, sent
/// without JavaScript: on the server from the request, in the browser from
/// the page's serialized data (so both render the same).
pub fn posted_form() -> OnceResource<Option<PostedForm>> {
    let posted = use_context::<PostedForm>();
    OnceResource::new(async move { posted })
}

/// A text field's starting value: what was sent when the page shows a form
/// the server refused (`posted`), else the object's own value.
pub fn sent_or(
    posted: Option<&PostedForm>,
    field: &str,
    current: Option<String>,
) -> RwSignal<String> {
    RwSignal::new(match posted {
        Some(p) => p.text(field),
        None => current.unwrap_or_default(),
    })
}

/// A checkbox's starting state, as [`sent_or`] for text.
pub fn ticked_or(posted: Option<&PostedForm>, field: &str, current: bool) -> RwSignal<bool> {
    RwSignal::new(match posted {
        Some(p) => p.checked(field),
        None => current,
    })
}

/// The error a form shows: its action's last failure, else the error of
/// the refused plain post it was rendered for.
pub fn form_error<I, O>(
    action: ServerAction<I>,
    posted: Option<&PostedForm>,
) -> Signal<Option<AppError>>
where
    I: leptos::server_fn::ServerFn<Output = O, Error = AppError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    let refused = posted.and_then(|p| p.error.clone());
    Signal::derive(move || match action.value().get() {
        Some(result) => result.err(),
        None => refused.clone(),
    })
}

/// The error of a server action's last run, if it failed.
pub fn last_error<I, O>(action: ServerAction<I>) -> Signal<Option<AppError>>
where
    I: leptos::server_fn::ServerFn<Output = O, Error = AppError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(Result::err))
}

/// The alert shown in place of a page whose data could not be loaded.
#[component]
pub fn LoadError(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    // The page's HTTP status says it too (an unknown or another merchant's
    // job is a 404 page, not a 200 with an apology).
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = axum::http::StatusCode::from_u16(error.status())
        && status.is_client_error()
    {
        res.set_status(status);
    }
    view! {
        <div class="alert alert-error" role="alert">
            {move || error_message(i18n, &error)}
        </div>
    }
}

/// The alert above a form for a failed submission.
#[component]
pub fn FormAlert(error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        error.get().map(|err| {
            view! {
                <div class="alert alert-error" role="alert" data-testid="form-error">
                    {error_message(i18n, &err)}
                </div>
            }
        })
    }
}

/// A labelled text input bound to `value`, showing the error for `field`.
#[component]
pub fn TextField(
    /// The input's id; also the field name the server reports errors for.
    id: &'static str,
    value: RwSignal<String>,
    error: Signal<Option<AppError>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional, into)] hint: Option<Signal<&'static str>>,
    #[prop(default = 200)] maxlength: u32,
    /// The id of a `<datalist>` of suggestions.
    #[prop(optional)]
    list: Option<&'static str>,
    /// The label text.
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let message = Signal::derive(move || {
        error
            .get()
            .and_then(|e| e.field_code(id).map(|code| field_message(i18n, code)))
    });
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if message.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field">
            <label for=id>{children()} {(!required).then(|| view! { <OptionalMark /> })}</label>
            <input
                id=id
                name=id
                type=kind
                autocomplete=autocomplete
                list=list
                maxlength=maxlength
                value=value.get_untracked()
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || message.get().map(|_| "true")
                aria-describedby=described_by
            />
            {hint
                .map(|h| {
                    view! {
                        <p class="field-hint" id=hint_id.clone()>
                            {move || h.get()}
                        </p>
                    }
                })}
            {move || {
                message
                    .get()
                    .map(|m| {
                        view! {
                            <p class="field-error" id=error_id.clone()>
                                {m}
                            </p>
                        }
                    })
            }}
        </div>
    }
}

/// The error under a field that is not a [`TextField`] (selects, lists).
#[component]
pub fn FieldMessage(field: &'static str, error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        error
            .get()
            .and_then(|e| e.field_code(field).map(|code| field_message(i18n, code)))
            .map(|m| {
                view! {
                    <p class="field-error" id=format!("{field}-error")>
                        {m}
                    </p>
                }
            })
    }
}

#[component]
fn OptionalMark() -> impl IntoView {
    let i18n = use_i18n();
    view! { <span class="field-hint">" (" {t!(i18n, common.optional)} ")"</span> }
}

/// An accessible on/off switch.
#[component]
pub fn Toggle(
    id: &'static str,
    checked: RwSignal<bool>,
    #[prop(optional, into)] hint: Option<Signal<&'static str>>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="field">
            <label class="toggle" for=id>
                <input
                    id=id
                    name=id
                    type="checkbox"
                    role="switch"
                    checked=checked.get_untracked()
                    prop:checked=move || checked.get()
                    on:change=move |ev| checked.set(event_target_checked(&ev))
                />
                <span class="toggle-track" aria-hidden="true"></span>
                <span>{children()}</span>
            </label>
            {hint.map(|h| view! { <p class="field-hint">{move || h.get()}</p> })}
        </div>
    }
}

/// Status badge for active / inactive things.
#[component]
pub fn ActiveBadge(active: bool) -> impl IntoView {
    let i18n = use_i18n();
    if active {
        view! { <span class="badge badge-success">{t!(i18n, common.active)}</span> }.into_any()
    } else {
        view! { <span class="badge badge-neutral">{t!(i18n, common.inactive)}</span> }.into_any()
    }
}

/// Save and Cancel at the foot of a form; Save is disabled while `pending`.
#[component]
pub fn FormActions(
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] cancel_href: String,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="form-actions">
            <button type="submit" class="button button-primary" disabled=move || pending.get()>
                {move || {
                    if pending.get() {
                        t_string!(i18n, common.saving)
                    } else {
                        t_string!(i18n, common.save)
                    }
                }}
            </button>
            <A href=cancel_href attr:class="button button-secondary">
                {t!(i18n, common.cancel)}
            </A>
        </div>
    }
}

/// An inline confirmation for an action that cannot be undone: a title, what
/// will happen, the dangerous button and Cancel.
#[component]
pub fn ConfirmDialog(
    #[prop(into)] title: Signal<&'static str>,
    #[prop(into)] body: Signal<&'static str>,
    #[prop(into)] confirm: Signal<&'static str>,
    /// Also names the title element (`{confirm_testid}-title`).
    confirm_testid: &'static str,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let title_id = format!("{confirm_testid}-title");
    let labelled_by = title_id.clone();
    view! {
        <div class="alert alert-error" role="alertdialog" aria-labelledby=labelled_by>
            <p id=title_id>
                <strong>{move || title.get()}</strong>
            </p>
            <p>{move || body.get()}</p>
            <div class="form-actions">
                <button
                    type="button"
                    class="button button-danger"
                    data-testid=confirm_testid
                    on:click=move |_| on_confirm.run(())
                >
                    {move || confirm.get()}
                </button>
                <button
                    type="button"
                    class="button button-secondary"
                    on:click=move |_| on_cancel.run(())
                >
                    {t!(i18n, common.cancel)}
                </button>
            </div>
        </div>
    }
}

/// Copies `text` to the clipboard and says so to screen readers too.
#[component]
pub fn CopyButton(
    #[prop(into)] text: Signal<String>,
    #[prop(into)] label: String,
    #[prop(optional)] testid: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let copied = RwSignal::new(false);
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(window) = web_sys::window() {
            let _ = window
                .navigator()
                .clipboard()
                .write_text(&text.get_untracked());
            copied.set(true);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = text;
    };
    view! {
        <button
            type="button"
            class="button button-secondary button-small"
            on:click=copy
            aria-label=label
            data-testid=testid
        >
            {move || {
                if copied.get() { t_string!(i18n, api.copied) } else { t_string!(i18n, api.copy) }
            }}
        </button>
        <span class="visually-hidden" aria-live="polite">
            {move || copied.get().then(|| t_string!(i18n, api.copied))}
        </span>
    }
}
