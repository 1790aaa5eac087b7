//! Job search: SQL built from the filters given, keyset paging on the
//! time-ordered id, and substring search over `search_text`.

use super::Scope;
use super::rows::{ACTION_COLUMNS, ActionRow, JOB_COLUMNS, JobRow, assemble};
use crate::model::job::{Job, JobQuery};
use crate::server::db::{Db, on_read};

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
