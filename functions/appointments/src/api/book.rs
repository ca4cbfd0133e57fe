use anyhow::Context as _;
use carebook_auth::{AuthError, Role};
use carebook_events::{AppointmentCreated, CloudEvent, Slot, UserSnapshot};
use carebook_http::{ApiError, Problem, json_body};
use carebook_outbox::OutboxRow;
use chrono::Utc;
use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::{Body, Request, Response};
use tracing::field;
use uuid::Uuid;

use super::{BookConflict, KeyReused};
use super::{appointment_response, caller, fits_hours, write_refused};
use crate::domain::{BookBody, IdempotencyKey, NewAppointment};
use crate::store::Appointment;
use crate::store::{self, KeyClaim, NewRow};
use crate::{App, WeeklyHours};

const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// `POST /appointments`: a patient books for themselves, an admin for a patient. The
/// database refuses a slot that overlaps a scheduled appointment of the doctor or the
/// patient (409 naming the clashing slot), and a patient's own booking past the clinic's
/// limit on open appointments (409 naming the limit; an admin's booking for them is exempt
/// and counts). A retry with the same `Idempotency-Key` answers with the appointment the
/// first request made and creates nothing.
#[utoipa::path(
    post,
    path = "/appointments",
    tag = "appointments",
    params(("Idempotency-Key" = Option<String>, Header, description = "1 to 255 visible ASCII characters; a retry with the same key and body answers with the first booking")),
    request_body = BookBody,
    responses(
        (status = 201, description = "Booked", body = Appointment, headers(
            ("Location" = String, description = "`/appointments/{id}`"),
            ("ETag" = String, description = "The appointment's version, for `If-Match`"),
            ("Idempotent-Replayed" = Option<String>, description = "`true` on the answer to a retry"),
        )),
        (status = 400, response = carebook_http::openapi::Invalid),
        (status = 403, response = carebook_http::openapi::Forbidden),
        (status = 409, response = BookConflict),
        (status = 413, response = carebook_http::openapi::BodyTooLarge),
        (status = 415, response = carebook_http::openapi::UnsupportedMediaType),
        (status = 422, response = KeyReused),
    ),
    security(("keycloak" = []))
)]
#[tracing::instrument(skip_all, fields(appointment_id = field::Empty))]
pub async fn book_appointment(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let (principal, caller) = caller(app, request).await?;
    if !caller.is_admin() && !principal.has_role(Role::Patient) {
        return Err(AuthError::Forbidden {
            required: vec!["patient", "admin"],
        }
        .into());
    }
    let key = request
        .headers()
        .get(IDEMPOTENCY_KEY)
        .map(|value| {
            IdempotencyKey::parse(value.to_str().unwrap_or_default())
                .map_err(|message| Problem::invalid_field("Idempotency-Key", message))
        })
        .transpose()?;
    let booking = NewAppointment::parse(
        json_body::<BookBody>(request)?,
        Utc::now(),
        caller.is_admin(),
    )?;
    let patient_id = booking.patient_id.unwrap_or(caller.id());
    let mut conn = app.backends.connection().await?;
    let mut parties = store::parties(&mut conn, booking.doctor_id, patient_id)
        .await
        .context("reading the doctor and the patient")?;
    if parties.patient.is_none() && patient_id == caller.id() && !caller.is_admin() {
        // The caller may book before `user-events` told us about them: their token says who
        // they are, and any later event about them overrides this.
        let me = UserSnapshot {
            user_id: caller.id(),
            username: principal.username().map(str::to_owned),
            email: principal.email().map(str::to_owned),
            email_verified: principal.email_verified(),
            first_name: principal.given_name().map(str::to_owned),
            last_name: principal.family_name().map(str::to_owned),
            roles: principal.roles().collect(),
            specialty: None,
        };
        parties.patient = store::add_person_if_missing(&mut conn, &me)
            .await
            .context("adding the caller to the directory")?;
    }
    let doctor = parties
        .doctor
        .filter(|person| person.has_role(Role::Doctor))
        .ok_or_else(|| Problem::invalid_field("doctor_id", "is not a doctor of this clinic"))?;
    let patient = parties
        .patient
        .filter(|person| person.has_role(Role::Patient))
        .ok_or_else(|| Problem::invalid_field("patient_id", "is not a patient of this clinic"))?;

    let slot = Slot {
        starts_at: booking.starts_at,
        ends_at: booking.starts_at + booking.duration.as_duration(),
    };
    let week = parties
        .doctor_hours
        .unwrap_or_else(|| WeeklyHours::clinic(&app.hours));
    fits_hours(&week, &app.hours, doctor.id, slot)?;
    let row = NewRow {
        id: Uuid::now_v7(),
        patient_id,
        doctor_id: doctor.id,
        slot,
        duration_minutes: booking.duration.get(),
        reason: booking.reason.as_ref(),
        priority: booking.priority,
        created_by: caller.id(),
    };
    let event = CloudEvent::new(AppointmentCreated {
        appointment: row.snapshot(&patient, &doctor),
    });
    let body: Option<serde_json::Value> = key
        .as_ref()
        .map(|_| serde_json::from_slice(request.body().as_ref()))
        .transpose()
        .context("reading the request body as JSON again")?;
    let claim = key.as_ref().zip(body.as_ref()).map(|(key, body)| KeyClaim {
        caller: caller.id(),
        key: key.as_ref(),
        request: body,
    });
    let outbox_row = OutboxRow::of(&event).context("encoding the event")?;
    // Staff book for a patient as the clinic sees fit (a course of treatment, say); the limit
    // protects the clinic's calendar from a patient's own bookings.
    let max_open = (!caller.is_admin()).then_some(app.rules.max_open_per_patient);
    let booked = store::book(&mut conn, &row, claim.as_ref(), max_open, &outbox_row).await;
    let appointment = match booked {
        Ok(Some(appointment)) => appointment,
        Ok(None) => {
            let claim = claim.context("a booking without a key inserted nothing")?;
            return replay(&mut conn, &claim).await;
        }
        Err(error) if store::is_over_open_limit(&error) => {
            return Err(over_open_limit(app.rules.max_open_per_patient));
        }
        Err(error) => {
            return Err(write_refused(&mut conn, error, doctor.id, patient_id, slot, None).await);
        }
    };
    drop(conn);
    tracing::Span::current().record("appointment_id", field::display(row.id));
    app.outbox.publish_committed(&event).await;
    tracing::info!(event_id = %event.id, "appointment booked");
    Ok(created(&appointment, false))
}

