//! Create and edit a merchant user. The "API access" toggle is there only
//! while the role chosen is Merchant Level 2, appearing and disappearing as
//! the role changes; the server enforces the same rule whatever is sent.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use super::merchant_user_panels::{EndSessions, InvitationShown, Reinvite};
use crate::app::widgets::buttons::button_post;
use crate::app::widgets::forms::{
    FieldMessage, FormActions, FormAlert, TextField, Toggle, form_error, posted_form, sent_or,
    ticked_or,
};
use crate::app::widgets::loaded::Loaded;
use crate::error::AppError;
use crate::i18n::*;
use crate::model::Role;
use crate::model::forms::{ButtonPost, PostedForm};
use crate::model::org::{MerchantUser, MerchantUserIn, MerchantUserPatch};
use crate::serverfns::organization::{
    CreateMerchantUser, MerchantDetail, UpdateMerchantUser, get_merchant, get_merchant_user,
};

/// `/organization/merchants/:id/users/new` and `…/users/:user_id`.
#[component]
pub fn MerchantUserPage() -> impl IntoView {
    let params = use_params_map();
    // One server function per resource: a second call after an `.await`
    // would run on the server without the request's context.
    let merchant = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        get_merchant,
    );
    let user = Resource::new(
        move || params.read().get("user_id"),
        |user_id| async move {
            match user_id {
                Some(id) => get_merchant_user(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let posted = posted_form();
    // A user just invited by a plain post, with the link to show once.
    let made = {
        let made = use_context::<MerchantUser>();
        OnceResource::new(async move { made })
    };
    let pressed = button_post();
    let load = move || async move {
        let sent = (posted.await, pressed.await);
        Ok::<_, AppError>((merchant.await?, user.await?, sent, made.await))
    };
    let show = |(detail, user, (posted, pressed), made): Loaded4| {
        let merchant_id = detail.merchant.id;
        let merchant_name = detail.merchant.business_name;
        view! { <UserForm merchant_id merchant_name user posted pressed made /> }
    };
    view! { <Loaded load show /> }
}

type Loaded4 = (
    MerchantDetail,
    Option<MerchantUser>,
    (Option<PostedForm>, Option<ButtonPost>),
    Option<MerchantUser>,
);

#[component]
fn UserForm(
    merchant_id: String,
    merchant_name: String,
    user: Option<MerchantUser>,
    posted: Option<PostedForm>,
    /// A button of the page's panels pressed without JavaScript.
    pressed: Option<ButtonPost>,
    made: Option<MerchantUser>,
) -> impl IntoView {
    let i18n = use_i18n();
    let invited_user = user.clone().filter(|u| u.invited && u.active);
    let signed_in_user = user.as_ref().filter(|u| !u.invited).map(|u| u.id.clone());
    let back = format!("/organization/merchants/{merchant_id}");
    let is_new = user.is_none();
    let user_id = user.as_ref().map(|u| u.id.clone());
    // What was sent, when the server rendered the form again after a plain
    // post (never the password); else the user's own values.
    let text = |field: &str, current: Option<String>| sent_or(posted.as_ref(), field, current);
    let email = text("email", user.as_ref().map(|u| u.email.clone()));
    let display_name = text(
        "display_name",
        user.as_ref().map(|u| u.display_name.clone()),
    );
    let role = text(
        "role",
        Some(
            user.as_ref()
                .map_or(Role::MerchantL1, |u| u.role)
                .as_str()
                .to_owned(),
        ),
    );
    let password = RwSignal::new(String::new());
    let switch = |field: &str, current: bool| ticked_or(posted.as_ref(), field, current);
    let active = switch("active", user.as_ref().is_none_or(|u| u.active));
    let api_access = switch("api_access", user.as_ref().is_some_and(|u| u.api_access));
    let account_id = user.as_ref().and_then(|u| u.account_id.clone());
    let is_level_2 = Memo::new(move |_| role.get() == Role::MerchantL2.as_str());
    // Leaving Level 2 switches access off, so a hidden "on" is never sent.
    Effect::new(move |_| {
        if !is_level_2.get() {
            api_access.set(false);
        }
    });

    let create = ServerAction::<CreateMerchantUser>::new();
    let update = ServerAction::<UpdateMerchantUser>::new();
    let create_error = form_error(create, posted.as_ref());
    let update_error = form_error(update, posted.as_ref());
    let error = Signal::derive(move || {
        if is_new {
            create_error.get()
        } else {
            update_error.get()
        }
    });
    let pending = Signal::derive(move || create.pending().get() || update.pending().get());
    // A user invited just now: the link is shown once, in place of the
    // form (from this page's submission, or from a plain post).
    let invited = Signal::derive(move || {
        create
            .value()
            .get()
            .and_then(Result::ok)
            .or_else(|| made.clone())
            .filter(|u| u.invitation.is_some())
    });
    let navigate = use_navigate();
    let back_for_effect = back.clone();
    Effect::new(move |_| {
        let saved = matches!(create.value().get(), Some(Ok(u)) if u.invitation.is_none())
            || matches!(update.value().get(), Some(Ok(_)));
        if saved {
            navigate(&back_for_effect, Default::default());
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match &user_id {
            None => {
                create.dispatch(CreateMerchantUser {
                    merchant_id: merchant_id.clone(),
                    input: MerchantUserIn {
                        email: email.get_untracked(),
                        display_name: display_name.get_untracked(),
                        role: role.get_untracked(),
                        password: password.get_untracked(),
                        api_access: api_access.get_untracked(),
                    },
                });
            }
            Some(id) => {
                update.dispatch(UpdateMerchantUser {
                    id: id.clone(),
                    patch: MerchantUserPatch {
                        display_name: Some(display_name.get_untracked()),
                        role: Some(role.get_untracked()),
                        active: Some(active.get_untracked()),
                        api_access: Some(api_access.get_untracked()),
                    },
                });
            }
        }
    };
    let title = {
        let merchant_name = merchant_name.clone();
        move || {
            if is_new {
                td_string!(
                    i18n.get_locale(),
                    users.new_title,
                    merchant = merchant_name.clone()
                )
                .to_string()
            } else {
                t_string!(i18n, users.edit_title).to_owned()
            }
        }
    };
    let back_link = back.clone();
    view! {
        <Title text=title.clone() />
        <div class="page-header">
            <h1>{title}</h1>
        </div>
        {move || {
            invited
                .get()
                .and_then(|u| u.invitation.map(|i| (u.email, i)))
                .map(|(email, invitation)| {
                    view! { <InvitationShown email invitation back=back_link.clone() /> }
                })
        }}
        <form
            hidden=move || invited.with(Option::is_some)
            class="panel form"
            method="post"
            on:submit=on_submit
            novalidate
            data-testid="user-form"
        >
            <FormAlert error />
            // The role this form is shown for: choosing Level 2 without
            // JavaScript shows the form again with the API access switch.
            <input type="hidden" name="shown_role" value=role.get_untracked() />
            {if is_new {
                view! {
                    <TextField
                        id="email"
                        value=email
                        error
                        required=true
                        kind="email"
                        maxlength=254
                    >
                        {t!(i18n, users.email)}
                    </TextField>
                }
                    .into_any()
            } else {
                view! {
                    <div class="field">
                        <span class="label">{t!(i18n, users.email)}</span>
                        <span>{email.get_untracked()}</span>
                    </div>
                }
                    .into_any()
            }}
            <TextField id="display_name" value=display_name error required=true maxlength=120>
                {t!(i18n, users.display_name)}
            </TextField>
            <div class="field">
                <label for="role">{t!(i18n, users.role)}</label>
                <select
                    id="role"
                    name="role"
                    prop:value=move || role.get()
                    on:change=move |ev| role.set(event_target_value(&ev))
                >
                    <option value="merchant_l1" selected=!is_level_2.get_untracked()>
                        {t!(i18n, roles.merchant_l1)}
                    </option>
                    <option value="merchant_l2" selected=is_level_2.get_untracked()>
                        {t!(i18n, roles.merchant_l2)}
                    </option>
                </select>
                <FieldMessage field="role" error />
            </div>
            {is_new
                .then(|| {
                    view! {
                        <TextField
                            id="password"
                            value=password
                            error
                            kind="password"
                            autocomplete="new-password"
                            maxlength=256
                            hint=Signal::derive(move || t_string!(i18n, users.password_invite_hint))
                        >
                            {t!(i18n, users.password)}
                        </TextField>
                    }
                })}
            {(!is_new)
                .then(|| {
                    view! {
                        <Toggle
                            id="active"
                            checked=active
                            hint=Signal::derive(move || t_string!(i18n, users.active_hint))
                        >
                            {t!(i18n, common.active)}
                        </Toggle>
                    }
                })}
            <Show when=move || is_level_2.get()>
                <div data-testid="api-access-toggle">
                    <Toggle
                        id="api_access"
                        checked=api_access
                        hint=Signal::derive(move || t_string!(i18n, users.api_access_hint))
                    >
                        {t!(i18n, users.api_access)}
                    </Toggle>
                </div>
            </Show>
            {account_id
                .map(|acct| {
                    view! {
                        <p class="hint">{t!(i18n, users.account_id)} ": " <code>{acct}</code></p>
                    }
                })}
            <FormActions pending=pending cancel_href=back />
        </form>
        {invited_user
            .map(|u| view! { <Reinvite user_id=u.id email=u.email pressed=pressed.clone() /> })}
        {signed_in_user.map(|id| view! { <EndSessions user_id=id pressed /> })}
    }
}
