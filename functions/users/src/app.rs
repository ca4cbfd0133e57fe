use carebook_auth::{AuthConfig, Verifier};
use carebook_backends::{Backends, BackendsConfig};
use carebook_outbox::Outbox;
use url::Url;

use crate::{DATABASE_URL_VARIABLE, KeycloakAdmin};

/// The users service's settings, read once per Lambda container.
#[derive(Clone, Debug)]
pub struct Config {
    /// Token verification (`KEYCLOAK_*`).
    pub auth: AuthConfig,
    /// The service's database and brokers (`USERS_DATABASE_URL`, `KAFKA_*`, `MSK_CLUSTER_ARN`).
    pub backends: BackendsConfig,
    /// Where Keycloak's Admin API is (`KEYCLOAK_ADMIN_URL`, Keycloak's base URL before
    /// `/admin`); default the issuer's host.
    pub admin_url: Option<Url>,
    /// The confidential client whose service account calls Keycloak's Admin API
    /// (`KEYCLOAK_ADMIN_CLIENT_ID`, default `carebook-users-service`).
    pub admin_client_id: String,
    /// Its secret. Only `POST /users` needs it.
    pub admin_client_secret: Option<ClientSecret>,
}

/// Where the Admin API client's secret is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientSecret {
    /// The secret itself (`KEYCLOAK_ADMIN_CLIENT_SECRET`), as the local stack gives it.
    Value(String),
    /// A Secrets Manager secret whose text is the client secret
    /// (`KEYCLOAK_ADMIN_CLIENT_SECRET_ARN`), read once at cold start, as in AWS, where no
    /// secret belongs in an environment variable.
    Secret(String),
}

/// The service cannot start with the configuration it was given.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Auth(#[from] carebook_auth::ConfigError),
    #[error(transparent)]
    Backends(#[from] carebook_backends::SetupError),
    #[error("cannot build the Keycloak Admin API client")]
    Keycloak(#[source] reqwest::Error),
    #[error("KEYCLOAK_ADMIN_URL must be a URL, not {0:?}")]
    AdminUrl(String),
    #[error("cannot read the Keycloak client secret {arn}: {reason}")]
    ClientSecret { arn: String, reason: String },
}

impl Config {
    /// Reads the environment; the error names what is missing or wrong.
    pub fn from_env() -> Result<Self, SetupError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`Config::from_env`], from `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SetupError> {
        let set = |name: &str| lookup(name).filter(|value| !value.is_empty());
        let admin_url = set("KEYCLOAK_ADMIN_URL")
            .map(|url| Url::parse(&url).map_err(|_| SetupError::AdminUrl(url)))
            .transpose()?;
        let admin_client_secret = set("KEYCLOAK_ADMIN_CLIENT_SECRET_ARN")
            .map(ClientSecret::Secret)
            .or_else(|| set("KEYCLOAK_ADMIN_CLIENT_SECRET").map(ClientSecret::Value));
        Ok(Self {
            auth: AuthConfig::from_lookup(&lookup)?,
            backends: BackendsConfig::from_lookup(DATABASE_URL_VARIABLE, &lookup)?,
            admin_url,
            admin_client_id: lookup("KEYCLOAK_ADMIN_CLIENT_ID")
                .unwrap_or_else(|| "carebook-users-service".to_owned()),
            admin_client_secret,
        })
    }
}

/// What a users handler builds once per Lambda container and borrows on every invocation.
pub struct App {
    pub(crate) verifier: Verifier,
    pub(crate) backends: Backends,
    pub(crate) outbox: Outbox,
    pub(crate) keycloak: KeycloakAdmin,
}

impl App {
    /// Builds the app: a lazy database pool, the Kafka producer, the JWKS cache and the
    /// Admin API client with its secret.
    pub async fn new(config: &Config) -> Result<Self, SetupError> {
        let backends = config.backends.connect(DATABASE_URL_VARIABLE).await?;
        let client_secret = match &config.admin_client_secret {
            None => None,
            Some(ClientSecret::Value(secret)) => Some(secret.clone()),
            Some(ClientSecret::Secret(arn)) => {
                Some(backends.read_secret(arn).await.map_err(|reason| {
                    SetupError::ClientSecret {
                        arn: arn.clone(),
                        reason,
                    }
                })?)
            }
        };
        Ok(Self {
            verifier: Verifier::new(&config.auth)?,
            outbox: Outbox::new(&backends),
            backends,
            keycloak: KeycloakAdmin::new(
                config.auth.issuer.clone(),
                config.admin_url.clone(),
                config.admin_client_id.clone(),
                client_secret,
            )
            .map_err(SetupError::Keycloak)?,
        })
    }

    /// Builds the app from the environment ([`Config::from_env`]).
    pub async fn from_env() -> Result<Self, SetupError> {
        Self::new(&Config::from_env()?).await
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

#[cfg(test)]
mod tests {
    use super::*;

    fn config(variables: &[(&str, &str)]) -> Result<Config, SetupError> {
        let mut all = vec![
            (
                "KEYCLOAK_ISSUER",
                "https://auth.clinic.example/realms/carebook",
            ),
            (DATABASE_URL_VARIABLE, "postgres://localhost/users"),
            ("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092"),
        ];
        all.extend_from_slice(variables);
        Config::from_lookup(|name| {
            all.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    #[test]
    fn in_aws_the_client_secret_is_read_from_its_secret_and_the_admin_url_is_its_own() {
        // The example secret's ARN in AWS's get-secret-value reference:
        // https://docs.aws.amazon.com/cli/latest/reference/secretsmanager/get-secret-value.html
        let arn = "arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestSecret-a1b2c3";

        let config = config(&[
            ("KEYCLOAK_ADMIN_CLIENT_SECRET_ARN", arn),
            ("KEYCLOAK_ADMIN_CLIENT_SECRET", "stale"),
            ("KEYCLOAK_ADMIN_URL", "https://keycloak.internal:8443"),
        ])
        .unwrap();

        assert_eq!(
            config.admin_client_secret,
            Some(ClientSecret::Secret(arn.to_owned()))
        );
        assert_eq!(
            config.admin_url.map(String::from),
            Some("https://keycloak.internal:8443/".to_owned())
        );
    }

    #[test]
    fn locally_the_client_secret_is_a_variable_and_a_bad_admin_url_is_named() {
        let local = config(&[("KEYCLOAK_ADMIN_CLIENT_SECRET", "dev")]).unwrap();
        let bad = config(&[("KEYCLOAK_ADMIN_URL", "keycloak.internal")]).unwrap_err();

        assert_eq!(
            local.admin_client_secret,
            Some(ClientSecret::Value("dev".to_owned()))
        );
        assert_eq!(local.admin_url, None);
        assert!(bad.to_string().contains("KEYCLOAK_ADMIN_URL"), "{bad}");
    }
}
