//! The users of a merchant, with their API access state.

use super::exec::{Val, exec};
use super::{Db, Tx, on_read, on_tx};
use crate::model::Role;
use crate::model::org::MerchantUser;
use crate::server::clock::Millis;

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    merchant_id: String,
    email: String,
    display_name: String,
    role: String,
    active: bool,
    api_enabled: Option<bool>,
    account_id: Option<String>,
    created_at: i64,
    invited: bool,
}

impl Row {
    fn into_user(self) -> Option<MerchantUser> {
        Some(MerchantUser {
            id: self.id,
            merchant_id: self.merchant_id,
            email: self.email,
            display_name: self.display_name,
            role: self.role.parse::<Role>().ok()?,
            active: self.active,
            api_access: self.api_enabled.unwrap_or(false),
            account_id: self.account_id,
            created_at: self.created_at,
            invited: self.invited,
            invitation: None,
        })
    }
}

const SELECT: &str = "SELECT u.id, u.merchant_id, u.email, u.display_name, u.role, u.active, \
     a.enabled AS api_enabled, a.id AS account_id, u.created_at, u.invited \
     FROM users u LEFT JOIN api_accounts a ON a.user_id = u.id";

pub async fn list_for_merchant(
    db: &Db,
    merchant_id: &str,
) -> Result<Vec<MerchantUser>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE u.merchant_id = $1 ORDER BY LOWER(u.display_name), u.id");
    let rows: Vec<Row> =
        on_read!(db, pool => sqlx::query_as(&sql).bind(merchant_id).fetch_all(pool).await?);
    Ok(rows.into_iter().filter_map(Row::into_user).collect())
}

/// A merchant user (never an administrator) by id.
pub async fn get(db: &Db, user_id: &str) -> Result<Option<MerchantUser>, sqlx::Error> {
    // An id that cannot exist (any length, any character, NUL included)
    // is not looked up.
    if !crate::server::ids::is_id("usr", user_id) {
        return Ok(None);
    }
    let sql = format!("{SELECT} WHERE u.id = $1 AND u.merchant_id IS NOT NULL");
    let row: Option<Row> =
        on_read!(db, pool => sqlx::query_as(&sql).bind(user_id).fetch_optional(pool).await?);
    Ok(row.and_then(Row::into_user))
}

pub async fn update(
    tx: &mut Tx,
    user_id: &str,
    display_name: &str,
    role: Role,
    active: bool,
    now: Millis,
) -> Result<(), sqlx::Error> {
    let sql = "UPDATE users SET display_name = $2, role = $3, active = $4, updated_at = $5 \
               WHERE id = $1 AND merchant_id IS NOT NULL";
    let values = [
        Val::str(user_id),
        Val::str(display_name),
        Val::str(role.as_str()),
        Val::Bool(active),
        Val::int(now),
    ];
    exec(tx, sql, &values).await.map(|_| ())
}

/// The ids of a merchant's users whose API access is on.
pub async fn with_api_access(tx: &mut Tx, merchant_id: &str) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = on_tx!(tx, conn => {
        sqlx::query_as(
            "SELECT u.id FROM users u JOIN api_accounts a ON a.user_id = u.id \
             WHERE u.merchant_id = $1 AND a.enabled = TRUE",
        )
        .bind(merchant_id)
        .fetch_all(conn)
        .await?
    });
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
