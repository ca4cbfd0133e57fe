use anyhow::Context as _;
use carebook_auth::{Principal, Role};
use carebook_events::{AppointmentCreated, CloudEvent, UserSnapshot};
use carebook_http::{ApiError, Problem, json_body};
use carebook_outbox::OutboxRow;
use carebook_telemetry::metric;
use chrono::Utc;
use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::{Body, Request, Response};
use tracing::field;

use super::{BookConflict, KeyReused};
use super::{appointment_response, caller, write_refused};
use crate::App;
use crate::domain::{self, Appointment, BookBody, Booker, IdempotencyKey, NewAppointment};
use crate::store::{self, KeyClaim};

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
    let booker = Booker::new(caller, principal.has_role(Role::Patient))?;
    let key = idempotency_key(request)?;
    let body = json_body::<BookBody>(request)?;
    let keyed = key
        .map(|key| serde_json::to_value(&body).map(|request| (key, request)))
        .transpose()
        .context("encoding the request for its idempotency key")?;
    let booking = NewAppointment::parse(body, Utc::now(), booker.is_admin())?;
    let mut conn = app.backends.connection().await?;
    let mut parties = store::parties(&mut conn, booking.doctor_id, booker.patient_of(&booking))
        .await
        .context("reading the doctor and the patient")?;
    if parties.patient.is_none() && booker.books_for_self() {
        // The caller may book before `user-events` told us about them: their token says who
        // they are, and any later event about them overrides this.
        parties.patient = store::add_person_if_missing(&mut conn, &as_user(&principal))
            .await
            .context("adding the caller to the directory")?;
    }
    let booked = domain::book(booker, &booking, parties, &app.hours, app.rules)?;
    let event = CloudEvent::new(AppointmentCreated {
        appointment: booked.snapshot(),
    });
    let outbox_row = OutboxRow::of(&event).context("encoding the event")?;
    let claim = keyed.as_ref().map(|(key, request)| KeyClaim {
        caller: caller.id(),
        key: key.as_ref(),
        request,
    });
    let row = &booked.row;
    let result = store::book(&mut conn, row, claim.as_ref(), booked.max_open, &outbox_row).await;
    let appointment = match result {
        Ok(Some(appointment)) => appointment,
        Ok(None) => {
            let claim = claim.context("a booking without a key inserted nothing")?;
            return replay(&mut conn, &claim).await;
        }
        Err(error) if store::is_over_open_limit(&error) => {
            return Err(over_open_limit(app.rules.max_open_per_patient));
        }
        Err(error) => {
            let (doctor, patient) = (row.doctor_id, row.patient_id);
            return Err(write_refused(&mut conn, error, doctor, patient, row.slot, None).await);
        }
    };
    drop(conn);
    tracing::Span::current().record("appointment_id", field::display(row.id));
    app.outbox.publish_committed(&event).await;
    tracing::info!(event_id = %event.id, "appointment booked");
    metric::APPOINTMENTS.count(Some("booked"));
    Ok(created(&appointment, false))
}

/// The `Idempotency-Key` header, when sent.
fn idempotency_key(request: &Request) -> Result<Option<IdempotencyKey>, Problem> {
    request
        .headers()
        .get(IDEMPOTENCY_KEY)
        .map(|value| {
            IdempotencyKey::parse(value.to_str().unwrap_or_default())
                .map_err(|message| Problem::invalid_field("Idempotency-Key", message))
        })
        .transpose()
}

/// The caller as their token describes them, for the directory.
fn as_user(principal: &Principal) -> UserSnapshot {
    UserSnapshot {
        user_id: principal.subject(),
        username: principal.username().map(str::to_owned),
        email: principal.email().map(str::to_owned),
        email_verified: principal.email_verified(),
        first_name: principal.given_name().map(str::to_owned),
        last_name: principal.family_name().map(str::to_owned),
        roles: principal.roles().collect(),
        specialty: None,
    }
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
    if without_nulls(first) != *claim.request {
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

/// `request` as keys are stored now, without `null` fields. Keys stored before were the body as
/// sent, nulls included, and keys never expire: both forms must match the same retry.
fn without_nulls(request: serde_json::Value) -> serde_json::Value {
    match request {
        serde_json::Value::Object(fields) => fields
            .into_iter()
            .filter(|(_, value)| !value.is_null())
            .collect(),
        other => other,
    }
}

fn created(appointment: &Appointment, replayed: bool) -> Response<Body> {
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
