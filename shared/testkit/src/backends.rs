use std::time::Duration;

use carebook_backends::{BackendsConfig, Database, KafkaConfig};

use crate::{TestDatabase, bootstrap_servers};

/// The backends of an app under test: its own database, the local broker, and a
/// short publish budget.
pub fn backends_config(database: &TestDatabase) -> BackendsConfig {
    BackendsConfig {
        database: Database::Url(database.url().to_owned()),
        kafka: KafkaConfig::with_servers(bootstrap_servers()),
        publish_budget: Duration::from_secs(5),
    }
}

/// Like [`backends_config`], with a broker that is down.
pub fn backends_config_without_broker(database: &TestDatabase) -> BackendsConfig {
    BackendsConfig {
        kafka: KafkaConfig {
            message_timeout: Duration::from_millis(500),
            ..KafkaConfig::with_servers(crate::NO_BROKER)
        },
        publish_budget: Duration::from_millis(300),
        ..backends_config(database)
    }
}
