//! Jobs and their actions (docs/rules.md, Jobs), in the exact shape of the API
//! (docs/api.md): the REST API, the server functions, the webhook payloads and
//! the screens all use these types, so the four cannot drift apart. Times
//! are RFC 3339 UTC strings here, as on the wire.

use serde::{Deserialize, Serialize};

pub use super::job_input::{ActionIn, JobIn};
pub use super::job_pages::{JobDetail, JobEvent, JobPage, JobQuery};

wire_enum!(
    /// What kind of visit a job is; also the kind of an action.
    JobType {
        Delivery = "delivery",
        Pickup = "pickup",
        Return = "return",
        Exchange = "exchange",
        Service = "service",
        Installation = "installation",
    }
);

wire_enum!(
    /// `new → in_progress → completed | incomplete | damaged`,
    /// `incomplete | damaged → resolved`, `new → cancelled`.
    JobStatus {
        New = "new",
        InProgress = "in_progress",
        Completed = "completed",
        Incomplete = "incomplete",
        Damaged = "damaged",
        Resolved = "resolved",
        Cancelled = "cancelled",
    }
);

wire_enum!(
    /// The outcome of one line item at the stop.
    ActionStatus {
        Undetermined = "undetermined",
        Completed = "completed",
        Incomplete = "incomplete",
        Damaged = "damaged",
    }
);

wire_enum!(
    /// Where a job was created.
    CreationSource {
        Api = "api",
        Portal = "portal",
        Admin = "admin",
    }
);

impl JobStatus {
    /// The moves the lifecycle allows (docs/rules.md, Jobs), whoever makes them.
    pub fn can_move_to(self, to: JobStatus) -> bool {
        use JobStatus::*;
        matches!(
            (self, to),
            (New, InProgress)
                | (New, Cancelled)
                | (InProgress, Completed | Incomplete | Damaged)
                | (Incomplete | Damaged, Resolved)
        )
    }

    /// Where this status may go next.
    pub fn next(self) -> Vec<JobStatus> {
        JobStatus::ALL
            .iter()
            .copied()
            .filter(|to| self.can_move_to(*to))
            .collect()
    }

    /// Past the stop: the job and its actions no longer change (only the
    /// status of an incomplete or damaged job may still become resolved).
    pub fn is_finished(self) -> bool {
        !matches!(self, JobStatus::New | JobStatus::InProgress)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TimeWindow {
    /// `HH:MM`, 24-hour clock, local time of the location.
    #[cfg_attr(
        feature = "ssr",
        schema(example = "09:00", pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")
    )]
    pub start: String,
    /// After `start`.
    #[cfg_attr(
        feature = "ssr",
        schema(example = "12:00", pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")
    )]
    pub end: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct Customer {
    #[cfg_attr(feature = "ssr", schema(required, min_length = 1, max_length = 100))]
    pub first_name: String,
    #[cfg_attr(feature = "ssr", schema(max_length = 100))]
    pub last_name: Option<String>,
    /// 5 to 20 digits, with spaces and `+ - ( ) .`.
    #[cfg_attr(
        feature = "ssr",
        schema(required, example = "+15145550100", pattern = "^[0-9+() .-]{5,30}$")
    )]
    pub phone: String,
    /// A second phone number, in the same form as `phone`.
    #[cfg_attr(feature = "ssr", schema(pattern = "^[0-9+() .-]{5,30}$"))]
    pub mobile: Option<String>,
    #[cfg_attr(feature = "ssr", schema(format = Email, max_length = 254))]
    pub email: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct Address {
    #[cfg_attr(feature = "ssr", schema(required, min_length = 1, max_length = 200))]
    pub line1: String,
    #[cfg_attr(feature = "ssr", schema(max_length = 50))]
    pub apartment: Option<String>,
    #[cfg_attr(feature = "ssr", schema(max_length = 100))]
    pub city: Option<String>,
    #[cfg_attr(feature = "ssr", schema(max_length = 20))]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. `CA`.
    #[cfg_attr(feature = "ssr", schema(pattern = "^[A-Za-z]{2}$"))]
    pub country: Option<String>,
    /// Both or neither of `lat` and `lng`.
    #[cfg_attr(feature = "ssr", schema(minimum = -90.0, maximum = 90.0))]
    pub lat: Option<f64>,
    #[cfg_attr(feature = "ssr", schema(minimum = -180.0, maximum = 180.0))]
    pub lng: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreatedBy {
    pub user_id: String,
    /// The API account whose key created the job; null for the browser.
    pub account_id: Option<String>,
}

/// A line item of a job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Action {
    #[cfg_attr(feature = "ssr", schema(example = "act_01jdx7k3m5n8p9q2r4s6t8v0w2"))]
    pub id: String,
    pub external_reference_id: Option<String>,
    pub sku: Option<String>,
    #[serde(rename = "type")]
    pub kind: JobType,
    pub description: String,
    pub quantity: i64,
    pub quantity_unit: Option<String>,
    pub value: Option<f64>,
    pub weight_kg: Option<f64>,
    pub status: ActionStatus,
    pub created_at: String,
    pub updated_at: String,
}

