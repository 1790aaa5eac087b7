//! Tests of `clean`: the field rules and their paths.

use super::*;
use serde_json::json;

fn valid() -> JobIn {
    serde_json::from_value(json!({
        "reference_id": "ORD-1001", "type": "delivery", "date": "2026-12-01",
        "time_window": {"start": "09:00", "end": "12:00"},
        "customer": {"first_name": "Ana", "phone": "+1 514 555 0100"},
        "address": {"line1": "100 Rue Saint-Paul", "country": "ca"},
        "location_id": "loc_1",
        "actions": [{"description": "Chair", "quantity": 2}]
    }))
    .unwrap()
}

fn codes(err: AppError) -> Vec<(String, String)> {
    match err {
        AppError::Validation { fields } => fields.into_iter().map(|f| (f.field, f.code)).collect(),
        other => panic!("not a validation error: {other:?}"),
    }
}

#[test]
fn a_valid_job_is_cleaned() {
    let job = job(&valid(), true).unwrap();
    assert_eq!(job.fields.kind, JobType::Delivery);
    assert_eq!(job.fields.address.country.as_deref(), Some("CA"));
    assert_eq!(job.actions[0].quantity, 2);
    assert_eq!(job.actions[0].status, ActionStatus::Undetermined);
}

#[test]
fn every_problem_is_reported_with_its_path() {
    let mut input = valid();
    input.kind = "drone".into();
    input.date = "2026-02-30".into();
    input.time_window = Some(TimeWindow {
        start: "12:00".into(),
        end: "09:00".into(),
    });
    input.customer.phone = "call me".into();
    input.address.lat = Some(91.0);
    input.actions[0].quantity = Some(0);
    input.actions[0].status = Some("completed".into());
    let found = codes(job(&input, true).unwrap_err());
    let expect = [
        ("type", "invalid_choice"),
        ("date", "invalid_date"),
        ("time_window.end", "window_order"),
        ("customer.phone", "invalid_phone"),
        ("address.lng", "coordinates_pair"),
        ("address.lat", "out_of_range"),
        ("actions[0].quantity", "out_of_range"),
        ("actions[0].status", "read_only"),
    ];
    for (field, code) in expect {
        assert!(
            found.contains(&(field.to_owned(), code.to_owned())),
            "{field} {code} missing from {found:?}"
        );
    }
    assert_eq!(found.len(), expect.len(), "{found:?}");
}

#[test]
fn required_fields_and_limits() {
    let found = codes(job(&JobIn::default(), false).unwrap_err());
    for field in [
        "type",
        "date",
        "customer.first_name",
        "customer.phone",
        "address.line1",
        "location_id",
    ] {
        assert!(
            found.contains(&(field.to_owned(), "required".to_owned())),
            "{field}: {found:?}"
        );
    }
    let mut input = valid();
    input.actions = vec![input.actions[0].clone(); MAX_ACTIONS + 1];
    assert_eq!(
        codes(job(&input, false).unwrap_err()),
        vec![("actions".to_owned(), "too_many".to_owned())]
    );
    input.actions.truncate(MAX_ACTIONS);
    assert!(job(&input, false).is_ok());
    let mut admin = valid();
    admin.actions[0].status = Some("damaged".into());
    assert_eq!(
        job(&admin, false).unwrap().actions[0].status,
        ActionStatus::Damaged
    );
}
