//! The users service: profiles of Keycloak users, the doctor directory and admin onboarding
//! (SPEC §3). Every change publishes `user.registered` or `user.updated` on `user-events`
//! through the transactional outbox.
//!
//! Handlers (`src/bin/`) parse the request, call one function of [`api`], and map its result.

pub mod api;
mod app;
mod domain;
mod keycloak;
mod store;

pub use app::{App, ClientSecret, Config, SetupError};
pub use domain::{Gender, NewUser, ProfilePatch};
pub use keycloak::{KeycloakAdmin, KeycloakError};
pub use store::{DoctorListing, Profile, Specialty};

/// This service's database migrations (`functions/users/migrations`) with the outbox table's.
pub static MIGRATOR: std::sync::LazyLock<sqlx::migrate::Migrator> =
    std::sync::LazyLock::new(|| carebook_outbox::with_outbox_table(sqlx::migrate!()));

/// The environment variable holding this service's database URL.
pub const DATABASE_URL_VARIABLE: &str = "USERS_DATABASE_URL";
