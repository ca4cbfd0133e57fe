//! The users service: profiles of Keycloak users, the doctor directory, admin onboarding.

mod app;
mod profile;

pub use app::App;
pub use profile::Profile;
