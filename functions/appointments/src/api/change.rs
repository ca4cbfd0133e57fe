use anyhow::Context as _;
use carebook_events::{
    AppointmentCancelled, AppointmentCompleted, AppointmentRescheduled, CloudEvent, EventData,
};
use carebook_http::{ApiError, Problem, json_body};
use carebook_outbox::OutboxRow;
use carebook_telemetry::metric;
use chrono::Utc;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use sqlx::PgConnection;
use tracing::field;
use uuid::Uuid;

use super::{
    Caller, appointment_id, appointment_response, caller, check_version, if_match, not_scheduled,
    write_refused,
};
use super::{CancelConflict, CompleteConflict, RescheduleConflict, StaleVersion, VersionRequired};
use crate::domain::{
    self, Appointment, CancelBody, Cancellation, Change, Person, Reschedule, RescheduleBody,
};
use crate::{App, WeeklyHours, store};

/// How often a change is tried again when the appointment changed between its read and its
/// write (which the write's version check detects) before the caller is told to read again.
const ATTEMPTS: usize = 3;

/// `PATCH /appointments/{id}`: its patient or an admin moves a scheduled appointment
/// (`starts_at`, `duration_minutes`) or edits its `reason`; once it has started, only an
/// admin (409 `already-started` for its patient). The client must say which version
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
    let after = change_appointment(app, caller, id, Some(expected), |found| {
        let before = &found.appointment;
        let new = domain::reschedule(
            caller,
            before,
            &change,
            found.doctor_hours.as_ref(),
            &app.hours,
            Utc::now(),
        )?;
        // Only the reason changed: free text stays out of events, so there is nothing to tell.
        let event = (new.slot != before.slot()).then(|| AppointmentRescheduled {
            appointment: found.snapshot_after(&new),
            previous: before.slot(),
        });
        Ok((new, event))
    })
    .await?;
    Ok(appointment_response(StatusCode::OK, &after))
}

/// `POST /appointments/{id}/cancel` `{reason?}`: its patient, its doctor or an admin cancels
/// a scheduled appointment; once it has started, only its doctor or an admin (409
/// `already-started` for its patient). `If-Match` is honoured when sent. Publishes
/// `appointment.cancelled`.
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
        (status = 409, response = CancelConflict),
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
    let after = change_appointment(app, caller, id, expected, |found| {
        let new = domain::cancel(
            caller,
            &found.appointment,
            cancellation.reason.as_ref(),
            Utc::now(),
        )?;
        let event = AppointmentCancelled {
            appointment: found.snapshot_after(&new),
            cancelled_by: caller.actor(),
        };
        Ok((new, Some(event)))
    })
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
    let after = change_appointment(app, caller, id, expected, |found| {
        let new = domain::complete(caller, &found.appointment, Utc::now())?;
        let event = AppointmentCompleted {
            appointment: found.snapshot_after(&new),
            completed_by: caller.actor(),
        };
        Ok((new, Some(event)))
    })
    .await?;
    Ok(appointment_response(StatusCode::OK, &after))
}

/// A scheduled appointment the caller may change, as read before the change.
struct Found {
    appointment: Appointment,
    patient: Person,
    doctor: Person,
    /// The doctor's own week, when they set one.
    doctor_hours: Option<WeeklyHours>,
}

impl Found {
    fn snapshot_after(&self, change: &Change) -> carebook_events::AppointmentSnapshot {
        self.appointment
            .snapshot_after(change, &self.patient, &self.doctor)
    }
}

/// Changes the appointment `id` as `decide` says, in three round trips: the appointment, its
/// participants and the doctor's week are read, then `decide` refuses or names the change and
/// its event, then one statement writes both if the appointment is still at the version read.
/// Is tried again (up to [`ATTEMPTS`] times) when it was not; the event is published once the
/// change is committed.
async fn change_appointment<E: EventData>(
    app: &App,
    caller: Caller,
    id: Uuid,
    expected: Option<i32>,
    decide: impl Fn(&Found) -> Result<(Change, Option<E>), ApiError>,
) -> Result<Appointment, ApiError> {
    let mut conn = app.backends.connection().await?;
    for _ in 0..ATTEMPTS {
        let found = changeable(&mut conn, caller, id, expected).await?;
        let (change, data) = decide(&found)?;
        let event = data.map(CloudEvent::new);
        let row = event
            .as_ref()
            .map(OutboxRow::of)
            .transpose()
            .context("encoding the event")?;
        let version = found.appointment.version;
        match store::change(&mut conn, id, version, &change, row.as_ref()).await {
            Ok(Some(after)) => {
                drop(conn);
                if let Some(event) = &event {
                    app.outbox.publish_committed(event).await;
                    tracing::info!(event_id = %event.id, event_type = E::TYPE, "appointment changed");
                    metric::APPOINTMENTS.count(E::TYPE.strip_prefix("appointment."));
                }
                return Ok(after);
            }
            Ok(None) => continue,
            Err(error) => {
                let before = &found.appointment;
                return Err(write_refused(
                    &mut conn,
                    error,
                    before.doctor_id,
                    before.patient_id,
                    change.slot,
                    Some(id),
                )
                .await);
            }
        }
    }
    Err(super::stale_version()
        .with_detail("it kept changing while this change was made: read it again")
        .into())
}

/// The appointment `id` with its participants when `caller` may see it (404 otherwise), it is
/// still scheduled (409) and at the `expected` version when one is given (412).
async fn changeable(
    conn: &mut PgConnection,
    caller: Caller,
    id: Uuid,
    expected: Option<i32>,
) -> Result<Found, ApiError> {
    let appointment = store::find(conn, id)
        .await
        .context("reading the appointment")?
        .filter(|appointment| caller.sees(appointment))
        .ok_or_else(Problem::not_found)?;
    if !appointment.is_scheduled() {
        return Err(not_scheduled(&appointment));
    }
    check_version(expected, &appointment)?;
    let parties = store::parties(conn, appointment.doctor_id, appointment.patient_id)
        .await
        .context("reading the doctor and the patient")?;
    let (Some(patient), Some(doctor)) = (parties.patient, parties.doctor) else {
        return Err(anyhow::anyhow!("an appointment's participant is not in the directory").into());
    };
    Ok(Found {
        appointment,
        patient,
        doctor,
        doctor_hours: parties.doctor_hours,
    })
}
