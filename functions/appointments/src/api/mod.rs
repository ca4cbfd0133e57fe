//! One function per endpoint: authenticate, authorise, parse, change, publish.

mod availability;
mod book;
mod change;
mod read;

pub use availability::get_availability;
pub use book::book_appointment;
pub use change::{cancel_appointment, complete_appointment, reschedule_appointment};
pub use read::{get_appointment, list_appointments};

use carebook_auth::{Principal, Role};
use carebook_events::Slot;
use carebook_http::{ApiError, Problem, authenticate, json};
use lambda_http::http::{StatusCode, header};
use lambda_http::{Body, Request, Response};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::App;
use crate::store::{self, Appointment};

/// The caller in the role that decides what they may do: admin, else doctor, else patient.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Caller {
    Patient(Uuid),
    Doctor(Uuid),
    Admin(Uuid),
}

impl Caller {
    fn id(self) -> Uuid {
        match self {
            Caller::Patient(id) | Caller::Doctor(id) | Caller::Admin(id) => id,
        }
    }

    fn role(self) -> Role {
        match self {
            Caller::Patient(_) => Role::Patient,
            Caller::Doctor(_) => Role::Doctor,
            Caller::Admin(_) => Role::Admin,
        }
    }

    fn is_admin(self) -> bool {
        matches!(self, Caller::Admin(_))
    }

    /// Participants and admins see an appointment; to anyone else it does not exist.
    fn sees(self, appointment: &Appointment) -> bool {
        self.is_admin() || [appointment.patient_id, appointment.doctor_id].contains(&self.id())
    }
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

/// The 409 for a slot that overlaps another scheduled appointment, naming the clashing slot
/// (and nothing else about it: it may be someone else's).
async fn slot_taken(
    conn: &mut PgConnection,
    constraint: &str,
    doctor_id: Uuid,
    patient_id: Uuid,
    slot: Slot,
    except: Option<Uuid>,
) -> ApiError {
    let (whose, person) = if constraint.contains("doctor") {
        ("doctor", doctor_id)
    } else {
        ("patient", patient_id)
    };
    let clash = match store::clash(conn, constraint, person, slot, except).await {
        Ok(clash) => clash,
        Err(error) => return unexpected(error),
    };
    let mut problem = Problem::new(StatusCode::CONFLICT, "slot-taken", "The slot is taken")
        .with_detail(format!("the {whose} has another appointment at that time"))
        .with_extension("clash_with", json!(whose));
    if let Some(clash) = clash {
        problem = problem.with_extension("clashing_slot", json!(clash));
    }
    problem.into()
}

fn not_scheduled(appointment: &Appointment) -> ApiError {
    Problem::new(
        StatusCode::CONFLICT,
        "not-scheduled",
        "The appointment is no longer scheduled",
    )
    .with_detail(format!("it is {}", appointment.status))
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

/// 412 when the client's version is not the stored one.
fn check_version(expected: Option<i32>, appointment: &Appointment) -> Result<(), ApiError> {
    match expected {
        Some(version) if version != appointment.version => Err(Problem::new(
            StatusCode::PRECONDITION_FAILED,
            "stale-version",
            "The appointment changed since you read it",
        )
        .with_detail(format!(
            "you sent version {version}; it is now version {}: read it again",
            appointment.version
        ))
        .with_extension("current_version", json!(appointment.version))
        .into()),
        _ => Ok(()),
    }
}

fn unexpected(error: impl Into<anyhow::Error>) -> ApiError {
    ApiError::Unexpected(error.into())
}
