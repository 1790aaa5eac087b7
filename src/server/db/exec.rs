//! One statement, its values bound in order, on either database: what most
//! writes are. `Val` holds the few kinds of value the tables store.

use super::{Tx, on_tx};

/// A value bound to a statement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Val<'a> {
    Text(Option<&'a str>),
    Real(Option<f64>),
    Int(Option<i64>),
    Bool(bool),
}

impl<'a> Val<'a> {
    pub fn text(v: &'a Option<String>) -> Self {
        Val::Text(v.as_deref())
    }

    pub fn str(v: &'a str) -> Self {
        Val::Text(Some(v))
    }

    pub fn int(v: i64) -> Self {
        Val::Int(Some(v))
    }
}

/// `$query` with every one of `$values` (`&[Val]`) bound, in order (a
/// macro: the query types of sqlx differ per backend).
macro_rules! bind_values {
    ($query:expr, $values:expr) => {{
        let mut query = $query;
        for value in $values {
            query = match *value {
                $crate::server::db::exec::Val::Text(v) => query.bind(v),
                $crate::server::db::exec::Val::Real(v) => query.bind(v),
                $crate::server::db::exec::Val::Int(v) => query.bind(v),
                $crate::server::db::exec::Val::Bool(v) => query.bind(v),
            };
        }
        query
    }};
}
pub(crate) use bind_values;

/// Runs `sql` in `tx` with `values` bound to `$1`, `$2`, … in order; the
/// number of rows it changed.
pub async fn exec(tx: &mut Tx, sql: &str, values: &[Val<'_>]) -> Result<u64, sqlx::Error> {
    Ok(on_tx!(tx, conn => {
        bind_values!(sqlx::query(sql), values)
            .execute(conn)
            .await?
            .rows_affected()
    }))
}
