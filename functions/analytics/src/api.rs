//! The admin-only HTTP endpoints.

use carebook_auth::Role;
use carebook_http::{ApiError, Problem, authenticate, json, query_param};
use chrono::{Days, NaiveDate, Utc};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use crate::{App, store};

/// The longest range `GET /analytics/daily` answers.
const MAX_DAYS: u64 = 366;

/// `GET /analytics/summary` (admin): counts by status and priority, open emergencies, each
/// doctor's load, registrations by role and the latest bookings.
#[tracing::instrument(skip_all)]
pub async fn get_summary(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    authenticate(request, &app.verifier)
        .await?
        .require_any(&[Role::Admin])?;
    let summary = store::summary(app.pool()).await.map_err(unexpected)?;
    Ok(json(StatusCode::OK, &summary))
}

/// `GET /analytics/daily?from=&to=` (admin): bookings, reschedules, cancellations and
/// completions per day (UTC), every day of the range listed; the last 30 days by default.
#[tracing::instrument(skip_all)]
pub async fn get_daily(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    authenticate(request, &app.verifier)
        .await?
        .require_any(&[Role::Admin])?;
    let date = |name: &str| {
        query_param(request, name)
            .map(|value| {
                NaiveDate::parse_from_str(&value, "%Y-%m-%d")
                    .map_err(|_| Problem::invalid_field(name, "must be a date as YYYY-MM-DD"))
            })
            .transpose()
    };
    let to = date("to")?.unwrap_or_else(|| Utc::now().date_naive());
    let from = date("from")?.unwrap_or_else(|| to - Days::new(29));
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
    let days = store::daily(app.pool(), from, to)
        .await
        .map_err(unexpected)?;
    Ok(json(
        StatusCode::OK,
        &serde_json::json!({ "from": from, "to": to, "days": days }),
    ))
}

fn unexpected(error: impl Into<anyhow::Error>) -> ApiError {
    ApiError::Unexpected(error.into())
}
