//! Test support for Carebook, against the local stack's real components (`make stack-up`).
//!
//! [`Keycloak`] is the local Keycloak: people of a test's own and their tokens, realms of a
//! test's own. [`TestDatabase`] is a fresh database with a service's migrations, [`TopicTail`]
//! what gets published to a Kafka topic, [`schema_violations`] an event against its
//! checked-in JSON Schema. [`PrivateBroker`], [`PrivatePostgres`] and [`Gate`] are components
//! of one test's own that it may break.
//!
//! [`TokenForger`] signs tokens no real server would issue (expired, re-signed, under a
//! rotated key at will): for the hostile-token corpus and the verifier's unit tests only.

mod backends;
mod booking;
mod database;
mod faults;
mod forger;
mod hostile;
mod http;
mod kafka;
mod keycloak;
mod keys;
mod runtime_api;
mod schema;
mod ses;

pub use backends::{backends_config, backends_config_without_broker};
pub use booking::booked;
pub use database::{DEFAULT_DATABASE_URL, TestDatabase};
pub use faults::{Gate, PrivateBroker, PrivatePostgres, free_port};
pub use forger::{ForgerError, TokenForger};
pub use hostile::{forged_kid, hostile_tokens, keyed_with_public_key, unsigned, with_payload};
pub use http::{ApiRequest, read};
pub use kafka::{
    NO_BROKER, Record, TopicTail, bootstrap_servers, create_topic, msk_event, topic_size,
};
pub use keycloak::{CLI_CLIENT, Keycloak, KeycloakError, KeycloakUser, UserRecord, WEB_CLIENT};
pub use keys::SigningKey;
pub use runtime_api::{Function, api_gateway_event};
pub use schema::schema_violations;
pub use ses::{aws_endpoint, mail_to, stored_secret};

/// The audience every Carebook API token carries (the API's Keycloak client).
pub const API_AUDIENCE: &str = "carebook-api";

/// `localstack/keycloak/realm.json`, the realm the local Keycloak imports.
pub const REALM_FILE: &str = include_str!("../../../localstack/keycloak/realm.json");

/// The claims of a JWT, read without checking anything: for asserting what a token says.
///
/// # Panics
/// When `token` is not a JWT with a JSON payload.
pub fn claims_of(token: &str) -> serde_json::Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).expect("a JWT has a payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("a base64url payload");
    serde_json::from_slice(&bytes).expect("a JSON payload")
}
