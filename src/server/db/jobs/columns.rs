//! The one list of the columns a job's and an action's writes set, each
//! beside the value it takes. The insert and update statements, their
//! placeholders and binds, and the columns a read selects are all built
//! from these lists: a new job field is one line here, one in `JobRow`
//! (rows.rs) and a migration (docs/architecture.md, How to add a job field).

use crate::model::job::{Action, Job};
use crate::server::db::exec::Val;

/// Declares the column names (`$names`) and the function (`$values`) that
/// reads their values off one `$ty`, from one list of `column => value`.
macro_rules! columns {
    ($names:ident, $values:ident($x:ident: $ty:ty $(, $extra:ident: $extra_ty:ty)*) {
        $($column:literal => $value:expr,)+
    }) => {
        pub(super) const $names: &[&str] = &[$($column),+];

        pub(super) fn $values<'a>($x: &'a $ty $(, $extra: $extra_ty)*) -> Vec<Val<'a>> {
            vec![$($value),+]
        }
    };
}

columns! {
    JOB_WRITTEN, job_values(job: Job, barcodes: &'a str) {
        "reference_id" => Val::text(&job.fields.reference_id),
        "type" => Val::str(job.fields.kind.as_str()),
        "status" => Val::str(job.status.as_str()),
        "date" => Val::str(&job.fields.date),
        "window_start" => Val::Text(job.fields.time_window.as_ref().map(|w| w.start.as_str())),
        "window_end" => Val::Text(job.fields.time_window.as_ref().map(|w| w.end.as_str())),
        "first_name" => Val::str(&job.fields.customer.first_name),
        "last_name" => Val::text(&job.fields.customer.last_name),
        "phone" => Val::str(&job.fields.customer.phone),
        "mobile" => Val::text(&job.fields.customer.mobile),
        "email" => Val::text(&job.fields.customer.email),
        "line1" => Val::str(&job.fields.address.line1),
        "apartment" => Val::text(&job.fields.address.apartment),
        "city" => Val::text(&job.fields.address.city),
        "postal_code" => Val::text(&job.fields.address.postal_code),
        "country" => Val::text(&job.fields.address.country),
        "lat" => Val::Real(job.fields.address.lat),
        "lng" => Val::Real(job.fields.address.lng),
        "location_id" => Val::str(&job.fields.location_id),
        "description" => Val::text(&job.fields.description),
        "comment" => Val::text(&job.fields.comment),
        "barcodes" => Val::str(barcodes),
        "version" => Val::int(job.version),
    }
}

columns! {
    ACTION_WRITTEN, action_values(a: Action) {
        "external_reference_id" => Val::text(&a.external_reference_id),
        "sku" => Val::text(&a.sku),
        "type" => Val::str(a.kind.as_str()),
        "description" => Val::str(&a.description),
        "quantity" => Val::int(a.quantity),
        "quantity_unit" => Val::text(&a.quantity_unit),
        "value" => Val::Real(a.value),
        "weight_kg" => Val::Real(a.weight_kg),
        "status" => Val::str(a.status.as_str()),
    }
}

/// `$first, $first+1, …`: `n` placeholders.
pub(super) fn marks(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `a = $first, b = $first+1, …` for an UPDATE.
pub(super) fn assignments(columns: &[&str], first: usize) -> String {
    columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", first + i))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_the_columns() {
        assert_eq!(marks(3, 3), "$3, $4, $5");
        assert_eq!(assignments(&["a", "b"], 2), "a = $2, b = $3");
    }

    /// A column named twice in a select list is ambiguous to PostgreSQL
    /// as soon as the rows pass through a subquery (the search's hits).
    #[test]
    fn each_column_is_written_and_read_once() {
        let job_read: Vec<&str> = super::super::rows::job_columns().split(", ").collect();
        let action_read: Vec<&str> = super::super::rows::action_columns().split(", ").collect();
        for list in [JOB_WRITTEN, ACTION_WRITTEN, &job_read, &action_read] {
            let mut seen = std::collections::HashSet::new();
            for c in list {
                assert!(seen.insert(c), "{c} is listed twice");
            }
        }
        assert!(job_read.contains(&"version") && job_read.contains(&"barcodes"));
    }
}
