//! The small usage charts of API settings, and the dates of its tables.

use leptos::prelude::*;

use crate::i18n::*;
use crate::model::time::Zone;

/// A date and time that break between the two, never inside either.
pub(super) fn stamp(zone: &Zone, ms: i64) -> impl IntoView + use<> {
    let (day, time) = zone.date_and_minutes(ms);
    view! {
        <span class="nowrap">{day}</span>
        " "
        <span class="nowrap">{time}</span>
    }
}

/// One small bar per day, today last, with the figures for screen
/// readers: 7 days for the administrators' accounts, 30 for a key.
#[component]
pub(super) fn UsageChart(counts: Vec<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let total: i64 = counts.iter().sum();
    let figures = counts
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let days = counts.len();
    let label = move || {
        let figures = figures.clone();
        if days == 30 {
            td_string!(
                i18n.get_locale(),
                api.chart_label_30,
                total = total,
                figures = figures
            )
            .to_string()
        } else {
            td_string!(
                i18n.get_locale(),
                api.chart_label,
                total = total,
                figures = figures
            )
            .to_string()
        }
    };
    // 30 bars are drawn narrower, in about the same width as 7.
    let step = if days > 7 { 3 } else { 10 };
    let width = (days * step).to_string();
    view! {
        <svg
            class="usage-chart"
            viewBox=format!("0 0 {width} 24")
            width=width.clone()
            height="24"
            role="img"
            aria-label=label
        >
            {counts
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    let h = if *n == 0 { 1.0 } else { 2.0 + 22.0 * (*n as f64) / (max as f64) };
                    view! {
                        <rect
                            x=(i * step + usize::from(step > 3)).to_string()
                            y=format!("{:.1}", 24.0 - h)
                            width=(step - 1 - usize::from(step > 3)).to_string()
                            height=format!("{h:.1}")
                            rx="1"
                        />
                    }
                })
                .collect_view()}
        </svg>
    }
    .into_any()
}
