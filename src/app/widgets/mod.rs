//! What several pages share: form fields and their errors, buttons that
//! work without JavaScript, dialogs,
//! badges, the copy button, a page's data loaded, query strings, the
//! frame of the pages seen before signing in.

pub mod buttons;
pub mod forms;
pub mod loaded;
pub mod messages;
pub mod query;
pub mod reauth;
pub mod standalone;
pub mod table;
