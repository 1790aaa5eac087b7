//! Text search finds the same jobs whichever way it runs (docs/benchmarks.md
//! explains why there are several): the planned strategy, the window first
//! (large, or too small, so the jobs left or the trigram index take over),
//! and the trigram index alone, all equal to a plain filter of every job's
//! text, on SQLite and PostgreSQL, with filters, both scopes and paging.

use crate::common::world::*;
use crate::common::*;
use livreur::model::job::{Job, JobQuery, JobStatus};
use livreur::server::db::jobs::{self, Scope, Strategy};
use serde_json::json;

/// The planned strategy (`None`) and each strategy forced: windows large
/// and too small, continued through the jobs left or by the index.
const STRATEGIES: [Option<Strategy>; 8] = [
    None,
    Some(Strategy::Window {
        size: 10_000,
        rest_limit: u64::MAX,
    }),
    Some(Strategy::Window {
        size: 7,
        rest_limit: u64::MAX,
    }),
    Some(Strategy::Window {
        size: 1,
        rest_limit: u64::MAX,
    }),
    Some(Strategy::Window {
        size: 10_000,
        rest_limit: 0,
    }),
    Some(Strategy::Window {
        size: 7,
        rest_limit: 0,
    }),
    Some(Strategy::Window {
        size: 1,
        rest_limit: 0,
    }),
    Some(Strategy::Index),
];

/// Every job the scope sees, newest first, by paging without text.
async fn everything(db: &livreur::server::db::Db, scope: &Scope) -> Vec<Job> {
    jobs::search(db, scope, &JobQuery::default(), None, 10_000)
        .await
        .unwrap()
}

/// The ids of every page of `q`, following the last id of each page.
async fn pages(
    db: &livreur::server::db::Db,
    scope: &Scope,
    q: &JobQuery,
    strategy: Option<Strategy>,
) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    loop {
        let page = jobs::search_by(db, scope, q, ids.last().map(String::as_str), 5, strategy)
            .await
            .unwrap();
        let n = page.len();
        ids.extend(page.into_iter().map(|j| j.id));
        if n < 5 {
            return ids;
        }
    }
}

async fn every_strategy_finds_what_a_plain_filter_finds(t: &TestDb) {
    let w = world(t).await;
    let (merchant, account, key) = w.api_user("a@example.com").await;
    let (other, other_location) = w.other_merchant("B").await;
    let (_, b_account, b_key) = w.api_user_of(&other, "b@example.com").await;
    let (a, b) = (basic(&account, &key), basic(&b_account, &b_key));
    let app = router(&w.state);

    let cities = ["Montréal", "Laval", "Trois-Rivières"];
    let names = ["Tremblay", "Côté", "Roy", "O\"Neil_%"];
    for i in 0..60 {
        let (auth, location) = if i % 4 == 3 {
            (&b, &other_location)
        } else {
            (&a, &w.location_id)
        };
        let body = json!({
            "reference_id": format!("ORD-{:08}", i * 37),
            "type": "delivery", "date": "2026-12-01",
            "customer": {"first_name": "Ana", "last_name": names[i % names.len()],
                         "phone": format!("+1514555{:04}", (i * 7919) % 10_000)},
            "address": {"line1": format!("{} Rue Saint-Paul", 100 + i),
                        "city": cities[i % 3 % cities.len()]},
            "location_id": location,
        });
        let r = send(&app, api("POST", "/jobs", Some(auth), Some(body))).await;
        assert_eq!(r.status, 201, "{}", r.body);
        if i % 5 == 0 {
            let id = r.json()["id"].as_str().unwrap().to_owned();
            let r = send(
                &app,
                api("POST", &format!("/jobs/{id}/cancel"), Some(auth), None),
            )
            .await;
            assert_eq!(r.status, 200, "{}", r.body);
        }
    }

    let needles = [
        "rue",           // every job
        "montréal",      // a third
        "tremblay",      // a quarter
        "ord-00000",     // half the references: a ubiquitous prefix
        "ord-00001184",  // one reference
        "o\"neil_%",     // quotes and LIKE wildcards, as text
        "ro",            // too short for trigrams
        "r",             // shorter still
        "zzz-not-there", // nothing
    ];
    for scope in [Scope::All, Scope::Creator(merchant.user.id.clone())] {
        let all = everything(&t.db, &scope).await;
        for needle in needles {
            for status in [None, Some(JobStatus::Cancelled), Some(JobStatus::New)] {
                let expected: Vec<String> = all
                    .iter()
                    .filter(|j| jobs::search_text(j).contains(needle))
                    .filter(|j| status.is_none_or(|s| j.status == s))
                    .map(|j| j.id.clone())
                    .collect();
                let q = JobQuery {
                    q: Some(needle.to_uppercase()),
                    status,
                    ..Default::default()
                };
                for strategy in STRATEGIES {
                    assert_eq!(
                        pages(&t.db, &scope, &q, strategy).await,
                        expected,
                        "{} {scope:?} {needle:?} {status:?} {strategy:?}",
                        t.backend
                    );
                }
            }
        }
    }
    // The needles really were of every kind.
    let all = everything(&t.db, &Scope::All).await;
    let count = |n: &str| {
        all.iter()
            .filter(|j| jobs::search_text(j).contains(n))
            .count()
    };
    assert_eq!(count("rue"), 60);
    assert_eq!(count("ord-00001184"), 1);
    assert_eq!(count("o\"neil_%"), 15);
    assert_eq!(count("zzz-not-there"), 0);
}
db_test!(every_strategy_finds_what_a_plain_filter_finds);
