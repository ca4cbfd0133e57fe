use anyhow::Context as _;
use carebook_auth::{AuthConfig, Verifier};
use carebook_outbox::{Outbox, OutboxConfig};
use sqlx::pool::PoolConnection;
use sqlx::{Postgres, Transaction};

use crate::{DATABASE_URL_VARIABLE, KeycloakAdmin};

/// The users service's settings, read once per Lambda container.
#[derive(Clone, Debug)]
pub struct Config {
    /// Token verification (`KEYCLOAK_*`).
    pub auth: AuthConfig,
    /// The service's database and brokers (`USERS_DATABASE_URL`, `KAFKA_*`, `MSK_CLUSTER_ARN`).
    pub outbox: OutboxConfig,
    /// The confidential client whose service account calls Keycloak's Admin API
    /// (`KEYCLOAK_ADMIN_CLIENT_ID`, default `carebook-users-service`).
    pub admin_client_id: String,
    /// Its secret (`KEYCLOAK_ADMIN_CLIENT_SECRET`; Secrets Manager in AWS). Only `POST /users`
    /// needs it.
    pub admin_client_secret: Option<String>,
}

/// The service cannot start with the configuration it was given.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Auth(#[from] carebook_auth::ConfigError),
    #[error(transparent)]
    Outbox(#[from] carebook_outbox::SetupError),
    #[error("cannot build the Keycloak Admin API client")]
    Keycloak(#[source] reqwest::Error),
}

impl Config {
    /// Reads the environment; the error names what is missing or wrong.
    pub fn from_env() -> Result<Self, SetupError> {
        let lookup = |name: &str| std::env::var(name).ok();
        Ok(Self {
            auth: AuthConfig::from_env()?,
            outbox: OutboxConfig::from_lookup(DATABASE_URL_VARIABLE, lookup)?,
            admin_client_id: lookup("KEYCLOAK_ADMIN_CLIENT_ID")
                .unwrap_or_else(|| "carebook-users-service".to_owned()),
            admin_client_secret: lookup("KEYCLOAK_ADMIN_CLIENT_SECRET").filter(|s| !s.is_empty()),
        })
    }
}

/// What a users handler builds once per Lambda container and borrows on every invocation.
pub struct App {
    pub(crate) verifier: Verifier,
    pub(crate) outbox: Outbox,
    pub(crate) keycloak: KeycloakAdmin,
}

impl App {
    /// Builds the app: a lazy database pool, the Kafka producer and the JWKS cache.
    pub async fn new(config: &Config) -> Result<Self, SetupError> {
        Ok(Self {
            verifier: Verifier::new(&config.auth)?,
            outbox: config.outbox.connect(DATABASE_URL_VARIABLE).await?,
            keycloak: KeycloakAdmin::new(
                config.auth.issuer.clone(),
                config.admin_client_id.clone(),
                config.admin_client_secret.clone(),
            )
            .map_err(SetupError::Keycloak)?,
        })
    }

    /// Builds the app from the environment ([`Config::from_env`]).
    pub async fn from_env() -> Result<Self, SetupError> {
        Self::new(&Config::from_env()?).await
    }
}

impl App {
    /// A connection from the service's pool.
    pub(crate) async fn connection(&self) -> anyhow::Result<PoolConnection<Postgres>> {
        self.outbox
            .pool()
            .acquire()
            .await
            .context("getting a database connection")
    }

    /// A transaction on a connection from the service's pool.
    pub(crate) async fn transaction(&self) -> anyhow::Result<Transaction<'static, Postgres>> {
        self.outbox
            .pool()
            .begin()
            .await
            .context("starting a transaction")
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
