//! A client of Keycloak's Admin REST API, signed in as the users service's service account
//! (client credentials), for onboarding: find by email, create with a password, map a role,
//! and delete again what a failed onboarding left.
//!
//! Errors never carry a URL: the user search's URL holds the email (`?email=`), and error
//! chains end up in logs.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::Mutex;
use url::Url;
use uuid::Uuid;

use carebook_auth::Role;

use crate::NewUser;

/// What went wrong talking to Keycloak.
#[derive(Debug, thiserror::Error)]
pub enum KeycloakError {
    #[error(
        "neither KEYCLOAK_ADMIN_CLIENT_SECRET_ARN nor KEYCLOAK_ADMIN_CLIENT_SECRET is set, so users cannot be created"
    )]
    NotConfigured,
    #[error("a user with this email or username already exists in Keycloak")]
    Conflict,
    /// Keycloak's user profile refused fields (e.g. characters it does not allow in names):
    /// our field name -> what is wrong.
    #[error("Keycloak refused the user's fields: {0:?}")]
    Invalid(BTreeMap<String, String>),
    #[error("Keycloak answered {status} to {operation}")]
    Status {
        operation: &'static str,
        status: StatusCode,
    },
    #[error("Keycloak did not say where the new user is")]
    NoLocation,
    #[error("Keycloak could not be reached for {operation}")]
    Http {
        operation: &'static str,
        #[source]
        source: reqwest::Error,
    },
}

/// Keycloak's 400 to a user it will not store: one field error, or several, or a password its
/// policy refuses.
#[derive(Debug, Default, Deserialize)]
struct Refusal {
    field: Option<String>,
    #[serde(rename = "errorMessage")]
    error_message: Option<String>,
    #[serde(default)]
    errors: Vec<Refusal>,
    /// `invalidPassword…` when the realm's password policy refuses the password.
    error: Option<String>,
    /// The policy's words ("Invalid password: minimum length 12."), which never quote the
    /// password.
    error_description: Option<String>,
}

impl Refusal {
    /// Each refused field under the name this API gives it.
    fn fields(self) -> BTreeMap<String, String> {
        let mut fields = BTreeMap::new();
        if self
            .error
            .as_deref()
            .is_some_and(|error| error.starts_with("invalidPassword"))
        {
            fields.insert(
                "password".to_owned(),
                self.error_description
                    .clone()
                    .unwrap_or_else(|| "refused by the realm's password policy".to_owned()),
            );
        }
        for refusal in std::iter::once(&self).chain(&self.errors) {
            let (Some(field), Some(code)) = (&refusal.field, &refusal.error_message) else {
                continue;
            };
            // The username is the email (see `create_user`).
            let field = match field.as_str() {
                "username" | "email" => "email",
                "firstName" => "first_name",
                "lastName" => "last_name",
                other => other,
            };
            let message = if code.contains("invalid-character") {
                "contains a character Keycloak does not allow".to_owned()
            } else {
                format!("refused by Keycloak ({code})")
            };
            fields.entry(field.to_owned()).or_insert(message);
        }
        fields
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: u64,
}

/// The Admin API of the realm whose issuer URL the service trusts.
pub struct KeycloakAdmin {
    http: reqwest::Client,
    token_url: String,
    admin_url: String,
    /// `default-roles-<realm>`, which Keycloak gives every new user.
    default_role: String,
    client_id: String,
    client_secret: Option<String>,
    token: Mutex<Option<(String, Instant)>>,
}

impl KeycloakAdmin {
    /// A client for the realm at `issuer` (`https://host/realms/<realm>`), whose Admin API is
    /// under `admin_base` (Keycloak's `hostname-admin`, often private) or else the issuer's
    /// host; no network call. Tokens come from the issuer's token endpoint, which the service
    /// reaches anyway for its keys.
    pub fn new(
        issuer: Url,
        admin_base: Option<Url>,
        client_id: String,
        client_secret: Option<String>,
    ) -> Result<Self, reqwest::Error> {
        let issuer = issuer.as_str().trim_end_matches('/');
        // Keycloak serves a realm at <base>/realms/<realm> and its Admin API at
        // <base>/admin/realms/<realm>.
        let (issuer_base, realm) = issuer.rsplit_once("/realms/").unwrap_or((issuer, ""));
        let base = admin_base
            .as_ref()
            .map_or(issuer_base, |url| url.as_str().trim_end_matches('/'));
        let admin_url = format!("{base}/admin/realms/{realm}");
        Ok(Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()?,
            token_url: format!("{issuer}/protocol/openid-connect/token"),
            default_role: format!("default-roles-{realm}"),
            admin_url,
            client_id,
            client_secret,
            token: Mutex::new(None),
        })
    }

