//! Test support for Carebook.
//!
//! [`TestIssuer`] is a Keycloak-compatible token issuer: Keycloak's URL layout for realm
//! `carebook` (discovery, JWKS, token endpoint with the password, client_credentials and
//! refresh_token grants), tokens shaped like Keycloak 26 access tokens, and users, roles and
//! clients read from `localstack/keycloak/realm.json`, the same export real Keycloak imports.
//! Tests run it in-process on a free port; `make dev` runs it as the `test-issuer` binary.
//! It is a stand-in for Keycloak, which cannot run on our machines, and never for production.

mod issuer;
mod keys;
mod realm;
mod routes;

pub use issuer::{IssuerError, TestIssuer};
pub use keys::SigningKey;
pub use realm::{Client, Realm, RealmError, User};

/// The audience every Carebook API token carries (the API's Keycloak client).
pub const API_AUDIENCE: &str = "carebook-api";
