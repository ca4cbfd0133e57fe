use carebook_auth::{AuthConfig, Verifier};
use carebook_backends::{Backends, BackendsConfig};
use carebook_consumer::DeadLetters;

use crate::{CONSUMER, DATABASE_URL_VARIABLE};

/// The analytics service's settings, read once per Lambda container.
#[derive(Clone, Debug)]
pub struct Config {
    /// Token verification (`KEYCLOAK_*`).
    pub auth: AuthConfig,
    /// The service's database and the brokers its dead letters go to
    /// (`ANALYTICS_DATABASE_URL`, `KAFKA_*`, `MSK_CLUSTER_ARN`).
    pub backends: BackendsConfig,
}

/// The service cannot start with the configuration it was given.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Auth(#[from] carebook_auth::ConfigError),
    #[error(transparent)]
    Backends(#[from] carebook_backends::SetupError),
}

impl Config {
    /// Reads the environment; the error names what is missing or wrong.
    pub fn from_env() -> Result<Self, SetupError> {
        Ok(Self {
            auth: AuthConfig::from_env()?,
            backends: BackendsConfig::from_env(DATABASE_URL_VARIABLE)?,
        })
    }
}

/// What an analytics handler builds once per Lambda container.
pub struct App {
    pub(crate) verifier: Verifier,
    pub(crate) backends: Backends,
    pub(crate) dead_letters: DeadLetters,
}

impl App {
    /// Builds the app: a lazy database pool, the Kafka producer for dead letters and the JWKS cache.
    pub async fn new(config: &Config) -> Result<Self, SetupError> {
        let backends = config.backends.connect(DATABASE_URL_VARIABLE).await?;
        Ok(Self {
            verifier: Verifier::new(&config.auth)?,
            dead_letters: DeadLetters::new(CONSUMER, backends.publisher().clone()),
            backends,
        })
    }

    /// Builds the app from the environment ([`Config::from_env`]).
    pub async fn from_env() -> Result<Self, SetupError> {
        Self::new(&Config::from_env()?).await
    }
}

/// Nothing of this service's waits for the answer to be sent.
impl carebook_http::AfterResponse for App {}
