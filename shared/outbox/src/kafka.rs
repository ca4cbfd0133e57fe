use std::error::Error;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use aws_config::SdkConfig;
#[cfg(feature = "kafka-tls")]
use aws_credential_types::provider::SharedCredentialsProvider;
#[cfg(feature = "kafka-tls")]
use aws_types::region::Region;
use rdkafka::ClientConfig;
use rdkafka::client::{ClientContext, OAuthToken};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use serde::Deserialize;

use crate::secret::{Aws, secret_string};

/// Where the Kafka brokers are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bootstrap {
    /// A comma-separated `host:port` list (`KAFKA_BOOTSTRAP_SERVERS`).
    Servers(String),
    /// An MSK cluster whose brokers are looked up with `GetBootstrapBrokers` (`MSK_CLUSTER_ARN`),
    /// on the listener that matches the authentication.
    Msk { cluster_arn: String },
}

/// How the producer proves who it is to the brokers (`KAFKA_AUTH`): the same choice the MSK
/// event sources make for the consumers in `infra/template.yaml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KafkaAuth {
    /// No client authentication (`NONE`): MSK's plaintext or TLS listener, the local broker.
    None,
    /// SASL/SCRAM-SHA-512 (`SASL_SCRAM_512`) with the `username` and `password` of an MSK SCRAM
    /// secret in Secrets Manager (`KAFKA_SCRAM_SECRET_ARN`), read once at cold start.
    Scram { secret_arn: String },
    /// MSK IAM access control (`IAM`): SASL/OAUTHBEARER with short-lived tokens signed with
    /// the function's own role, so no Kafka password exists at all.
    Iam,
}

/// How a service reaches Kafka.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KafkaConfig {
    /// Where the brokers are.
    pub bootstrap: Bootstrap,
    /// How the producer authenticates.
    pub auth: KafkaAuth,
    /// Whether the connection is TLS (`KAFKA_TLS`; by default on exactly when `auth` is not
    /// `None`, as MSK only offers SASL over TLS).
    pub tls: bool,
    /// The PEM file of the CA that signed the brokers' certificates (`KAFKA_TLS_CA_FILE`), for
    /// brokers no public CA vouches for (a self-managed cluster, a test's own broker); with
    /// `None`, the system's CA bundle, which trusts MSK's certificates.
    pub tls_ca: Option<PathBuf>,
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
    #[error("KAFKA_AUTH=SASL_SCRAM_512 needs KAFKA_SCRAM_SECRET_ARN, the MSK SCRAM secret")]
    MissingScramSecret,
    #[error("cannot look up the brokers of MSK cluster {cluster_arn}: {reason}")]
    Msk { cluster_arn: String, reason: String },
    #[error("cannot read the Kafka SCRAM secret {arn}: {reason}")]
    ScramSecret { arn: String, reason: String },
    #[error("KAFKA_AUTH=IAM needs an AWS region and credentials (AWS_REGION, the function's role)")]
    IamUnavailable,
    #[error(
        "KAFKA_AUTH and KAFKA_TLS need a build with TLS: the kafka-tls feature \
         (make build KAFKA_TLS=1, or make deploy with KafkaAuthentication set)"
    )]
    TlsNotBuilt,
    #[error("cannot create the Kafka producer")]
    Producer(#[source] KafkaError),
}

impl KafkaConfig {
    /// Reads `MSK_CLUSTER_ARN` or `KAFKA_BOOTSTRAP_SERVERS`, `KAFKA_AUTH` (with
    /// `KAFKA_SCRAM_SECRET_ARN`), `KAFKA_TLS` and `KAFKA_MESSAGE_TIMEOUT_MS`.
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
        let auth = match non_empty("KAFKA_AUTH")
            .map(|value| value.trim().to_ascii_uppercase())
            .as_deref()
        {
            None | Some("NONE") => KafkaAuth::None,
            Some("SASL_SCRAM_512") => KafkaAuth::Scram {
                secret_arn: non_empty("KAFKA_SCRAM_SECRET_ARN")
                    .ok_or(KafkaSetupError::MissingScramSecret)?,
            },
            Some("IAM") => KafkaAuth::Iam,
            Some(other) => {
                return Err(KafkaSetupError::Invalid {
                    name: "KAFKA_AUTH",
                    expected: "NONE, SASL_SCRAM_512 or IAM",
                    value: other.to_owned(),
                });
            }
        };
        let tls = match non_empty("KAFKA_TLS").as_deref().map(str::trim) {
            None => auth != KafkaAuth::None,
            Some("true") => true,
            Some("false") => false,
            Some(other) => {
                return Err(KafkaSetupError::Invalid {
                    name: "KAFKA_TLS",
                    expected: "true or false",
                    value: other.to_owned(),
                });
            }
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
            auth,
            tls,
            tls_ca: non_empty("KAFKA_TLS_CA_FILE").map(PathBuf::from),
            message_timeout,
        })
    }

    /// The configuration of a plaintext producer for `servers`.
    pub fn with_servers(servers: impl Into<String>) -> Self {
        Self {
            bootstrap: Bootstrap::Servers(servers.into()),
            auth: KafkaAuth::None,
            tls: false,
            tls_ca: None,
            message_timeout: Duration::from_secs(5),
        }
    }
}

