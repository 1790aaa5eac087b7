//! What a new key is to be (docs/api-keys.md): its access (read and write,
//! or read only), its lifetime and the addresses it may be used from. The
//! same fields serve "Generate key" and "Roll key"; the allow-list of a
//! key in use is edited with [`NetsForm`].

use leptos::prelude::*;

use crate::app::widgets::forms::field_message;
use crate::error::AppError;
use crate::i18n::*;
use crate::model::api::{KeyChoice, KeyLifetime, KeyScope, MAX_ALLOWED_NETS_TEXT};
use crate::serverfns::api::{GenerateApiKey, SetApiKeyNets};

/// The signals behind the fields, and the choice they make.
#[derive(Clone, Copy)]
pub(super) struct ChoiceState {
    pub scope: RwSignal<KeyScope>,
    pub lifetime: RwSignal<KeyLifetime>,
    pub nets: RwSignal<String>,
}

impl ChoiceState {
    /// Starts from `scope`, the longest lifetime offered ("never" when it
    /// is), and no allow-list.
    pub fn new(scope: KeyScope, lifetimes: &[KeyLifetime]) -> Self {
        let lifetime = if lifetimes.contains(&KeyLifetime::Never) {
            KeyLifetime::Never
        } else {
            lifetimes.last().copied().unwrap_or(KeyLifetime::Days30)
        };
        ChoiceState {
            scope: RwSignal::new(scope),
            lifetime: RwSignal::new(lifetime),
            nets: RwSignal::new(String::new()),
        }
    }

    /// Keeps the choices made so far, with a lifetime among those offered
    /// (the form is drawn again whenever the keys are read).
    pub fn fit(self, lifetimes: &[KeyLifetime]) -> Self {
        if !lifetimes.contains(&self.lifetime.get_untracked()) {
            let fitted = ChoiceState::new(KeyScope::ReadWrite, lifetimes);
            self.lifetime.set(fitted.lifetime.get_untracked());
        }
        self
    }

    pub fn choice(&self) -> KeyChoice {
        KeyChoice {
            scope: self.scope.get_untracked(),
            lifetime: self.lifetime.get_untracked(),
            allowed_nets: self.nets.get_untracked(),
        }
    }
}

pub(super) fn scope_name(i18n: leptos_i18n::I18nContext<Locale>, s: KeyScope) -> &'static str {
    match s {
        KeyScope::ReadWrite => t_string!(i18n, api.scope_read_write),
        KeyScope::ReadOnly => t_string!(i18n, api.scope_read_only),
    }
}

fn lifetime_name(i18n: leptos_i18n::I18nContext<Locale>, l: KeyLifetime) -> &'static str {
    match l {
        KeyLifetime::Never => t_string!(i18n, api.lifetime_never),
        KeyLifetime::Days30 => t_string!(i18n, api.lifetime_30),
        KeyLifetime::Days90 => t_string!(i18n, api.lifetime_90),
        KeyLifetime::Days365 => t_string!(i18n, api.lifetime_365),
    }
}

/// The error under one of the fields, with an id the field points to.
fn field_error(
    i18n: leptos_i18n::I18nContext<Locale>,
    error: Signal<Option<AppError>>,
    field: &'static str,
    id: String,
) -> impl IntoView {
    move || {
        error
            .get()
            .and_then(|e| e.field_code(field).map(|code| field_message(i18n, code)))
            .map(|m| {
                view! {
                    <p class="field-error" id=id.clone()>
                        {m}
                    </p>
                }
            })
    }
}

