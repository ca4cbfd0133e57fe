//! One function per endpoint: authenticate, authorise, parse, change, publish.

use anyhow::Context as _;
mod availability;
mod book;
mod change;
mod hours;
mod read;
mod time_off;

pub use availability::{
    Availability, DaySlots, NextFree, NextFreeSlots, get_availability, get_next_free_slots,
};
pub use book::book_appointment;
pub use change::{cancel_appointment, complete_appointment, reschedule_appointment};
pub use hours::{DoctorHours, HoursSource, get_working_hours, set_working_hours};
pub use read::{get_appointment, list_appointments};
pub use time_off::{
    RecordedTimeOff, TimeOffList, delete_closure, delete_time_off, list_closures, list_time_off,
    record_closure, record_time_off,
};

use carebook_auth::{AuthError, Principal, Role};
use carebook_events::Slot;
use carebook_http::{ApiError, Problem, authenticate, json};
use carebook_telemetry::metric;
use lambda_http::http::{StatusCode, header};
use lambda_http::{Body, Request, Response};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::{Appointment, Caller, DoctorListing, Refusal};
use crate::store;
use crate::{App, WeeklyHours, WorkingHours};

/// This service's operations in the HTTP API's OpenAPI document (`carebook-openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        book::book_appointment,
        read::list_appointments,
        read::get_appointment,
        change::reschedule_appointment,
        change::cancel_appointment,
        change::complete_appointment,
        availability::get_availability,
        availability::get_next_free_slots,
        hours::get_working_hours,
        hours::set_working_hours,
        time_off::record_time_off,
        time_off::list_time_off,
        time_off::delete_time_off,
        time_off::record_closure,
        time_off::list_closures,
        time_off::delete_closure,
    ),
    components(responses(
        BookConflict,
        RescheduleConflict,
        CancelConflict,
        CompleteConflict,
        StaleVersion,
        VersionRequired,
        KeyReused,
    ))
)]
pub struct ApiDoc;

carebook_http::problem_responses! {
    /// 409 of a booking.
    BookConflict: "The slot overlaps another scheduled appointment of the doctor or the patient (`clash_with` says whose, `clashing_slot` when), or a patient booking for themselves already holds as many open appointments (scheduled, not yet started) as the clinic allows (`limit`), or the doctor has time off or the clinic is closed then", ["slot-taken", "open-appointments-limit", "doctor-time-off", "clinic-closed"];
    /// 409 of a change.
    RescheduleConflict: "The new slot is taken (`clash_with`, `clashing_slot`) or in the doctor's time off or a closure, the appointment is no longer scheduled, or it has started and the caller is its patient (staff only from then on)", ["slot-taken", "doctor-time-off", "clinic-closed", "not-scheduled", "already-started"];
    /// 409 of a cancellation.
    CancelConflict: "The appointment is no longer scheduled, or it has started and the caller is its patient (staff only from then on)", ["not-scheduled", "already-started"];
    /// 409 of a completion.
    CompleteConflict: "The appointment is no longer scheduled, or has not started yet", ["not-scheduled", "not-started"];
    /// 412.
    StaleVersion: "The appointment changed since it was read: `current_version` is its version now", ["stale-version"];
    /// 428.
    VersionRequired: "Say which version you change: `If-Match`, or `version` in the body", ["version-required"];
    /// 422.
    KeyReused: "This `Idempotency-Key` was used for a different request", ["idempotency-key-reused"];
}

async fn caller(app: &App, request: &Request) -> Result<(Principal, Caller), ApiError> {
    let principal = authenticate(request, &app.verifier).await?;
    principal.require_any(&Role::ALL)?;
    let id = principal.subject();
    let caller = if principal.has_role(Role::Admin) {
        Caller::Admin(id)
    } else if principal.has_role(Role::Doctor) {
        Caller::Doctor(id)
    } else {
        Caller::Patient(id)
    };
    Ok((principal, caller))
}

/// Lets the doctor `doctor_id` act on what is theirs, and admins on anyone's; `themselves`
/// names the doctor's part in the 403, e.g. "doctor (their own hours)".
fn doctor_themselves_or_admin(
    caller: Caller,
    doctor_id: Uuid,
    themselves: &'static str,
) -> Result<(), ApiError> {
    match caller {
        Caller::Admin(_) => Ok(()),
        Caller::Doctor(id) if id == doctor_id => Ok(()),
        _ => Err(AuthError::Forbidden {
            required: vec![themselves, "admin"],
        }
        .into()),
    }
}