/// Which certificate authorities a TLS connection to the brokers trusts.
enum TlsTrust<'a> {
    System,
    Ca(&'a Path),
}

/// What the producer presents to the brokers, resolved at cold start.
enum Credentials {
    None,
    Scram(ScramSecret),
    Iam(IamTokens),
}

/// The fields of an MSK SCRAM secret.
#[derive(Deserialize)]
struct ScramSecret {
    username: String,
    password: String,
}

/// Signs MSK IAM tokens with the container's credentials, which Lambda rotates.
#[cfg(feature = "kafka-tls")]
struct IamTokens {
    region: Region,
    credentials: SharedCredentialsProvider,
    runtime: tokio::runtime::Handle,
}

/// A build without TLS has no IAM: no value of this type exists.
#[cfg(not(feature = "kafka-tls"))]
enum IamTokens {}

#[cfg(feature = "kafka-tls")]
impl IamTokens {
    fn for_container(aws: &SdkConfig) -> Result<Self, KafkaSetupError> {
        Ok(Self {
            region: aws
                .region()
                .cloned()
                .ok_or(KafkaSetupError::IamUnavailable)?,
            credentials: aws
                .credentials_provider()
                .ok_or(KafkaSetupError::IamUnavailable)?,
            runtime: tokio::runtime::Handle::current(),
        })
    }

    /// A token for MSK's `kafka-cluster:Connect` and when it expires (ms since the epoch),
    /// signed on the runtime from a thread outside it.
    fn token(&self) -> Result<(String, i64), Box<dyn Error>> {
        let signing = aws_msk_iam_sasl_signer::generate_auth_token_from_credentials_provider(
            self.region.clone(),
            self.credentials.clone(),
        );
        let signed = self
            .runtime
            .block_on(async { tokio::time::timeout(Duration::from_secs(10), signing).await });
        Ok(signed.map_err(|_| "signing the MSK IAM token timed out")??)
    }
}

#[cfg(not(feature = "kafka-tls"))]
impl IamTokens {
    fn for_container(_aws: &SdkConfig) -> Result<Self, KafkaSetupError> {
        Err(KafkaSetupError::TlsNotBuilt)
    }

    fn token(&self) -> Result<(String, i64), Box<dyn Error>> {
        match *self {}
    }
}

/// librdkafka's callbacks for the producer: MSK IAM tokens when `KAFKA_AUTH=IAM`.
pub struct KafkaContext {
    iam: Option<Arc<IamTokens>>,
}

impl ClientContext for KafkaContext {
    // Without TLS there is no OAUTHBEARER, and librdkafka's refresh handling is left out.
    const ENABLE_REFRESH_OAUTH_TOKEN: bool = cfg!(feature = "kafka-tls");

    /// Called on the producer's own polling thread, outside the async runtime, whenever
    /// librdkafka needs a token (at start and before the last one expires).
    fn generate_oauth_token(&self, _config: Option<&str>) -> Result<OAuthToken, Box<dyn Error>> {
        let iam = self
            .iam
            .as_ref()
            .ok_or("OAUTHBEARER tokens are only made for KAFKA_AUTH=IAM")?;
        let (token, expires_at_ms) = iam.token()?;
        Ok(OAuthToken {
            token,
            // MSK reads the principal from the signed token; librdkafka only needs a name.
            principal_name: "carebook".to_owned(),
            lifetime_ms: expires_at_ms,
        })
    }
}

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
            .set("linger.ms", "0");
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

    /// Replaces `failed` with a new producer (a new producer id) when `error` says the brokers
    /// will refuse everything it sends from now on: librdkafka's fatal idempotence errors
    /// (after which a producer must be recreated). What failed stays in the outbox for the
    /// relay.
    fn renew_after(&self, failed: &FutureProducer<KafkaContext>, error: &KafkaError) {
        let refused_for_good = failed.client().fatal_error().is_some()
            || matches!(
                error.rdkafka_error_code(),
                Some(
                    RDKafkaErrorCode::OutOfOrderSequenceNumber
                        | RDKafkaErrorCode::InvalidProducerEpoch
                        | RDKafkaErrorCode::UnknownProducerId
                )
            );
        if !refused_for_good {
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
                tracing::warn!(error = %error, "the brokers refuse this producer; a new one takes over");
                *current = renewed;
            }
            Err(error) => tracing::error!(error = %error, "cannot create a new producer"),
        }
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

