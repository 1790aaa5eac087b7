//! The organization's objects as the interface and the API see them
//! (SPEC section 2): locations, merchants, merchant users.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use super::UnknownValue;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LocationKind {
    Branch,
    Warehouse,
}

impl LocationKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            LocationKind::Branch => "branch",
            LocationKind::Warehouse => "warehouse",
        }
    }
}

impl FromStr for LocationKind {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "branch" => Ok(LocationKind::Branch),
            "warehouse" => Ok(LocationKind::Warehouse),
            _ => Err(UnknownValue),
        }
    }
}

/// A branch or warehouse. Times are milliseconds since the Unix epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub id: String,
    pub name: String,
    pub kind: LocationKind,
    pub ref_no: String,
    pub address: Option<String>,
    pub timezone: Option<String>,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What a client sends to create or change a location.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationIn {
    pub name: String,
    /// `branch` or `warehouse`; anything else is a field error.
    pub kind: String,
    pub ref_no: String,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
}