/// Each refusal of the clinic's rules as the problem a client reads.
impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Forbidden { required } => AuthError::Forbidden { required }.into(),
            Refusal::NotADoctor => {
                Problem::invalid_field("doctor_id", "is not a doctor of this clinic").into()
            }
            Refusal::NotAPatient => {
                Problem::invalid_field("patient_id", "is not a patient of this clinic").into()
            }
            Refusal::OutsideHours {
                doctor_id,
                time_zone,
            } => Problem::invalid_field(
                "starts_at",
                format!(
                    "is outside the doctor's working hours (GET /doctors/{doctor_id}/working-hours; times in {})",
                    time_zone.name()
                ),
            )
            .into(),
            Refusal::AlreadyStarted => Problem::new(
                StatusCode::CONFLICT,
                "already-started",
                "The appointment has started",
            )
            .with_detail(
                "once an appointment has started, only the clinic can cancel or change it",
            )
            .into(),
            Refusal::NotStarted => Problem::new(
                StatusCode::CONFLICT,
                "not-started",
                "The appointment has not started",
            )
            .with_detail("an appointment is completed at or after its start")
            .into(),
        }
    }
}

/// The `{id}` of an appointment route, recorded on the handler's span as `appointment_id`.
fn appointment_id(request: &Request) -> Result<Uuid, ApiError> {
    let id = carebook_http::path_id(request, "id")?;
    tracing::Span::current().record("appointment_id", tracing::field::display(id));
    Ok(id)
}

