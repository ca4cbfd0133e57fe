use carebook_auth::{AuthConfig, Verifier};
use carebook_backends::{Backends, BackendsConfig};
use carebook_consumer::DeadLetters;
use carebook_outbox::Outbox;

use crate::{BookingRules, DATABASE_URL_VARIABLE, WorkingHours};

/// The appointments service's settings, read once per Lambda container.
#[derive(Clone, Debug)]
pub struct Config {
    /// Token verification (`KEYCLOAK_*`).
    pub auth: AuthConfig,
    /// The service's database and brokers (`APPOINTMENTS_DATABASE_URL`, `KAFKA_*`,
    /// `MSK_CLUSTER_ARN`, `OUTBOX_PUBLISH_BUDGET_MS`).
    pub backends: BackendsConfig,
    /// When the clinic offers appointments (`CLINIC_*`).
    pub hours: WorkingHours,
    /// The clinic's booking policy (`MAX_OPEN_APPOINTMENTS_PER_PATIENT`).
    pub rules: BookingRules,
}

/// The service cannot start with the configuration it was given.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Auth(#[from] carebook_auth::ConfigError),
    #[error(transparent)]
    Backends(#[from] carebook_backends::SetupError),
    #[error("{0}")]
    Clinic(String),
}

impl Config {
    /// Reads the environment; the error names what is missing or wrong.
    pub fn from_env() -> Result<Self, SetupError> {
        let lookup = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Ok(Self {
            auth: AuthConfig::from_env()?,
            backends: BackendsConfig::from_lookup(DATABASE_URL_VARIABLE, lookup)?,
            hours: WorkingHours::from_lookup(lookup).map_err(SetupError::Clinic)?,
            rules: BookingRules::from_lookup(lookup).map_err(SetupError::Clinic)?,
        })
    }
}

/// What an appointments handler builds once per Lambda container and borrows on every
/// invocation.
pub struct App {
    pub(crate) verifier: Verifier,
    pub(crate) backends: Backends,
    pub(crate) outbox: Outbox,
    pub(crate) hours: WorkingHours,
    pub(crate) rules: BookingRules,
    pub(crate) dead_letters: DeadLetters,
}

impl App {
    /// Builds the app: a lazy database pool, the Kafka producer and the JWKS cache.
    pub async fn new(config: &Config) -> Result<Self, SetupError> {
        let backends = config.backends.connect(DATABASE_URL_VARIABLE).await?;
        Ok(Self {
            verifier: Verifier::new(&config.auth)?,
            dead_letters: DeadLetters::new(crate::CONSUMER, backends.publisher().clone()),
            outbox: Outbox::new(&backends),
            backends,
            hours: config.hours,
            rules: config.rules,
        })
    }

    /// Builds the app from the environment ([`Config::from_env`]).
    pub async fn from_env() -> Result<Self, SetupError> {
        Self::new(&Config::from_env()?).await
    }

    /// The outbox, for the relay and for tests.
    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }
}

impl carebook_http::AfterResponse for App {
    fn deferring(self) -> Self {
        Self {
            outbox: self.outbox.deferring(),
            ..self
        }
    }

    async fn after_response(&self) {
        self.outbox.publish_deferred().await;
    }
}
