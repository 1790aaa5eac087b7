//! The administrator's overview (`model::overview`): a few small reads,
//! each bounded.

use super::{Db, on_read};
use crate::model::overview::{ApiUser, ExpiringKey};
use crate::server::clock::Millis;

/// How many rows each list shows.
const LISTED: i64 = 10;

/// Active keys expiring in `(now, until]`, soonest first.
pub async fn expiring_keys(
    db: &Db,
    now: Millis,
    until: Millis,
) -> Result<Vec<ExpiringKey>, sqlx::Error> {
    type Row = (String, i64, String, String, Option<String>, Option<String>);
    let rows: Vec<Row> = on_read!(db, pool => {
        sqlx::query_as(
            "SELECT k.hint, k.expires_at, u.id, u.display_name, u.merchant_id, m.business_name \
             FROM api_keys k JOIN api_accounts a ON a.id = k.account_id \
             JOIN users u ON u.id = a.user_id LEFT JOIN merchants m ON m.id = u.merchant_id \
             WHERE k.revoked_at IS NULL AND k.expires_at > $1 AND k.expires_at <= $2 \
             AND a.enabled = TRUE AND u.active = TRUE \
             ORDER BY k.expires_at LIMIT $3",
        )
        .bind(now)
        .bind(until)
        .bind(LISTED)
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(
            |(hint, expires_at, user_id, display_name, merchant_id, merchant_name)| ExpiringKey {
                hint,
                expires_at,
                user_id,
                display_name,
                merchant_id,
                merchant_name,
            },
        )
        .collect())
}

/// Active merchant users with API access: how many, and the first by name.
pub async fn api_users(db: &Db) -> Result<(i64, Vec<ApiUser>), sqlx::Error> {
    const FROM: &str = "FROM users u JOIN api_accounts a ON a.user_id = u.id AND a.enabled = TRUE \
         JOIN merchants m ON m.id = u.merchant_id \
         WHERE u.role = 'merchant_l2' AND u.active = TRUE AND m.active = TRUE";
    let count_sql = format!("SELECT COUNT(*) {FROM}");
    let list_sql = format!(
        "SELECT u.id, u.display_name, u.email, m.id, m.business_name {FROM} \
         ORDER BY m.business_name, u.display_name LIMIT $1"
    );
    let (total,): (i64,) = on_read!(db, pool => sqlx::query_as(&count_sql).fetch_one(pool).await?);
    let rows: Vec<(String, String, String, String, String)> = on_read!(db, pool => {
        sqlx::query_as(&list_sql).bind(LISTED).fetch_all(pool).await?
    });
    let users = rows
        .into_iter()
        .map(
            |(user_id, display_name, email, merchant_id, merchant_name)| ApiUser {
                user_id,
                display_name,
                email,
                merchant_id,
                merchant_name,
            },
        )
        .collect();
    Ok((total, users))
}

/// The jobs of `date` (`YYYY-MM-DD`) by status.
pub async fn jobs_by_status(db: &Db, date: &str) -> Result<Vec<(String, i64)>, sqlx::Error> {
    Ok(on_read!(db, pool => {
        sqlx::query_as("SELECT status, COUNT(*) FROM jobs WHERE date = $1 GROUP BY status")
            .bind(date)
            .fetch_all(pool)
            .await?
    }))
}
