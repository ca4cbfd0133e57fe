use anyhow::Context as _;
use carebook_http::{ApiError, Page, Problem, cursor, json, limit, query};
use chrono::{DateTime, Utc};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use uuid::Uuid;

use super::{Caller, appointment_id, appointment_response, caller};
use crate::Appointment;
use crate::domain::ListQuery;
use crate::store::{self, Scope};
use crate::{App, ListFilter};

/// `GET /appointments/{id}`: for its patient, its doctor and admins; 404 for anyone else.
#[utoipa::path(
    get,
    path = "/appointments/{id}",
    tag = "appointments",
    params(("id" = Uuid, Path, description = "The appointment")),
    responses(
        (status = 200, description = "The appointment", body = Appointment, headers(("ETag" = String, description = "The appointment's version, for `If-Match`"))),
        (status = 400, response = carebook_http::openapi::Invalid),
        (status = 404, response = carebook_http::openapi::NotFound),
    ),
    security(("keycloak" = []))
)]
#[tracing::instrument(skip_all, fields(appointment_id = tracing::field::Empty))]
pub async fn get_appointment(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let (_, caller) = caller(app, request).await?;
    let id = appointment_id(request)?;
    let mut conn = app.backends.connection().await?;
    let appointment = store::find(&mut conn, id)
        .await
        .context("reading the appointment")?
        .filter(|appointment| caller.sees(appointment))
        .ok_or_else(Problem::not_found)?;
    Ok(appointment_response(StatusCode::OK, &appointment))
}

/// `GET /appointments`: a patient's own, a doctor's schedule, or (admin) all, by start time,
/// filtered by `status`, `priority`, `from`, `to` and (admin) `doctor_id`, `patient_id`.
#[utoipa::path(
    get,
    path = "/appointments",
    tag = "appointments",
    params(ListQuery, carebook_http::PageQuery),
    responses(
        (status = 200, description = "A page of appointments by start time", body = Page<Appointment>),
        (status = 400, response = carebook_http::openapi::Invalid),
    ),
    security(("keycloak" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_appointments(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let (_, caller) = caller(app, request).await?;
    let filter = ListFilter::parse(query(request)?, caller.is_admin())?;
    let limit = limit(request)?;
    let after: Option<(DateTime<Utc>, Uuid)> = cursor(request)?;
    let scope = match caller {
        Caller::Patient(id) => Scope::Patient(id),
        Caller::Doctor(id) => Scope::Doctor(id),
        Caller::Admin(_) => Scope::Everyone,
    };
    let appointments = store::list(
        &mut *app.backends.connection().await?,
        scope,
        &filter,
        after.as_ref(),
        limit + 1,
    )
    .await
    .context("listing appointments")?;
    let page = Page::from_overfetch(appointments, limit, |a| (a.starts_at, a.id));
    Ok(json(StatusCode::OK, &page))
}
