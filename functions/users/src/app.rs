use carebook_auth::{AuthConfig, AuthError, ConfigError, Role, Verifier};
use carebook_http::{authenticate, json, respond};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use crate::Profile;

/// What a users handler builds once per Lambda container and borrows on every invocation.
pub struct App {
    verifier: Verifier,
}

impl App {
    /// Builds the app without touching the network.
    pub fn new(auth: &AuthConfig) -> Result<Self, ConfigError> {
        Ok(Self {
            verifier: Verifier::new(auth)?,
        })
    }

    /// Builds the app from the `KEYCLOAK_*` environment variables.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::new(&AuthConfig::from_env()?)
    }

    /// `GET /users/me`: the signed-in Carebook user's profile, from their token.
    #[tracing::instrument(skip_all)]
    pub async fn get_profile(&self, request: &Request) -> Response<Body> {
        respond(
            self.profile(request)
                .await
                .map(|profile| json(StatusCode::OK, &profile)),
        )
    }

    async fn profile(&self, request: &Request) -> Result<Profile, AuthError> {
        let principal = authenticate(request, &self.verifier).await?;
        principal.require_any(&Role::ALL)?;
        Ok(Profile::from(&principal))
    }
}
