//! Plain data shared by the server and the browser: who is signed in, roles,
//! languages. Nothing here touches the database.

/// Declares a string enum of the wire: its names in serde and in `as_str`
/// come from one list (so they cannot disagree), with `FromStr` and `ALL`.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident {
        $($(#[$vmeta:meta])* $variant:ident = $text:tt),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
        pub enum $name { $($(#[$vmeta])* #[serde(rename = $text)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::model::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s { $($text => Ok($name::$variant),)+ _ => Err($crate::model::UnknownValue) }
            }
        }
    };
}

pub mod api;
pub mod audit;
pub mod forms;
pub mod job;
pub mod job_input;
pub mod job_pages;
pub mod org;
pub mod organization;
pub mod overview;
pub mod reference;
pub mod sessions;
pub mod time;
pub mod two_factor;
pub mod webhook;

use serde::{Deserialize, Serialize};
use std::fmt;

wire_enum!(
    /// What a user may do, per docs/rules.md, Roles.
    Role {
        Admin = "admin",
        MerchantL1 = "merchant_l1",
        MerchantL2 = "merchant_l2",
    }
);

impl Role {
    pub const fn is_merchant(self) -> bool {
        matches!(self, Role::MerchantL1 | Role::MerchantL2)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

wire_enum!(
    /// The languages of the interface. A user's choice is stored with the
    /// user; the browser also keeps it in a cookie so the server renders the
    /// right one.
    #[derive(Default)]
    Lang {
        #[default]
        En = "en",
        Fr = "fr",
    }
);

impl Lang {
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
    /// Webhook endpoints with an alert administrators have not seen
    /// through (0 for merchant users): the navigation's badge.
    #[serde(default)]
    pub webhook_alerts: u32,
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

#[cfg(test)]
mod wire_enum_tests {
    use super::api::RollGrace;
    use super::job::{ActionStatus, JobStatus, JobType};
    use super::org::{LocationKind, MerchantSort};
    use super::webhook::Health;
    use super::{Lang, Role};

    /// serde, `as_str` and `FromStr` name every variant the same way.
    fn agrees<T>(all: &[T], as_str: fn(T) -> &'static str)
    where
        T: Copy + std::fmt::Debug + PartialEq + serde::Serialize + std::str::FromStr,
        <T as std::str::FromStr>::Err: std::fmt::Debug,
    {
        for &v in all {
            let text = as_str(v);
            assert_eq!(serde_json::to_value(v).unwrap(), text, "{v:?}");
            assert_eq!(text.parse::<T>().unwrap(), v);
        }
    }

    #[test]
    fn every_wire_enum_names_its_variants_once() {
        agrees(Role::ALL, Role::as_str);
        agrees(Lang::ALL, Lang::as_str);
        agrees(JobType::ALL, JobType::as_str);
        agrees(JobStatus::ALL, JobStatus::as_str);
        agrees(ActionStatus::ALL, ActionStatus::as_str);
        agrees(LocationKind::ALL, LocationKind::as_str);
        agrees(MerchantSort::ALL, MerchantSort::as_str);
        agrees(Health::ALL, Health::as_str);
        agrees(RollGrace::ALL, RollGrace::as_str);
        assert_eq!(Role::MerchantL2.as_str(), "merchant_l2");
        assert!("Admin".parse::<Role>().is_err());
    }
}
