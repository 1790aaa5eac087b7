//! Jobs and their actions. Every read takes a [`Scope`]: a merchant's
//! queries carry `created_by_user = $n` in SQL, so another user's job is
//! simply not found, exactly like one that does not exist.

use super::{Db, Tx, on_read, on_tx};
use crate::model::job::{
    Action, Address, CreatedBy, Customer, Job, JobEvent, JobQuery, TimeWindow,
};
use crate::model::time::rfc3339;
use crate::server::clock::Millis;

/// Whose jobs a query may see.
#[derive(Debug, Clone)]
pub enum Scope {
    /// Administrators: every job.
    All,
    /// A merchant user: the jobs this user created.
    Creator(String),
}

impl Scope {
    fn creator(&self) -> Option<&str> {
        match self {
            Scope::All => None,
            Scope::Creator(id) => Some(id),
        }
    }
}

const JOB_COLUMNS: &str = "id, reference_id, type, status, date, window_start, window_end, \
     first_name, last_name, phone, mobile, email, line1, apartment, city, postal_code, country, \
     lat, lng, location_id, description, comment, barcodes, created_by_user, created_by_account, \
     creation_source, version, created_at, updated_at";

const ACTION_COLUMNS: &str = "id, job_id, external_reference_id, sku, type, description, quantity, \
     quantity_unit, value, weight_kg, status, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct JobRow {
    id: String,
    reference_id: Option<String>,
    #[sqlx(rename = "type")]
    kind: String,
    status: String,
    date: String,
    window_start: Option<String>,
    window_end: Option<String>,
    first_name: String,
    last_name: Option<String>,
    phone: String,
    mobile: Option<String>,
    email: Option<String>,
    line1: String,
    apartment: Option<String>,
    city: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
    lat: Option<f64>,
    lng: Option<f64>,
    location_id: String,
    description: Option<String>,
    comment: Option<String>,
    barcodes: String,
    created_by_user: String,
    created_by_account: Option<String>,
    creation_source: String,
    version: i64,
    created_at: i64,
    updated_at: i64,
}

/// A stored value the CHECK constraints allow always parses; should one
/// not, the row is reported as a database error rather than a panic.
fn parse<T: std::str::FromStr>(text: &str) -> Result<T, sqlx::Error> {
    text.parse()
        .map_err(|_| sqlx::Error::Decode(format!("unexpected stored value {text:?}").into()))
}

