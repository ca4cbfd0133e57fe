use std::time::Duration;

use rdkafka::ClientConfig;
use rdkafka::error::KafkaError;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};

/// Where the Kafka brokers are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bootstrap {
    /// A comma-separated `host:port` list (`KAFKA_BOOTSTRAP_SERVERS`).
    Servers(String),
    /// An MSK cluster whose brokers are looked up with `GetBootstrapBrokers` (`MSK_CLUSTER_ARN`).
    Msk { cluster_arn: String },
}

/// How a service reaches Kafka.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KafkaConfig {
    /// Where the brokers are.
    pub bootstrap: Bootstrap,
    /// How long the producer keeps trying to deliver a message before it reports failure
    /// (`KAFKA_MESSAGE_TIMEOUT_MS`, default 5000); the outbox relay retries after that.
    pub message_timeout: Duration,
}

/// Kafka could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum KafkaSetupError {
    #[error("set {0} (or MSK_CLUSTER_ARN) to reach Kafka")]
    Missing(&'static str),
    #[error("{name} must be {expected}, not {value:?}")]
    Invalid {
        name: &'static str,
        expected: &'static str,
        value: String,
    },
    #[error("cannot look up the brokers of MSK cluster {cluster_arn}: {reason}")]
    Msk { cluster_arn: String, reason: String },
    #[error("cannot create the Kafka producer")]
    Producer(#[source] KafkaError),
}

impl KafkaConfig {
    /// Reads `MSK_CLUSTER_ARN` or `KAFKA_BOOTSTRAP_SERVERS`, and `KAFKA_MESSAGE_TIMEOUT_MS`.
    pub fn from_env() -> Result<Self, KafkaSetupError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`KafkaConfig::from_env`], reading variables through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, KafkaSetupError> {
        let non_empty = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let bootstrap = match (
            non_empty("MSK_CLUSTER_ARN"),
            non_empty("KAFKA_BOOTSTRAP_SERVERS"),
        ) {
            (Some(cluster_arn), _) => Bootstrap::Msk { cluster_arn },
            (None, Some(servers)) => Bootstrap::Servers(servers),
            (None, None) => return Err(KafkaSetupError::Missing("KAFKA_BOOTSTRAP_SERVERS")),
        };
        let message_timeout = match non_empty("KAFKA_MESSAGE_TIMEOUT_MS") {
            None => Duration::from_secs(5),
            Some(value) => value
                .trim()
                .parse()
                .ok()
                .filter(|ms| *ms > 0)
                .map(Duration::from_millis)
                .ok_or(KafkaSetupError::Invalid {
                    name: "KAFKA_MESSAGE_TIMEOUT_MS",
                    expected: "a positive number of milliseconds",
                    value,
                })?,
        };
        Ok(Self {
            bootstrap,
            message_timeout,
        })
    }

    /// The configuration of a producer for `servers`.
    pub fn with_servers(servers: impl Into<String>) -> Self {
        Self {
            bootstrap: Bootstrap::Servers(servers.into()),
            message_timeout: Duration::from_secs(5),
        }
    }
}

/// An idempotent Kafka producer (acks=all), created once per Lambda container and shared by
/// every invocation: `FutureProducer` is a cheap handle around one background client.
#[derive(Clone)]
pub struct Publisher {
    producer: FutureProducer,
    message_timeout: Duration,
}

impl Publisher {
    /// A producer for `config`. For an MSK cluster this asks AWS for the brokers once, at cold
    /// start; otherwise nothing touches the network until the first publish.
    pub async fn connect(config: &KafkaConfig) -> Result<Self, KafkaSetupError> {
        let servers = match &config.bootstrap {
            Bootstrap::Servers(servers) => servers.clone(),
            Bootstrap::Msk { cluster_arn } => msk_brokers(cluster_arn).await?,
        };
        Self::new(&servers, config.message_timeout)
    }

