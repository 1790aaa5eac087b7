//! What several pages share: form fields and their errors, dialogs,
//! badges, the copy button, a page's data loaded, query strings, the
//! frame of the pages seen before signing in.

pub mod forms;
pub mod loaded;
pub mod messages;
pub mod query;
pub mod reauth;
pub mod standalone;
pub mod table;
