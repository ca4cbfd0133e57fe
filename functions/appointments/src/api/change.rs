use carebook_auth::AuthError;
use carebook_events::{
    Actor, AppointmentCancelled, AppointmentCompleted, AppointmentRescheduled, AppointmentSnapshot,
    AppointmentStatus, CloudEvent, EventData, Slot,
};
use carebook_http::{ApiError, Problem, json_body};
use chrono::Utc;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use sqlx::{PgConnection, Postgres, Transaction};
use tracing::field;
use uuid::Uuid;

use super::{
    Caller, appointment_id, appointment_response, caller, check_version, if_match, not_scheduled,
    slot_taken, unexpected, within_hours,
};
use super::{CompleteConflict, NotScheduled, RescheduleConflict, StaleVersion, VersionRequired};
use crate::App;
use crate::domain::{CancelBody, Cancellation, Reschedule, RescheduleBody};
use crate::store::{self, Appointment, Person, violated_constraint};

/// `PATCH /appointments/{id}`: its patient or an admin moves a scheduled appointment
/// (`starts_at`, `duration_minutes`) or edits its `reason`. The client must say which version
/// it changes (`If-Match` or `version`): 428 without, 412 when it is stale. A new slot is
/// checked for clashes like a booking. Publishes `appointment.rescheduled` when the slot moves.
#[utoipa::path(
    patch,
    path = "/appointments/{id}",
    tag = "appointments",
    params(("id" = Uuid, Path, description = "The appointment"), ("If-Match" = Option<String>, Header, description = "The `ETag` you read (`\"3\"`); 412 when the appointment changed since")),
    request_body = RescheduleBody,
    responses(
        (status = 200, description = "Changed", body = Appointment, headers(("ETag" = String, description = "The appointment's version, for `If-Match`"))),
        (status = 400, response = carebook_http::openapi::Invalid),
        (status = 403, response = carebook_http::openapi::Forbidden),
        (status = 404, response = carebook_http::openapi::NotFound),
        (status = 409, response = RescheduleConflict),
        (status = 412, response = StaleVersion),
        (status = 413, response = carebook_http::openapi::BodyTooLarge),
        (status = 415, response = carebook_http::openapi::UnsupportedMediaType),
        (status = 428, response = VersionRequired),
    ),
    security(("keycloak" = []))
)]
#[tracing::instrument(skip_all, fields(appointment_id = field::Empty))]
pub async fn reschedule_appointment(
    app: &App,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let (_, caller) = caller(app, request).await?;
    let id = appointment_id(request)?;
    let change = Reschedule::parse(json_body::<RescheduleBody>(request)?, Utc::now())?;
    let expected = if_match(request)?.or(change.version).ok_or_else(|| {
        Problem::new(
            StatusCode::PRECONDITION_REQUIRED,
            "version-required",
            "Say which version you change",
        )
        .with_detail("send If-Match with the ETag you read, or version in the body")
    })?;
    let mut tx = app.outbox.pool().begin().await.map_err(unexpected)?;
    let before = changeable(&mut tx, caller, id, Some(expected)).await?;
    if let Caller::Doctor(_) = caller {
        return Err(AuthError::Forbidden {
            required: vec!["patient", "admin"],
        }
        .into());
    }
    let duration = change.duration.map_or(
        u16::try_from(before.duration_minutes).unwrap_or_default(),
        |d| d.get(),
    );
    let starts_at = change.starts_at.unwrap_or(before.starts_at);
    let slot = Slot {
        starts_at,
        ends_at: starts_at + chrono::Duration::minutes(i64::from(duration)),
    };
    if slot != before.slot() {
        within_hours(&mut tx, &app.hours, before.doctor_id, slot).await?;
    }
    let reason = change
        .reason
        .as_ref()
        .map_or(before.reason.as_str(), AsRef::as_ref);
    let after = match store::reschedule(&mut tx, id, slot, duration, reason).await {
        Ok(after) => after,
        Err(error) => {
            let Some(constraint) = violated_constraint(&error).map(str::to_owned) else {
                return Err(unexpected(error));
            };
            tx.rollback().await.map_err(unexpected)?;
            let mut conn = app.outbox.pool().acquire().await.map_err(unexpected)?;
            return Err(slot_taken(
                &mut conn,
                &constraint,
                before.doctor_id,
                before.patient_id,
                slot,
                Some(id),
            )
            .await);
        }
    };
    if after.slot() == before.slot() {
        // Only the reason changed: free text stays out of events, so there is nothing to tell.
        tx.commit().await.map_err(unexpected)?;
    } else {
        let (patient, doctor) = participants(&mut tx, &after).await?;
        let event = CloudEvent::new(AppointmentRescheduled {
            appointment: after.snapshot(&patient, &doctor),
            previous: before.slot(),
        });
        app.outbox.commit(tx, &event).await.map_err(unexpected)?;
        tracing::info!(event_id = %event.id, "appointment rescheduled");
    }
    Ok(appointment_response(StatusCode::OK, &after))
}

