use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgSslMode};
use sqlx::{Connection, PgPool, Postgres, Transaction};

use crate::secret::{Aws, secret_string};
use crate::{KafkaConfig, KafkaSetupError, Publisher};

/// How long a pooled connection may sit unused before it is pinged before its next use.
const IDLE_BEFORE_CHECK: Duration = Duration::from_secs(5);

/// The most connections one Lambda instance holds: it serves one invocation at a time, so two
/// cover the change and the publish after it. The template's reserved concurrency times this
/// stays under the database's connection budget (README, "Guardrails").
pub const POOL_SIZE: u32 = 2;

/// Where a service's database is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Database {
    /// A PostgreSQL URL (`<SERVICE>_DATABASE_URL`), as the local stack gives it.
    Url(String),
    /// The ARN of a Secrets Manager secret in RDS's format (`host`, `port`, `username`,
    /// `password`, `dbname`; `<SERVICE>_DATABASE_SECRET_ARN`), read once at cold start, as in
    /// AWS, where no password belongs in an environment variable. The connection is TLS with
    /// the server's certificate and name verified (`verify-full`): in a VPC, a password sent
    /// to whoever answers on the database's address is a password given away.
    Secret {
        arn: String,
        /// Certificate authorities trusted besides the public ones (`DATABASE_CA_FILE`): RDS
        /// signs its servers with its own CAs (the RDS bundle); RDS Proxy's certificates are
        /// public, so a proxy needs none.
        ca_file: Option<PathBuf>,
    },
}

/// Where a service keeps its data and sends its events.
#[derive(Clone, Debug)]
pub struct BackendsConfig {
    /// The service's own database.
    pub database: Database,
    /// The brokers.
    pub kafka: KafkaConfig,
    /// How long a handler waits to publish its events after commit before leaving them to the
    /// relay (`OUTBOX_PUBLISH_BUDGET_MS`, default 1000): a broker outage slows answers by at
    /// most this much.
    pub publish_budget: Duration,
}

/// A service's connections, made once per Lambda container: its database and its brokers.
#[derive(Clone)]
pub struct Backends {
    pool: PgPool,
    publisher: Publisher,
    publish_budget: Duration,
    aws: Arc<Aws>,
}