/// The fields a client chooses, checked: what a job's create and edit set
/// and what the job then shows, on the wire as part of [`Job`]. A new job
/// field goes here (docs/architecture.md, How to add a job field).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct JobFields {
    pub reference_id: Option<String>,
    #[serde(rename = "type")]
    pub kind: JobType,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub time_window: Option<TimeWindow>,
    pub customer: Customer,
    pub address: Address,
    pub location_id: String,
    pub description: Option<String>,
    pub comment: Option<String>,
    pub barcodes: Vec<String>,
}

/// A delivery-type visit, exactly as docs/api.md shows it on the wire: the
/// client's fields, and what the server owns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Job {
    #[cfg_attr(feature = "ssr", schema(example = "job_01jdx7k3m5n8p9q2r4s6t8v0w2"))]
    pub id: String,
    #[serde(flatten)]
    pub fields: JobFields,
    pub status: JobStatus,
    pub creation_source: CreationSource,
    pub created_by: CreatedBy,
    /// Grows by one with every change, actions included; the ETag.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    pub actions: Vec<Action>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lifecycle_is_the_one_of_the_spec() {
        use JobStatus::*;
        assert_eq!(New.next(), vec![InProgress, Cancelled]);
        assert_eq!(InProgress.next(), vec![Completed, Incomplete, Damaged]);
        assert_eq!(Incomplete.next(), vec![Resolved]);
        assert_eq!(Damaged.next(), vec![Resolved]);
        for end in [Completed, Resolved, Cancelled] {
            assert!(end.next().is_empty(), "{end:?}");
        }
        assert!(!New.can_move_to(Completed));
        assert!(!Cancelled.can_move_to(New));
        assert!(!New.is_finished() && !InProgress.is_finished());
        assert!(Completed.is_finished() && Cancelled.is_finished());
    }

    #[test]
    fn enums_round_trip_through_their_wire_names() {
        for s in JobStatus::ALL {
            assert_eq!(s.as_str().parse::<JobStatus>(), Ok(*s));
            assert_eq!(
                serde_json::to_string(s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        for t in JobType::ALL {
            assert_eq!(t.as_str().parse::<JobType>(), Ok(*t));
        }
        assert!("Delivery".parse::<JobType>().is_err());
    }

    #[test]
    fn server_owned_fields_are_unknown_fields() {
        for field in ["id", "status", "version", "created_by", "created_at"] {
            let body = format!(r#"{{"type":"delivery","{field}":"x"}}"#);
            assert!(serde_json::from_str::<JobIn>(&body).is_err(), "{field}");
        }
        let ok: JobIn = serde_json::from_str(r#"{"type":"pickup"}"#).unwrap();
        assert_eq!(ok.kind, "pickup");
    }
}
