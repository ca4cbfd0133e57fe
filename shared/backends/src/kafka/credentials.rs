//! What the producer presents to the brokers, resolved at cold start: MSK's brokers, a SCRAM
//! secret, or IAM tokens signed with the container's credentials.

use std::error::Error;
use std::path::Path;
use std::sync::Arc;
#[cfg(feature = "kafka-tls")]
use std::time::Duration;

use aws_config::SdkConfig;
#[cfg(feature = "kafka-tls")]
use aws_credential_types::provider::SharedCredentialsProvider;
#[cfg(feature = "kafka-tls")]
use aws_types::region::Region;
use rdkafka::client::{ClientContext, OAuthToken};
use serde::Deserialize;

use super::{KafkaAuth, KafkaSetupError};
use crate::secret::secret_string;

/// Which certificate authorities a TLS connection to the brokers trusts.
pub(super) enum TlsTrust<'a> {
    System,
    Ca(&'a Path),
}

/// What the producer presents to the brokers, resolved at cold start.
pub(super) enum Credentials {
    None,
    Scram(ScramSecret),
    Iam(IamTokens),
}

/// The fields of an MSK SCRAM secret.
#[derive(Deserialize)]
pub(super) struct ScramSecret {
    pub(super) username: String,
    pub(super) password: String,
}

/// Signs MSK IAM tokens with the container's credentials, which Lambda rotates.
#[cfg(feature = "kafka-tls")]
pub(super) struct IamTokens {
    region: Region,
    credentials: SharedCredentialsProvider,
    runtime: tokio::runtime::Handle,
}

/// A build without TLS has no IAM: no value of this type exists.
#[cfg(not(feature = "kafka-tls"))]
pub(super) enum IamTokens {}

#[cfg(feature = "kafka-tls")]
impl IamTokens {
    pub(super) fn for_container(aws: &SdkConfig) -> Result<Self, KafkaSetupError> {
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
    pub(super) fn for_container(_aws: &SdkConfig) -> Result<Self, KafkaSetupError> {
        Err(KafkaSetupError::TlsNotBuilt)
    }

    fn token(&self) -> Result<(String, i64), Box<dyn Error>> {
        match *self {}
    }
}

/// librdkafka's callbacks for the producer: MSK IAM tokens when `KAFKA_AUTH=IAM`.
pub struct KafkaContext {
    pub(super) iam: Option<Arc<IamTokens>>,
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

pub(super) async fn msk_brokers(
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

pub(super) async fn scram_secret(
    aws: &SdkConfig,
    arn: &str,
) -> Result<ScramSecret, KafkaSetupError> {
    let failed = |reason: String| KafkaSetupError::ScramSecret {
        arn: arn.to_owned(),
        reason,
    };
    let text = secret_string(aws, arn).await.map_err(failed)?;
    serde_json::from_str(&text)
        .map_err(|_| failed("it is not JSON with username and password".to_owned()))
}

#[cfg(all(test, feature = "kafka-tls"))]
mod tests {
    use super::*;

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

    fn now_ms() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_millis() as i64)
            .unwrap_or_default()
    }
}
