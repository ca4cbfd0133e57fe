//! The analytics service (SPEC §3, §5): consumes `appointment-events` and `user-events` into
//! reporting tables, idempotently by event id, and serves the clinic's figures to admins.

pub mod api;
mod app;
mod fold;
pub mod ingest;
mod store;

pub use app::{App, Config, SetupError};

/// This service's database migrations (`functions/analytics/migrations`).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// The environment variable holding this service's database URL.
pub const DATABASE_URL_VARIABLE: &str = "ANALYTICS_DATABASE_URL";

/// This consumer's name in dead-letter topics (`appointment-events.analytics.dlq`).
pub const CONSUMER: &str = "analytics";