/// The appointment as JSON, with its version as `ETag` for `If-Match`.
fn appointment_response(status: StatusCode, appointment: &Appointment) -> Response<Body> {
    let mut response = json(status, appointment);
    if let Ok(etag) = format!("\"{}\"", appointment.version).parse() {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

/// Why writing an appointment into `slot` failed: the 409 for a slot that overlaps another
/// scheduled appointment of the doctor or the patient, naming the clashing slot (and nothing
/// else about it: it may be someone else's); any other failure is the server's.
async fn write_refused(
    conn: &mut PgConnection,
    error: sqlx::Error,
    doctor_id: Uuid,
    patient_id: Uuid,
    slot: Slot,
    except: Option<Uuid>,
) -> ApiError {
    if let Some(constraint) = store::time_off_violated(&error) {
        return away(constraint == store::IN_CLOSURE, doctor_id).into();
    }
    let Some(constraint) = store::violated_constraint(&error) else {
        return anyhow::Error::new(error)
            .context("writing the appointment")
            .into();
    };
    metric::SLOT_CLASHES.count(None);
    let (whose, person) = if constraint.contains("doctor") {
        ("doctor", doctor_id)
    } else {
        ("patient", patient_id)
    };
    let clash = match store::clash(conn, constraint, person, slot, except).await {
        Ok(clash) => clash,
        Err(error) => {
            return anyhow::Error::new(error)
                .context("reading the clashing slot")
                .into();
        }
    };
    let mut problem = Problem::new(StatusCode::CONFLICT, "slot-taken", "The slot is taken")
        .with_detail(format!("the {whose} has another appointment at that time"))
        .with_extension("clash_with", json!(whose));
    if let Some(clash) = clash {
        problem = problem.with_extension("clashing_slot", json!(clash));
    }
    problem.into()
}

/// 409 for a slot inside the doctor's time off or the clinic's closure.
fn away(closed: bool, doctor_id: Uuid) -> Problem {
    let (code, title, whose) = if closed {
        (
            "clinic-closed",
            "The clinic is closed then",
            "the clinic is closed",
        )
    } else {
        (
            "doctor-time-off",
            "The doctor is away then",
            "the doctor has time off",
        )
    };
    Problem::new(StatusCode::CONFLICT, code, title).with_detail(format!(
        "{whose} at that time: pick a free slot (GET /doctors/{doctor_id}/availability)"
    ))
}

/// The doctor `id`, or 404 unless they are a doctor in the directory.
async fn known_doctor(conn: &mut PgConnection, id: Uuid) -> Result<DoctorListing, ApiError> {
    store::doctor(conn, id)
        .await
        .context("reading the directory")?
        .ok_or_else(|| Problem::not_found().into())
}

/// The week `doctor_id` works, with its version when it is their own; the clinic's otherwise.
async fn doctor_week(
    conn: &mut PgConnection,
    clinic: &WorkingHours,
    doctor_id: Uuid,
) -> Result<(Option<i32>, WeeklyHours), ApiError> {
    Ok(
        match store::own_hours(conn, doctor_id)
            .await
            .context("reading the doctor's working hours")?
        {
            Some((version, week)) => (Some(version), week),
            None => (None, WeeklyHours::clinic(clinic)),
        },
    )
}

fn not_scheduled(appointment: &Appointment) -> ApiError {
    Problem::new(
        StatusCode::CONFLICT,
        "not-scheduled",
        "The appointment is no longer scheduled",
    )
    .with_detail(format!(
        "it is {}",
        json!(appointment.status).as_str().unwrap_or("closed")
    ))
    .into()
}

/// The version the client expects, from `If-Match` (`"3"`, `W/"3"`; `*` matches any).
fn if_match(request: &Request) -> Result<Option<i32>, ApiError> {
    let Some(value) = request.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(None);
    }
    text.trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .map(Some)
        .map_err(|_| Problem::invalid_field("If-Match", "must be an ETag this API returned").into())
}

/// 412: the appointment is not at the version the change was meant for.
fn stale_version() -> Problem {
    Problem::new(
        StatusCode::PRECONDITION_FAILED,
        "stale-version",
        "The appointment changed since you read it",
    )
}

/// 412 when the client's version is not the stored one.
fn check_version(expected: Option<i32>, appointment: &Appointment) -> Result<(), ApiError> {
    match expected {
        Some(version) if version != appointment.version => Err(stale_version()
            .with_detail(format!(
                "you sent version {version}; it is now version {}: read it again",
                appointment.version
            ))
            .with_extension("current_version", json!(appointment.version))
            .into()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(refusal: Refusal) -> serde_json::Value {
        serde_json::to_value(Problem::from(ApiError::from(refusal))).unwrap()
    }

    #[test]
    fn a_refusal_by_role_is_a_403_naming_the_roles_that_may() {
        let refusal = Refusal::Forbidden {
            required: vec!["doctor", "admin"],
        };

        assert_eq!(
            problem(refusal),
            json!({
                "type": "urn:carebook:problem:forbidden", "title": "Not allowed", "status": 403,
                "detail": "this needs one of the roles: doctor, admin",
            })
        );
    }

    #[test]
    fn a_refusal_of_who_or_when_is_a_400_on_the_field_to_change() {
        let doctor_id = Uuid::from_u128(1);
        let outside = Refusal::OutsideHours {
            doctor_id,
            time_zone: chrono_tz::Europe::London,
        };

        let cases = [
            (
                Refusal::NotADoctor,
                "doctor_id",
                "is not a doctor of this clinic".to_owned(),
            ),
            (
                Refusal::NotAPatient,
                "patient_id",
                "is not a patient of this clinic".to_owned(),
            ),
            (
                outside,
                "starts_at",
                format!(
                    "is outside the doctor's working hours (GET /doctors/{doctor_id}/working-hours; times in Europe/London)"
                ),
            ),
        ];

        for (refusal, field, message) in cases {
            assert_eq!(
                problem(refusal),
                json!({
                    "type": "urn:carebook:problem:validation", "title": "The request is invalid",
                    "status": 400, "errors": { field: message },
                })
            );
        }
    }

    #[test]
    fn a_refusal_of_timing_is_a_409_saying_what_the_clinic_allows() {
        assert_eq!(
            problem(Refusal::AlreadyStarted),
            json!({
                "type": "urn:carebook:problem:already-started",
                "title": "The appointment has started", "status": 409,
                "detail": "once an appointment has started, only the clinic can cancel or change it",
            })
        );
        assert_eq!(
            problem(Refusal::NotStarted),
            json!({
                "type": "urn:carebook:problem:not-started",
                "title": "The appointment has not started", "status": 409,
                "detail": "an appointment is completed at or after its start",
            })
        );
    }
}
