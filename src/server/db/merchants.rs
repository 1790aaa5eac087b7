//! Merchants and the locations assigned to them.

use super::exec::{Val, exec};
use super::{Db, Tx, on_read, on_tx};
use crate::model::org::{Merchant, MerchantQuery, MerchantRow, MerchantSort, Page};
use crate::server::clock::Millis;

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    business_name: String,
    contact_email: String,
    address: Option<String>,
    default_location_id: String,
    active: bool,
    created_at: i64,
    updated_at: i64,
}

pub async fn get(db: &Db, id: &str) -> Result<Option<Merchant>, sqlx::Error> {
    // An id that cannot exist (any length, any character, NUL included)
    // is not looked up.
    if !crate::server::ids::is_id("mer", id) {
        return Ok(None);
    }
    let row: Option<Row> = on_read!(db, pool => {
        sqlx::query_as(
            "SELECT id, business_name, contact_email, address, default_location_id, active, created_at, updated_at \
             FROM merchants WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?
    });
    let Some(r) = row else { return Ok(None) };
    let location_ids: Vec<(String,)> = on_read!(db, pool => {
        sqlx::query_as("SELECT location_id FROM merchant_locations WHERE merchant_id = $1 ORDER BY location_id")
            .bind(id)
            .fetch_all(pool)
            .await?
    });
    Ok(Some(Merchant {
        id: r.id,
        business_name: r.business_name,
        contact_email: r.contact_email,
        address: r.address,
        default_location_id: r.default_location_id,
        location_ids: location_ids.into_iter().map(|(l,)| l).collect(),
        active: r.active,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }))
}

pub const DEFAULT_PER_PAGE: u32 = 25;

/// `%text%` for LIKE, with the wildcards in `text` escaped.
pub(super) fn like_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

pub async fn search(db: &Db, q: &MerchantQuery) -> Result<Page<MerchantRow>, sqlx::Error> {
    let pattern =
        q.q.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(like_pattern);
    // The order comes from a closed set, never from the request text.
    let column = match q.sort {
        MerchantSort::Name => "LOWER(m.business_name)",
        MerchantSort::Email => "LOWER(m.contact_email)",
        MerchantSort::Created => "m.created_at",
    };
    let direction = if q.descending { "DESC" } else { "ASC" };
    let filter = "($1 IS NULL OR LOWER(m.business_name) LIKE $1 ESCAPE '\\' \
                   OR LOWER(m.contact_email) LIKE $1 ESCAPE '\\') \
                  AND ($2 IS NULL OR m.active = $2)";
    let list_sql = format!(
        "SELECT m.id, m.business_name, m.contact_email, m.active, m.created_at, \
           (SELECT COUNT(*) FROM users u WHERE u.merchant_id = m.id) AS users, \
           (SELECT COUNT(*) FROM users u JOIN api_accounts a ON a.user_id = u.id \
             WHERE u.merchant_id = m.id AND a.enabled = TRUE) AS api_users \
         FROM merchants m WHERE {filter} \
         ORDER BY {column} {direction}, m.id {direction} LIMIT $3 OFFSET $4"
    );
    let count_sql = format!("SELECT COUNT(*) FROM merchants m WHERE {filter}");
    // 0 means "the default page size".
    let per_page = if q.per_page == 0 {
        DEFAULT_PER_PAGE
    } else {
        q.per_page.min(100)
    };
    let page = q.page.max(1);
    let offset = i64::from(page - 1) * i64::from(per_page);
    let items: Vec<(String, String, String, bool, i64, i64, i64)> = on_read!(db, pool => {
        sqlx::query_as(&list_sql)
            .bind(&pattern)
            .bind(q.active)
            .bind(i64::from(per_page))
            .bind(offset)
            .fetch_all(pool)
            .await?
    });
    let (total,): (i64,) = on_read!(db, pool => {
        sqlx::query_as(&count_sql).bind(&pattern).bind(q.active).fetch_one(pool).await?
    });
    Ok(Page {
        items: items
            .into_iter()
            .map(
                |(id, business_name, contact_email, active, created_at, users, api_users)| {
                    MerchantRow {
                        id,
                        business_name,
                        contact_email,
                        active,
                        users,
                        api_users,
                        created_at,
                    }
                },
            )
            .collect(),
        total,
        page,
        per_page,
    })
}

pub async fn insert(tx: &mut Tx, m: &Merchant) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO merchants (id, business_name, contact_email, address, default_location_id, active, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&m.id)
        .bind(&m.business_name)
        .bind(&m.contact_email)
        .bind(&m.address)
        .bind(&m.default_location_id)
        .bind(m.active)
        .bind(m.created_at)
        .bind(m.updated_at)
        .execute(conn)
        .await
        .map(|_| ())
    })?;
    set_locations(tx, &m.id, &m.location_ids).await
}

pub async fn update(tx: &mut Tx, m: &Merchant, now: Millis) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "UPDATE merchants SET business_name = $2, contact_email = $3, address = $4, \
             default_location_id = $5, active = $6, updated_at = $7 WHERE id = $1",
        )
        .bind(&m.id)
        .bind(&m.business_name)
        .bind(&m.contact_email)
        .bind(&m.address)
        .bind(&m.default_location_id)
        .bind(m.active)
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ())
    })?;
    set_locations(tx, &m.id, &m.location_ids).await
}

pub async fn set_active(
    tx: &mut Tx,
    id: &str,
    active: bool,
    now: Millis,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("UPDATE merchants SET active = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(active)
            .bind(now)
            .execute(conn)
            .await
            .map(|_| ())
    })?;
    Ok(())
}

async fn set_locations(
    tx: &mut Tx,
    merchant_id: &str,
    location_ids: &[String],
) -> Result<(), sqlx::Error> {
    let sql = "DELETE FROM merchant_locations WHERE merchant_id = $1";
    exec(tx, sql, &[Val::str(merchant_id)]).await?;
    let sql = "INSERT INTO merchant_locations (merchant_id, location_id) VALUES ($1, $2)";
    for location_id in location_ids {
        exec(tx, sql, &[Val::str(merchant_id), Val::str(location_id)]).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("Café"), "%café%");
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