impl JobRow {
    fn into_job(self, actions: Vec<Action>) -> Result<Job, sqlx::Error> {
        Ok(Job {
            kind: parse(&self.kind)?,
            status: parse(&self.status)?,
            creation_source: parse(&self.creation_source)?,
            barcodes: serde_json::from_str(&self.barcodes).unwrap_or_default(),
            time_window: match (self.window_start, self.window_end) {
                (Some(start), Some(end)) => Some(TimeWindow { start, end }),
                _ => None,
            },
            customer: Customer {
                first_name: self.first_name,
                last_name: self.last_name,
                phone: self.phone,
                mobile: self.mobile,
                email: self.email,
            },
            address: Address {
                line1: self.line1,
                apartment: self.apartment,
                city: self.city,
                postal_code: self.postal_code,
                country: self.country,
                lat: self.lat,
                lng: self.lng,
            },
            id: self.id,
            reference_id: self.reference_id,
            date: self.date,
            location_id: self.location_id,
            description: self.description,
            comment: self.comment,
            created_by: CreatedBy {
                user_id: self.created_by_user,
                account_id: self.created_by_account,
            },
            version: self.version,
            created_at: rfc3339(self.created_at),
            updated_at: rfc3339(self.updated_at),
            actions,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ActionRow {
    id: String,
    job_id: String,
    external_reference_id: Option<String>,
    sku: Option<String>,
    #[sqlx(rename = "type")]
    kind: String,
    description: String,
    quantity: i64,
    quantity_unit: Option<String>,
    value: Option<f64>,
    weight_kg: Option<f64>,
    status: String,
    created_at: i64,
    updated_at: i64,
}

impl ActionRow {
    fn into_action(self) -> Result<Action, sqlx::Error> {
        Ok(Action {
            kind: parse(&self.kind)?,
            status: parse(&self.status)?,
            id: self.id,
            external_reference_id: self.external_reference_id,
            sku: self.sku,
            description: self.description,
            quantity: self.quantity,
            quantity_unit: self.quantity_unit,
            value: self.value,
            weight_kg: self.weight_kg,
            created_at: rfc3339(self.created_at),
            updated_at: rfc3339(self.updated_at),
        })
    }
}

/// Puts each job's actions (ordered by position) under it.
fn assemble(jobs: Vec<JobRow>, actions: Vec<ActionRow>) -> Result<Vec<Job>, sqlx::Error> {
    let mut by_job: std::collections::HashMap<String, Vec<Action>> = Default::default();
    for a in actions {
        by_job
            .entry(a.job_id.clone())
            .or_default()
            .push(a.into_action()?);
    }
    jobs.into_iter()
        .map(|j| {
            let actions = by_job.remove(&j.id).unwrap_or_default();
            j.into_job(actions)
        })
        .collect()
}

fn get_sql() -> String {
    format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1 AND ($2 IS NULL OR created_by_user = $2)")
}

fn actions_sql() -> String {
    format!("SELECT {ACTION_COLUMNS} FROM actions WHERE job_id = $1 ORDER BY position, id")
}

pub async fn get(db: &Db, scope: &Scope, id: &str) -> Result<Option<Job>, sqlx::Error> {
    let (job_sql, action_sql) = (get_sql(), actions_sql());
    let (job, actions): (Option<JobRow>, Vec<ActionRow>) = on_read!(db, pool => {
        let job: Option<JobRow> = sqlx::query_as(&job_sql)
            .bind(id)
            .bind(scope.creator())
            .fetch_optional(pool)
            .await?;
        let actions = match job {
            Some(_) => sqlx::query_as(&action_sql).bind(id).fetch_all(pool).await?,
            None => Vec::new(),
        };
        (job, actions)
    });
    Ok(assemble(job.into_iter().collect(), actions)?.pop())
}

/// As [`get`], inside a write transaction: what the change will be made
/// against. (On PostgreSQL the row is locked until the transaction ends.)
pub async fn get_in(tx: &mut Tx, scope: &Scope, id: &str) -> Result<Option<Job>, sqlx::Error> {
    let action_sql = actions_sql();
    let (job, actions): (Option<JobRow>, Vec<ActionRow>) = match tx {
        Tx::Sqlite(t) => {
            let conn = &mut **t;
            let job: Option<JobRow> = sqlx::query_as(&get_sql())
                .bind(id)
                .bind(scope.creator())
                .fetch_optional(&mut *conn)
                .await?;
            let actions = match job {
                Some(_) => sqlx::query_as(&action_sql).bind(id).fetch_all(conn).await?,
                None => Vec::new(),
            };
            (job, actions)
        }
        Tx::Postgres(t) => {
            let conn = &mut **t;
            let job: Option<JobRow> = sqlx::query_as(&format!("{} FOR UPDATE", get_sql()))
                .bind(id)
                .bind(scope.creator())
                .fetch_optional(&mut *conn)
                .await?;
            let actions = match job {
                Some(_) => sqlx::query_as(&action_sql).bind(id).fetch_all(conn).await?,
                None => Vec::new(),
            };
            (job, actions)
        }
    };
    Ok(assemble(job.into_iter().collect(), actions)?.pop())
}

/// A value bound to a search placeholder.
enum Bind {
    Text(String),
    Int(i64),
}

/// Builds the search SQL with numbered placeholders, one per filter given,
/// so each backend's planner sees only the conditions that apply and can
/// pick the index for them.
fn search_sql(
    scope: &Scope,
    q: &JobQuery,
    after: Option<&str>,
    limit: u32,
    sqlite: bool,
) -> (String, Vec<Bind>) {
    let mut conditions: Vec<String> = Vec::new();
    let mut binds = Vec::new();
    let mut push = |sql: &str, bind: Bind, binds: &mut Vec<Bind>| {
        binds.push(bind);
        conditions.push(sql.replace('?', &format!("${}", binds.len())));
    };
    if let Some(user) = scope.creator() {
        push("created_by_user = ?", Bind::Text(user.into()), &mut binds);
    }
    if let Some(text) = q.q.as_deref().map(search_needle).filter(|t| !t.is_empty()) {
        // The LIKE pattern lets the trigram index narrow the rows (its `_`
        // and `%` would match too much); the exact substring test decides.
        let pattern = format!("%{text}%");
        if sqlite {
            push(
                "seq IN (SELECT rowid FROM jobs_search WHERE search_text LIKE ?)",
                Bind::Text(pattern),
                &mut binds,
            );
            push("instr(search_text, ?) > 0", Bind::Text(text), &mut binds);
        } else {
            push("search_text LIKE ?", Bind::Text(pattern), &mut binds);
            push("strpos(search_text, ?) > 0", Bind::Text(text), &mut binds);
        }
    }
    if let Some(s) = q.status {
        push("status = ?", Bind::Text(s.as_str().into()), &mut binds);
    }
    if let Some(t) = q.kind {
        push("type = ?", Bind::Text(t.as_str().into()), &mut binds);
    }
    if let Some(d) = &q.date_from {
        push("date >= ?", Bind::Text(d.clone()), &mut binds);
    }
    if let Some(d) = &q.date_to {
        push("date <= ?", Bind::Text(d.clone()), &mut binds);
    }
    if let Some(l) = &q.location_id {
        push("location_id = ?", Bind::Text(l.clone()), &mut binds);
    }
    if let Some(r) = &q.reference_id {
        push("reference_id = ?", Bind::Text(r.clone()), &mut binds);
    }
    if let Some(t) = q.updated_since {
        push("updated_at >= ?", Bind::Int(t), &mut binds);
    }
    if let Some(id) = after {
        push("id < ?", Bind::Text(id.into()), &mut binds);
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    (
        format!("SELECT {JOB_COLUMNS} FROM jobs{filter} ORDER BY id DESC LIMIT {limit}"),
        binds,
    )
}

/// The lower-cased text that `q` looks for, as `search_text` stores it.
pub fn search_needle(q: &str) -> String {
    q.trim().to_lowercase()
}

/// The text `q` searches: reference, customer name, phones, address and
/// barcodes, lower-cased, one per line.
pub fn search_text(job: &Job) -> String {
    let c = &job.customer;
    let a = &job.address;
    let parts = [
        job.reference_id.as_deref(),
        Some(c.first_name.as_str()),
        c.last_name.as_deref(),
        Some(c.phone.as_str()),
        c.mobile.as_deref(),
        Some(a.line1.as_str()),
        a.apartment.as_deref(),
        a.city.as_deref(),
        a.postal_code.as_deref(),
    ];
    let mut text: Vec<&str> = parts.into_iter().flatten().collect();
    text.extend(job.barcodes.iter().map(String::as_str));
    text.join("\n").to_lowercase()
}

/// Up to `limit` jobs matching `q`, newest first, after the job `after`.
pub async fn search(
    db: &Db,
    scope: &Scope,
    q: &JobQuery,
    after: Option<&str>,
    limit: u32,
) -> Result<Vec<Job>, sqlx::Error> {
    let (sql, binds) = search_sql(scope, q, after, limit, matches!(db, Db::Sqlite { .. }));
    let (jobs, actions): (Vec<JobRow>, Vec<ActionRow>) = on_read!(db, pool => {
        let mut query = sqlx::query_as(&sql);
        for b in &binds {
            query = match b {
                Bind::Text(t) => query.bind(t.as_str()),
                Bind::Int(i) => query.bind(*i),
            };
        }
        let jobs: Vec<JobRow> = query.fetch_all(pool).await?;
        let actions = if jobs.is_empty() {
            Vec::new()
        } else {
            let marks: Vec<String> = (1..=jobs.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT {ACTION_COLUMNS} FROM actions WHERE job_id IN ({}) ORDER BY position, id",
                marks.join(", ")
            );
            let mut query = sqlx::query_as(&sql);
            for j in &jobs {
                query = query.bind(j.id.as_str());
            }
            query.fetch_all(pool).await?
        };
        (jobs, actions)
    });
    assemble(jobs, actions)
}

/// Server-side facts about a job that the wire shape does not carry.
pub struct Stored<'a> {
    pub merchant_id: Option<&'a str>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

pub async fn insert(tx: &mut Tx, job: &Job, meta: &Stored<'_>) -> Result<(), sqlx::Error> {
    let barcodes = serde_json::to_string(&job.barcodes).unwrap_or_else(|_| "[]".into());
    let search = search_text(job);
    let window = job.time_window.as_ref();
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO jobs (id, reference_id, type, status, date, window_start, window_end, \
             first_name, last_name, phone, mobile, email, line1, apartment, city, postal_code, \
             country, lat, lng, location_id, description, comment, barcodes, created_by_user, \
             created_by_account, merchant_id, creation_source, version, search_text, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
             $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31)",
        )
        .bind(&job.id)
        .bind(&job.reference_id)
        .bind(job.kind.as_str())
        .bind(job.status.as_str())
        .bind(&job.date)
        .bind(window.map(|w| w.start.as_str()))
        .bind(window.map(|w| w.end.as_str()))
        .bind(&job.customer.first_name)
        .bind(&job.customer.last_name)
        .bind(&job.customer.phone)
        .bind(&job.customer.mobile)
        .bind(&job.customer.email)
        .bind(&job.address.line1)
        .bind(&job.address.apartment)
        .bind(&job.address.city)
        .bind(&job.address.postal_code)
        .bind(&job.address.country)
        .bind(job.address.lat)
        .bind(job.address.lng)
        .bind(&job.location_id)
        .bind(&job.description)
        .bind(&job.comment)
        .bind(&barcodes)
        .bind(&job.created_by.user_id)
        .bind(&job.created_by.account_id)
        .bind(meta.merchant_id)
        .bind(job.creation_source.as_str())
        .bind(job.version)
        .bind(&search)
        .bind(meta.created_at)
        .bind(meta.updated_at)
        .execute(conn)
        .await
        .map(|_| ())
    })
}

/// Writes the editable fields and status of `job`, whose `version` is the
/// new one; `updated_at` is `now`.
pub async fn update(tx: &mut Tx, job: &Job, now: Millis) -> Result<(), sqlx::Error> {
    let barcodes = serde_json::to_string(&job.barcodes).unwrap_or_else(|_| "[]".into());
    let search = search_text(job);
    let window = job.time_window.as_ref();
    on_tx!(tx, conn => {
        sqlx::query(
            "UPDATE jobs SET reference_id = $2, type = $3, status = $4, date = $5, \
             window_start = $6, window_end = $7, first_name = $8, last_name = $9, phone = $10, \
             mobile = $11, email = $12, line1 = $13, apartment = $14, city = $15, \
             postal_code = $16, country = $17, lat = $18, lng = $19, location_id = $20, \
             description = $21, comment = $22, barcodes = $23, version = $24, \
             search_text = $25, updated_at = $26 WHERE id = $1",
        )
        .bind(&job.id)
        .bind(&job.reference_id)
        .bind(job.kind.as_str())
        .bind(job.status.as_str())
        .bind(&job.date)
        .bind(window.map(|w| w.start.as_str()))
        .bind(window.map(|w| w.end.as_str()))
        .bind(&job.customer.first_name)
        .bind(&job.customer.last_name)
        .bind(&job.customer.phone)
        .bind(&job.customer.mobile)
        .bind(&job.customer.email)
        .bind(&job.address.line1)
        .bind(&job.address.apartment)
        .bind(&job.address.city)
        .bind(&job.address.postal_code)
        .bind(&job.address.country)
        .bind(job.address.lat)
        .bind(job.address.lng)
        .bind(&job.location_id)
        .bind(&job.description)
        .bind(&job.comment)
        .bind(&barcodes)
        .bind(job.version)
        .bind(&search)
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ())
    })
}

pub async fn delete(tx: &mut Tx, id: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("DELETE FROM jobs WHERE id = $1").bind(id).execute(conn).await.map(|_| ())
    })
}

