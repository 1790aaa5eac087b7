//! Integrations > API > Reference: the OpenAPI document as a readable page,
//! rendered by the server from the same document `/api/v1/openapi.json`
//! serves. No script or font from elsewhere: it works with no internet.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::app::widgets::loaded::Loaded;
use crate::i18n::*;
use crate::model::reference::{EventRef, FieldRef, OperationRef, Reference, SchemaRef};
use crate::serverfns::api::api_reference;

#[component]
pub fn ApiReferencePage() -> impl IntoView {
    let i18n = use_i18n();
    let reference = Resource::new(|| (), |_| api_reference());
    let load = move || async move { reference.await };
    let show = |r: Reference| view! { <ReferenceView r /> };
    view! {
        <Title text=move || t_string!(i18n, reference.title) />
        <Loaded load show />
    }
}

/// Text with `code` spans, as the document's descriptions write them.
#[component]
fn Prose(text: String) -> impl IntoView {
    // Empty pieces are skipped: an empty text node would not survive to
    // hydration.
    text.split('`')
        .enumerate()
        .filter(|(_, part)| !part.is_empty())
        .map(|(i, part)| {
            if i % 2 == 1 {
                view! { <code>{part.to_owned()}</code> }.into_any()
            } else {
                part.to_owned().into_any()
            }
        })
        .collect_view()
}

fn anchor(op: &OperationRef) -> String {
    let path: String = op
        .path
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("{}{}", op.method.to_lowercase(), path)
}