async fn msk_brokers(
    aws: &SdkConfig,
    cluster_arn: &str,
    auth: &KafkaAuth,
    tls: bool,
) -> Result<String, KafkaSetupError> {
    let failed = |reason: String| KafkaSetupError::Msk {
        cluster_arn: cluster_arn.to_owned(),
        reason,
    };
    let brokers = aws_sdk_kafka::Client::new(aws)
        .get_bootstrap_brokers()
        .cluster_arn(cluster_arn)
        .send()
        .await
        .map_err(|error| failed(aws_sdk_kafka::error::DisplayErrorContext(error).to_string()))?;
    // Each authentication has its own listener (port) on MSK.
    let (listener, servers) = match (auth, tls) {
        (KafkaAuth::None, false) => ("plaintext", brokers.bootstrap_broker_string()),
        (KafkaAuth::None, true) => ("TLS", brokers.bootstrap_broker_string_tls()),
        (KafkaAuth::Scram { .. }, _) => {
            ("SASL/SCRAM", brokers.bootstrap_broker_string_sasl_scram())
        }
        (KafkaAuth::Iam, _) => ("IAM", brokers.bootstrap_broker_string_sasl_iam()),
    };
    servers
        .map(str::to_owned)
        .ok_or_else(|| failed(format!("the cluster has no {listener} listener")))
}

async fn scram_secret(aws: &SdkConfig, arn: &str) -> Result<ScramSecret, KafkaSetupError> {
    let failed = |reason: String| KafkaSetupError::ScramSecret {
        arn: arn.to_owned(),
        reason,
    };
    let text = secret_string(aws, arn).await.map_err(failed)?;
    serde_json::from_str(&text)
        .map_err(|_| failed("it is not JSON with username and password".to_owned()))
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

    #[test]
    fn authentication_defaults_to_none_over_plaintext() {
        let config = config(&[("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")]).unwrap();

        assert_eq!((config.auth, config.tls), (KafkaAuth::None, false));
    }

    #[test]
    fn sasl_defaults_to_tls_as_msk_requires() {
        let config = config(&[
            ("MSK_CLUSTER_ARN", "arn:aws:kafka:eu-west-1:1:cluster/c/x"),
            ("KAFKA_AUTH", "iam"),
        ])
        .unwrap();

        assert_eq!((config.auth, config.tls), (KafkaAuth::Iam, true));
    }

    #[test]
    fn scram_reads_its_secret_and_tls_can_be_turned_off() {
        let config = config(&[
            ("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
            ("KAFKA_AUTH", "SASL_SCRAM_512"),
            (
                "KAFKA_SCRAM_SECRET_ARN",
                "arn:aws:secretsmanager:eu-west-1:1:secret:AmazonMSK_x",
            ),
            ("KAFKA_TLS", "false"),
        ])
        .unwrap();

        assert_eq!(
            config.auth,
            KafkaAuth::Scram {
                secret_arn: "arn:aws:secretsmanager:eu-west-1:1:secret:AmazonMSK_x".to_owned()
            }
        );
        assert!(!config.tls);
    }

    #[test]
    fn scram_without_a_secret_says_which_variable_is_missing() {
        let error = config(&[
            ("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
            ("KAFKA_AUTH", "SASL_SCRAM_512"),
        ])
        .unwrap_err();

        assert!(
            error.to_string().contains("KAFKA_SCRAM_SECRET_ARN"),
            "{error}"
        );
    }

    #[test]
    fn an_unknown_authentication_is_refused() {
        let error = config(&[
            ("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
            ("KAFKA_AUTH", "PLAIN"),
        ])
        .unwrap_err();

        assert!(matches!(
            error,
            KafkaSetupError::Invalid {
                name: "KAFKA_AUTH",
                ..
            }
        ));
    }

    #[cfg(feature = "kafka-tls")]
    #[tokio::test(flavor = "multi_thread")]
    async fn iam_tokens_are_signed_for_msk_on_a_thread_outside_the_runtime() {
        use aws_credential_types::Credentials;
        use base64::Engine;

        let context = KafkaContext {
            iam: Some(Arc::new(IamTokens {
                region: Region::new("eu-west-1"),
                credentials: SharedCredentialsProvider::new(Credentials::new(
                    "AKIDEXAMPLE",
                    "wJalrXUtnFEMI",
                    None,
                    None,
                    "test",
                )),
                runtime: tokio::runtime::Handle::current(),
            })),
        };

        // librdkafka calls back on its own thread, which is not a runtime worker.
        let token = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    context
                        .generate_oauth_token(None)
                        .map_err(|e| e.to_string())
                })
                .join()
                .unwrap()
        })
        .unwrap();

        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token.token.trim_end_matches('='))
            .unwrap();
        let url = String::from_utf8(url).unwrap();
        assert!(
            url.starts_with("https://kafka.eu-west-1.amazonaws.com/?"),
            "{url}"
        );
        assert!(url.contains("Action=kafka-cluster%3AConnect"), "{url}");
        assert!(url.contains("X-Amz-Signature="), "{url}");
        assert!(token.lifetime_ms > now_ms(), "the token is already expired");
    }

    #[cfg(feature = "kafka-tls")]
    fn now_ms() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_millis() as i64)
            .unwrap_or_default()
    }
}
