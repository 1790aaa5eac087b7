//! The organization: one per deployment (docs/rules.md, What Livreur
//! keeps). Its name shows in the interface; new users start in its
//! default language.

use serde::{Deserialize, Serialize};

use super::Lang;

/// The organization as the API and the settings page show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Organization {
    pub name: String,
    /// `en` or `fr`: the language new users start in.
    #[cfg_attr(feature = "ssr", schema(value_type = String, example = "en"))]
    pub default_language: Lang,
    /// An IANA time zone name, e.g. `America/Montreal`.
    pub timezone: String,
}

impl Default for Organization {
    /// What a deployment starts with until an administrator names it.
    fn default() -> Self {
        Organization {
            name: "Livreur".into(),
            default_language: Lang::En,
            timezone: "UTC".into(),
        }
    }
}

/// A change to the organization: the fields given change, the others stay.
/// Values are checked by the service (a field error for each problem).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrganizationPatch {
    /// 1 to 100 characters.
    pub name: Option<String>,
    /// `en` or `fr`.
    pub default_language: Option<String>,
    /// An IANA time zone name.
    pub timezone: Option<String>,
}