pub async fn insert_action(
    tx: &mut Tx,
    job_id: &str,
    position: i64,
    a: &Action,
    now: Millis,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO actions (id, job_id, position, external_reference_id, sku, type, \
             description, quantity, quantity_unit, value, weight_kg, status, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
        )
        .bind(&a.id)
        .bind(job_id)
        .bind(position)
        .bind(&a.external_reference_id)
        .bind(&a.sku)
        .bind(a.kind.as_str())
        .bind(&a.description)
        .bind(a.quantity)
        .bind(&a.quantity_unit)
        .bind(a.value)
        .bind(a.weight_kg)
        .bind(a.status.as_str())
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ())
    })
}

pub async fn update_action(tx: &mut Tx, a: &Action, now: Millis) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "UPDATE actions SET external_reference_id = $2, sku = $3, type = $4, \
             description = $5, quantity = $6, quantity_unit = $7, value = $8, weight_kg = $9, \
             status = $10, updated_at = $11 WHERE id = $1",
        )
        .bind(&a.id)
        .bind(&a.external_reference_id)
        .bind(&a.sku)
        .bind(a.kind.as_str())
        .bind(&a.description)
        .bind(a.quantity)
        .bind(&a.quantity_unit)
        .bind(a.value)
        .bind(a.weight_kg)
        .bind(a.status.as_str())
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ())
    })
}