/// 409: the patient holds as many open appointments as the clinic allows.
fn over_open_limit(limit: u16) -> ApiError {
    Problem::new(
        StatusCode::CONFLICT,
        "open-appointments-limit",
        "Too many open appointments",
    )
    .with_detail(format!(
        "a patient may hold at most {limit} upcoming appointments: cancel one, or book again once one has taken place"
    ))
    .with_extension("limit", serde_json::json!(limit))
    .into()
}

/// The answer to a retry: the appointment the first request with this key made.
async fn replay(
    conn: &mut sqlx::PgConnection,
    claim: &KeyClaim<'_>,
) -> Result<Response<Body>, ApiError> {
    let (first, existing) = store::claimed_key(conn, claim.caller, claim.key)
        .await
        .context("reading the idempotency key")?
        .context("a claimed idempotency key vanished")?;
    if &first != claim.request {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
            "This Idempotency-Key was used for another request",
        )
        .with_detail("use a new key for a new booking")
        .into());
    }
    let appointment = store::find(conn, existing)
        .await
        .context("reading the appointment")?
        .context("an idempotency key outlived its appointment")?;
    tracing::info!(appointment_id = %existing, "idempotent retry answered");
    Ok(created(&appointment, true))
}

fn created(appointment: &store::Appointment, replayed: bool) -> Response<Body> {
    let mut response = appointment_response(StatusCode::CREATED, appointment);
    let headers = response.headers_mut();
    if let Ok(location) = format!("/appointments/{}", appointment.id).parse() {
        headers.insert(header::LOCATION, location);
    }
    if replayed {
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}
