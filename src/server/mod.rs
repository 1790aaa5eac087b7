//! Everything that runs only on the server: configuration, the database,
//! authentication, HTTP plumbing and the command line. The browser build
//! never sees this module.
#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod credentials;
pub mod db;
pub mod http;
pub mod ids;
pub mod key_limits;
pub mod keys;
pub mod mail;
pub mod metrics;
pub mod password;
pub mod services;
pub mod state;
pub mod totp;
pub mod usage;
pub mod webhooks;
pub mod zones;

pub use state::AppState;
