use anyhow::Context as _;
use carebook_auth::Role;
use carebook_http::{ApiError, Problem, json, json_body, path_id};
use chrono::Utc;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use uuid::Uuid;

use super::{caller, doctor_themselves_or_admin, known_doctor};
use crate::domain::{NewTimeOff, TimeOff, TimeOffBody};
use crate::store::Covered;
use crate::{App, store};

/// Time off just recorded, with the appointments it covers: they stay scheduled until someone
/// moves or cancels them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecordedTimeOff {
    pub time_off: TimeOff,
    /// Scheduled appointments inside it, by start.
    pub covers: Vec<Covered>,
}

/// A doctor's upcoming time off, or the clinic's closures.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TimeOffList {
    /// Not over yet, by start; at most 500.
    pub items: Vec<TimeOff>,
}

/// The doctor's part in a 403 of their time off.
const OWN_TIME_OFF: &str = "doctor (their own time off)";

/// Records time off for `doctor_id` (`None`: a closure) and answers 201 with what it covers.
async fn record(
    app: &App,
    request: &Request,
    doctor_id: Option<Uuid>,
    by: Uuid,
) -> Result<Response<Body>, ApiError> {
    let new = NewTimeOff::parse(json_body::<TimeOffBody>(request)?, Utc::now())?;
    let id = Uuid::now_v7();
    let mut tx = app.backends.transaction().await?;
    if let Some(doctor_id) = doctor_id {
        known_doctor(&mut tx, doctor_id).await?;
    }
    let covers = store::record_time_off(&mut tx, id, doctor_id, &new, by)
        .await
        .context("recording the time off")?;
    tx.commit().await.context("committing")?;
    tracing::info!(time_off_id = %id, covers = covers.len(), "time off recorded");
    let time_off = TimeOff {
        id,
        doctor_id,
        starts_at: new.slot.starts_at,
        ends_at: new.slot.ends_at,
        note: new.note,
    };
    Ok(json(
        StatusCode::CREATED,
        &RecordedTimeOff { time_off, covers },
    ))
}

async fn list(app: &App, doctor_id: Option<Uuid>) -> Result<Response<Body>, ApiError> {
    let mut conn = app.backends.connection().await?;
    if let Some(doctor_id) = doctor_id {
        known_doctor(&mut conn, doctor_id).await?;
    }
    let items = store::time_off(&mut conn, doctor_id, Utc::now())
        .await
        .context("reading time off")?;
    Ok(json(StatusCode::OK, &TimeOffList { items }))
}

async fn delete(app: &App, id: Uuid, doctor_id: Option<Uuid>) -> Result<Response<Body>, ApiError> {
    let mut conn = app.backends.connection().await?;
    if !store::delete_time_off(&mut conn, id, doctor_id)
        .await
        .context("deleting time off")?
    {
        return Err(Problem::not_found().into());
    }
    tracing::info!(time_off_id = %id, "time off deleted");
    Ok(Response::builder()
        .status(StatusCode::NO_CONTENT)
        .body(Body::Empty)
        .context("building the answer")?)
}

