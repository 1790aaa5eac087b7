//! Integrations > API > Webhooks (administrators only, docs/rules.md, API
//! access rule 6 and Webhooks): the list, an endpoint's page with its
//! deliveries, and the form.

pub mod alerts;
pub mod deliveries;
pub mod detail;
pub mod form;
pub mod list;
pub mod message;
pub mod parts;
pub mod recover;
pub mod settings;
