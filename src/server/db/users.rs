//! Users: sign-in lookups, creation, language preference.

use super::exec::{Val, exec};
use super::{Db, Tx, on_read, on_tx};
use crate::model::{Lang, Role, SessionUser};
use crate::server::clock::Millis;

/// The columns that make a [`SessionUser`], in the order [`UserRow`] reads.
pub(super) const SESSION_USER_COLUMNS: &str =
    "u.id, u.email, u.display_name, u.role, u.merchant_id, u.language";

#[derive(Debug, sqlx::FromRow)]
pub(super) struct UserRow {
    id: String,
    email: String,
    display_name: String,
    role: String,
    merchant_id: Option<String>,
    language: String,
}

impl UserRow {
    pub(super) fn into_session_user(self) -> Option<SessionUser> {
        Some(SessionUser {
            id: self.id,
            email: self.email,
            display_name: self.display_name,
            role: self.role.parse::<Role>().ok()?,
            merchant_id: self.merchant_id,
            language: self.language.parse::<Lang>().unwrap_or_default(),
        })
    }
}

/// What sign-in needs: the user if active (and, for a merchant user, their
/// merchant active too) and the password hash to check.
pub async fn find_for_sign_in(
    db: &Db,
    email_lower: &str,
) -> Result<Option<(SessionUser, String)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: UserRow,
        password_hash: String,
    }
    let sql = format!(
        "SELECT {SESSION_USER_COLUMNS}, u.password_hash FROM users u \
         LEFT JOIN merchants m ON m.id = u.merchant_id \
         WHERE u.email_lower = $1 AND u.active = TRUE \
           AND (u.merchant_id IS NULL OR m.active = TRUE)"
    );
    let row: Option<Row> = on_read!(db, pool => {
        sqlx::query_as(&sql).bind(email_lower).fetch_optional(pool).await?
    });
    Ok(row.and_then(|r| Some((r.user.into_session_user()?, r.password_hash))))
}

pub async fn any_active_admin(db: &Db) -> Result<bool, sqlx::Error> {
    let found: Option<(String,)> = on_read!(db, pool => {
        sqlx::query_as("SELECT id FROM users WHERE role = 'admin' AND active = TRUE LIMIT 1")
            .fetch_optional(pool)
            .await?
    });
    Ok(found.is_some())
}

/// The id and role of the user with this e-mail, active or not.
pub async fn find_id_by_email(
    tx: &mut Tx,
    email_lower: &str,
) -> Result<Option<(String, String)>, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_as("SELECT id, role FROM users WHERE email_lower = $1")
            .bind(email_lower)
            .fetch_optional(conn)
            .await
    })
}

/// A user to create: an administrator (no merchant) or a merchant's user.
pub struct NewUser<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub merchant_id: Option<&'a str>,
    pub language: Lang,
    /// Invited: no password yet (`password_hash` is one nothing matches),
    /// until the invitation link sets one.
    pub invited: bool,
}

pub async fn insert(tx: &mut Tx, new: &NewUser<'_>, now: Millis) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO users (id, email, email_lower, display_name, password_hash, role, \
             merchant_id, language, active, created_at, updated_at, invited) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, TRUE, $9, $9, $10)",
        )
        .bind(new.id)
        .bind(new.email)
        .bind(new.email.to_lowercase())
        .bind(new.display_name)
        .bind(new.password_hash)
        .bind(new.role.as_str())
        .bind(new.merchant_id)
        .bind(new.language.as_str())
        .bind(now)
        .bind(new.invited)
        .execute(conn)
        .await
        .map(|_| ())
    })
}

/// Sets a user's password (from an invitation or reset link): no longer
/// invited.
pub async fn set_password(
    tx: &mut Tx,
    user_id: &str,
    password_hash: &str,
    now: Millis,
) -> Result<(), sqlx::Error> {
    let sql = "UPDATE users SET password_hash = $2, invited = FALSE, updated_at = $3 WHERE id = $1";
    let values = [Val::str(user_id), Val::str(password_hash), Val::int(now)];
    exec(tx, sql, &values).await.map(|_| ())
}

/// A user's e-mail, name and language, to write to them.
pub async fn contact(
    tx: &mut Tx,
    user_id: &str,
) -> Result<Option<(String, String, Lang)>, sqlx::Error> {
    let row: Option<(String, String, String)> = on_tx!(tx, conn => {
        sqlx::query_as("SELECT email, display_name, language FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(conn)
            .await?
    });
    Ok(row.map(|(e, n, l)| (e, n, l.parse().unwrap_or_default())))
}

/// Every active administrator's e-mail, name and language (to alert them).
pub async fn admin_contacts(tx: &mut Tx) -> Result<Vec<(String, String, Lang)>, sqlx::Error> {
    let rows: Vec<(String, String, String)> = on_tx!(tx, conn => {
        sqlx::query_as(
            "SELECT email, display_name, language FROM users WHERE role = 'admin' \
             AND active = TRUE ORDER BY email",
        )
        .fetch_all(conn)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|(e, n, l)| (e, n, l.parse().unwrap_or_default()))
        .collect())
}

/// Resets an administrator's password and makes sure the account is active.
pub async fn reset_admin_password(
    tx: &mut Tx,
    user_id: &str,
    password_hash: &str,
    now: Millis,
) -> Result<(), sqlx::Error> {
    let sql = "UPDATE users SET password_hash = $2, active = TRUE, updated_at = $3 \
               WHERE id = $1 AND role = 'admin'";
    let values = [Val::str(user_id), Val::str(password_hash), Val::int(now)];
    exec(tx, sql, &values).await.map(|_| ())
}

pub async fn set_language(
    tx: &mut Tx,
    user_id: &str,
    lang: Lang,
    now: Millis,
) -> Result<(), sqlx::Error> {
    let sql = "UPDATE users SET language = $2, updated_at = $3 WHERE id = $1";
    let values = [Val::str(user_id), Val::str(lang.as_str()), Val::int(now)];
    exec(tx, sql, &values).await.map(|_| ())
}

/// A user by id with whether they are active (their merchant too, for a
/// merchant user), read inside a write transaction.
pub async fn get_in(tx: &mut Tx, id: &str) -> Result<Option<(SessionUser, bool)>, sqlx::Error> {
    // An id that cannot exist (any length, any character, NUL included)
    // is not looked up.
    if !crate::server::ids::is_id("usr", id) {
        return Ok(None);
    }
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: UserRow,
        usable: bool,
    }
    let sql = format!(
        "SELECT {SESSION_USER_COLUMNS}, \
           (u.active = TRUE AND (u.merchant_id IS NULL OR m.active = TRUE)) AS usable \
         FROM users u LEFT JOIN merchants m ON m.id = u.merchant_id WHERE u.id = $1"
    );
    let row: Option<Row> = on_tx!(tx, conn => {
        sqlx::query_as(&sql).bind(id).fetch_optional(conn).await?
    });
    Ok(row.and_then(|r| Some((r.user.into_session_user()?, r.usable))))
}
