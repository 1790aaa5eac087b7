//! API usage as it is written (server/usage.rs flushes it): a key's last use
//! and its address, requests per key and per account per day, and those
//! counts laid out per day for the charts.

use super::{Tx, on_tx};
use crate::server::clock::Millis;

/// Records `last_used_at` and the address, unless another instance did
/// within the minute.
pub async fn touch(
    tx: &mut Tx,
    key_id: &str,
    at: Millis,
    ip: Option<&str>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "UPDATE api_keys SET last_used_at = $2, last_used_ip = $4 \
             WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $3)",
        )
        .bind(key_id)
        .bind(at)
        .bind(at - 60_000)
        .bind(ip)
        .execute(conn)
        .await
        .map(|_| ())
    })
}

/// Whose requests a daily count is: an account's (the administrators'
/// 7-day chart) or a key's (its owner's 30-day chart).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Counted {
    Account,
    Key,
}

/// Adds `requests` to the count of `id` (an account or a key) for `day`
/// (days since the epoch).
pub async fn add_usage(
    tx: &mut Tx,
    counted: Counted,
    id: &str,
    day: i64,
    requests: i64,
) -> Result<(), sqlx::Error> {
    let sql = match counted {
        Counted::Account => {
            "INSERT INTO api_usage (account_id, day, requests) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id, day) DO UPDATE SET requests = api_usage.requests + excluded.requests"
        }
        Counted::Key => {
            "INSERT INTO api_key_usage (key_id, day, requests) VALUES ($1, $2, $3) \
             ON CONFLICT (key_id, day) DO UPDATE SET requests = api_key_usage.requests + excluded.requests"
        }
    };
    on_tx!(tx, conn => {
        sqlx::query(sql)
            .bind(id)
            .bind(day)
            .bind(requests)
            .execute(conn)
            .await
            .map(|_| ())
    })
}

/// Requests per day over the `days` days ending `today`, oldest first.
pub(super) fn per_day(counts: impl Iterator<Item = (i64, i64)>, today: i64, days: i64) -> Vec<i64> {
    let mut out = vec![0; days as usize];
    for (day, n) in counts {
        let index = days - 1 - (today - day);
        if (0..days).contains(&index) {
            out[index as usize] += n;
        }
    }
    out
}