    /// Whether a Keycloak user has `email`.
    pub async fn email_taken(&self, email: &str) -> Result<bool, KeycloakError> {
        const OPERATION: &str = "a user search";
        let found: Vec<serde::de::IgnoredAny> = self
            .http
            .get(format!("{}/users", self.admin_url))
            .query(&[("email", email), ("exact", "true")])
            .bearer_auth(self.token().await?)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|source| http(OPERATION, source))?
            .json()
            .await
            .map_err(|source| http(OPERATION, source))?;
        Ok(!found.is_empty())
    }

    /// Creates an enabled user with a password and the realm role of `user`; returns the id.
    /// All or nothing: when a step after the creation fails, the user is deleted again.
    ///
    /// The password comes with the user: the service account never resets a password, a
    /// right that would let it take over anyone's account.
    pub async fn create_user(&self, user: &NewUser) -> Result<Uuid, KeycloakError> {
        let token = self.token().await?;
        let response = self
            .http
            .post(format!("{}/users", self.admin_url))
            .bearer_auth(&token)
            .json(&json!({
                "username": user.email,
                "email": user.email,
                "firstName": user.first_name,
                "lastName": user.last_name,
                "enabled": true,
                "emailVerified": false,
                "credentials": [{
                    "type": "password",
                    "value": user.password,
                    "temporary": user.password_temporary,
                }],
            }))
            .send()
            .await
            .map_err(|source| http("creating a user", source))?;
        match response.status() {
            StatusCode::CREATED => {}
            StatusCode::CONFLICT => return Err(KeycloakError::Conflict),
            StatusCode::BAD_REQUEST => {
                let refusal = response.json().await.unwrap_or(Refusal::default());
                return Err(KeycloakError::Invalid(refusal.fields()));
            }
            status => {
                return Err(KeycloakError::Status {
                    operation: "creating a user",
                    status,
                });
            }
        }
        let id = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|location| location.to_str().ok())
            .and_then(|location| location.rsplit('/').next())
            .and_then(|id| Uuid::parse_str(id).ok())
            .ok_or(KeycloakError::NoLocation)?;
        match self.complete(&token, id, user).await {
            Ok(()) => Ok(id),
            Err(error) => {
                self.discard(id).await;
                Err(error)
            }
        }
    }

    /// The role of the new user `id`.
    async fn complete(&self, token: &str, id: Uuid, user: &NewUser) -> Result<(), KeycloakError> {
        self.map_role(token, id, Method::POST, user.role.as_str())
            .await?;
        // Every new Keycloak user holds the realm's default role, which makes self-registered
        // people patients (localstack/keycloak/realm.json); staff are not patients.
        if user.role != Role::Patient {
            self.map_role(token, id, Method::DELETE, &self.default_role)
                .await?;
        }
        Ok(())
    }

    /// Deletes user `id`, whose onboarding failed after the user was created, so that a retry
    /// of the same request finds the email free. A user left behind is logged by id: the
    /// retry then answers 409 and an administrator deletes the user in Keycloak.
    pub async fn discard(&self, id: Uuid) {
        match self.delete_user(id).await {
            Ok(()) => tracing::info!(user_id = %id, "Keycloak user of a failed onboarding deleted"),
            Err(error) => tracing::error!(
                user_id = %id,
                error.message = %error,
                "Keycloak user of a failed onboarding could not be deleted"
            ),
        }
    }

    /// A user already gone is no error.
    async fn delete_user(&self, id: Uuid) -> Result<(), KeycloakError> {
        const OPERATION: &str = "deleting a user";
        let response = self
            .http
            .delete(format!("{}/users/{id}", self.admin_url))
            .bearer_auth(self.token().await?)
            .send()
            .await
            .map_err(|source| http(OPERATION, source))?;
        match response.status() {
            status if status.is_success() || status == StatusCode::NOT_FOUND => Ok(()),
            status => Err(KeycloakError::Status {
                operation: OPERATION,
                status,
            }),
        }
    }

    /// Grants (POST) or takes away (DELETE) the realm role `name` of user `id`.
    async fn map_role(
        &self,
        token: &str,
        id: Uuid,
        method: Method,
        name: &str,
    ) -> Result<(), KeycloakError> {
        let role = self.role(token, name).await?;
        self.send(
            "mapping a role",
            self.http
                .request(
                    method,
                    format!("{}/users/{id}/role-mappings/realm", self.admin_url),
                )
                .bearer_auth(token)
                .json(&json!([role])),
        )
        .await
        .map(drop)
    }

    /// The realm role `name` as the role-mapping endpoints want it (needs `view-realm`).
    async fn role(&self, token: &str, name: &str) -> Result<serde_json::Value, KeycloakError> {
        self.send(
            "reading a role",
            self.http
                .get(format!("{}/roles/{name}", self.admin_url))
                .bearer_auth(token),
        )
        .await?
        .json()
        .await
        .map_err(|source| http("reading a role", source))
    }

    async fn send(
        &self,
        operation: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, KeycloakError> {
        let response = request
            .send()
            .await
            .map_err(|source| http(operation, source))?;
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(KeycloakError::Status {
                operation,
                status: response.status(),
            })
        }
    }

    /// A service-account access token, reused until shortly before it expires.
    async fn token(&self) -> Result<String, KeycloakError> {
        const OPERATION: &str = "a service-account token";
        let secret = self
            .client_secret
            .as_deref()
            .ok_or(KeycloakError::NotConfigured)?;
        let mut cached = self.token.lock().await;
        if let Some((token, expires)) = cached.as_ref()
            && Instant::now() < *expires
        {
            return Ok(token.clone());
        }
        let response: TokenResponse = self
            .http
            .post(&self.token_url)
            .basic_auth(&self.client_id, Some(secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|source| http(OPERATION, source))?
            .json()
            .await
            .map_err(|source| http(OPERATION, source))?;
        // Renew early so a token never expires between this check and Keycloak's.
        let lifetime = Duration::from_secs(response.expires_in.saturating_sub(30));
        *cached = Some((response.access_token.clone(), Instant::now() + lifetime));
        Ok(response.access_token)
    }
}

fn http(operation: &'static str, source: reqwest::Error) -> KeycloakError {
    KeycloakError::Http {
        operation,
        source: source.without_url(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_the_realm_s_policy_refuses_is_named_in_keycloak_s_words() {
        // Keycloak 26.7.3's answer to POST /admin/realms/{realm}/users with a password shorter
        // than the policy's `length(12)`.
        let body = r#"{"error":"invalidPasswordMinLengthMessage","error_description":"Invalid password: minimum length 12."}"#;

        let refusal: Refusal = serde_json::from_str(body).unwrap();

        assert_eq!(
            refusal.fields(),
            BTreeMap::from([(
                "password".to_owned(),
                "Invalid password: minimum length 12.".to_owned()
            )])
        );
    }
}
