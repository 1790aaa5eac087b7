//! Administrators created from the command line (`livreur create-admin`).

use serde_json::json;

use crate::error::{AppError, FieldError};
use crate::model::Role;
use crate::server::clock::Clock;
use crate::server::db::audit::{self, Actor, Entry};
use crate::server::db::{Db, organization, sessions, users};
use crate::server::{ids, password};
use crate::validate;

#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Created { user_id: String },
    PasswordReset { user_id: String },
}

/// Creates an administrator, or resets the password of the administrator
/// with this e-mail (ending their sessions). Refuses an e-mail that belongs
/// to a merchant user: that account is not to be turned into an admin.
pub async fn create_or_reset(
    db: &Db,
    clock: &Clock,
    email: &str,
    display_name: Option<&str>,
    new_password: &str,
) -> Result<Outcome, AppError> {
    let email = email.trim();
    let mut errors = Vec::new();
    if let Err(code) = validate::email(email) {
        errors.push(FieldError::new("email", code));
    }
    if let Err(code) = password::check_strength(new_password) {
        errors.push(FieldError::new("password", code));
    }
    let name = display_name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| email.split('@').next().unwrap_or(email))
        .to_owned();
    if let Err(code) = validate::text(&name, 120) {
        errors.push(FieldError::new("display_name", code));
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }

    let hash = password::hash(new_password.to_owned()).await.map_err(|e| {
        tracing::error!(error = %e, "hashing a password failed");
        AppError::Internal
    })?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let outcome = match users::find_id_by_email(&mut tx, &email.to_lowercase()).await? {
        Some((id, role)) if role == "admin" => {
            users::reset_admin_password(&mut tx, &id, &hash, now).await?;
            sessions::delete_for_user(&mut tx, &id).await?;
            // A reset is how an administrator who lost their second
            // factor gets back in: they set it up again at sign-in.
            super::two_factor::reset_in(&mut tx, &id).await?;
            Outcome::PasswordReset { user_id: id }
        }
        Some(_) => return Err(AppError::field("email", "taken")),
        None => {
            let id = ids::new_id("usr", now);
            let language = organization::get_in(&mut tx).await?.default_language;
            users::insert(
                &mut tx,
                &users::NewUser {
                    id: &id,
                    email,
                    display_name: &name,
                    password_hash: &hash,
                    role: Role::Admin,
                    merchant_id: None,
                    language,
                    invited: false,
                },
                now,
            )
            .await?;
            Outcome::Created { user_id: id }
        }
    };
    let (action, id) = match &outcome {
        Outcome::Created { user_id } => ("admin.created", user_id),
        Outcome::PasswordReset { user_id } => ("admin.password_reset", user_id),
    };
    audit::record(
        &mut tx,
        &Actor::cli(),
        Entry::about(action, "user", id, json!({ "email": email })),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(outcome)
}
