//! Who may change a scheduled appointment, and how: the rules of `PATCH /appointments/{id}`,
//! `cancel` and `complete` once the request is valid and the appointment found.

use carebook_events::{AppointmentStatus, Slot};
use chrono::{DateTime, Utc};

use super::booking::within_hours;
use super::{Appointment, Caller, Change, Reason, Refusal, Reschedule, WeeklyHours, WorkingHours};

/// `caller`'s `change` of `before` as of `now`: what to write, or why not. Its patient or an
/// admin moves it or edits its reason; a new slot must lie within the doctor's week (`own`,
/// else the clinic's hours), an unmoved one stays even if the hours changed since.
pub fn reschedule(
    caller: Caller,
    before: &Appointment,
    change: &Reschedule,
    own: Option<&WeeklyHours>,
    clinic: &WorkingHours,
    now: DateTime<Utc>,
) -> Result<Change, Refusal> {
    if let Caller::Doctor(_) = caller {
        return Err(Refusal::Forbidden {
            required: vec!["patient", "admin"],
        });
    }
    not_started_for_patient(caller, before, now)?;
    let duration_minutes = change.duration.map_or(before.minutes(), |d| d.get());
    let starts_at = change.starts_at.unwrap_or(before.starts_at);
    let slot = Slot {
        starts_at,
        ends_at: starts_at + chrono::Duration::minutes(i64::from(duration_minutes)),
    };
    if slot != before.slot() {
        within_hours(own, clinic, before.doctor_id, slot)?;
    }
    let reason = change
        .reason
        .as_ref()
        .map_or(before.reason.as_str(), Reason::as_ref);
    Ok(Change {
        slot,
        duration_minutes,
        reason: reason.to_owned(),
        status: AppointmentStatus::Scheduled,
        cancellation_reason: None,
    })
}

/// `caller` cancels `before` as of `now`, saying `reason`: its patient before it starts, its
/// doctor or an admin at any time.
pub fn cancel(
    caller: Caller,
    before: &Appointment,
    reason: Option<&Reason>,
    now: DateTime<Utc>,
) -> Result<Change, Refusal> {
    not_started_for_patient(caller, before, now)?;
    Ok(Change::closing(
        before,
        AppointmentStatus::Cancelled,
        reason.map(|reason| reason.as_ref().to_owned()),
    ))
}

/// `caller` marks `before` as having taken place, as of `now`: its doctor or an admin, at or
/// after its start.
pub fn complete(
    caller: Caller,
    before: &Appointment,
    now: DateTime<Utc>,
) -> Result<Change, Refusal> {
    if !caller.is_staff_of(before) {
        return Err(Refusal::Forbidden {
            required: vec!["doctor", "admin"],
        });
    }
    if now < before.starts_at {
        return Err(Refusal::NotStarted);
    }
    Ok(Change::closing(before, AppointmentStatus::Completed, None))
}

/// Refuses the patient of an appointment that has started: from its start it is the clinic's
/// to cancel or change (its doctor's or an admin's), not a late no-show's.
fn not_started_for_patient(
    caller: Caller,
    appointment: &Appointment,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    if caller.is_staff_of(appointment) || now < appointment.starts_at {
        Ok(())
    } else {
        Err(Refusal::AlreadyStarted)
    }
}

#[cfg(test)]
mod tests {
    use carebook_events::Priority;
    use chrono::Duration;
    use uuid::Uuid;

    use super::*;
    use crate::domain::DurationMinutes;

    const DOCTOR: Uuid = Uuid::from_u128(1);
    const PATIENT: Uuid = Uuid::from_u128(2);
    const ADMIN: Uuid = Uuid::from_u128(3);

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    /// Scheduled from 10:00 to 10:30 on Tuesday 2030-01-01.
    fn appointment() -> Appointment {
        Appointment {
            id: Uuid::from_u128(9),
            patient_id: PATIENT,
            patient_name: "Pat".to_owned(),
            doctor_id: DOCTOR,
            doctor_name: "Dr Who".to_owned(),
            starts_at: at("2030-01-01T10:00:00Z"),
            ends_at: at("2030-01-01T10:30:00Z"),
            duration_minutes: 30,
            reason: "check-up".to_owned(),
            priority: Priority::Normal,
            status: AppointmentStatus::Scheduled,
            cancellation_reason: None,
            version: 4,
            created_at: at("2029-12-01T00:00:00Z"),
            updated_at: at("2029-12-01T00:00:00Z"),
        }
    }

    fn before_it() -> DateTime<Utc> {
        at("2029-12-31T12:00:00Z")
    }

    fn once_started() -> DateTime<Utc> {
        at("2030-01-01T10:05:00Z")
    }

    fn moving(starts_at: Option<&str>, minutes: Option<i64>, reason: Option<&str>) -> Reschedule {
        Reschedule {
            starts_at: starts_at.map(at),
            duration: minutes.map(|m| DurationMinutes::parse(m).unwrap()),
            reason: reason.map(|r| Reason::parse(r).unwrap()),
            version: None,
        }
    }

