//! The appointments service (SPEC §3): patients book with doctors, doctors run their
//! schedule, admins see and change any appointment. The database guarantees that no doctor
//! and no patient has two overlapping scheduled appointments, and every change publishes an
//! event on `appointment-events` through the transactional outbox.
//!
//! Handlers (`src/bin/`) are one line each: [`api`] holds one function per endpoint, and
//! [`directory`] the Kafka-triggered handler that learns doctors and patients from
//! `user-events`.

pub mod api;
mod app;
pub mod directory;
mod domain;
mod store;

pub use api::ApiDoc;
pub use app::{App, Config, SetupError};
pub use domain::{
    Appointment, BookingRules, DayName, DurationMinutes, HoursBody, HoursSpan, IdempotencyKey,
    ListFilter, NewAppointment, Reason, WeeklyHours, WorkingHours, free_slots,
};

/// This service's database migrations (`functions/appointments/migrations`) with the outbox table's.
pub static MIGRATOR: std::sync::LazyLock<sqlx::migrate::Migrator> =
    std::sync::LazyLock::new(|| carebook_outbox::with_outbox_table(sqlx::migrate!()));

/// The environment variable holding this service's database URL.
pub const DATABASE_URL_VARIABLE: &str = "APPOINTMENTS_DATABASE_URL";

/// This consumer's name in dead-letter topics (`user-events.appointments.dlq`).
pub const CONSUMER: &str = "appointments";
