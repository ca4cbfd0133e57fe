use std::time::Duration;

use url::Url;

/// Where tokens come from and how strictly they are checked.
#[derive(Clone, Debug)]
pub struct AuthConfig {
    /// The Keycloak realm URL, e.g. `http://127.0.0.1:8080/realms/carebook`. Tokens must carry
    /// exactly this `iss`, and discovery is read from `<issuer>/.well-known/openid-configuration`.
    pub issuer: Url,
    /// The client id this API is known by; tokens must list it in `aud` (Keycloak adds it with
    /// an audience mapper).
    pub audience: String,
    /// The JWKS URL, when discovery should be skipped.
    pub jwks_url: Option<Url>,
    /// The shortest time between two key-set fetches, so a flood of tokens naming unknown keys
    /// cannot turn into a flood of requests to the issuer.
    pub refetch_interval: Duration,
    /// Keys older than this are refreshed on next use, so a key removed from the realm stops
    /// being accepted; when the refresh fails the cached keys stay in use.
    pub max_key_age: Duration,
    /// Clock skew tolerated on `exp` and `nbf`.
    pub leeway: Duration,
    /// Timeout of each request to the issuer.
    pub http_timeout: Duration,
}

/// A configuration value is missing or unusable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error("cannot build the HTTP client that fetches the issuer's keys")]
    HttpClient(#[source] reqwest::Error),
}

impl AuthConfig {
    /// Settings with production defaults for the given realm URL and API audience.
    pub fn new(issuer: Url, audience: impl Into<String>) -> Self {
        Self {
            issuer,
            audience: audience.into(),
            jwks_url: None,
            refetch_interval: Duration::from_secs(30),
            max_key_age: Duration::from_secs(600),
            leeway: Duration::from_secs(30),
            http_timeout: Duration::from_secs(5),
        }
    }

    /// Reads `KEYCLOAK_ISSUER` (required), `KEYCLOAK_AUDIENCE` (default `carebook-api`),
    /// `KEYCLOAK_JWKS_URL`, `KEYCLOAK_JWKS_REFETCH_SECONDS` (30), `KEYCLOAK_JWKS_MAX_AGE_SECONDS`
    /// (600) and `KEYCLOAK_LEEWAY_SECONDS` (30) from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`AuthConfig::from_env`], reading variables through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let issuer = lookup("KEYCLOAK_ISSUER").ok_or(ConfigError::Missing("KEYCLOAK_ISSUER"))?;
        let audience = lookup("KEYCLOAK_AUDIENCE").unwrap_or_else(|| "carebook-api".into());
        let mut config = Self::new(parse_url("KEYCLOAK_ISSUER", &issuer)?, audience);
        if let Some(url) = lookup("KEYCLOAK_JWKS_URL") {
            config.jwks_url = Some(parse_url("KEYCLOAK_JWKS_URL", &url)?);
        }
        let seconds = |name: &'static str, default: Duration| match lookup(name) {
            None => Ok(default),
            Some(value) => {
                value
                    .parse()
                    .map(Duration::from_secs)
                    .map_err(|e| ConfigError::Invalid {
                        name,
                        reason: format!("{e}"),
                    })
            }
        };
        config.refetch_interval =
            seconds("KEYCLOAK_JWKS_REFETCH_SECONDS", config.refetch_interval)?;
        config.max_key_age = seconds("KEYCLOAK_JWKS_MAX_AGE_SECONDS", config.max_key_age)?;
        config.leeway = seconds("KEYCLOAK_LEEWAY_SECONDS", config.leeway)?;
        Ok(config)
    }

    /// The issuer exactly as it appears in `iss`: Keycloak writes the realm URL without a
    /// trailing slash, while `Url` may add one to a bare host.
    pub(crate) fn issuer_claim(&self) -> &str {
        self.issuer.as_str().trim_end_matches('/')
    }
}

fn parse_url(name: &'static str, value: &str) -> Result<Url, ConfigError> {
    Url::parse(value).map_err(|e| ConfigError::Invalid {
        name,
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| vars.get(name).cloned()
    }

    #[test]
    fn a_missing_issuer_is_named_in_the_error() {
        let error = AuthConfig::from_lookup(lookup(&[])).unwrap_err();
        assert_eq!(
            error.to_string(),
            "environment variable KEYCLOAK_ISSUER is not set"
        );
    }

    #[test]
    fn defaults_apply_when_only_the_issuer_is_set() {
        let config = AuthConfig::from_lookup(lookup(&[(
            "KEYCLOAK_ISSUER",
            "http://127.0.0.1:8080/realms/carebook",
        )]))
        .unwrap();
        assert_eq!(config.audience, "carebook-api");
        assert_eq!(
            config.issuer_claim(),
            "http://127.0.0.1:8080/realms/carebook"
        );
        assert_eq!(config.refetch_interval, Duration::from_secs(30));
        assert!(config.jwks_url.is_none());
    }

    #[test]
    fn a_non_numeric_interval_is_rejected_with_its_name() {
        let error = AuthConfig::from_lookup(lookup(&[
            ("KEYCLOAK_ISSUER", "http://127.0.0.1:8080/realms/carebook"),
            ("KEYCLOAK_JWKS_REFETCH_SECONDS", "soon"),
        ]))
        .unwrap_err();
        assert!(
            error.to_string().contains("KEYCLOAK_JWKS_REFETCH_SECONDS"),
            "{error}"
        );
    }

    #[test]
    fn an_issuer_that_is_not_a_url_is_rejected() {
        let error =
            AuthConfig::from_lookup(lookup(&[("KEYCLOAK_ISSUER", "not a url")])).unwrap_err();
        assert!(matches!(
            error,
            ConfigError::Invalid {
                name: "KEYCLOAK_ISSUER",
                ..
            }
        ));
    }
}
