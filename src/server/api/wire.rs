//! The REST API's view of the organization's objects: ids as they are,
//! times in RFC 3339 UTC (the models keep milliseconds).

use serde::Serialize;

use crate::model::org::{Location, Merchant, MerchantRow, MerchantUser};
use crate::model::time::rfc3339;

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct LocationOut {
    id: String,
    name: String,
    kind: &'static str,
    ref_no: String,
    address: Option<String>,
    timezone: Option<String>,
    active: bool,
    created_at: String,
    updated_at: String,
}

impl From<Location> for LocationOut {
    fn from(l: Location) -> Self {
        LocationOut {
            id: l.id,
            name: l.name,
            kind: l.kind.as_str(),
            ref_no: l.ref_no,
            address: l.address,
            timezone: l.timezone,
            active: l.active,
            created_at: rfc3339(l.created_at),
            updated_at: rfc3339(l.updated_at),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct MerchantOut {
    id: String,
    business_name: String,
    contact_email: String,
    address: Option<String>,
    location_ids: Vec<String>,
    default_location_id: String,
    active: bool,
    created_at: String,
    updated_at: String,
}

impl From<Merchant> for MerchantOut {
    fn from(m: Merchant) -> Self {
        MerchantOut {
            id: m.id,
            business_name: m.business_name,
            contact_email: m.contact_email,
            address: m.address,
            location_ids: m.location_ids,
            default_location_id: m.default_location_id,
            active: m.active,
            created_at: rfc3339(m.created_at),
            updated_at: rfc3339(m.updated_at),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct MerchantRowOut {
    id: String,
    business_name: String,
    contact_email: String,
    active: bool,
    users: i64,
    api_users: i64,
    created_at: String,
}

impl From<MerchantRow> for MerchantRowOut {
    fn from(m: MerchantRow) -> Self {
        MerchantRowOut {
            id: m.id,
            business_name: m.business_name,
            contact_email: m.contact_email,
            active: m.active,
            users: m.users,
            api_users: m.api_users,
            created_at: rfc3339(m.created_at),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct UserOut {
    id: String,
    merchant_id: String,
    email: String,
    display_name: String,
    role: &'static str,
    active: bool,
    api_access: bool,
    account_id: Option<String>,
    created_at: String,
    /// Invited by a link and no password set yet.
    invited: bool,
    /// The invitation link: only in the answer to a create without a
    /// password, the one time it is shown (docs/people.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    invitation_url: Option<String>,
}

impl From<MerchantUser> for UserOut {
    fn from(u: MerchantUser) -> Self {
        UserOut {
            id: u.id,
            merchant_id: u.merchant_id,
            email: u.email,
            display_name: u.display_name,
            role: u.role.as_str(),
            active: u.active,
            api_access: u.api_access,
            account_id: u.account_id,
            created_at: rfc3339(u.created_at),
            invited: u.invited,
            invitation_url: u.invitation.map(|i| i.url),
        }
    }
}
