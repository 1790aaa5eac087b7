//! Integrations > API: API settings (an administrator's view of every
//! account with API access, a merchant's own Account ID and keys) and the
//! API reference page.

pub mod accounts;
mod key_form;
pub mod keys_table;
pub mod reference;
pub mod settings;
mod usage_chart;
