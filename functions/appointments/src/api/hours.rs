use anyhow::Context as _;
use carebook_http::{ApiError, json, json_body, path_id};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use uuid::Uuid;

use super::{caller, doctor_themselves_or_admin, doctor_week, known_doctor};
use crate::domain::{HoursBody, HoursSpan, WeeklyHours};
use crate::{App, store};

/// Where a doctor's working hours come from.
#[derive(Clone, Copy, Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HoursSource {
    /// The doctor's own week, set through `PUT`.
    Doctor,
    /// The clinic's default hours, every day.
    Clinic,
}

/// A doctor's week of working hours.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DoctorHours {
    pub doctor_id: Uuid,
    /// The clinic's IANA time zone, which the hours are in.
    pub time_zone: String,
    pub source: HoursSource,
    /// Increases with each `PUT`; 0 while the clinic's hours apply.
    pub version: i32,
    /// By weekday (Monday first), then opening time.
    pub hours: Vec<HoursSpan>,
}

/// `GET /doctors/{id}/working-hours`: when the doctor takes appointments, for anyone signed in.
#[utoipa::path(
    get,
    path = "/doctors/{id}/working-hours",
    tag = "appointments",
    params(("id" = Uuid, Path, description = "The doctor")),
    responses(
        (status = 200, description = "The doctor's week, or the clinic's", body = DoctorHours),
        (status = 400, response = carebook_http::openapi::Invalid),
        (status = 404, response = carebook_http::openapi::NotFound),
    ),
    security(("keycloak" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn get_working_hours(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    caller(app, request).await?;
    let doctor_id = path_id(request, "id")?;
    let mut conn = app.backends.connection().await?;
    known_doctor(&mut conn, doctor_id).await?;
    let (version, week) = doctor_week(&mut conn, &app.hours, doctor_id).await?;
    Ok(json(StatusCode::OK, &hours(app, doctor_id, version, &week)))
}

/// `PUT /doctors/{id}/working-hours`: the doctor themselves or an admin replaces the doctor's
/// week. Bookings already made stay; new ones must fit the new hours.
#[utoipa::path(
    put,
    path = "/doctors/{id}/working-hours",
    tag = "appointments",
    params(("id" = Uuid, Path, description = "The doctor")),
    request_body = HoursBody,
    responses(
        (status = 200, description = "The doctor's new week", body = DoctorHours),
        (status = 400, response = carebook_http::openapi::Invalid),
        (status = 403, response = carebook_http::openapi::Forbidden),
        (status = 404, response = carebook_http::openapi::NotFound),
        (status = 413, response = carebook_http::openapi::BodyTooLarge),
        (status = 415, response = carebook_http::openapi::UnsupportedMediaType),
    ),
    security(("keycloak" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn set_working_hours(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let (_, caller) = caller(app, request).await?;
    let doctor_id = path_id(request, "id")?;
    doctor_themselves_or_admin(caller, doctor_id, "doctor (their own hours)")?;
    let week = WeeklyHours::try_from(json_body::<HoursBody>(request)?)?;
    let mut tx = app.backends.transaction().await?;
    known_doctor(&mut tx, doctor_id).await?;
    let version = store::set_own_hours(&mut tx, doctor_id, &week, caller.id())
        .await
        .context("saving the doctor's working hours")?;
    tx.commit().await.context("committing")?;
    tracing::info!(%doctor_id, version, "working hours set");
    Ok(json(
        StatusCode::OK,
        &hours(app, doctor_id, Some(version), &week),
    ))
}

fn hours(app: &App, doctor_id: Uuid, version: Option<i32>, week: &WeeklyHours) -> DoctorHours {
    DoctorHours {
        doctor_id,
        time_zone: app.hours.time_zone.name().to_owned(),
        source: if version.is_some() {
            HoursSource::Doctor
        } else {
            HoursSource::Clinic
        },
        version: version.unwrap_or_default(),
        hours: week.spans().iter().map(HoursSpan::from).collect(),
    }
}
