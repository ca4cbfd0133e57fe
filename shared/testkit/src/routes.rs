//! Keycloak's URL layout for one realm: discovery, JWKS and the token endpoint.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::json;

use crate::issuer::{OAuthError, Shared};
use crate::realm::Client;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/realms/{realm}/.well-known/openid-configuration",
            get(discovery),
        )
        .route("/realms/{realm}/protocol/openid-connect/certs", get(certs))
        .route("/realms/{realm}/protocol/openid-connect/token", post(token))
        .merge(crate::admin::router())
        .with_state(shared)
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    username: Option<String>,
    password: Option<String>,
    refresh_token: Option<String>,
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let body = json!({ "error": self.error, "error_description": self.description });
        (status, Json(body)).into_response()
    }
}

fn realm_not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({ "error": "Realm does not exist" })),
    )
        .into_response()
}

async fn discovery(State(shared): State<Arc<Shared>>, Path(realm): Path<String>) -> Response {
    if realm != shared.realm.realm {
        return realm_not_found();
    }
    let issuer = &shared.issuer;
    Json(json!({
        "issuer": issuer,
        "token_endpoint": format!("{issuer}/protocol/openid-connect/token"),
        "jwks_uri": format!("{issuer}/protocol/openid-connect/certs"),
        "grant_types_supported": ["password", "client_credentials", "refresh_token"],
        "response_types_supported": ["token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    }))
    .into_response()
}

async fn certs(State(shared): State<Arc<Shared>>, Path(realm): Path<String>) -> Response {
    if realm != shared.realm.realm {
        return realm_not_found();
    }
    Json(shared.jwks()).into_response()
}

async fn token(
    State(shared): State<Arc<Shared>>,
    Path(realm): Path<String>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    if realm != shared.realm.realm {
        return realm_not_found();
    }
    match issue(&shared, &headers, &form) {
        Ok(body) => Json(body).into_response(),
        Err(error) => error.into_response(),
    }
}

fn issue(
    shared: &Shared,
    headers: &HeaderMap,
    form: &TokenForm,
) -> Result<serde_json::Value, OAuthError> {
    let grant = form.grant_type.as_deref().ok_or(OAuthError {
        status: 400,
        error: "invalid_request",
        description: "Missing form parameter: grant_type",
    })?;
    let client = authenticate_client(shared, headers, form)?;
    match grant {
        "password" => {
            if !client.direct_access_grants_enabled {
                return Err(OAuthError {
                    status: 400,
                    error: "unauthorized_client",
                    description: "Client not allowed for direct access grants",
                });
            }
            let user = form
                .username
                .as_deref()
                .and_then(|name| shared.user_named(name))
                .filter(|user| user.enabled && user.service_account_client_id.is_none())
                .filter(|user| {
                    form.password
                        .as_deref()
                        .is_some_and(|p| user.has_password(p))
                })
                .ok_or(OAuthError {
                    status: 401,
                    error: "invalid_grant",
                    description: "Invalid user credentials",
                })?;
            if !user.required_actions.is_empty() {
                return Err(OAuthError::invalid_grant("Account is not fully set up"));
            }
            Ok(shared.token_response(&user, client, true))
        }
        "client_credentials" => {
            let user = shared
                .service_account(&client.client_id)
                .filter(|_| client.service_accounts_enabled && !client.public_client)
                .ok_or(OAuthError {
                    status: 400,
                    error: "unauthorized_client",
                    description: "Client not enabled to retrieve service account",
                })?;
            Ok(shared.token_response(&user, client, false))
        }
        "refresh_token" => {
            let token = form
                .refresh_token
                .as_deref()
                .ok_or(OAuthError::invalid_grant("Refresh token not provided"))?;
            let user = shared.redeem_refresh_token(token, client)?;
            Ok(shared.token_response(&user, client, true))
        }
        _ => Err(OAuthError {
            status: 400,
            error: "unsupported_grant_type",
            description: "Unsupported grant_type",
        }),
    }
}

/// The client named by HTTP Basic credentials or by the form (client_secret_post).
fn authenticate_client<'a>(
    shared: &'a Shared,
    headers: &HeaderMap,
    form: &TokenForm,
) -> Result<&'a Client, OAuthError> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Basic "))
        .and_then(|encoded| STANDARD.decode(encoded).ok())
        .and_then(|decoded| String::from_utf8(decoded).ok())
        .and_then(|pair| {
            pair.split_once(':')
                .map(|(id, secret)| (id.to_owned(), secret.to_owned()))
        });
    let (client_id, secret) = match basic {
        Some((id, secret)) => (Some(id), Some(secret)),
        None => (form.client_id.clone(), form.client_secret.clone()),
    };
    let invalid_client = OAuthError {
        status: 401,
        error: "invalid_client",
        description: "Invalid client or Invalid client credentials",
    };
    let client = client_id
        .as_deref()
        .and_then(|id| shared.realm.client(id))
        .filter(|client| client.enabled)
        .ok_or(invalid_client)?;
    if client.authenticates(secret.as_deref()) {
        Ok(client)
    } else {
        Err(OAuthError {
            status: 401,
            error: "unauthorized_client",
            description: "Invalid client or Invalid client credentials",
        })
    }
}
