use carebook_events::{AppointmentStatus, Priority};
use carebook_http::{FieldErrors, Problem};
use chrono::{DateTime, Utc};
use serde::de::IntoDeserializer;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::fields::{future_start, rfc3339};
use super::{DurationMinutes, Reason};

/// `POST /appointments` as sent.
// Serialised, it is the request a retry with the same `Idempotency-Key` must repeat: as it was
// sent, less any `null` (which says the same as an absent field).
#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookBody {
    #[schema(format = Uuid)]
    doctor_id: String,
    /// RFC 3339, in the future, within a year, inside the doctor's working hours.
    #[schema(format = DateTime)]
    starts_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 5, maximum = 240, default = 30)]
    duration_minutes: Option<i64>,
    #[schema(min_length = 1, max_length = 2000)]
    reason: String,
    /// `normal` when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Priority>)]
    priority: Option<String>,
    /// The patient an admin books for; required from admins, refused from anyone else.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Uuid)]
    patient_id: Option<String>,
}

/// A valid booking request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAppointment {
    pub(crate) doctor_id: Uuid,
    /// Given by an admin booking for a patient; `None` when patients book for themselves.
    pub(crate) patient_id: Option<Uuid>,
    pub(crate) starts_at: DateTime<Utc>,
    pub(crate) duration: DurationMinutes,
    pub(crate) reason: Reason,
    pub(crate) priority: Priority,
}

/// `PATCH /appointments/{id}` as sent: at least one of `starts_at`, `duration_minutes`, `reason`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleBody {
    #[schema(format = DateTime)]
    starts_at: Option<String>,
    #[schema(minimum = 5, maximum = 240)]
    duration_minutes: Option<i64>,
    #[schema(min_length = 1, max_length = 2000)]
    reason: Option<String>,
    /// The version the client last saw, when it does not send `If-Match`.
    version: Option<i32>,
}

/// A valid change to a scheduled appointment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reschedule {
    pub(crate) starts_at: Option<DateTime<Utc>>,
    pub(crate) duration: Option<DurationMinutes>,
    pub(crate) reason: Option<Reason>,
    pub(crate) version: Option<i32>,
}

/// `POST /appointments/{id}/cancel` as sent; the body is optional.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelBody {
    #[schema(min_length = 1, max_length = 2000)]
    reason: Option<String>,
}

/// A valid cancellation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cancellation {
    pub(crate) reason: Option<Reason>,
}

/// `GET /appointments` filters as sent.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[param(value_type = Option<AppointmentStatus>)]
    status: Option<String>,
    #[param(value_type = Option<Priority>)]
    priority: Option<String>,
    /// Appointments ending after this RFC 3339 time.
    #[param(value_type = Option<DateTime<Utc>>)]
    from: Option<String>,
    /// Appointments starting before this RFC 3339 time.
    #[param(value_type = Option<DateTime<Utc>>)]
    to: Option<String>,
    /// Admins only.
    #[param(value_type = Option<Uuid>)]
    doctor_id: Option<String>,
    /// Admins only.
    #[param(value_type = Option<Uuid>)]
    patient_id: Option<String>,
}

/// `GET /appointments` filters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub(crate) status: Option<AppointmentStatus>,
    pub(crate) priority: Option<Priority>,
    pub(crate) from: Option<DateTime<Utc>>,
    pub(crate) to: Option<DateTime<Utc>>,
    pub(crate) doctor_id: Option<Uuid>,
    pub(crate) patient_id: Option<Uuid>,
}

fn uuid(value: &str) -> Result<Uuid, String> {
    Uuid::parse_str(value).map_err(|_| "must be a UUID".to_owned())
}

/// A query parameter's value as the enum its events spell it in (`serde`'s names).
fn variant<'de, T: Deserialize<'de>>(value: &'de str, expected: &str) -> Result<T, String> {
    T::deserialize(value.into_deserializer())
        .map_err(|_: serde::de::value::Error| format!("must be {expected}"))
}

fn priority(value: &str) -> Result<Priority, String> {
    variant(value, "normal or emergency")
}

fn status(value: &str) -> Result<AppointmentStatus, String> {
    variant(value, "scheduled, cancelled or completed")
}

impl NewAppointment {
    /// The booking `body` describes, as of `now`; only admins name a patient, and they must.
    pub fn parse(body: BookBody, now: DateTime<Utc>, by_admin: bool) -> Result<Self, Problem> {
        let mut errors = FieldErrors::default();
        let doctor_id = errors.check("doctor_id", uuid(&body.doctor_id));
        let starts_at = errors.check("starts_at", future_start(&body.starts_at, now));
        let duration = errors.check(
            "duration_minutes",
            body.duration_minutes
                .map_or(Ok(DurationMinutes::DEFAULT), DurationMinutes::parse),
        );
        let reason = errors.check("reason", Reason::parse(&body.reason));
        let priority = errors.check(
            "priority",
            body.priority
                .as_deref()
                .map_or(Ok(Priority::Normal), priority),
        );
        let patient_id = match (body.patient_id, by_admin) {
            (Some(_), false) => {
                errors.add("patient_id", "only admins book for someone else");
                None
            }
            (Some(id), true) => errors.check("patient_id", uuid(&id)),
            (None, true) => {
                errors.add("patient_id", "is required when an admin books");
                None
            }
            (None, false) => None,
        };
        errors.finish()?;
        match (doctor_id, starts_at, duration, reason, priority) {
            (Some(doctor_id), Some(starts_at), Some(duration), Some(reason), Some(priority)) => {
                Ok(Self {
                    doctor_id,
                    patient_id,
                    starts_at,
                    duration,
                    reason,
                    priority,
                })
            }
            _ => Err(Problem::internal()),
        }
    }
}

