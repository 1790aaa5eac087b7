//! The organization's objects as the interface and the API see them
//! (docs/rules.md, What Livreur keeps): locations, merchants, merchant users.

use serde::{Deserialize, Serialize};

wire_enum!(
    /// Where deliveries leave from.
    #[derive(Default)]
    LocationKind {
        #[default]
        Branch = "branch",
        Warehouse = "warehouse",
    }
);

/// A branch or warehouse. Times are milliseconds since the Unix epoch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct LocationIn {
    #[cfg_attr(feature = "ssr", schema(required, min_length = 1, max_length = 120))]
    pub name: String,
    /// `branch` or `warehouse`; anything else is a field error.
    #[cfg_attr(feature = "ssr", schema(required, value_type = LocationKind))]
    pub kind: String,
    /// Letters, digits and `- _ . /`; unique in the organization.
    #[cfg_attr(
        feature = "ssr",
        schema(
            required,
            min_length = 1,
            max_length = 40,
            pattern = "^[A-Za-z0-9._/-]+$"
        )
    )]
    pub ref_no: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 300))]
    pub address: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
}

/// A business whose parcels the organization delivers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merchant {
    pub id: String,
    pub business_name: String,
    pub contact_email: String,
    pub address: Option<String>,
    pub default_location_id: String,
    /// Always contains `default_location_id`.
    pub location_ids: Vec<String>,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct MerchantIn {
    #[cfg_attr(feature = "ssr", schema(required, min_length = 1, max_length = 160))]
    pub business_name: String,
    #[cfg_attr(feature = "ssr", schema(required, format = Email, max_length = 254))]
    pub contact_email: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 300))]
    pub address: Option<String>,
    /// 1 to 200 active locations.
    #[cfg_attr(feature = "ssr", schema(required, min_items = 1, max_items = 200))]
    pub location_ids: Vec<String>,
    /// One of `location_ids`.
    #[cfg_attr(feature = "ssr", schema(required))]
    pub default_location_id: String,
    #[serde(default)]
    pub active: Option<bool>,
}

/// A row of the merchants list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantRow {
    pub id: String,
    pub business_name: String,
    pub contact_email: String,
    pub active: bool,
    pub users: i64,
    pub api_users: i64,
    pub created_at: i64,
}

wire_enum!(
    /// The order of the merchants list.
    #[derive(Default)]
    MerchantSort {
        #[default]
        Name = "name",
        Email = "email",
        Created = "created",
    }
);

/// What the merchants list asks for.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MerchantQuery {
    /// Matches business name or contact e-mail, ignoring case.
    pub q: Option<String>,
    pub active: Option<bool>,
    pub sort: MerchantSort,
    pub descending: bool,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

impl<T> Page<T> {
    pub fn page_count(&self) -> u32 {
        if self.per_page == 0 {
            return 1;
        }
        (self.total.max(0) as u64)
            .div_ceil(u64::from(self.per_page))
            .max(1) as u32
    }
}

/// A merchant user as administrators see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantUser {
    pub id: String,
    pub merchant_id: String,
    pub email: String,
    pub display_name: String,
    pub role: super::Role,
    pub active: bool,
    pub api_access: bool,
    /// The public API Account ID, once access has ever been granted.
    pub account_id: Option<String>,
    pub created_at: i64,
    /// Invited and no password set yet.
    #[serde(default)]
    pub invited: bool,
    /// The invitation link, only in the answer that made it (shown once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation: Option<Invitation>,
}

/// A link that lets a person set their password, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Invitation {
    pub url: String,
    /// Whether it was e-mailed too (mail is configured).
    pub mailed: bool,
    pub expires_at: i64,
}

/// Create a merchant user. `api_access` may only be true for Level 2.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MerchantUserIn {
    pub email: String,
    pub display_name: String,
    /// `merchant_l1` or `merchant_l2`.
    pub role: String,
    /// Empty or left out: the user is invited by a link instead.
    pub password: String,
    #[serde(default)]
    pub api_access: bool,
}

/// Change a merchant user; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MerchantUserPatch {
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default)]
    pub api_access: Option<bool>,
}
