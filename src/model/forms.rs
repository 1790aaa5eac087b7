//! Forms sent without JavaScript (docs/architecture.md, Forms without
//! JavaScript): when the server refuses one, it renders the same page again
//! with what was typed and why, and the page reads them from here.

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::model::org::Invitation;

/// A form the server rendered again: its fields as the browser sent them
/// (never a password), and why: the error (field errors are shown under
/// their fields), or none when the form only had to change shape (a role
/// that shows more fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostedForm {
    pub fields: Vec<(String, String)>,
    pub error: Option<AppError>,
}

impl PostedForm {
    /// The first value sent under `name`.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value sent under `name`, or an empty one.
    pub fn text(&self, name: &str) -> String {
        self.value(name).unwrap_or_default().to_owned()
    }

    /// Every value sent under `name` (checkbox groups), in order.
    pub fn values(&self, name: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Whether a checkbox named `name` was ticked (browsers send only the
    /// ticked ones).
    pub fn checked(&self, name: &str) -> bool {
        self.value(name).is_some()
    }
}

/// A page's button form ("Sign out everywhere else", "New invitation
/// link", "Confirm it's you") posted without JavaScript: the server runs
/// it and renders the page again with which button it was and what came
/// of it. A button with JavaScript calls its server function instead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ButtonPost {
    /// The button's name, as the page's panel knows it.
    pub button: String,
    pub result: Result<Done, AppError>,
}

/// The buttons' names: a button's form posts to its page with
/// `button=<name>` (`server::http::forms` answers).
pub mod buttons {
    pub const END_SESSION: &str = "end_session";
    pub const END_OTHER_SESSIONS: &str = "end_other_sessions";
    pub const END_USER_SESSIONS: &str = "end_user_sessions";
    pub const REINVITE: &str = "reinvite";
    pub const CONFIRM_IDENTITY: &str = "confirm_identity";
}

/// What a button reports when it worked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Done {
    /// Nothing to show but the page as it is now.
    Nothing,
    /// How many things it ended (sessions).
    Count(u64),
    /// A new invitation link, shown this once.
    Invitation(Invitation),
}

impl ButtonPost {
    /// This post's result when it was `button`'s.
    pub fn of(post: Option<&Self>, button: &str) -> Option<Result<Done, AppError>> {
        post.filter(|p| p.button == button)
            .map(|p| p.result.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_as_browsers_send_them() {
        let posted = PostedForm {
            fields: vec![
                ("name".into(), "Dépôt".into()),
                ("location_ids".into(), "loc_a".into()),
                ("location_ids".into(), "loc_b".into()),
                ("active".into(), "on".into()),
            ],
            error: Some(AppError::NotFound),
        };
        assert_eq!(posted.text("name"), "Dépôt");
        assert_eq!(posted.text("missing"), "");
        assert_eq!(posted.values("location_ids"), ["loc_a", "loc_b"]);
        assert!(posted.checked("active"));
        assert!(!posted.checked("inactive"));
    }
}
