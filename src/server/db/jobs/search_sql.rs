//! The SQL of each step of a job search: the filters other than the text
//! as numbered placeholders, and the few shapes a text search takes.

use super::Scope;
use super::rows::job_columns;
use crate::model::job::JobQuery;

/// A value bound to a search placeholder.
#[derive(Debug, Clone)]
pub(super) enum Bind {
    Text(String),
    Int(i64),
}

/// One way of finding a page of a text search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Step<'a> {
    /// No text: the filters' index, newest first.
    Plain,
    /// The jobs passing the filters down to the id given (the oldest of
    /// the window), each tested for the text; stops as soon as the page is
    /// full.
    Window(Option<&'a str>),
    /// The jobs passing the filters older than the id given (the oldest
    /// of a window that did not fill the page), each tested for the text.
    Rest(&'a str),
    /// SQLite: jobs whose text holds every one of `terms` (FTS5 trigram
    /// queries), then tested for the whole needle.
    Trigrams(&'a str),
    /// Every job passing the filters, tested for the text; on PostgreSQL
    /// narrowed first by a LIKE pattern the `pg_trgm` index serves.
    Scan(Option<&'a str>),
}

/// The filters other than the text, as SQL conditions with numbered
/// placeholders.
pub(super) struct Filters {
    conditions: Vec<String>,
    pub(super) binds: Vec<Bind>,
}

impl Filters {
    fn push(&mut self, sql: &str, bind: Bind) {
        self.binds.push(bind);
        self.conditions
            .push(sql.replace('?', &format!("${}", self.binds.len())));
    }

    pub(super) fn of(scope: &Scope, q: &JobQuery, after: Option<&str>) -> Self {
        let mut f = Filters {
            conditions: Vec::new(),
            binds: Vec::new(),
        };
        if let Some(user) = scope.creator() {
            f.push("created_by_user = ?", Bind::Text(user.into()));
        }
        if let Some(s) = q.status {
            f.push("status = ?", Bind::Text(s.as_str().into()));
        }
        if let Some(t) = q.kind {
            f.push("type = ?", Bind::Text(t.as_str().into()));
        }
        if let Some(d) = &q.date_from {
            f.push("date >= ?", Bind::Text(d.clone()));
        }
        if let Some(d) = &q.date_to {
            f.push("date <= ?", Bind::Text(d.clone()));
        }
        if let Some(l) = &q.location_id {
            f.push("location_id = ?", Bind::Text(l.clone()));
        }
        if let Some(r) = &q.reference_id {
            f.push("reference_id = ?", Bind::Text(r.clone()));
        }
        if let Some(t) = q.updated_since {
            f.push("updated_at >= ?", Bind::Int(t));
        }
        if let Some(id) = after {
            f.push("id < ?", Bind::Text(id.into()));
        }
        f
    }

    /// ` WHERE …` over these filters and `extra`, or nothing.
    fn clause(&self, extra: &[String]) -> String {
        let all: Vec<&str> = self
            .conditions
            .iter()
            .chain(extra)
            .map(String::as_str)
            .collect();
        if all.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", all.join(" AND "))
        }
    }
}

/// The SQL of one step, with its binds.
pub(super) fn step_sql(
    filters: &Filters,
    needle: Option<&str>,
    step: Step,
    limit: u32,
    sqlite: bool,
) -> (String, Vec<Bind>) {
    let mut binds = filters.binds.clone();
    let mut extra = Vec::new();
    let contains = |binds: &mut Vec<Bind>, extra: &mut Vec<String>, column: &str| {
        if let Some(text) = needle {
            binds.push(Bind::Text(text.into()));
            let f = if sqlite { "instr" } else { "strpos" };
            extra.push(format!("{f}({column}search_text, ${}) > 0", binds.len()));
        }
    };
    let cols = job_columns();
    let order = format!(" ORDER BY id DESC LIMIT {limit}");
    // The filters' index newest first, each job tested for the text, on
    // one side of an id when one is given. SQLite tests the text in the
    // index entry by itself (migration 0006) and reads the rows that
    // match. PostgreSQL tests an index entry only in an index-only scan,
    // which selects nothing but the id: the rows are read after, by id.
    let walk = |binds: &mut Vec<Bind>, extra: &mut Vec<String>, bound: Option<(&str, &str)>| {
        contains(binds, extra, "");
        if let Some((op, id)) = bound {
            binds.push(Bind::Text(id.into()));
            extra.push(format!("id {op} ${}", binds.len()));
        }
        let clause = filters.clause(extra);
        if sqlite {
            format!("SELECT {cols} FROM jobs{clause}{order}")
        } else {
            format!(
                "SELECT {cols} FROM jobs WHERE id IN \
                 (SELECT id FROM jobs{clause}{order}) ORDER BY id DESC"
            )
        }
    };
    let sql = match step {
        Step::Plain => format!("SELECT {cols} FROM jobs{}{order}", filters.clause(&[])),
        Step::Window(oldest) => walk(&mut binds, &mut extra, oldest.map(|id| (">=", id))),
        Step::Rest(oldest) => walk(&mut binds, &mut extra, Some(("<", oldest))),
        Step::Trigrams(terms) => {
            binds.push(Bind::Text(terms.into()));
            let matched = binds.len();
            contains(&mut binds, &mut extra, "jobs.");
            // CROSS JOIN keeps the few index hits as the outer loop: left
            // to itself SQLite walks the status index newest first and
            // tests membership, which visits most of the table.
            format!(
                "SELECT {cols} FROM (SELECT rowid AS hit FROM jobs_search \
                 WHERE jobs_search MATCH ${matched}) AS m CROSS JOIN jobs ON jobs.seq = m.hit{}\
                 {order}",
                filters.clause(&extra)
            )
        }
        Step::Scan(Some(pattern)) => {
            // The `pg_trgm` index narrows the rows; the exact substring
            // test decides. The hits are gathered first (MATERIALIZED):
            // left to itself PostgreSQL often walks the primary key
            // newest first instead, betting on finding the page early,
            // which for a rare needle reads a large part of the table
            // (180 ms against 10 ms for `1234` at a million jobs).
            binds.push(Bind::Text(pattern.into()));
            extra.push(format!("search_text LIKE ${}", binds.len()));
            contains(&mut binds, &mut extra, "");
            format!(
                "WITH hits AS MATERIALIZED (SELECT {cols} FROM jobs{}) \
                 SELECT {cols} FROM hits{order}",
                filters.clause(&extra)
            )
        }
        // Too short for any index: every job passing the filters.
        Step::Scan(None) => walk(&mut binds, &mut extra, None),
    };
    (sql, binds)
}

/// The id of the oldest job in a window of `size`: the `size`th newest
/// passing the filters (none when fewer pass them). The scan reads only
/// the filters' index.
pub(super) fn window_sql(filters: &Filters, size: u32) -> String {
    format!(
        "SELECT id FROM jobs{} ORDER BY id DESC LIMIT 1 OFFSET {}",
        filters.clause(&[]),
        size - 1
    )
}

/// How many jobs passing the filters are older than `$n+1` (the oldest
/// of the window), counted up to `cap`: the filters' index only.
pub(super) fn rest_sql(filters: &Filters, cap: u64) -> String {
    let oldest = format!("id < ${}", filters.binds.len() + 1);
    format!(
        "SELECT count(*) FROM (SELECT 1 FROM jobs{} LIMIT {cap}) AS rest",
        filters.clause(&[oldest])
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::job::JobStatus;
    use crate::server::db::jobs::search::WINDOW;

    fn query() -> JobQuery {
        JobQuery {
            q: Some("  Roy ".into()),
            status: Some(JobStatus::New),
            ..Default::default()
        }
    }

    #[test]
    fn filters_bind_only_what_is_given() {
        let f = Filters::of(&Scope::Creator("usr_1".into()), &query(), Some("job_9"));
        assert_eq!(
            f.conditions,
            ["created_by_user = $1", "status = $2", "id < $3"]
        );
        let (all, binds) = step_sql(
            &Filters::of(&Scope::All, &JobQuery::default(), None),
            None,
            Step::Plain,
            10,
            true,
        );
        assert!(!all.contains("WHERE"), "{all}");
        assert!(binds.is_empty());
    }

    #[test]
    fn the_window_ends_at_the_oldest_id_given() {
        let f = Filters::of(&Scope::Creator("usr_1".into()), &query(), None);
        assert_eq!(
            window_sql(&f, WINDOW),
            "SELECT id FROM jobs WHERE created_by_user = $1 AND status = $2 \
             ORDER BY id DESC LIMIT 1 OFFSET 5999"
        );
        let (sql, binds) = step_sql(&f, Some("roy"), Step::Window(Some("job_5")), 26, false);
        // PostgreSQL: the ids from the index alone, then their rows.
        assert!(
            sql.contains(
                "WHERE id IN (SELECT id FROM jobs WHERE created_by_user = $1 AND status = $2 \
                 AND strpos(search_text, $3) > 0 AND id >= $4 ORDER BY id DESC LIMIT 26) \
                 ORDER BY id DESC"
            ),
            "{sql}"
        );
        assert_eq!(binds.len(), 4);
        let (all, _) = step_sql(&f, Some("roy"), Step::Window(None), 26, true);
        assert!(all.contains("instr(search_text, $3) > 0 ORDER BY"), "{all}");
        assert!(all.ends_with("ORDER BY id DESC LIMIT 26"), "{all}");
        assert!(!all.contains("IN (SELECT"), "{all}");
    }

    #[test]
    fn the_rest_is_what_the_window_left() {
        let f = Filters::of(&Scope::Creator("usr_1".into()), &query(), None);
        assert_eq!(
            rest_sql(&f, 900),
            "SELECT count(*) FROM (SELECT 1 FROM jobs WHERE created_by_user = $1 \
             AND status = $2 AND id < $3 LIMIT 900) AS rest"
        );
        let (sql, binds) = step_sql(&f, Some("roy"), Step::Rest("job_5"), 26, true);
        assert!(
            sql.contains("instr(search_text, $3) > 0 AND id < $4 ORDER BY"),
            "{sql}"
        );
        assert!(matches!(&binds[3], Bind::Text(t) if t == "job_5"));
    }

    #[test]
    fn the_trigram_step_drives_from_the_text_index() {
        let f = Filters::of(&Scope::All, &query(), None);
        let (sql, binds) = step_sql(&f, Some("roy"), Step::Trigrams("\"roy\""), 51, true);
        assert!(sql.contains("MATCH $2) AS m CROSS JOIN jobs"), "{sql}");
        assert!(sql.contains("instr(jobs.search_text, $3) > 0"), "{sql}");
        assert!(matches!(&binds[1], Bind::Text(t) if t == "\"roy\""));
        let (pg, _) = step_sql(&f, Some("roy"), Step::Scan(Some("%roy%")), 51, false);
        assert!(
            pg.starts_with("WITH hits AS MATERIALIZED (SELECT id, "),
            "{pg}"
        );
        assert!(
            pg.contains("search_text LIKE $2 AND strpos(search_text, $3) > 0) SELECT"),
            "{pg}"
        );
        assert!(pg.ends_with("FROM hits ORDER BY id DESC LIMIT 51"), "{pg}");
        let (plain, _) = step_sql(&f, Some("r"), Step::Scan(None), 51, false);
        assert!(!plain.contains("LIKE"), "{plain}");
        assert!(plain.contains("strpos(search_text, $2) > 0"), "{plain}");
    }
}
