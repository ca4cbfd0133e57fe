//! What the service is told about its brokers: where they are and how to authenticate.

use std::path::PathBuf;
use std::time::Duration;

use rdkafka::error::KafkaError;

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
    /// `KAFKA_SCRAM_SECRET_ARN`), `KAFKA_TLS` and `KAFKA_MESSAGE_TIMEOUT_MS` through `lookup`.
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
}