/// What failed in the service's database, and at which step.
#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error("getting a database connection")]
    Connection(#[source] sqlx::Error),
    #[error("starting a transaction")]
    Transaction(#[source] sqlx::Error),
    #[error("a database statement failed")]
    Statement(#[from] sqlx::Error),
}

impl Backends {
    /// A connection from the service's pool.
    pub async fn connection(&self) -> Result<PoolConnection<Postgres>, DatabaseError> {
        self.pool.acquire().await.map_err(DatabaseError::Connection)
    }

    /// A transaction on a connection from the service's pool.
    pub async fn transaction(&self) -> Result<Transaction<'static, Postgres>, DatabaseError> {
        self.pool.begin().await.map_err(DatabaseError::Transaction)
    }

    /// The producer, for the outbox and for dead letters.
    pub fn publisher(&self) -> &Publisher {
        &self.publisher
    }

    /// How long a handler waits for the brokers after its answer before leaving its events to
    /// the relay ([`BackendsConfig::publish_budget`]).
    pub fn publish_budget(&self) -> Duration {
        self.publish_budget
    }

    /// Reads the text of the Secrets Manager secret `arn`, for a service's own secrets (the
    /// users service's Keycloak client secret), with the AWS settings the cold start already
    /// loaded. The error names what failed, never the secret's content.
    pub async fn read_secret(&self, arn: &str) -> Result<String, String> {
        secret_string(self.aws.config().await, arn).await
    }
}

/// The service's database or brokers are not configured right.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("set {0}")]
    Missing(String),
    #[error("{name} must be {expected}, not {value:?}")]
    Invalid {
        name: &'static str,
        expected: &'static str,
        value: String,
    },
    #[error("{0} is not a usable PostgreSQL URL")]
    DatabaseUrl(&'static str, #[source] sqlx::Error),
    #[error("cannot read the database secret {arn}: {reason}")]
    DatabaseSecret { arn: String, reason: String },
    #[error(transparent)]
    Kafka(#[from] KafkaSetupError),
}

impl BackendsConfig {
    /// Reads the database from `<SERVICE>_DATABASE_SECRET_ARN` or else `database_variable`
    /// (`<SERVICE>_DATABASE_URL`), then Kafka and the publish budget.
    pub fn from_lookup(
        database_variable: &'static str,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, SetupError> {
        let secret_variable = format!("{}SECRET_ARN", database_variable.trim_end_matches("URL"));
        let set = |name: &str| lookup(name).filter(|value| !value.is_empty());
        let database = match (set(&secret_variable), set(database_variable)) {
            (Some(arn), _) => Database::Secret {
                arn,
                ca_file: set("DATABASE_CA_FILE").map(PathBuf::from),
            },
            (None, Some(url)) => Database::Url(url),
            (None, None) => {
                return Err(SetupError::Missing(format!(
                    "{database_variable} or {secret_variable}"
                )));
            }
        };
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
            database,
            kafka: KafkaConfig::from_lookup(&lookup)?,
            publish_budget,
        })
    }

    /// Like [`BackendsConfig::from_lookup`], from the environment.
    pub fn from_env(database_variable: &'static str) -> Result<Self, SetupError> {
        Self::from_lookup(database_variable, |name| std::env::var(name).ok())
    }

    /// A lazy pool and the producer: no connection is made until the first query; only the
    /// database secret and the MSK broker lookup (when configured) touch the network.
    pub async fn connect(&self, database_variable: &'static str) -> Result<Backends, SetupError> {
        let aws = Arc::new(Aws::default());
        let options: PgConnectOptions = match &self.database {
            Database::Url(url) => url
                .parse()
                .map_err(|error| SetupError::DatabaseUrl(database_variable, error))?,
            Database::Secret { arn, ca_file } => {
                let options = secret_options(&aws, arn)
                    .await?
                    .ssl_mode(PgSslMode::VerifyFull);
                match ca_file {
                    Some(ca_file) => options.ssl_root_cert(ca_file),
                    None => options,
                }
            }
        };
        let pool: PgPool = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            .acquire_timeout(Duration::from_secs(5))
            // A ping costs a round trip per request; only a connection that sat idle (Lambda
            // froze the process between invocations) may have been dropped by the server or
            // a NAT on the way, so only such a connection is checked before use.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for < IDLE_BEFORE_CHECK {
                        return Ok(true);
                    }
                    Ok(conn.ping().await.is_ok())
                })
            })
            .connect_lazy_with(options);
        let publisher = Publisher::connect_with(&self.kafka, &aws).await?;
        Ok(Backends {
            pool,
            publisher,
            publish_budget: self.publish_budget,
            aws,
        })
    }
}

/// The fields of an RDS database secret that a connection needs.
#[derive(Deserialize)]
struct RdsSecret {
    host: String,
    port: Option<u16>,
    username: String,
    password: String,
    dbname: Option<String>,
}

async fn secret_options(aws: &Aws, arn: &str) -> Result<PgConnectOptions, SetupError> {
    let failed = |reason: String| SetupError::DatabaseSecret {
        arn: arn.to_owned(),
        reason,
    };
    let text = secret_string(aws.config().await, arn)
        .await
        .map_err(failed)?;
    // Only the field names are reported: the secret's text holds the password.
    let secret: RdsSecret = serde_json::from_str(&text)
        .map_err(|_| failed("it is not JSON with host, username and password".to_owned()))?;
    let mut options = PgConnectOptions::new()
        .host(&secret.host)
        .port(secret.port.unwrap_or(5432))
        .username(&secret.username)
        .password(&secret.password);
    if let Some(database) = &secret.dbname {
        options = options.database(database);
    }
    Ok(options)
}
