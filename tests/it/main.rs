//! The integration tests, one binary: each module is one area of the
//! product, tested through its services and the real router on SQLite and
//! PostgreSQL (see `common`). One binary links Leptos, axum and sqlx once
//! instead of once per file.

#[macro_use]
mod common;

mod admins;
mod api;
mod api_access;
mod api_admin;
mod api_credentials;
mod api_limits;
mod auth;
mod authorization;
mod credentials_cache;
mod hostile_input;
mod job_cache;
mod jobs_access;
mod jobs_api;
mod jobs_api_input;
mod jobs_search;
mod key_limits;
mod key_races;
mod locations;
mod logs;
mod openapi;
mod organization;
mod pages;
mod people;
mod plain_forms;
mod receiver_examples;
mod secrets;
mod sign_in_throttles;
mod two_factor;
mod webhook_ids;
mod webhook_messages;
mod webhook_ops;
mod webhook_workers;
mod webhooks;
mod webhooks_api;
