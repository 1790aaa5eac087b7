//! What several pages share: form fields and their errors, dialogs,
//! badges, the copy button, a page's data loaded, query strings.

pub mod forms;
pub mod loaded;
pub mod query;
pub mod table;
