//! The action lines of the job form: one fieldset per action, added and
//! removed in the browser, each showing the server's errors for its fields
//! (`actions[2].quantity`).

use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::*;
use crate::model::job::ActionIn;

/// One action line of the create form.
#[derive(Clone, Copy)]
pub struct ActionRow {
    pub(super) key: usize,
    description: RwSignal<String>,
    sku: RwSignal<String>,
    quantity: RwSignal<String>,
    unit: RwSignal<String>,
}

impl ActionRow {
    pub(super) fn new(key: usize) -> Self {
        ActionRow {
            key,
            description: RwSignal::new(String::new()),
            sku: RwSignal::new(String::new()),
            quantity: RwSignal::new("1".into()),
            unit: RwSignal::new(String::new()),
        }
    }

    /// A line as a refused plain post sent it.
    pub(super) fn sent(key: usize, a: &ActionIn) -> Self {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        ActionRow {
            key,
            description: RwSignal::new(a.description.clone()),
            sku: RwSignal::new(text(&a.sku)),
            quantity: RwSignal::new(a.quantity.map(|q| q.to_string()).unwrap_or_default()),
            unit: RwSignal::new(text(&a.quantity_unit)),
        }
    }

    pub(super) fn input(&self) -> ActionIn {
        ActionIn::line(
            self.description.get_untracked(),
            self.sku.get_untracked(),
            &self.quantity.get_untracked(),
            self.unit.get_untracked(),
        )
    }
}

/// One line of the actions list, with the errors of its fields.
#[component]
pub(super) fn ActionLine(
    row: ActionRow,
    rows: RwSignal<Vec<ActionRow>>,
    error: Signal<Option<AppError>>,
    /// Whether the page runs in the browser (the Remove button needs it).
    live: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let index = move || {
        rows.read()
            .iter()
            .position(|r| r.key == row.key)
            .unwrap_or(0)
    };
    let message = move |field: &'static str| {
        move || {
            let path = format!("actions[{}].{field}", index());
            error.get().and_then(|e| {
                e.field_code(&path)
                    .map(|code| crate::app::widgets::forms::field_message(i18n, code))
            })
        }
    };
    let ids = |name: &str| format!("action-{}-{name}", row.key);
    view! {
        <fieldset class="action-line" data-testid="action-line">
            <legend class="visually-hidden">{move || format!("#{}", index() + 1)}</legend>
            <div class="field field-wide">
                <label for=ids("description")>{t!(i18n, jobs.action_description)}</label>
                <input
                    id=ids("description")
                    name="action.description"
                    value=row.description.get_untracked()
                    maxlength="200"
                    prop:value=move || row.description.get()
                    on:input=move |ev| row.description.set(event_target_value(&ev))
                />
                <p class="field-error">{message("description")}</p>
            </div>
            <div class="field">
                <label for=ids("sku")>{t!(i18n, jobs.sku)}</label>
                <input
                    id=ids("sku")
                    name="action.sku"
                    value=row.sku.get_untracked()
                    maxlength="64"
                    prop:value=move || row.sku.get()
                    on:input=move |ev| row.sku.set(event_target_value(&ev))
                />
                <p class="field-error">{message("sku")}</p>
            </div>
            <div class="field field-narrow">
                <label for=ids("quantity")>{t!(i18n, jobs.quantity)}</label>
                <input
                    id=ids("quantity")
                    name="action.quantity"
                    value=row.quantity.get_untracked()
                    inputmode="numeric"
                    maxlength="6"
                    prop:value=move || row.quantity.get()
                    on:input=move |ev| row.quantity.set(event_target_value(&ev))
                />
                <p class="field-error">{message("quantity")}</p>
            </div>
            <div class="field field-narrow">
                <label for=ids("unit")>{t!(i18n, jobs.unit)}</label>
                <input
                    id=ids("unit")
                    name="action.unit"
                    value=row.unit.get_untracked()
                    maxlength="20"
                    prop:value=move || row.unit.get()
                    on:input=move |ev| row.unit.set(event_target_value(&ev))
                />
            </div>
            <button
                type="button"
                class="button button-secondary button-small"
                hidden=move || !live.get()
                on:click=move |_| rows.update(|r| r.retain(|x| x.key != row.key))
            >
                {t!(i18n, jobs.remove_action)}
            </button>
        </fieldset>
    }
}
