//! Server functions: the privileged operations the interface calls. Each is
//! a public HTTP endpoint under `/_fn/`, so each checks who is calling
//! before anything else, then calls one service function. Bodies are
//! compiled only into the server; the browser gets a thin client stub.

pub mod api;
pub mod audit;
pub mod auth;
pub mod jobs;
pub mod organization;
pub mod preferences;
pub mod sessions;
pub mod two_factor;
pub mod webhook_ops;
pub mod webhooks;

/// Runs `f` for a signed-in user whose role is among `roles`, with the
/// client address for the audit log; refuses anyone else first (401/403),
/// and gives an error its HTTP status on the way out.
#[cfg(feature = "ssr")]
pub(crate) async fn as_role<T, F, Fut>(
    roles: &[crate::model::Role],
    f: F,
) -> Result<T, crate::error::AppError>
where
    F: FnOnce(crate::server::AppState, crate::server::services::Caller) -> Fut,
    Fut: std::future::Future<Output = Result<T, crate::error::AppError>>,
{
    use crate::server::auth as guard;
    let result = async {
        let user = guard::require_role(roles)?;
        let state = guard::app_state()?;
        let ip = guard::request_parts()
            .ok()
            .and_then(|p| guard::client_ip(&p));
        f(state, crate::server::services::Caller::browser(user, ip)).await
    }
    .await;
    guard::finish(result)
}

/// [`as_role`] for administrators only.
#[cfg(feature = "ssr")]
pub(crate) async fn as_admin<T, F, Fut>(f: F) -> Result<T, crate::error::AppError>
where
    F: FnOnce(crate::server::AppState, crate::server::services::Caller) -> Fut,
    Fut: std::future::Future<Output = Result<T, crate::error::AppError>>,
{
    as_role(&[crate::model::Role::Admin], f).await
}
