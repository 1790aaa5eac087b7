//! Jobs in the browser: the list and its filters, a job's page with its
//! history and actions, and the create/edit form.

pub mod actions;
pub mod detail;
pub mod form;
pub mod form_lines;
pub mod form_sections;
pub mod labels;
pub mod list;
