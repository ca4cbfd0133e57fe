//! Kafka: configuration ([`KafkaConfig`]), the credentials it resolves to, and
//! the [`Publisher`].

mod config;
mod credentials;
mod publisher;

pub use config::{Bootstrap, KafkaAuth, KafkaConfig, KafkaSetupError};
pub use publisher::Publisher;
