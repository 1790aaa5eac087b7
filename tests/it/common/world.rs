//! A small organization to test against: an administrator, a location, a
//! merchant, and helpers to add users with API keys and to call the API.

use axum::body::Body;
use axum::http::{Request, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use livreur::model::org::{LocationIn, MerchantIn, MerchantUserIn};
use livreur::model::{Lang, SessionUser};
use livreur::server::AppState;
use livreur::server::services::{Caller, api_keys, locations, merchant_users, merchants};
use serde_json::Value;

use super::{TestDb, admin, create_admin, state};

/// A merchant user in the browser, as services see the caller.
pub fn as_caller(u: &livreur::model::org::MerchantUser) -> Caller {
    Caller::browser(
        SessionUser {
            id: u.id.clone(),
            email: u.email.clone(),
            display_name: u.display_name.clone(),
            role: u.role,
            merchant_id: Some(u.merchant_id.clone()),
            language: Lang::En,
        },
        None,
    )
}

/// An administrator, a location, a merchant and one user of it.
pub struct World {
    pub state: AppState,
    pub admin: Caller,
    pub merchant_id: String,
    pub location_id: String,
}

pub async fn world(t: &TestDb) -> World {
    let state = state(t);
    let admin = admin(&create_admin(&state).await);
    let loc = locations::create(
        &state,
        &admin,
        &LocationIn {
            name: "Depot".into(),
            kind: "branch".into(),
            ref_no: "MTL-1".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let merchant = merchants::create(
        &state,
        &admin,
        &MerchantIn {
            business_name: "Fleurs".into(),
            contact_email: "f@example.com".into(),
            address: None,
            location_ids: vec![loc.id.clone()],
            default_location_id: loc.id.clone(),
            active: None,
        },
    )
    .await
    .unwrap();
    World {
        state,
        admin,
        merchant_id: merchant.id,
        location_id: loc.id,
    }
}

impl World {
    pub async fn user(&self, email: &str, role: &str, api_access: bool) -> Caller {
        self.user_of(&self.merchant_id, email, role, api_access)
            .await
    }

    /// A user of another merchant.
    pub async fn user_of(
        &self,
        merchant_id: &str,
        email: &str,
        role: &str,
        api_access: bool,
    ) -> Caller {
        let u = merchant_users::create(
            &self.state,
            &self.admin,
            merchant_id,
            &MerchantUserIn {
                email: email.into(),
                display_name: "Sam".into(),
                role: role.into(),
                password: "a long password".into(),
                api_access,
            },
        )
        .await
        .unwrap();
        as_caller(&u)
    }

    /// A Level 2 user with access and a fresh key: (user, account, key).
    pub async fn api_user(&self, email: &str) -> (Caller, String, String) {
        let user = self.user(email, "merchant_l2", true).await;
        let issued = api_keys::generate(&self.state, &user, &Default::default())
            .await
            .unwrap();
        (user, issued.account_id, issued.key)
    }

    /// Another merchant at a location of its own: (merchant, location).
    pub async fn other_merchant(&self, name: &str) -> (String, String) {
        let loc = locations::create(
            &self.state,
            &self.admin,
            &LocationIn {
                name: format!("{name} depot"),
                kind: "warehouse".into(),
                ref_no: format!("{name}-1"),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let merchant = merchants::create(
            &self.state,
            &self.admin,
            &MerchantIn {
                business_name: name.into(),
                contact_email: format!("{name}@example.com"),
                address: None,
                location_ids: vec![loc.id.clone()],
                default_location_id: loc.id.clone(),
                active: None,
            },
        )
        .await
        .unwrap();
        (merchant.id, loc.id)
    }

    /// A Level 2 user of `merchant_id` with access and a fresh key.
    pub async fn api_user_of(&self, merchant_id: &str, email: &str) -> (Caller, String, String) {
        let user = self.user_of(merchant_id, email, "merchant_l2", true).await;
        let issued = api_keys::generate(&self.state, &user, &Default::default())
            .await
            .unwrap();
        (user, issued.account_id, issued.key)
    }

    pub async fn admin_key(&self) -> (String, String) {
        let issued = api_keys::generate(&self.state, &self.admin, &Default::default())
            .await
            .unwrap();
        (issued.account_id, issued.key)
    }
}

pub fn basic(account: &str, key: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{account}:{key}")))
}

pub fn api(method: &str, path: &str, auth: Option<&str>, body: Option<Value>) -> Request<Body> {
    let mut req = Request::builder()
        .method(method)
        .uri(format!("/api/v1{path}"))
        .header(header::HOST, "127.0.0.1:3000");
    if let Some(a) = auth {
        req = req.header(header::AUTHORIZATION, a);
    }
    match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string()))
            .unwrap(),
        None => req.body(Body::empty()).unwrap(),
    }
}
