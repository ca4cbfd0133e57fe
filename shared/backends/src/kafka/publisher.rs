//! The idempotent producer every handler and relay publishes through.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use rdkafka::ClientConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};

use super::credentials::{
    Credentials, IamTokens, KafkaContext, TlsTrust, msk_brokers, scram_secret,
};
use super::{Bootstrap, KafkaAuth, KafkaConfig, KafkaSetupError};
use crate::secret::Aws;

/// An idempotent Kafka producer (acks=all), created once per Lambda container and shared by
/// every invocation: `FutureProducer` is a cheap handle around one background client.
#[derive(Clone)]
pub struct Publisher {
    shared: Arc<Shared>,
}

struct Shared {
    config: ClientConfig,
    iam: Option<Arc<IamTokens>>,
    /// Replaced when the brokers no longer accept its producer id (see `renew_after`).
    producer: RwLock<FutureProducer<KafkaContext>>,
    message_timeout: Duration,
}

impl Publisher {
    /// A producer for `config`. AWS is asked once, at cold start, for what the configuration
    /// names there: the MSK cluster's brokers, the SCRAM secret, the credentials IAM signs
    /// with. Otherwise nothing touches the network until the first publish.
    pub async fn connect(config: &KafkaConfig) -> Result<Self, KafkaSetupError> {
        Self::connect_with(config, &Aws::default()).await
    }

    /// [`Publisher::connect`] with AWS settings shared with the rest of the cold start.
    pub(crate) async fn connect_with(
        config: &KafkaConfig,
        aws: &Aws,
    ) -> Result<Self, KafkaSetupError> {
        // Refused before any AWS call: a build without TLS could not use what they return.
        if (config.auth != KafkaAuth::None || config.tls) && !cfg!(feature = "kafka-tls") {
            return Err(KafkaSetupError::TlsNotBuilt);
        }
        let servers = match &config.bootstrap {
            Bootstrap::Servers(servers) => servers.clone(),
            Bootstrap::Msk { cluster_arn } => {
                msk_brokers(aws.config().await, cluster_arn, &config.auth, config.tls).await?
            }
        };
        let credentials = match &config.auth {
            KafkaAuth::None => Credentials::None,
            KafkaAuth::Scram { secret_arn } => {
                Credentials::Scram(scram_secret(aws.config().await, secret_arn).await?)
            }
            KafkaAuth::Iam => Credentials::Iam(IamTokens::for_container(aws.config().await)?),
        };
        let tls = config.tls.then(|| {
            config
                .tls_ca
                .as_deref()
                .map_or(TlsTrust::System, TlsTrust::Ca)
        });
        Self::create(&servers, credentials, tls, config.message_timeout)
    }

    /// A plaintext producer for the brokers `servers`, without any network call.
    pub fn new(servers: &str, message_timeout: Duration) -> Result<Self, KafkaSetupError> {
        Self::create(servers, Credentials::None, None, message_timeout)
    }

