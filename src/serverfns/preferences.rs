//! The interface language: kept in a cookie for every visitor, and on the
//! user's account once signed in so it follows them to other browsers.

use leptos::prelude::*;

use crate::error::AppError;

#[server(prefix = "/_fn", endpoint = "set_language")]
pub async fn set_language(lang: String) -> Result<(), AppError> {
    use crate::model::Lang;
    use crate::server::auth as guard;
    use crate::server::db::users;
    let result = async {
        let lang: Lang = lang
            .parse()
            .map_err(|_| AppError::field("lang", "invalid"))?;
        let state = guard::app_state()?;
        if let Some(session) = guard::current_session() {
            let mut tx = state.db.begin().await?;
            users::set_language(&mut tx, &session.user.id, lang, state.clock.now()).await?;
            tx.commit().await?;
        }
        guard::append_set_cookie(&guard::locale_cookie(lang, state.settings.secure_cookies()));
        Ok(())
    }
    .await;
    // A plain form post is sent back to the page it came from (Referer).
    guard::finish(result)
}