/// `POST /appointments/{id}/cancel` `{reason?}`: its patient, its doctor or an admin cancels
/// a scheduled appointment; `If-Match` is honoured when sent. Publishes `appointment.cancelled`.
#[utoipa::path(
    post,
    path = "/appointments/{id}/cancel",
    tag = "appointments",
    params(("id" = Uuid, Path, description = "The appointment"), ("If-Match" = Option<String>, Header, description = "The `ETag` you read (`\"3\"`); 412 when the appointment changed since")),
    request_body(content = Option<CancelBody>, description = "Optional: why"),
    responses(
        (status = 200, description = "Cancelled", body = Appointment, headers(("ETag" = String, description = "The appointment's version, for `If-Match`"))),
        (status = 400, response = carebook_http::openapi::Invalid),
        (status = 404, response = carebook_http::openapi::NotFound),
        (status = 409, response = NotScheduled),
        (status = 412, response = StaleVersion),
        (status = 413, response = carebook_http::openapi::BodyTooLarge),
        (status = 415, response = carebook_http::openapi::UnsupportedMediaType),
    ),
    security(("keycloak" = []))
)]
#[tracing::instrument(skip_all, fields(appointment_id = field::Empty))]
pub async fn cancel_appointment(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let (_, caller) = caller(app, request).await?;
    let id = appointment_id(request)?;
    let cancellation = if request.body().is_empty() {
        Cancellation::default()
    } else {
        Cancellation::try_from(json_body::<CancelBody>(request)?)?
    };
    let expected = if_match(request)?;
    let mut tx = app.outbox.pool().begin().await.map_err(unexpected)?;
    changeable(&mut tx, caller, id, expected).await?;
    let reason = cancellation.reason.as_ref().map(AsRef::as_ref);
    let after = close(
        app,
        tx,
        caller,
        id,
        AppointmentStatus::Cancelled,
        reason,
        |appointment, actor| AppointmentCancelled {
            appointment,
            cancelled_by: actor,
        },
    )
    .await?;
    Ok(appointment_response(StatusCode::OK, &after))
}

/// `POST /appointments/{id}/complete`: its doctor or an admin marks a scheduled appointment
/// as having taken place, at or after its start. Publishes `appointment.completed`.
#[utoipa::path(
    post,
    path = "/appointments/{id}/complete",
    tag = "appointments",
    params(("id" = Uuid, Path, description = "The appointment"), ("If-Match" = Option<String>, Header, description = "The `ETag` you read (`\"3\"`); 412 when the appointment changed since")),
    responses(
        (status = 200, description = "Completed", body = Appointment, headers(("ETag" = String, description = "The appointment's version, for `If-Match`"))),
        (status = 400, response = carebook_http::openapi::Invalid),
        (status = 403, response = carebook_http::openapi::Forbidden),
        (status = 404, response = carebook_http::openapi::NotFound),
        (status = 409, response = CompleteConflict),
        (status = 412, response = StaleVersion),
    ),
    security(("keycloak" = []))
)]
#[tracing::instrument(skip_all, fields(appointment_id = field::Empty))]
pub async fn complete_appointment(
    app: &App,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let (_, caller) = caller(app, request).await?;
    let id = appointment_id(request)?;
    let expected = if_match(request)?;
    let mut tx = app.outbox.pool().begin().await.map_err(unexpected)?;
    let before = changeable(&mut tx, caller, id, expected).await?;
    if !caller.is_admin() && caller.id() != before.doctor_id {
        return Err(AuthError::Forbidden {
            required: vec!["doctor", "admin"],
        }
        .into());
    }
    if Utc::now() < before.starts_at {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "not-started",
            "The appointment has not started",
        )
        .with_detail("an appointment is completed at or after its start")
        .into());
    }
    let after = close(
        app,
        tx,
        caller,
        id,
        AppointmentStatus::Completed,
        None,
        |appointment, actor| AppointmentCompleted {
            appointment,
            completed_by: actor,
        },
    )
    .await?;
    Ok(appointment_response(StatusCode::OK, &after))
}

/// Ends a scheduled appointment (`status`), publishes the event `event` makes of it and of
/// the caller, and commits both.
async fn close<E: EventData>(
    app: &App,
    mut tx: Transaction<'_, Postgres>,
    caller: Caller,
    id: Uuid,
    status: AppointmentStatus,
    cancellation_reason: Option<&str>,
    event: impl FnOnce(AppointmentSnapshot, Actor) -> E,
) -> Result<Appointment, ApiError> {
    let after = store::set_status(&mut tx, id, status, cancellation_reason)
        .await
        .map_err(unexpected)?;
    let (patient, doctor) = participants(&mut tx, &after).await?;
    let actor = Actor {
        id: caller.id(),
        role: caller.role(),
    };
    let event = CloudEvent::new(event(after.snapshot(&patient, &doctor), actor));
    app.outbox.commit(tx, &event).await.map_err(unexpected)?;
    tracing::info!(event_id = %event.id, event_type = E::TYPE, "appointment closed");
    Ok(after)
}

/// The appointment `id`, locked, when `caller` may see it (404 otherwise), it is still
/// scheduled (409) and at the `expected` version when one is given (412).
async fn changeable(
    tx: &mut Transaction<'_, Postgres>,
    caller: Caller,
    id: Uuid,
    expected: Option<i32>,
) -> Result<Appointment, ApiError> {
    let appointment = store::lock(tx, id)
        .await
        .map_err(unexpected)?
        .filter(|appointment| caller.sees(appointment))
        .ok_or_else(Problem::not_found)?;
    if !appointment.is_scheduled() {
        return Err(not_scheduled(&appointment));
    }
    check_version(expected, &appointment)?;
    Ok(appointment)
}

/// The patient and doctor of `appointment`, for its event.
async fn participants(
    conn: &mut PgConnection,
    appointment: &Appointment,
) -> Result<(Person, Person), ApiError> {
    let missing = || {
        unexpected(anyhow::anyhow!(
            "an appointment's participant is not in the directory"
        ))
    };
    let patient = store::person(conn, appointment.patient_id)
        .await
        .map_err(unexpected)?
        .ok_or_else(missing)?;
    let doctor = store::person(conn, appointment.doctor_id)
        .await
        .map_err(unexpected)?
        .ok_or_else(missing)?;
    Ok((patient, doctor))
}
