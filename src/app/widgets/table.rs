//! Table pieces several pages share.

use leptos::prelude::*;

/// The one row of a table with nothing to show: a cell across `columns`
/// holding `children` (the page's translated words for "nothing here").
#[component]
pub fn EmptyRow(columns: u8, children: Children) -> impl IntoView {
    view! {
        <tr>
            <td colspan=columns.to_string() class="table-empty">
                {children()}
            </td>
        </tr>
    }
}
