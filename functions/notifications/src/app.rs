use carebook_auth::{AuthConfig, Verifier};
use carebook_backends::{Backends, BackendsConfig};
use carebook_consumer::DeadLetters;
use chrono_tz::Tz;

use crate::{CONSUMER, DATABASE_URL_VARIABLE, Mailer};

/// The notifications service's settings, read once per Lambda container.
#[derive(Clone, Debug)]
pub struct Config {
    /// Token verification (`KEYCLOAK_*`).
    pub auth: AuthConfig,
    /// The service's database and the brokers its dead letters go to
    /// (`NOTIFICATIONS_DATABASE_URL`, `KAFKA_*`, `MSK_CLUSTER_ARN`).
    pub backends: BackendsConfig,
    /// The verified SES identity emails come from (`NOTIFICATIONS_SENDER`, default
    /// `Carebook <no-reply@carebook.test>`, which the local stack verifies).
    pub sender: String,
    /// The time zone times are shown in (`CLINIC_TIME_ZONE`, default UTC).
    pub time_zone: Tz,
    /// Another SES endpoint than the SDK's (which reads `AWS_ENDPOINT_URL`); for tests.
    pub ses_endpoint: Option<String>,
}

/// The service cannot start with the configuration it was given.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Auth(#[from] carebook_auth::ConfigError),
    #[error(transparent)]
    Backends(#[from] carebook_backends::SetupError),
    #[error("CLINIC_TIME_ZONE must be an IANA time zone, not {0:?}")]
    TimeZone(String),
}

impl Config {
    /// Reads the environment; the error names what is missing or wrong.
    pub fn from_env() -> Result<Self, SetupError> {
        let lookup = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Ok(Self {
            auth: AuthConfig::from_env()?,
            backends: BackendsConfig::from_env(DATABASE_URL_VARIABLE)?,
            sender: lookup("NOTIFICATIONS_SENDER")
                .unwrap_or_else(|| "Carebook <no-reply@carebook.test>".to_owned()),
            time_zone: match lookup("CLINIC_TIME_ZONE") {
                None => Tz::UTC,
                Some(zone) => zone.parse().map_err(|_| SetupError::TimeZone(zone))?,
            },
            ses_endpoint: None,
        })
    }
}

/// What a notifications handler builds once per Lambda container.
pub struct App {
    pub(crate) verifier: Verifier,
    pub(crate) backends: Backends,
    pub(crate) dead_letters: DeadLetters,
    pub(crate) mailer: Mailer,
    pub(crate) time_zone: Tz,
}

impl App {
    /// Builds the app: a lazy database pool, the Kafka producer for dead letters, the SES client and the JWKS
    /// cache.
    pub async fn new(config: &Config) -> Result<Self, SetupError> {
        let backends = config.backends.connect(DATABASE_URL_VARIABLE).await?;
        Ok(Self {
            verifier: Verifier::new(&config.auth)?,
            dead_letters: DeadLetters::new(CONSUMER, backends.publisher().clone()),
            backends,
            mailer: Mailer::new(config.sender.clone(), config.ses_endpoint.as_deref()).await,
            time_zone: config.time_zone,
        })
    }

    /// Builds the app from the environment ([`Config::from_env`]).
    pub async fn from_env() -> Result<Self, SetupError> {
        Self::new(&Config::from_env()?).await
    }
}

/// Nothing of this service's waits for the answer to be sent.
impl carebook_http::AfterResponse for App {}