/// `POST /doctors/{id}/time-off`: the doctor or an admin records time off; availability shows
/// no slot in it and bookings into it are refused. Appointments already inside it stay, listed
/// in the answer.
#[utoipa::path(
    post,
    path = "/doctors/{id}/time-off",
    tag = "appointments",
    params(("id" = Uuid, Path, description = "The doctor")),
    request_body = TimeOffBody,
    responses(
        (status = 201, description = "The time off, and the scheduled appointments it covers", body = RecordedTimeOff),
        (status = 400, response = carebook_http::openapi::Invalid),
        (status = 403, response = carebook_http::openapi::Forbidden),
        (status = 404, response = carebook_http::openapi::NotFound),
        (status = 413, response = carebook_http::openapi::BodyTooLarge),
        (status = 415, response = carebook_http::openapi::UnsupportedMediaType),
    ),
    security(("keycloak" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn record_time_off(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let (_, caller) = caller(app, request).await?;
    let doctor_id = path_id(request, "id")?;
    doctor_themselves_or_admin(caller, doctor_id, OWN_TIME_OFF)?;
    record(app, request, Some(doctor_id), caller.id()).await
}

/// `GET /doctors/{id}/time-off`: the doctor's time off that is not over, with its notes, for
/// the clinic's staff (doctors and admins).
#[utoipa::path(
    get,
    path = "/doctors/{id}/time-off",
    tag = "appointments",
    params(("id" = Uuid, Path, description = "The doctor")),
    responses(
        (status = 200, description = "The doctor's upcoming time off", body = TimeOffList),
        (status = 400, response = carebook_http::openapi::Invalid),
        (status = 403, response = carebook_http::openapi::Forbidden),
        (status = 404, response = carebook_http::openapi::NotFound),
    ),
    security(("keycloak" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_time_off(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let (principal, _) = caller(app, request).await?;
    let doctor_id = path_id(request, "id")?;
    principal.require_any(&[Role::Doctor, Role::Admin])?;
    list(app, Some(doctor_id)).await
}

/// `DELETE /doctors/{id}/time-off/{time_off_id}`: the doctor or an admin takes time off back.
#[utoipa::path(
    delete,
    path = "/doctors/{id}/time-off/{time_off_id}",
    tag = "appointments",
    params(
        ("id" = Uuid, Path, description = "The doctor"),
        ("time_off_id" = Uuid, Path, description = "The time off"),
    ),
    responses(
        (status = 204, description = "Deleted; its slots are bookable again"),
        (status = 400, response = carebook_http::openapi::Invalid),
        (status = 403, response = carebook_http::openapi::Forbidden),
        (status = 404, response = carebook_http::openapi::NotFound),
    ),
    security(("keycloak" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn delete_time_off(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let (_, caller) = caller(app, request).await?;
    let doctor_id = path_id(request, "id")?;
    let id = path_id(request, "time_off_id")?;
    doctor_themselves_or_admin(caller, doctor_id, OWN_TIME_OFF)?;
    delete(app, id, Some(doctor_id)).await
}

/// `POST /closures`: an admin closes the clinic (a public holiday): no doctor is bookable in
/// it. Appointments already inside it stay, listed in the answer.
#[utoipa::path(
    post,
    path = "/closures",
    tag = "appointments",
    request_body = TimeOffBody,
    responses(
        (status = 201, description = "The closure, and the scheduled appointments it covers", body = RecordedTimeOff),
        (status = 400, response = carebook_http::openapi::Invalid),
        (status = 403, response = carebook_http::openapi::Forbidden),
        (status = 413, response = carebook_http::openapi::BodyTooLarge),
        (status = 415, response = carebook_http::openapi::UnsupportedMediaType),
    ),
    security(("keycloak" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn record_closure(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let (principal, caller) = caller(app, request).await?;
    principal.require_any(&[Role::Admin])?;
    record(app, request, None, caller.id()).await
}

/// `GET /closures`: the clinic's closures that are not over, with their notes, for anyone
/// signed in.
#[utoipa::path(
    get,
    path = "/closures",
    tag = "appointments",
    responses(
        (status = 200, description = "The clinic's upcoming closures", body = TimeOffList),
    ),
    security(("keycloak" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_closures(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    caller(app, request).await?;
    list(app, None).await
}

/// `DELETE /closures/{id}`: an admin reopens the clinic over a closure.
#[utoipa::path(
    delete,
    path = "/closures/{id}",
    tag = "appointments",
    params(("id" = Uuid, Path, description = "The closure")),
    responses(
        (status = 204, description = "Deleted; its slots are bookable again"),
        (status = 400, response = carebook_http::openapi::Invalid),
        (status = 403, response = carebook_http::openapi::Forbidden),
        (status = 404, response = carebook_http::openapi::NotFound),
    ),
    security(("keycloak" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn delete_closure(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let (principal, _) = caller(app, request).await?;
    let id = path_id(request, "id")?;
    principal.require_any(&[Role::Admin])?;
    delete(app, id, None).await
}
