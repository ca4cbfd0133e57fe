//! Test support for Carebook.
//!
//! [`TestIssuer`] is a Keycloak-compatible token issuer: Keycloak's URL layout for realm
//! `carebook` (discovery, JWKS, token endpoint with the password, client_credentials and
//! refresh_token grants), tokens shaped like Keycloak 26 access tokens, and users, roles and
//! clients read from `localstack/keycloak/realm.json`, the same export real Keycloak imports.
//! Tests run it in-process on a free port; `make dev` runs it as the `test-issuer` binary.
//! It is a stand-in for Keycloak, which cannot run on our machines, and never for production.
//!
//! For tests against the local stack: [`TestDatabase`] (a fresh database with a service's
//! migrations), [`TopicTail`] (what gets published to a topic) and [`schema_violations`]
//! (an event against its checked-in JSON Schema).

mod admin;
mod booking;
mod database;
mod faults;
mod hostile;
mod http;
mod issuer;
mod kafka;
mod keys;
mod outbox;
mod realm;
mod routes;
mod schema;
mod ses;

pub use booking::booked;
pub use database::{DEFAULT_DATABASE_URL, TestDatabase};
pub use faults::{Gate, PrivateBroker, PrivatePostgres, free_port};
pub use hostile::{forged_kid, hostile_tokens, keyed_with_public_key, unsigned, with_payload};
pub use http::{ApiRequest, read};
pub use issuer::{IssuerError, TestIssuer};
pub use kafka::{
    NO_BROKER, Record, TopicTail, bootstrap_servers, create_topic, create_topic_on, msk_event,
    topic_size,
};
pub use keys::SigningKey;
pub use outbox::{outbox_config, outbox_config_without_broker};
pub use realm::{Client, Realm, RealmError, User};
pub use schema::schema_violations;
pub use ses::{aws_endpoint, mail_to};

/// The audience every Carebook API token carries (the API's Keycloak client).
pub const API_AUDIENCE: &str = "carebook-api";
