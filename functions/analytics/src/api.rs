//! The admin-only HTTP endpoints.

use anyhow::Context as _;
use carebook_auth::Role;
use carebook_http::{ApiError, Problem, authenticate, json, query};
use chrono::{Days, NaiveDate, Utc};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use serde::{Deserialize, Serialize};

use crate::store::{Day, Summary};
use crate::{App, store};

/// The longest range `GET /analytics/daily` answers.
const MAX_DAYS: u64 = 366;

/// `GET /analytics/daily?from=&to=` as sent.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DailyQuery {
    /// The first day, `YYYY-MM-DD`; 29 days before `to` when absent.
    #[param(value_type = Option<NaiveDate>)]
    from: Option<String>,
    /// The last day, `YYYY-MM-DD`, at most 366 days after `from`; today (UTC) when absent.
    #[param(value_type = Option<NaiveDate>)]
    to: Option<String>,
}

/// The clinic's activity per day.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Daily {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Every day of the range, in order, days without activity included.
    pub days: Vec<Day>,
}

/// `GET /analytics/summary` (admin): counts by status and priority, open emergencies, each
/// doctor's load, registrations by role and the latest bookings.
#[utoipa::path(
    get,
    path = "/analytics/summary",
    tag = "analytics",
    responses(
        (status = 200, description = "The clinic's figures", body = Summary),
        (status = 403, response = carebook_http::openapi::Forbidden),
    ),
    security(("keycloak" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn get_summary(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    authenticate(request, &app.verifier)
        .await?
        .require_any(&[Role::Admin])?;
    let summary = store::summary(&mut *app.backends.connection().await?)
        .await
        .context("reading the summary")?;
    Ok(json(StatusCode::OK, &summary))
}

/// `GET /analytics/daily?from=&to=` (admin): bookings, reschedules, cancellations and
/// completions per day (UTC), every day of the range listed; the last 30 days by default.
#[utoipa::path(
    get,
    path = "/analytics/daily",
    tag = "analytics",
    params(DailyQuery),
    responses(
        (status = 200, description = "Per-day counts", body = Daily),
        (status = 400, response = carebook_http::openapi::Invalid),
        (status = 403, response = carebook_http::openapi::Forbidden),
    ),
    security(("keycloak" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn get_daily(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    authenticate(request, &app.verifier)
        .await?
        .require_any(&[Role::Admin])?;
    let range: DailyQuery = query(request)?;
    let date = |name: &str, value: Option<String>| {
        value
            .map(|value| {
                NaiveDate::parse_from_str(&value, "%Y-%m-%d")
                    .map_err(|_| Problem::invalid_field(name, "must be a date as YYYY-MM-DD"))
            })
            .transpose()
    };
    let to = date("to", range.to)?.unwrap_or_else(|| Utc::now().date_naive());
    let from = date("from", range.from)?.unwrap_or_else(|| to - Days::new(29));
    if from > to {
        return Err(Problem::invalid_field("to", "must not be before from").into());
    }
    if to - Days::new(MAX_DAYS) > from {
        return Err(Problem::invalid_field(
            "from",
            format!("the range is at most {MAX_DAYS} days"),
        )
        .into());
    }
    let days = store::daily(&mut *app.backends.connection().await?, from, to)
        .await
        .context("reading daily figures")?;
    Ok(json(StatusCode::OK, &Daily { from, to, days }))
}

/// This service's operations in the HTTP API's OpenAPI document (`carebook-openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(get_summary, get_daily))]
pub struct ApiDoc;
