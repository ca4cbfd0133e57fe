//! `GET /notifications`.

use carebook_auth::Role;
use carebook_http::{ApiError, Page, Problem, authenticate, cursor, json, limit, query_param};
use chrono::{DateTime, Utc};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use uuid::Uuid;

use crate::store::Notification;
use crate::{App, store};

/// `GET /notifications?recipient_id=&limit=&cursor=`: the caller's own notifications, newest
/// first, with their status; admins see everyone's and may filter by recipient.
#[utoipa::path(
    get,
    path = "/notifications",
    tag = "notifications",
    params(
        ("recipient_id" = Option<Uuid>, Query, description = "Admins only: one recipient's"),
        carebook_http::PageQuery,
    ),
    responses(
        (status = 200, description = "A page of notifications, newest first", body = Page<Notification>),
        (status = 400, response = carebook_http::openapi::Invalid),
    ),
    security(("keycloak" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_notifications(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let principal = authenticate(request, &app.verifier).await?;
    principal.require_any(&Role::ALL)?;
    let recipient = match query_param(request, "recipient_id") {
        Some(_) if !principal.has_role(Role::Admin) => {
            return Err(
                Problem::invalid_field("recipient_id", "only admins filter by recipient").into(),
            );
        }
        Some(id) => Some(
            Uuid::parse_str(&id)
                .map_err(|_| Problem::invalid_field("recipient_id", "must be a UUID"))?,
        ),
        None if principal.has_role(Role::Admin) => None,
        None => Some(principal.subject()),
    };
    let limit = limit(request)?;
    let after: Option<(DateTime<Utc>, Uuid)> = cursor(request)?;
    let notifications = store::list(&app.backends, recipient, after.as_ref(), limit + 1)
        .await
        .map_err(|error| ApiError::Unexpected(error.into()))?;
    let page = Page::from_overfetch(notifications, limit, |n| (n.created_at, n.id));
    Ok(json(StatusCode::OK, &page))
}

/// This service's operations in the HTTP API's OpenAPI document (`carebook-openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list_notifications))]
pub struct ApiDoc;
