use std::time::Duration;

use carebook_outbox::{Database, KafkaConfig, OutboxConfig};

use crate::{TestDatabase, bootstrap_servers};

/// The outbox settings of an app under test: its own database, the local broker, and a
/// short publish budget.
pub fn outbox_config(database: &TestDatabase) -> OutboxConfig {
    OutboxConfig {
        database: Database::Url(database.url().to_owned()),
        kafka: KafkaConfig::with_servers(bootstrap_servers()),
        publish_budget: Duration::from_secs(5),
    }
}

/// Like [`outbox_config`], with a broker that is down.
pub fn outbox_config_without_broker(database: &TestDatabase) -> OutboxConfig {
    OutboxConfig {
        kafka: KafkaConfig {
            message_timeout: Duration::from_millis(500),
            ..KafkaConfig::with_servers(crate::NO_BROKER)
        },
        publish_budget: Duration::from_millis(300),
        ..outbox_config(database)
    }
}
