use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use crate::{KafkaConfig, KafkaSetupError, Outbox, Publisher};

/// Where a service keeps its data and sends its events.
#[derive(Clone, Debug)]
pub struct OutboxConfig {
    /// The service's own database (`<SERVICE>_DATABASE_URL`).
    pub database_url: String,
    /// The brokers.
    pub kafka: KafkaConfig,
    /// How long a handler waits to publish its events after commit before leaving them to the
    /// relay (`OUTBOX_PUBLISH_BUDGET_MS`, default 1000): a broker outage slows answers by at
    /// most this much.
    pub publish_budget: Duration,
}

/// The service's database or brokers are not configured right.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("set {0}")]
    Missing(&'static str),
    #[error("{name} must be {expected}, not {value:?}")]
    Invalid {
        name: &'static str,
        expected: &'static str,
        value: String,
    },
    #[error("{0} is not a usable PostgreSQL URL")]
    DatabaseUrl(&'static str, #[source] sqlx::Error),
    #[error(transparent)]
    Kafka(#[from] KafkaSetupError),
}

impl OutboxConfig {
    /// Reads the database URL from `database_variable`, then Kafka and the publish budget.
    pub fn from_lookup(
        database_variable: &'static str,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, SetupError> {
        let database_url = lookup(database_variable)
            .filter(|url| !url.is_empty())
            .ok_or(SetupError::Missing(database_variable))?;
        let publish_budget = match lookup("OUTBOX_PUBLISH_BUDGET_MS").filter(|v| !v.is_empty()) {
            None => Duration::from_secs(1),
            Some(value) => value
                .trim()
                .parse()
                .map(Duration::from_millis)
                .map_err(|_| SetupError::Invalid {
                    name: "OUTBOX_PUBLISH_BUDGET_MS",
                    expected: "a number of milliseconds",
                    value,
                })?,
        };
        Ok(Self {
            database_url,
            kafka: KafkaConfig::from_lookup(&lookup)?,
            publish_budget,
        })
    }

    /// Like [`OutboxConfig::from_lookup`], from the environment.
    pub fn from_env(database_variable: &'static str) -> Result<Self, SetupError> {
        Self::from_lookup(database_variable, |name| std::env::var(name).ok())
    }

    /// A lazy pool and the outbox on it: no connection is made until the first query, and
    /// only the MSK broker lookup (when configured) touches the network.
    pub async fn connect(&self, database_variable: &'static str) -> Result<Outbox, SetupError> {
        // One invocation at a time per Lambda instance: two connections cover the change and
        // the flush after it, and all instances together stay under PostgreSQL's limit.
        let pool: PgPool = PgPoolOptions::new()
            .max_connections(2)
            .acquire_timeout(Duration::from_secs(5))
            .connect_lazy(&self.database_url)
            .map_err(|error| SetupError::DatabaseUrl(database_variable, error))?;
        let publisher = Publisher::connect(&self.kafka).await?;
        Ok(Outbox::new(pool, publisher, self.publish_budget))
    }
}