pub async fn delete_action(tx: &mut Tx, id: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("DELETE FROM actions WHERE id = $1").bind(id).execute(conn).await.map(|_| ())
    })
}

/// The next free position for an action of `job_id`.
pub async fn next_position(tx: &mut Tx, job_id: &str) -> Result<i64, sqlx::Error> {
    let max: Option<i64> = on_tx!(tx, conn => {
        sqlx::query_scalar("SELECT MAX(position) FROM actions WHERE job_id = $1")
            .bind(job_id)
            .fetch_one(conn)
            .await?
    });
    Ok(max.map_or(0, |m| m + 1))
}

/// A location a job may use: active, and for a merchant one of the
/// merchant's locations. `None` when it does not exist or is inactive.
pub async fn usable_location(
    tx: &mut Tx,
    location_id: &str,
    merchant_id: Option<&str>,
) -> Result<Option<bool>, sqlx::Error> {
    let row: Option<(bool, bool)> = on_tx!(tx, conn => {
        sqlx::query_as(
            "SELECT l.active, ($2 IS NULL OR EXISTS (SELECT 1 FROM merchant_locations ml \
             WHERE ml.merchant_id = $2 AND ml.location_id = l.id)) AS allowed \
             FROM locations l WHERE l.id = $1",
        )
        .bind(location_id)
        .bind(merchant_id)
        .fetch_optional(conn)
        .await?
    });
    Ok(row.and_then(|(active, allowed)| active.then_some(allowed)))
}