impl Reschedule {
    /// The change `body` describes, as of `now`; at least one field must change.
    pub fn parse(body: RescheduleBody, now: DateTime<Utc>) -> Result<Self, Problem> {
        let mut errors = FieldErrors::default();
        if body.starts_at.is_none() && body.duration_minutes.is_none() && body.reason.is_none() {
            errors.add(
                "starts_at",
                "give starts_at, duration_minutes or reason to change",
            );
        }
        let starts_at = body
            .starts_at
            .and_then(|value| errors.check("starts_at", future_start(&value, now)));
        let duration = body
            .duration_minutes
            .and_then(|value| errors.check("duration_minutes", DurationMinutes::parse(value)));
        let reason = body
            .reason
            .and_then(|value| errors.check("reason", Reason::parse(&value)));
        errors.finish()?;
        Ok(Self {
            starts_at,
            duration,
            reason,
            version: body.version,
        })
    }
}

impl TryFrom<CancelBody> for Cancellation {
    type Error = Problem;

    fn try_from(body: CancelBody) -> Result<Self, Problem> {
        let mut errors = FieldErrors::default();
        let reason = body
            .reason
            .and_then(|value| errors.check("reason", Reason::parse(&value)));
        errors.finish()?;
        Ok(Self { reason })
    }
}

impl ListFilter {
    /// The filters of `query`; only admins filter by person.
    pub fn parse(query: ListQuery, by_admin: bool) -> Result<Self, Problem> {
        let mut errors = FieldErrors::default();
        let status = query
            .status
            .and_then(|v| errors.check("status", status(&v)));
        let priority = query
            .priority
            .and_then(|v| errors.check("priority", priority(&v)));
        let from = query.from.and_then(|v| errors.check("from", rfc3339(&v)));
        let to = query.to.and_then(|v| errors.check("to", rfc3339(&v)));
        let doctor_id = query
            .doctor_id
            .and_then(|v| errors.check("doctor_id", uuid(&v)));
        let patient_id = query
            .patient_id
            .and_then(|v| errors.check("patient_id", uuid(&v)));
        if !by_admin {
            for (name, given) in [
                ("doctor_id", doctor_id.is_some()),
                ("patient_id", patient_id.is_some()),
            ] {
                if given {
                    errors.add(name, "only admins filter by person");
                }
            }
        }
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            errors.add("to", "must not be before from");
        }
        errors.finish()?;
        Ok(Self {
            status,
            priority,
            from,
            to,
            doctor_id,
            patient_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn now() -> DateTime<Utc> {
        rfc3339("2030-01-01T00:00:00Z").unwrap()
    }

    fn book(body: serde_json::Value, by_admin: bool) -> Result<NewAppointment, Problem> {
        NewAppointment::parse(serde_json::from_value(body).unwrap(), now(), by_admin)
    }

    fn booking() -> serde_json::Value {
        json!({
            "doctor_id": "5d9c8e1f-2b7a-4e3d-8c6f-1a2b3c4d5e02",
            "starts_at": "2030-01-02T09:00:00Z", "reason": "check-up"
        })
    }

    #[test]
    fn a_booking_defaults_to_thirty_minutes_of_normal_priority() {
        let booking = book(booking(), false).unwrap();

        assert_eq!(booking.duration, DurationMinutes::DEFAULT);
        assert_eq!(booking.priority, Priority::Normal);
        assert_eq!(booking.patient_id, None);
    }

    #[test]
    fn a_patient_may_not_name_a_patient_and_an_admin_must() {
        let mut for_someone = booking();
        for_someone["patient_id"] = json!("9e8d7c6b-5a49-4382-b1c0-d9e8f7a6b503");

        let by_patient = book(for_someone.clone(), false).unwrap_err();
        let by_admin_without = book(booking(), true).unwrap_err();

        assert!(by_patient.errors().contains_key("patient_id"));
        assert!(by_admin_without.errors().contains_key("patient_id"));
        assert!(book(for_someone, true).is_ok());
    }

    #[test]
    fn every_bad_field_of_a_booking_is_named() {
        let body = json!({
            "doctor_id": "42", "starts_at": "2029-12-31T09:00:00Z", "duration_minutes": 3,
            "reason": "", "priority": "urgent"
        });

        let problem = book(body, false).unwrap_err();

        let fields: Vec<&str> = problem.errors().keys().map(String::as_str).collect();
        assert_eq!(
            fields,
            [
                "doctor_id",
                "duration_minutes",
                "priority",
                "reason",
                "starts_at"
            ]
        );
    }

    #[test]
    fn a_booking_is_remembered_for_its_retries_as_sent_less_its_nulls() {
        let mut sent = booking();
        sent["reason"] = json!("  check-up ");
        sent["duration_minutes"] = json!(45);
        sent["priority"] = json!(null);

        let body: BookBody = serde_json::from_value(sent.clone()).unwrap();

        sent.as_object_mut().unwrap().remove("priority");
        assert_eq!(serde_json::to_value(&body).unwrap(), sent);
    }

    #[test]
    fn a_reschedule_must_change_something() {
        let empty = serde_json::from_value(json!({ "version": 1 })).unwrap();

        assert!(Reschedule::parse(empty, now()).is_err());
    }

    #[test]
    fn filters_by_person_are_for_admins_and_ranges_must_be_ordered() {
        let query = serde_json::from_value(json!({
            "doctor_id": Uuid::nil(), "from": "2030-02-01T00:00:00Z",
            "to": "2030-01-01T00:00:00Z", "status": "done",
        }))
        .unwrap();

        let problem = ListFilter::parse(query, false).unwrap_err();

        let fields: Vec<&str> = problem.errors().keys().map(String::as_str).collect();
        assert_eq!(fields, ["doctor_id", "status", "to"]);
    }
}
