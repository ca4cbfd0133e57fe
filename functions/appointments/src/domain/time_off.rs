use carebook_events::Slot;
use carebook_http::{FieldErrors, Problem};
use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::fields::rfc3339;

/// `POST /doctors/{id}/time-off` and `POST /closures` as sent.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeOffBody {
    /// RFC 3339; a whole day is its local midnight to the next.
    #[schema(format = DateTime)]
    starts_at: String,
    /// RFC 3339, after `starts_at`, in the future, at most a year after it.
    #[schema(format = DateTime)]
    ends_at: String,
    /// For the clinic's staff (a closure's is shown to everyone, as its name).
    #[schema(min_length = 1, max_length = 200)]
    note: Option<String>,
}

/// Valid time off: a range that is not over yet, with an optional note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTimeOff {
    pub(crate) slot: Slot,
    pub(crate) note: Option<String>,
}

/// The longest time off or closure one request records.
const LONGEST: chrono::TimeDelta = chrono::TimeDelta::days(366);
/// How far ahead time off may end: bookings reach a year ahead, and a clinic plans its
/// holidays a little further.
const HORIZON: chrono::TimeDelta = chrono::TimeDelta::days(2 * 366);
const NOTE_MAX: usize = 200;

/// An RFC 3339 time at the database's precision (microseconds), so that what is checked here
/// is what is stored.
fn instant(value: &str) -> Result<DateTime<Utc>, String> {
    rfc3339(value).map(|time| time.trunc_subsecs(6))
}

impl NewTimeOff {
    /// The time off `body` describes, as of `now`.
    pub fn parse(body: TimeOffBody, now: DateTime<Utc>) -> Result<Self, Problem> {
        let mut errors = FieldErrors::default();
        let starts_at = errors.check("starts_at", instant(&body.starts_at));
        let ends_at = errors.check("ends_at", instant(&body.ends_at));
        if let (Some(starts_at), Some(ends_at)) = (starts_at, ends_at) {
            if ends_at <= starts_at {
                errors.add("ends_at", "must be after starts_at");
            } else if ends_at <= now {
                errors.add("ends_at", "must be in the future");
            } else if ends_at - starts_at > LONGEST {
                errors.add("ends_at", "must be at most a year after starts_at");
            } else if ends_at > now + HORIZON {
                errors.add("ends_at", "must be within two years");
            }
        }
        let note = match body.note.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(note) if note.chars().count() > NOTE_MAX => {
                errors.add("note", format!("must be at most {NOTE_MAX} characters"));
                None
            }
            Some(note) if note.chars().any(char::is_control) => {
                errors.add("note", "must be one line without control characters");
                None
            }
            Some(note) => Some(note.to_owned()),
        };
        errors.finish()?;
        match (starts_at, ends_at) {
            (Some(starts_at), Some(ends_at)) => Ok(Self {
                slot: Slot { starts_at, ends_at },
                note,
            }),
            _ => Err(Problem::internal()),
        }
    }
}

/// Recorded time off of a doctor, or a closure of the clinic (`doctor_id` absent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TimeOff {
    pub id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doctor_id: Option<Uuid>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Only for the clinic's staff, and for everyone on a closure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(starts_at: &str, ends_at: &str, note: Option<&str>) -> TimeOffBody {
        TimeOffBody {
            starts_at: starts_at.to_owned(),
            ends_at: ends_at.to_owned(),
            note: note.map(str::to_owned),
        }
    }

    fn now() -> DateTime<Utc> {
        rfc3339("2030-03-01T12:00:00Z").unwrap()
    }

    fn errors(body: TimeOffBody) -> serde_json::Value {
        serde_json::to_value(NewTimeOff::parse(body, now()).unwrap_err()).unwrap()["errors"].clone()
    }

    #[test]
    fn time_off_is_a_range_not_over_yet_with_a_trimmed_note() {
        let parsed = NewTimeOff::parse(
            body(
                "2030-03-01T00:00:00Z",
                "2030-03-02T00:00:00Z",
                Some("  course  "),
            ),
            now(),
        )
        .unwrap();
        assert_eq!(parsed.note.as_deref(), Some("course"), "it may have begun");
        let blank = NewTimeOff::parse(
            body("2030-03-04T13:00:00Z", "2030-03-04T17:00:00Z", Some(" ")),
            now(),
        )
        .unwrap();
        assert_eq!(blank.note, None);
    }

    #[test]
    fn a_range_backwards_past_too_long_or_unreadable_is_refused_on_its_field() {
        let cases = [
            (
                body("2030-03-05T10:00:00Z", "2030-03-05T10:00:00Z", None),
                "ends_at",
                "must be after starts_at",
            ),
            (
                body("2030-02-01T00:00:00Z", "2030-02-02T00:00:00Z", None),
                "ends_at",
                "must be in the future",
            ),
            (
                body("2030-03-05T00:00:00Z", "2031-03-07T00:00:00Z", None),
                "ends_at",
                "must be at most a year after starts_at",
            ),
            (
                body("tomorrow", "2030-03-07T00:00:00Z", None),
                "starts_at",
                "must be an RFC 3339 time such as 2030-01-31T09:30:00Z",
            ),
        ];
        for (body, field, message) in cases {
            assert_eq!(errors(body)[field], message);
        }
        assert_eq!(
            errors(body("2030-03-05T00:00:00Z", "2033-03-06T00:00:00Z", None))["ends_at"],
            "must be at most a year after starts_at"
        );
        assert_eq!(
            errors(body("2032-03-05T00:00:00Z", "2032-03-06T00:00:00Z", None))["ends_at"],
            "must be within two years"
        );
        // Apart only below the microseconds the database keeps: the same instant there.
        assert_eq!(
            errors(body(
                "2030-03-05T10:00:00.0000001Z",
                "2030-03-05T10:00:00.0000009Z",
                None
            ))["ends_at"],
            "must be after starts_at"
        );
        assert_eq!(
            errors(body(
                "2030-03-05T00:00:00Z",
                "2030-03-06T00:00:00Z",
                Some("a\u{0}b")
            ))["note"],
            "must be one line without control characters"
        );
        let long = "x".repeat(201);
        assert_eq!(
            errors(body(
                "2030-03-05T00:00:00Z",
                "2030-03-06T00:00:00Z",
                Some(&long)
            ))["note"],
            "must be at most 200 characters"
        );
    }
}