/// An event for the webhook outbox, written with the change it describes.
pub struct OutboxEvent<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub job_id: &'a str,
    pub location_id: &'a str,
    pub actor_user_id: Option<&'a str>,
    pub actor_label: &'a str,
    pub payload: &'a str,
    pub at: Millis,
}

pub async fn insert_event(tx: &mut Tx, e: &OutboxEvent<'_>) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO outbox (id, type, job_id, location_id, actor_user_id, actor_label, \
             payload, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(e.id)
        .bind(e.kind)
        .bind(e.job_id)
        .bind(e.location_id)
        .bind(e.actor_user_id)
        .bind(e.actor_label)
        .bind(e.payload)
        .bind(e.at)
        .execute(conn)
        .await
        .map(|_| ())
    })
}

/// The events of one job, oldest first: its history.
pub async fn history(db: &Db, job_id: &str) -> Result<Vec<JobEvent>, sqlx::Error> {
    let rows: Vec<(String, String, String, String, i64)> = on_read!(db, pool => {
        sqlx::query_as(
            "SELECT id, type, actor_label, payload, created_at FROM outbox \
             WHERE job_id = $1 ORDER BY id LIMIT 500",
        )
        .bind(job_id)
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|(id, kind, actor, payload, at)| {
            let statuses = (kind == "job.status_changed")
                .then(|| serde_json::from_str::<serde_json::Value>(&payload).ok())
                .flatten()
                .and_then(|p| {
                    let data = p.get("data")?;
                    Some((
                        data.get("previous_status")?.as_str()?.to_owned(),
                        data.get("status")?.as_str()?.to_owned(),
                    ))
                });
            JobEvent {
                id,
                kind,
                actor,
                statuses,
                at,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::job::JobStatus;

    #[test]
    fn search_sql_binds_only_the_filters_given() {
        let q = JobQuery {
            q: Some("  Roy ".into()),
            status: Some(JobStatus::New),
            ..Default::default()
        };
        let (sql, binds) = search_sql(
            &Scope::Creator("usr_1".into()),
            &q,
            Some("job_9"),
            26,
            false,
        );
        assert!(sql.contains("created_by_user = $1"), "{sql}");
        assert!(sql.contains("search_text LIKE $2"), "{sql}");
        assert!(sql.contains("strpos(search_text, $3) > 0"), "{sql}");
        assert!(sql.contains("status = $4"), "{sql}");
        assert!(sql.contains("id < $5"), "{sql}");
        assert!(sql.ends_with("ORDER BY id DESC LIMIT 26"), "{sql}");
        assert_eq!(binds.len(), 5);
        let (all, binds) = search_sql(&Scope::All, &JobQuery::default(), None, 10, true);
        assert!(!all.contains("WHERE"), "{all}");
        assert!(binds.is_empty());
    }
}
