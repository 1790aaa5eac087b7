//! The rules of the product. Server functions, REST handlers and the command
//! line call these; these call the `db` module. Each service function does
//! its authorization and validation, opens the transaction, and writes the
//! audit entry alongside the change.

pub mod admins;
pub mod auth;
pub mod locations;
pub mod merchant_users;
pub mod merchants;
