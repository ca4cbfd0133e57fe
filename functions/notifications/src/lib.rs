//! The notifications service (SPEC §3, §5): turns appointment and user events into emails
//! (HTML and plain text) sent through Amazon SES v2, one record per (event, recipient), and
//! lists them to their recipients.

pub mod api;
mod app;
mod compose;
mod mailer;
pub mod send;
mod store;

pub use app::{App, Config, SetupError};
pub use compose::{Email, compose};
pub use mailer::{Mailer, SendError};
pub use store::NotificationStatus;

/// This service's database migrations (`functions/notifications/migrations`).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// The environment variable holding this service's database URL.
pub const DATABASE_URL_VARIABLE: &str = "NOTIFICATIONS_DATABASE_URL";

/// This consumer's name in dead-letter topics (`appointment-events.notifications.dlq`).
pub const CONSUMER: &str = "notifications";
