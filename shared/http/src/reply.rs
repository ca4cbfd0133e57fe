use std::fmt;

use carebook_auth::{AuthError, Principal, Verifier};
use lambda_http::http::{StatusCode, header};
use lambda_http::{Body, Request, Response, service_fn};
use serde::Serialize;

use crate::Problem;

/// The verified caller of `request`, from its `Authorization: Bearer <token>` header.
pub async fn authenticate(request: &Request, verifier: &Verifier) -> Result<Principal, AuthError> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .ok_or(AuthError::MissingToken)?;
    // RFC 6750: the scheme is case-insensitive.
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => return Err(AuthError::MissingToken),
    };
    verifier.verify(token).await
}

/// A JSON response with `status`.
pub fn json(status: StatusCode, body: &impl Serialize) -> Response<Body> {
    match serde_json::to_string(body) {
        Ok(body) => Response::builder()
            .status(status)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap_or_else(|_| Problem::internal().into_response()),
        Err(error) => {
            tracing::error!(error.message = %error, "response body did not serialize");
            Problem::internal().into_response()
        }
    }
}

/// The response for a handler's outcome. Server-side failures (5xx) are logged here, once,
/// with their cause chain; clients get a problem that reveals nothing internal.
pub fn respond<E>(result: Result<Response<Body>, E>) -> Response<Body>
where
    E: Into<Problem> + fmt::Display + fmt::Debug,
{
    match result {
        Ok(response) => response,
        Err(error) => {
            let message = error.to_string();
            let chain = format!("{error:?}");
            let problem: Problem = error.into();
            if problem.status().is_server_error() {
                tracing::error!(error.message = %message, error.cause_chain = %chain, "request failed");
            }
            problem.into_response()
        }
    }
}

/// A service's health document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health<'a> {
    pub service: &'a str,
    pub version: &'a str,
    /// Always `ok`: a service that answers is up.
    #[schema(pattern = "^ok$")]
    pub status: &'a str,
}

/// The health document of a service: name, version, status.
pub fn health(service: &str, version: &str) -> Response<Body> {
    json(
        StatusCode::OK,
        &Health {
            service,
            version,
            status: "ok",
        },
    )
}

/// Runs a Lambda that answers every request with [`health`].
pub async fn serve_health(
    service: &'static str,
    version: &'static str,
) -> Result<(), lambda_http::Error> {
    lambda_http::tracing::init_default_subscriber();
    lambda_http::run(service_fn(move |_: Request| async move {
        Ok::<_, std::convert::Infallible>(health(service, version))
    }))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_request_without_bearer_credentials_is_unauthenticated() {
        let verifier = Verifier::new(&carebook_testkit::Keycloak::local().auth_config()).unwrap();
        for header in [
            None,
            Some("Basic YWRtaW46YWRtaW4="),
            Some("Bearer"),
            Some("token-without-scheme"),
        ] {
            let mut request = Request::new(Body::Empty);
            if let Some(value) = header {
                request
                    .headers_mut()
                    .insert(header::AUTHORIZATION, value.parse().unwrap());
            }
            let error = authenticate(&request, &verifier).await.unwrap_err();
            assert!(
                matches!(error, AuthError::MissingToken),
                "{header:?}: {error:?}"
            );
        }
    }

    #[tokio::test]
    async fn the_bearer_scheme_is_case_insensitive() {
        let keycloak = carebook_testkit::Keycloak::local();
        let verifier = Verifier::new(&keycloak.auth_config()).unwrap();
        let mut request = Request::new(Body::Empty);
        let value = format!("bearer {}", keycloak.seeded("patient").await.token);
        request
            .headers_mut()
            .insert(header::AUTHORIZATION, value.parse().unwrap());

        let principal = authenticate(&request, &verifier).await.unwrap();

        assert_eq!(principal.username(), Some("patient"));
    }
}