/// Scope, lifetime and allow-list. `prefix` keeps the ids apart when two
/// of these forms are on the page.
#[component]
pub(super) fn KeyChoiceFields(
    prefix: &'static str,
    state: ChoiceState,
    lifetimes: Vec<KeyLifetime>,
    max_days: Option<u32>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lifetime_id = format!("{prefix}-lifetime");
    let nets_id = format!("{prefix}-allowed-nets");
    let lifetime_error = format!("{lifetime_id}-error");
    let scope_hint = format!("{prefix}-scope-hint");
    let scope_hint_ref = scope_hint.clone();
    let lifetime_invalid =
        move || error.with(|e| e.as_ref().and_then(|e| e.field_code("lifetime")).is_some());
    view! {
        <fieldset class="field" aria-describedby=scope_hint_ref>
            <legend>{t!(i18n, api.scope)}</legend>
            {KeyScope::ALL
                .iter()
                .copied()
                .map(|s| {
                    let id = format!("{prefix}-scope-{}", s.as_str());
                    let label_for = id.clone();
                    view! {
                        <label class="choice" for=label_for>
                            <input
                                type="radio"
                                name=format!("{prefix}-scope")
                                id=id
                                value=s.as_str()
                                prop:checked=move || state.scope.get() == s
                                on:change=move |_| state.scope.set(s)
                            />
                            {move || scope_name(i18n, s)}
                        </label>
                    }
                })
                .collect_view()}
            <p class="field-hint" id=scope_hint>
                {t!(i18n, api.scope_hint)}
            </p>
        </fieldset>
        <div class="field">
            <label for=lifetime_id.clone()>{t!(i18n, api.lifetime)}</label>
            <select
                id=lifetime_id
                name="lifetime"
                aria-invalid=move || lifetime_invalid().then_some("true")
                aria-describedby=lifetime_error.clone()
                on:change=move |ev| {
                    if let Ok(l) = event_target_value(&ev).parse() {
                        state.lifetime.set(l);
                    }
                }
            >
                {lifetimes
                    .into_iter()
                    .map(|l| {
                        view! {
                            <option value=l.as_str() selected=move || state.lifetime.get() == l>
                                {move || lifetime_name(i18n, l)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            {max_days
                .map(|days| {
                    view! {
                        <p class="field-hint">
                            {move || {
                                td_string!(i18n.get_locale(), api.max_days_hint, days = days)
                                    .to_string()
                            }}
                        </p>
                    }
                })}
            {field_error(i18n, error, "lifetime", lifetime_error)}
        </div>
        <NetsInput id=nets_id nets=state.nets error>
            {t!(i18n, api.allowed_nets)}
            <span class="field-hint">" (" {t!(i18n, common.optional)} ")"</span>
        </NetsInput>
    }
}

/// "Generate key": the choices, then the button. `state` outlives the
/// form, so a refused choice is still there to correct.
#[component]
pub(super) fn GenerateForm(
    generate: ServerAction<GenerateApiKey>,
    state: ChoiceState,
    lifetimes: Vec<KeyLifetime>,
    max_days: Option<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let state = state.fit(&lifetimes);
    let error = Signal::derive(move || generate.value().get().and_then(Result::err));
    view! {
        <form
            class="key-form"
            data-testid="generate-form"
            on:submit=move |ev| {
                ev.prevent_default();
                generate
                    .dispatch(GenerateApiKey {
                        choice: state.choice(),
                    });
            }
        >
            <h4>{t!(i18n, api.new_key_legend)}</h4>
            <KeyChoiceFields prefix="new-key" state lifetimes max_days error />
            <div class="form-actions">
                <button
                    type="submit"
                    class="button button-primary"
                    data-testid="generate-key"
                    disabled=move || generate.pending().get()
                >
                    {t!(i18n, api.generate)}
                </button>
            </div>
        </form>
    }
}

/// The allow-list of a key in use, edited in place under its row.
#[component]
pub(super) fn NetsForm(
    key_id: String,
    hint: String,
    current: Vec<String>,
    /// After a save went through: close the form, read the keys again.
    on_saved: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SetApiKeyNets>::new();
    let nets = RwSignal::new(current.join("\n"));
    let id = StoredValue::new(key_id);
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            on_saved.run(());
        }
    });
    let field_id = format!("nets-{hint}");
    view! {
        <form
            class="key-form"
            data-testid="nets-form"
            on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(SetApiKeyNets {
                    key_id: id.get_value(),
                    allowed_nets: nets.get_untracked(),
                });
            }
        >
            <NetsInput id=field_id nets error>

                {move || {
                    td_string!(i18n.get_locale(), api.nets_legend, hint = format!("lvr_…{hint}"))
                        .to_string()
                }}
            </NetsInput>
            <div class="form-actions">
                <button type="submit" class="button button-primary" data-testid="save-nets">
                    {t!(i18n, api.save_nets)}
                </button>
                <button
                    type="button"
                    class="button button-secondary"
                    on:click=move |_| on_cancel.run(())
                >
                    {t!(i18n, common.cancel)}
                </button>
            </div>
        </form>
    }
}

/// The allow-list's text area, with its hint and its error; `children` is
/// the label.
#[component]
fn NetsInput(
    id: String,
    nets: RwSignal<String>,
    error: Signal<Option<AppError>>,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = format!("{hint_id} {error_id}");
    let label_for = id.clone();
    let invalid = move || {
        error.with(|e| {
            e.as_ref()
                .and_then(|e| e.field_code("allowed_nets"))
                .is_some()
        })
    };
    view! {
        <div class="field">
            <label for=label_for>{children()}</label>
            <textarea
                id=id
                name="allowed_nets"
                rows="3"
                maxlength=MAX_ALLOWED_NETS_TEXT.to_string()
                spellcheck="false"
                autocomplete="off"
                aria-invalid=move || invalid().then_some("true")
                aria-describedby=described
                prop:value=move || nets.get()
                on:input=move |ev| nets.set(event_target_value(&ev))
            >
                {nets.get_untracked()}
            </textarea>
            <p class="field-hint" id=hint_id>
                {t!(i18n, api.allowed_nets_hint)}
            </p>
            {field_error(i18n, error, "allowed_nets", error_id)}
        </div>
    }
}