    /// A producer for the brokers `servers`, without any network call.
    pub fn new(servers: &str, message_timeout: Duration) -> Result<Self, KafkaSetupError> {
        let producer = ClientConfig::new()
            .set("bootstrap.servers", servers)
            .set("client.id", "carebook")
            // Idempotence implies acks=all and in-order, duplicate-free retries per partition.
            .set("enable.idempotence", "true")
            .set("acks", "all")
            .set(
                "message.timeout.ms",
                message_timeout.as_millis().to_string(),
            )
            // A handler publishes a few events and waits for them: batching would only add latency.
            .set("linger.ms", "0")
            .create()
            .map_err(KafkaSetupError::Producer)?;
        Ok(Self {
            producer,
            message_timeout,
        })
    }

    /// Publishes one CloudEvent record and waits until the brokers acknowledged it.
    pub async fn publish(&self, topic: &str, key: &str, payload: &[u8]) -> Result<(), KafkaError> {
        // CloudEvents Kafka binding, structured mode.
        let content_type = (
            "content-type",
            &b"application/cloudevents+json; charset=UTF-8"[..],
        );
        self.publish_with_headers(topic, Some(key.as_bytes()), payload, &[content_type])
            .await
    }

    /// Publishes one record with `headers` as given and waits for the acknowledgement: for
    /// copies of records, such as dead letters, that keep their original key and headers.
    pub async fn publish_with_headers(
        &self,
        topic: &str,
        key: Option<&[u8]>,
        payload: &[u8],
        headers: &[(impl AsRef<str>, impl AsRef<[u8]>)],
    ) -> Result<(), KafkaError> {
        let headers = headers
            .iter()
            .fold(OwnedHeaders::new(), |all, (key, value)| {
                all.insert(Header {
                    key: key.as_ref(),
                    value: Some(value.as_ref()),
                })
            });
        let mut record = FutureRecord::to(topic).payload(payload).headers(headers);
        if let Some(key) = key {
            record = record.key(key);
        }
        self.producer
            .send(record, self.message_timeout)
            .await
            .map(|_| ())
            .map_err(|(error, _)| error)
    }
}

async fn msk_brokers(cluster_arn: &str) -> Result<String, KafkaSetupError> {
    let failed = |reason: String| KafkaSetupError::Msk {
        cluster_arn: cluster_arn.to_owned(),
        reason,
    };
    let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let brokers = aws_sdk_kafka::Client::new(&aws)
        .get_bootstrap_brokers()
        .cluster_arn(cluster_arn)
        .send()
        .await
        .map_err(|error| failed(aws_sdk_kafka::error::DisplayErrorContext(error).to_string()))?;
    // The plaintext listener inside the VPC; TLS and SASL listeners need the producer's
    // security settings to match, which this build does not configure.
    brokers
        .bootstrap_broker_string()
        .map(str::to_owned)
        .ok_or_else(|| failed("the cluster has no plaintext listener".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<KafkaConfig, KafkaSetupError> {
        KafkaConfig::from_lookup(|name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    #[test]
    fn an_msk_cluster_wins_over_bootstrap_servers() {
        let config = config(&[
            ("MSK_CLUSTER_ARN", "arn:aws:kafka:eu-west-1:1:cluster/c/x"),
            ("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
        ])
        .unwrap();

        assert!(matches!(config.bootstrap, Bootstrap::Msk { .. }));
    }

    #[test]
    fn no_brokers_at_all_names_the_variable() {
        let error = config(&[("KAFKA_BOOTSTRAP_SERVERS", " ")]).unwrap_err();

        assert!(error.to_string().contains("KAFKA_BOOTSTRAP_SERVERS"));
    }

    #[test]
    fn a_bad_message_timeout_is_refused() {
        let error = config(&[
            ("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
            ("KAFKA_MESSAGE_TIMEOUT_MS", "soon"),
        ])
        .unwrap_err();

        assert!(matches!(error, KafkaSetupError::Invalid { .. }));
    }
}
