//! The organization's one row (id 1). Until an administrator saves it,
//! there is none and the defaults apply.

use super::{Db, Tx, on_read, on_tx};
use crate::model::organization::Organization;
use crate::server::clock::Millis;

type Row = (String, String, String);

const SELECT: &str = "SELECT name, default_language, timezone FROM organization WHERE id = 1";

fn from_row(row: Option<Row>) -> Organization {
    row.map_or_else(Organization::default, |(name, language, timezone)| {
        Organization {
            name,
            default_language: language.parse().unwrap_or_default(),
            timezone,
        }
    })
}

pub async fn get(db: &Db) -> Result<Organization, sqlx::Error> {
    let row: Option<Row> = on_read!(db, pool => sqlx::query_as(SELECT).fetch_optional(pool).await?);
    Ok(from_row(row))
}

/// As [`get`], inside a write transaction: what a change is made against.
pub async fn get_in(tx: &mut Tx) -> Result<Organization, sqlx::Error> {
    let row: Option<Row> = on_tx!(tx, conn => sqlx::query_as(SELECT).fetch_optional(conn).await?);
    Ok(from_row(row))
}

pub async fn save(tx: &mut Tx, org: &Organization, now: Millis) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO organization (id, name, default_language, timezone, updated_at) \
             VALUES (1, $1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET name = $1, \
             default_language = $2, timezone = $3, updated_at = $4",
        )
        .bind(&org.name)
        .bind(org.default_language.as_str())
        .bind(&org.timezone)
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ())
    })
}
