//! Merchants and their users through the services, on SQLite and
//! PostgreSQL: locations checked, search, and sessions ended with the
//! merchant. The API access rules are in `api_access`.

use crate::common::*;
use livreur::model::org::{LocationIn, MerchantIn, MerchantQuery, MerchantSort, MerchantUserIn};
use livreur::server::AppState;
use livreur::server::services::{Caller, locations, merchants};

pub(crate) async fn location(state: &AppState, admin: &Caller, ref_no: &str) -> String {
    locations::create(
        state,
        admin,
        &LocationIn {
            name: format!("Depot {ref_no}"),
            kind: "branch".into(),
            ref_no: ref_no.into(),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .id
}

pub(crate) fn shop(name: &str, email: &str, locations: &[&str]) -> MerchantIn {
    MerchantIn {
        business_name: name.into(),
        contact_email: email.into(),
        address: None,
        location_ids: locations.iter().map(|l| l.to_string()).collect(),
        default_location_id: locations[0].into(),
        active: None,
    }
}

pub(crate) fn user_in(email: &str, role: &str, api_access: bool) -> MerchantUserIn {
    MerchantUserIn {
        email: email.into(),
        display_name: "Sam Seller".into(),
        role: role.into(),
        password: "a long password".into(),
        api_access,
    }
}

async fn merchants_validate_locations(t: &TestDb) {
    let state = state(t);
    let admin = admin(&create_admin(&state).await);
    let a = location(&state, &admin, "A").await;
    let b = location(&state, &admin, "B").await;

    let mut bad = shop("", "nope", &[&a]);
    bad.default_location_id = b.clone();
    let err = merchants::create(&state, &admin, &bad).await.unwrap_err();
    assert_eq!(err.field_code("business_name"), Some("required"));
    assert_eq!(err.field_code("contact_email"), Some("invalid_email"));
    assert_eq!(err.field_code("default_location_id"), Some("not_assigned"));

    let err = merchants::create(
        &state,
        &admin,
        &shop("X", "x@example.com", &["loc_missing"]),
    )
    .await
    .unwrap_err();
    assert_eq!(err.field_code("location_ids"), Some("unknown_location"));
    let mut none = shop("X", "x@example.com", &[&a]);
    none.location_ids.clear();
    assert_eq!(
        merchants::create(&state, &admin, &none)
            .await
            .unwrap_err()
            .field_code("location_ids"),
        Some("required")
    );

    let m = merchants::create(
        &state,
        &admin,
        &shop("Fleurs", "f@example.com", &[&b, &a, &a]),
    )
    .await
    .unwrap();
    assert!(m.id.starts_with("mer_"));
    let mut sorted = vec![a.clone(), b.clone()];
    sorted.sort();
    assert_eq!(m.location_ids, sorted);
    assert_eq!(merchants::get(&state, &admin, &m.id).await.unwrap(), m);
}
db_test!(merchants_validate_locations);

async fn merchant_search_filters_sorts_and_pages(t: &TestDb) {
    let state = state(t);
    let admin = admin(&create_admin(&state).await);
    let a = location(&state, &admin, "A").await;
    for (name, email) in [
        ("Boulangerie Paul", "paul@bakery.example"),
        ("Café 50%_off", "cafe@example.com"),
        ("Atelier Vélo", "velo@example.com"),
        ("Zoo Shop", "zoo@shop.example"),
    ] {
        merchants::create(&state, &admin, &shop(name, email, &[&a]))
            .await
            .unwrap();
        state.clock.advance(1000);
    }
    let zoo = merchants::search(
        &state,
        &admin,
        &MerchantQuery {
            q: Some("zoo".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    merchants::set_active(&state, &admin, &zoo.items[0].id, false)
        .await
        .unwrap();

    let names = |page: livreur::model::org::Page<livreur::model::org::MerchantRow>| {
        page.items
            .into_iter()
            .map(|m| m.business_name)
            .collect::<Vec<_>>()
    };
    let all = merchants::search(&state, &admin, &MerchantQuery::default())
        .await
        .unwrap();
    assert_eq!(all.total, 4);
    assert_eq!(
        names(all),
        [
            "Atelier Vélo",
            "Boulangerie Paul",
            "Café 50%_off",
            "Zoo Shop"
        ]
    );

    // Search covers name and e-mail, ignores case, and takes % and _ literally.
    let q = |text: &str| MerchantQuery {
        q: Some(text.into()),
        ..Default::default()
    };
    assert_eq!(
        names(
            merchants::search(&state, &admin, &q("BAKERY"))
                .await
                .unwrap()
        ),
        ["Boulangerie Paul"]
    );
    assert_eq!(
        names(merchants::search(&state, &admin, &q("50%_")).await.unwrap()),
        ["Café 50%_off"]
    );
    assert_eq!(
        merchants::search(&state, &admin, &q("%"))
            .await
            .unwrap()
            .total,
        1
    );

    let active = MerchantQuery {
        active: Some(true),
        sort: MerchantSort::Created,
        descending: true,
        ..Default::default()
    };
    assert_eq!(
        names(merchants::search(&state, &admin, &active).await.unwrap()),
        ["Atelier Vélo", "Café 50%_off", "Boulangerie Paul"]
    );
    let inactive = MerchantQuery {
        active: Some(false),
        ..Default::default()
    };
    assert_eq!(
        names(merchants::search(&state, &admin, &inactive).await.unwrap()),
        ["Zoo Shop"]
    );

    let page2 = MerchantQuery {
        page: 2,
        per_page: 3,
        ..Default::default()
    };
    let page = merchants::search(&state, &admin, &page2).await.unwrap();
    assert_eq!((page.total, page.page_count()), (4, 2));
    assert_eq!(names(page), ["Zoo Shop"]);
}
db_test!(merchant_search_filters_sorts_and_pages);

/// Deactivating a merchant signs its users out for good: their sessions
/// are deleted, so reactivating the merchant does not bring them back.
async fn deactivating_a_merchant_ends_its_users_sessions(t: &TestDb) {
    let w = crate::common::world::world(t).await;
    w.user("l1@example.com", "merchant_l1", false).await;
    let app = router(&w.state);
    let token = sign_in(&app, "l1@example.com", "a long password").await;
    let me = || server_fn("current_user", &[], Some(&token));
    assert_eq!(
        send(&app, me()).await.json()["user"]["email"],
        "l1@example.com"
    );

    merchants::set_active(&w.state, &w.admin, &w.merchant_id, false)
        .await
        .unwrap();
    merchants::set_active(&w.state, &w.admin, &w.merchant_id, true)
        .await
        .unwrap();
    let after = send(&app, me()).await;
    assert_eq!(after.json(), serde_json::Value::Null, "{}", after.body);
}
db_test!(deactivating_a_merchant_ends_its_users_sessions);
