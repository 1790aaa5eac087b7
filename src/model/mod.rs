//! Plain data shared by the server and the browser: who is signed in, roles,
//! languages. Nothing here touches the database.

pub mod api;
pub mod audit;
pub mod job;
pub mod job_pages;
pub mod org;
pub mod organization;
pub mod reference;
pub mod time;
pub mod webhook;

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a user may do, per docs/rules.md, Roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    MerchantL1,
    MerchantL2,
}

impl Role {
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::MerchantL1 => "merchant_l1",
            Role::MerchantL2 => "merchant_l2",
        }
    }

    pub const fn is_merchant(self) -> bool {
        matches!(self, Role::MerchantL1 | Role::MerchantL2)
    }
}

impl FromStr for Role {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "admin" => Ok(Role::Admin),
            "merchant_l1" => Ok(Role::MerchantL1),
            "merchant_l2" => Ok(Role::MerchantL2),
            _ => Err(UnknownValue),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The languages of the interface. A user's choice is stored with the user;
/// the browser also keeps it in a cookie so the server renders the right one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Fr,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Fr];

    pub const fn as_str(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    /// The name of the language in that language, as a switcher shows it.
    pub const fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "Français",
        }
    }

    pub const fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Fr,
            Lang::Fr => Lang::En,
        }
    }
}

impl FromStr for Lang {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "en" => Ok(Lang::En),
            "fr" => Ok(Lang::Fr),
            _ => Err(UnknownValue),
        }
    }
}

impl From<crate::i18n::Locale> for Lang {
    fn from(l: crate::i18n::Locale) -> Self {
        match l {
            crate::i18n::Locale::en => Lang::En,
            crate::i18n::Locale::fr => Lang::Fr,
        }
    }
}

impl From<Lang> for crate::i18n::Locale {
    fn from(l: Lang) -> Self {
        match l {
            Lang::En => crate::i18n::Locale::en,
            Lang::Fr => crate::i18n::Locale::fr,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownValue;

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown value")
    }
}

impl std::error::Error for UnknownValue {}

/// The signed-in user as the interface needs to know them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub merchant_id: Option<String>,
    pub language: Lang,
}

impl SessionUser {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// What every signed-in page knows: who is signed in, and the
/// organization's name (header and titles) and time zone (dates and times).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub user: SessionUser,
    pub organization: String,
    pub zone: time::Zone,
}

/// What the sign-in page needs to know before anyone signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallStatus {
    /// False on a fresh installation: the page then explains how to create
    /// the first administrator from the command line.
    pub has_admin: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_round_trips_through_its_wire_name() {
        for role in [Role::Admin, Role::MerchantL1, Role::MerchantL2] {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            assert_eq!(
                serde_json::to_string(&role).unwrap(),
                format!("\"{}\"", role.as_str())
            );
        }
        assert!("Admin".parse::<Role>().is_err());
        assert!(!Role::Admin.is_merchant());
        assert!(Role::MerchantL2.is_merchant());
    }

    #[test]
    fn lang_parses_only_known_codes() {
        assert_eq!("fr".parse::<Lang>(), Ok(Lang::Fr));
        assert_eq!("en".parse::<Lang>(), Ok(Lang::En));
        assert!("de".parse::<Lang>().is_err());
        assert_eq!(Lang::En.other(), Lang::Fr);
    }
}
