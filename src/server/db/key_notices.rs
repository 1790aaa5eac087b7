//! Which keys' owners are to be told their key expires soon
//! (docs/api-keys.md): claimed in the transaction that queues the mail.

use super::{Tx, on_tx};
use crate::model::Lang;
use crate::model::time::DAY_MS;
use crate::server::clock::Millis;

/// One notice to send.
#[derive(Debug, Clone)]
pub struct ExpiryNotice {
    pub key_id: String,
    pub hint: String,
    pub account_id: String,
    pub expires_at: Millis,
    /// The 1-day notice (else the 7-day one).
    pub last_day: bool,
    pub email: String,
    pub display_name: String,
    pub language: Lang,
}

/// Marks the notices now due as sent and returns them: a key of an enabled
/// account of an active user, neither revoked nor expired, gets the 7-day
/// notice once within 7 days of its expiry and the 1-day notice once
/// within a day (only the latter when both are due: the server was down,
/// say). On PostgreSQL the UPDATE locks each row it changes, so another
/// instance claiming at the same moment skips it.
pub async fn claim(tx: &mut Tx, now: Millis) -> Result<Vec<ExpiryNotice>, sqlx::Error> {
    let ids: Vec<(String,)> = on_tx!(&mut *tx, conn => {
        sqlx::query_as(
            "UPDATE api_keys SET expiry_notices = CASE WHEN expires_at <= $2 THEN 2 ELSE 1 END \
             WHERE revoked_at IS NULL AND expires_at IS NOT NULL AND expires_at > $1 \
               AND ((expiry_notices = 0 AND expires_at <= $3) \
                    OR (expiry_notices < 2 AND expires_at <= $2)) \
               AND account_id IN (SELECT a.id FROM api_accounts a JOIN users u ON u.id = a.user_id \
                                  WHERE a.enabled = TRUE AND u.active = TRUE) \
             RETURNING id",
        )
        .bind(now)
        .bind(now + DAY_MS)
        .bind(now + 7 * DAY_MS)
        .fetch_all(conn)
        .await?
    });
    let mut notices = Vec::with_capacity(ids.len());
    for (id,) in ids {
        #[allow(clippy::type_complexity)]
        let row: (String, String, String, i64, i32, String, String, String) = on_tx!(&mut *tx, conn => {
            sqlx::query_as(
                "SELECT k.id, k.hint, k.account_id, k.expires_at, k.expiry_notices, \
                   u.email, u.display_name, u.language \
                 FROM api_keys k JOIN api_accounts a ON a.id = k.account_id \
                 JOIN users u ON u.id = a.user_id WHERE k.id = $1",
            )
            .bind(&id)
            .fetch_one(conn)
            .await?
        });
        let (key_id, hint, account_id, expires_at, stage, email, display_name, language) = row;
        notices.push(ExpiryNotice {
            key_id,
            hint,
            account_id,
            expires_at,
            last_day: stage >= 2,
            email,
            display_name,
            language: language.parse().unwrap_or_default(),
        });
    }
    Ok(notices)
}
