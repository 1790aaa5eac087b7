//! Locations: the branches and warehouses of the organization.

use super::exec::{Val, exec};
use super::{Db, Tx, on_read, on_tx};
use crate::model::org::{Location, LocationKind};
use crate::server::clock::Millis;

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    name: String,
    kind: String,
    ref_no: String,
    address: Option<String>,
    timezone: Option<String>,
    active: bool,
    created_at: i64,
    updated_at: i64,
}

impl From<Row> for Location {
    fn from(r: Row) -> Self {
        Location {
            id: r.id,
            name: r.name,
            kind: r.kind.parse().unwrap_or(LocationKind::Branch),
            ref_no: r.ref_no,
            address: r.address,
            timezone: r.timezone,
            active: r.active,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

const COLUMNS: &str = "id, name, kind, ref_no, address, timezone, active, created_at, updated_at";

pub async fn list(db: &Db) -> Result<Vec<Location>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM locations ORDER BY active DESC, name, id");
    let rows: Vec<Row> = on_read!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await?);
    Ok(rows.into_iter().map(Location::from).collect())
}

pub async fn get(db: &Db, id: &str) -> Result<Option<Location>, sqlx::Error> {
    // An id that cannot exist (any length, any character, NUL included)
    // is not looked up.
    if !crate::server::ids::is_id("loc", id) {
        return Ok(None);
    }
    let sql = format!("SELECT {COLUMNS} FROM locations WHERE id = $1");
    let row: Option<Row> =
        on_read!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?);
    Ok(row.map(Location::from))
}

/// The ids among `ids` that name active locations.
pub async fn active_ids_among(tx: &mut Tx, ids: &[String]) -> Result<Vec<String>, sqlx::Error> {
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        let row: Option<(String,)> = on_tx!(tx, conn => {
            sqlx::query_as("SELECT id FROM locations WHERE id = $1 AND active = TRUE")
                .bind(id)
                .fetch_optional(conn)
                .await?
        });
        if let Some((id,)) = row {
            found.push(id);
        }
    }
    Ok(found)
}

/// `$1` the id, then the fields both writes set, in this order.
fn values(l: &Location) -> Vec<Val<'_>> {
    vec![
        Val::str(&l.id),
        Val::str(&l.name),
        Val::str(l.kind.as_str()),
        Val::str(&l.ref_no),
        Val::text(&l.address),
        Val::text(&l.timezone),
        Val::Bool(l.active),
    ]
}

pub async fn insert(tx: &mut Tx, l: &Location) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO locations (id, name, kind, ref_no, address, timezone, active, \
               created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    let mut all = values(l);
    all.extend([Val::int(l.created_at), Val::int(l.updated_at)]);
    exec(tx, sql, &all).await.map(|_| ())
}

/// Whether the location exists (and was changed).
pub async fn update(tx: &mut Tx, l: &Location, now: Millis) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE locations SET name = $2, kind = $3, ref_no = $4, address = $5, \
               timezone = $6, active = $7, updated_at = $8 WHERE id = $1";
    let mut all = values(l);
    all.push(Val::int(now));
    Ok(exec(tx, sql, &all).await? == 1)
}