#[component]
fn ReferenceView(r: Reference) -> impl IntoView {
    let i18n = use_i18n();
    let toc = r.tags.clone();
    view! {
        <div class="page-header">
            <div>
                <p class="breadcrumb">
                    <A href="/integrations/api">{t!(i18n, api.title)}</A>
                </p>
                <h1>{t!(i18n, reference.title)}</h1>
            </div>
            <a
                class="button button-secondary"
                href="/api/v1/openapi.json"
                download="livreur-openapi.json"
            >
                {t!(i18n, reference.download)}
            </a>
        </div>
        <div class="reference" data-testid="api-reference">
            <nav class="panel reference-toc" aria-label=move || t_string!(i18n, reference.contents)>
                {toc
                    .into_iter()
                    .map(|t| {
                        view! {
                            <h2>{t.name.clone()}</h2>
                            <ul>
                                {t
                                    .operations
                                    .iter()
                                    .map(|op| {
                                        view! {
                                            <li>
                                                <a href=format!("#{}", anchor(op))>
                                                    <span class=format!(
                                                        "method method-{}",
                                                        op.method.to_lowercase(),
                                                    )>{op.method.clone()}</span>
                                                    " "
                                                    {op.path.clone()}
                                                </a>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                    })
                    .collect_view()}
                <h2>
                    <a href="#events">{t!(i18n, reference.events)}</a>
                </h2>
                <h2>
                    <a href="#schemas">{t!(i18n, reference.schemas)}</a>
                </h2>
            </nav>
            <div class="reference-body">
                <section class="panel">
                    <p>{r.description.clone()}</p>
                    <p>{t!(i18n, reference.base_url)} " " <code>"/api/v1"</code></p>
                </section>
                {r
                    .tags
                    .into_iter()
                    .map(|t| {
                        view! {
                            <section>
                                <h2>{t.name} " "<span class="field-hint">{t.description}</span></h2>
                                {t
                                    .operations
                                    .into_iter()
                                    .map(|op| view! { <Operation op /> })
                                    .collect_view()}
                            </section>
                        }
                    })
                    .collect_view()}
                <section id="events" data-testid="event-catalog">
                    <h2>{t!(i18n, reference.events)}</h2>
                    <p>{t!(i18n, reference.events_intro)}</p>
                    {r.events.into_iter().map(|e| view! { <Event e /> }).collect_view()}
                </section>
                <section id="schemas">
                    <h2>{t!(i18n, reference.schemas)}</h2>
                    {r.schemas.into_iter().map(|s| view! { <Schema s /> }).collect_view()}
                </section>
            </div>
        </div>
    }
    .into_any()
}

#[component]
fn Operation(op: OperationRef) -> impl IntoView {
    let i18n = use_i18n();
    let id = anchor(&op);
    let method_class = format!("method method-{}", op.method.to_lowercase());
    let who = if op.public {
        view! { <span class="badge badge-neutral">{t!(i18n, reference.public)}</span> }.into_any()
    } else if op.admin_only {
        view! { <span class="badge badge-warning">{t!(i18n, reference.admin_only)}</span> }
            .into_any()
    } else {
        view! { <span class="badge badge-success">{t!(i18n, reference.merchants_too)}</span> }
            .into_any()
    };
    let has_params = !op.parameters.is_empty();
    view! {
        <article class="panel operation" id=id>
            <h3>
                <span class=method_class>{op.method.clone()}</span>
                " "
                <code>{op.path.clone()}</code>
                " "
                {who}
            </h3>
            {(!op.summary.is_empty()).then(|| view! { <p>{op.summary.clone()}</p> })}
            {(!op.description.is_empty())
                .then(|| {
                    view! {
                        <p class="field-hint">
                            <Prose text=op.description.clone() />
                        </p>
                    }
                })}
            {has_params
                .then(|| {
                    view! {
                        <h4>{t!(i18n, reference.parameters)}</h4>
                        <FieldTable fields=op.parameters.clone() with_location=true />
                    }
                })}
            {op
                .body
                .clone()
                .map(|b| {
                    view! {
                        <h4>{t!(i18n, reference.body)}</h4>
                        <p>
                            <a href=format!("#schema-{b}")>
                                <code>{b.clone()}</code>
                            </a>
                        </p>
                    }
                })}
            <h4>{t!(i18n, reference.responses)}</h4>
            <ul>
                {op
                    .responses
                    .into_iter()
                    .map(|(code, text, schema)| {
                        view! {
                            <li>
                                <code>{code}</code>
                                " "
                                {(!text.is_empty()).then(|| view! { <Prose text /> })}
                                {schema
                                    .map(|s| {
                                        view! {
                                            " · "
                                            <a href=format!("#schema-{s}")>
                                                <code>{s.clone()}</code>
                                            </a>
                                        }
                                    })}
                            </li>
                        }
                    })
                    .collect_view()}
                <li class="field-hint">
                    {t!(i18n, reference.errors)} " " <a href="#schema-Problem">
                        <code>"Problem"</code>
                    </a>
                </li>
            </ul>
        </article>
    }
    .into_any()
}

#[component]
fn Event(e: EventRef) -> impl IntoView {
    let i18n = use_i18n();
    let schema = e.data_schema.clone();
    view! {
        <article class="panel" id=format!("event-{}", e.name) data-testid="event">
            <h3>
                <code>{e.name.clone()}</code>
            </h3>
            <p>{e.description}</p>
            <p>
                <code>"data"</code>
                ": "
                <a href=format!("#schema-{schema}")>
                    <code>{schema.clone()}</code>
                </a>
            </p>
            <details>
                <summary>{t!(i18n, reference.example)}</summary>
                <pre class="code payload" tabindex="0">
                    <code>{e.example}</code>
                </pre>
            </details>
        </article>
    }
}

#[component]
fn Schema(s: SchemaRef) -> impl IntoView {
    let i18n = use_i18n();
    let has_fields = !s.fields.is_empty();
    let values = s.values.join(", ");
    view! {
        <article class="panel" id=format!("schema-{}", s.name)>
            <h3>
                <code>{s.name.clone()}</code>
            </h3>
            {(!s.description.is_empty()).then(|| view! { <p>{s.description.clone()}</p> })}
            {(!values.is_empty())
                .then(|| {
                    view! { <p>{t!(i18n, reference.one_of)} " " <code>{values}</code></p> }
                })}
            {has_fields.then(|| view! { <FieldTable fields=s.fields with_location=false /> })}
        </article>
    }
    .into_any()
}

#[component]
fn FieldTable(fields: Vec<FieldRef>, with_location: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-wrap">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, reference.name)}</th>
                        <th scope="col">{t!(i18n, reference.kind)}</th>
                        <th scope="col">{t!(i18n, reference.description)}</th>
                    </tr>
                </thead>
                <tbody>
                    {fields
                        .into_iter()
                        .map(|f| {
                            let place = (with_location && !f.location.is_empty())
                                .then(|| format!(" ({})", f.location));
                            view! {
                                <tr>
                                    <td>
                                        <code>{f.name}</code>
                                        {place}
                                        {f
                                            .required
                                            .then(|| {
                                                view! {
                                                    " "
                                                    <span class="badge badge-info">
                                                        {t!(i18n, reference.required)}
                                                    </span>
                                                }
                                            })}
                                    </td>
                                    <td>
                                        <code>{f.kind}</code>
                                    </td>
                                    <td>
                                        {(!f.description.is_empty())
                                            .then(|| view! { <Prose text=f.description /> })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
