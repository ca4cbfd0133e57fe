//! What every Carebook service connects to, made once per Lambda container: its own PostgreSQL
//! database and the Kafka brokers ([`Backends`]), from settings read at cold start
//! ([`BackendsConfig`]).
//!
//! The database is reached through [`Backends::connection`] or [`Backends::transaction`], whose
//! errors say which step failed; the brokers through the [`Publisher`], which the outbox
//! (`carebook-outbox`) and the consumers' dead letters (`carebook-consumer`) publish with.

mod config;
mod kafka;
mod secret;

pub use config::{Backends, BackendsConfig, Database, DatabaseError, POOL_SIZE, SetupError};
pub use kafka::{Bootstrap, KafkaAuth, KafkaConfig, KafkaSetupError, Publisher};