    fn create(
        servers: &str,
        credentials: Credentials,
        tls: Option<TlsTrust>,
        message_timeout: Duration,
    ) -> Result<Self, KafkaSetupError> {
        let mut config = ClientConfig::new();
        config
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
            // The brokers create no topic (as on MSK), so one they do not know will not appear
            // by waiting: its events fail as an unknown topic, which the outbox parks, before
            // the message timeout, which it retries without end (librdkafka waits 30 s by
            // default for a new topic to propagate).
            .set(
                "topic.metadata.propagation.max.ms",
                (message_timeout / 2).as_millis().to_string(),
            );
        let sasl = !matches!(credentials, Credentials::None);
        let protocol = match (sasl, tls.is_some()) {
            (false, false) => "plaintext",
            (false, true) => "ssl",
            (true, false) => "sasl_plaintext",
            (true, true) => "sasl_ssl",
        };
        config.set("security.protocol", protocol);
        match tls {
            // OpenSSL is linked in statically, so its built-in CA path is not this system's:
            // librdkafka finds the system's bundle (Amazon Linux: /etc/pki/tls/certs).
            Some(TlsTrust::System) => {
                config.set("ssl.ca.location", "probe");
            }
            Some(TlsTrust::Ca(file)) => {
                config.set("ssl.ca.location", file.to_string_lossy());
            }
            None => {}
        }
        let iam = match credentials {
            Credentials::None => None,
            Credentials::Scram(secret) => {
                config
                    .set("sasl.mechanism", "SCRAM-SHA-512")
                    .set("sasl.username", secret.username)
                    .set("sasl.password", secret.password);
                None
            }
            Credentials::Iam(tokens) => {
                config.set("sasl.mechanism", "OAUTHBEARER");
                Some(Arc::new(tokens))
            }
        };
        let producer = producer(&config, iam.clone()).map_err(KafkaSetupError::Producer)?;
        Ok(Self {
            shared: Arc::new(Shared {
                config,
                iam,
                producer: RwLock::new(producer),
                message_timeout,
            }),
        })
    }

    fn producer(&self) -> FutureProducer<KafkaContext> {
        self.shared
            .producer
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Replaces `failed` with a new producer (a new producer id) when `error` says it may never
    /// deliver again: librdkafka's fatal idempotence errors (after which a producer must be
    /// recreated), and a record that could not be delivered within the whole message timeout.
    /// After a broker restart, an idempotent producer whose records timed out in flight can
    /// stay stuck, every later record timing out as well, until it is recreated (seen in
    /// `functions/appointments/tests/api/faults.rs`: 2 runs of 14 under load relayed nothing
    /// for 30 s after the broker was back). What failed stays in the outbox for the relay.
    fn renew_after(&self, failed: &FutureProducer<KafkaContext>, error: &KafkaError) {
        let never_delivers_again = failed.client().fatal_error().is_some()
            || matches!(
                error.rdkafka_error_code(),
                Some(
                    RDKafkaErrorCode::OutOfOrderSequenceNumber
                        | RDKafkaErrorCode::InvalidProducerEpoch
                        | RDKafkaErrorCode::UnknownProducerId
                        | RDKafkaErrorCode::MessageTimedOut
                )
            );
        if !never_delivers_again {
            return;
        }
        let mut current = self
            .shared
            .producer
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        // Another publish may have renewed it already.
        if !std::ptr::eq(current.client().native_ptr(), failed.client().native_ptr()) {
            return;
        }
        match producer(&self.shared.config, self.shared.iam.clone()) {
            Ok(renewed) => {
                tracing::warn!(error = %error, "this producer may not deliver again; a new one takes over");
                *current = renewed;
            }
            Err(error) => tracing::error!(error = %error, "cannot create a new producer"),
        }
    }

    /// Publishes one CloudEvent record with `headers` beside its content type (a trace
    /// context) and waits until the brokers acknowledged it.
    pub async fn publish(
        &self,
        topic: &str,
        key: &str,
        payload: &[u8],
        headers: &[(&str, &str)],
    ) -> Result<(), KafkaError> {
        // CloudEvents Kafka binding, structured mode.
        let content_type = (
            "content-type",
            "application/cloudevents+json; charset=UTF-8",
        );
        let headers: Vec<_> = std::iter::once(content_type)
            .chain(headers.iter().copied())
            .collect();
        self.publish_with_headers(topic, Some(key.as_bytes()), payload, &headers)
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
        let producer = self.producer();
        match producer.send(record, self.shared.message_timeout).await {
            Ok(_) => Ok(()),
            Err((error, _)) => {
                self.renew_after(&producer, &error);
                Err(error)
            }
        }
    }
}

fn producer(
    config: &ClientConfig,
    iam: Option<Arc<IamTokens>>,
) -> Result<FutureProducer<KafkaContext>, KafkaError> {
    config.create_with_context(KafkaContext { iam })
}