    fn reschedule_as(
        caller: Caller,
        before: &Appointment,
        change: &Reschedule,
        now: DateTime<Utc>,
    ) -> Result<Change, Refusal> {
        reschedule(caller, before, change, None, &WorkingHours::default(), now)
    }

    #[test]
    fn a_reschedule_keeps_what_it_does_not_change() {
        let longer = moving(None, Some(45), None);

        let change = reschedule_as(
            Caller::Patient(PATIENT),
            &appointment(),
            &longer,
            before_it(),
        )
        .unwrap();

        assert_eq!(change.slot.starts_at, at("2030-01-01T10:00:00Z"));
        assert_eq!(change.slot.ends_at, at("2030-01-01T10:45:00Z"));
        assert_eq!(change.duration_minutes, 45);
        assert_eq!(change.reason, "check-up");
        assert_eq!(change.status, AppointmentStatus::Scheduled);
    }

    #[test]
    fn a_doctor_may_not_reschedule_even_their_own_appointment() {
        let later = moving(Some("2030-01-01T11:00:00Z"), None, None);

        let refusal = reschedule_as(Caller::Doctor(DOCTOR), &appointment(), &later, before_it());

        assert_eq!(
            refusal,
            Err(Refusal::Forbidden {
                required: vec!["patient", "admin"]
            })
        );
    }

    #[test]
    fn a_new_slot_must_fit_the_doctors_hours_and_an_unmoved_one_need_not() {
        // Arrange: an appointment the clinic's 09:00 to 17:00 no longer covers.
        let evening = Appointment {
            starts_at: at("2030-01-01T18:00:00Z"),
            ends_at: at("2030-01-01T18:30:00Z"),
            ..appointment()
        };
        let to_evening = moving(Some("2030-01-01T16:45:00Z"), None, None);
        let new_reason = moving(None, None, Some("follow-up"));

        // Act
        let moved = reschedule_as(
            Caller::Patient(PATIENT),
            &appointment(),
            &to_evening,
            before_it(),
        );
        let edited = reschedule_as(Caller::Patient(PATIENT), &evening, &new_reason, before_it());

        // Assert
        assert_eq!(
            moved,
            Err(Refusal::OutsideHours {
                doctor_id: DOCTOR,
                time_zone: chrono_tz::UTC
            })
        );
        let edited = edited.unwrap();
        assert_eq!(
            (edited.slot, edited.reason.as_str()),
            (evening.slot(), "follow-up")
        );
    }

    #[test]
    fn once_it_has_started_only_the_clinic_changes_or_cancels_an_appointment() {
        let later = moving(Some("2030-01-01T11:00:00Z"), None, None);
        let started = appointment();

        let patient_moves =
            reschedule_as(Caller::Patient(PATIENT), &started, &later, once_started());
        let patient_cancels = cancel(Caller::Patient(PATIENT), &started, None, once_started());
        let admin_moves = reschedule_as(Caller::Admin(ADMIN), &started, &later, once_started());
        let doctor_cancels = cancel(Caller::Doctor(DOCTOR), &started, None, once_started());

        assert_eq!(patient_moves, Err(Refusal::AlreadyStarted));
        assert_eq!(patient_cancels, Err(Refusal::AlreadyStarted));
        assert_eq!(
            admin_moves.unwrap().slot.starts_at,
            at("2030-01-01T11:00:00Z")
        );
        assert_eq!(doctor_cancels.unwrap().status, AppointmentStatus::Cancelled);
    }

    #[test]
    fn a_cancellation_keeps_the_slot_and_records_why() {
        let why = Reason::parse("feeling better").unwrap();

        let change = cancel(
            Caller::Patient(PATIENT),
            &appointment(),
            Some(&why),
            before_it(),
        )
        .unwrap();

        assert_eq!(change.slot, appointment().slot());
        assert_eq!(change.status, AppointmentStatus::Cancelled);
        assert_eq!(
            change.cancellation_reason.as_deref(),
            Some("feeling better")
        );
    }

    #[test]
    fn only_its_doctor_or_an_admin_completes_an_appointment_and_not_before_it_starts() {
        let staff_only = Err(Refusal::Forbidden {
            required: vec!["doctor", "admin"],
        });
        let other_doctor = Caller::Doctor(Uuid::from_u128(7));

        assert_eq!(
            complete(Caller::Patient(PATIENT), &appointment(), once_started()),
            staff_only
        );
        assert_eq!(
            complete(other_doctor, &appointment(), once_started()),
            staff_only
        );
        assert_eq!(
            complete(Caller::Doctor(DOCTOR), &appointment(), before_it()),
            Err(Refusal::NotStarted)
        );
        let at_start = appointment().starts_at;
        assert_eq!(
            complete(Caller::Doctor(DOCTOR), &appointment(), at_start).map(|c| c.status),
            Ok(AppointmentStatus::Completed)
        );
        assert_eq!(
            complete(
                Caller::Admin(ADMIN),
                &appointment(),
                once_started() + Duration::days(1)
            )
            .map(|c| c.status),
            Ok(AppointmentStatus::Completed)
        );
    }
}
