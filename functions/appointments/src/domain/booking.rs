//! Who may book what: the rules of `POST /appointments` once its body is valid.

use carebook_auth::Role;
use carebook_events::{AppointmentSnapshot, Slot};
use uuid::Uuid;

use super::{
    BookingRules, Caller, NewAppointment, NewRow, Parties, Person, Refusal, WeeklyHours,
    WorkingHours,
};

/// Who books: an admin for the patient they name, or a patient for themselves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Booker {
    Admin(Uuid),
    Patient(Uuid),
}

impl Booker {
    /// `caller` as a booker, `also_patient` when they hold the patient role besides their
    /// deciding one (a doctor can be a patient too); a doctor who is not is refused.
    pub fn new(caller: Caller, also_patient: bool) -> Result<Self, Refusal> {
        match caller {
            Caller::Admin(id) => Ok(Self::Admin(id)),
            Caller::Patient(id) => Ok(Self::Patient(id)),
            Caller::Doctor(id) if also_patient => Ok(Self::Patient(id)),
            Caller::Doctor(_) => Err(Refusal::Forbidden {
                required: vec!["patient", "admin"],
            }),
        }
    }

    pub fn id(self) -> Uuid {
        match self {
            Self::Admin(id) | Self::Patient(id) => id,
        }
    }

    pub fn is_admin(self) -> bool {
        matches!(self, Self::Admin(_))
    }

    /// Whether the booking is the booker's own, so the booker may be added to the directory
    /// before `user-events` told it about them.
    pub fn books_for_self(self) -> bool {
        matches!(self, Self::Patient(_))
    }

    /// The patient of `booking`: the one an admin names, else the booker.
    pub fn patient_of(self, booking: &NewAppointment) -> Uuid {
        booking.patient_id.unwrap_or(self.id())
    }
}

/// A booking the clinic's rules accept: the row to insert and who it is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Booked<'a> {
    pub row: NewRow<'a>,
    pub patient: Person,
    pub doctor: Person,
    /// How many open appointments the patient may hold with this one; `None`: no limit.
    pub max_open: Option<u16>,
}

impl Booked<'_> {
    /// The new appointment as events carry it.
    pub fn snapshot(&self) -> AppointmentSnapshot {
        self.row.snapshot(&self.patient, &self.doctor)
    }
}

/// Decides `booking` by `booker`, with its `parties` as the directory knows them: the row to
/// insert, or why not. Whether the slot is free is the database's to decide.
pub fn book<'a>(
    booker: Booker,
    booking: &'a NewAppointment,
    parties: Parties,
    clinic: &WorkingHours,
    rules: BookingRules,
) -> Result<Booked<'a>, Refusal> {
    let doctor = parties
        .doctor
        .filter(|person| person.has_role(Role::Doctor))
        .ok_or(Refusal::NotADoctor)?;
    let patient = parties
        .patient
        .filter(|person| person.has_role(Role::Patient))
        .ok_or(Refusal::NotAPatient)?;
    let slot = Slot {
        starts_at: booking.starts_at,
        ends_at: booking.starts_at + booking.duration.as_duration(),
    };
    within_hours(parties.doctor_hours.as_ref(), clinic, doctor.id, slot)?;
    let row = NewRow {
        id: Uuid::now_v7(),
        patient_id: patient.id,
        doctor_id: doctor.id,
        slot,
        duration_minutes: booking.duration.get(),
        reason: booking.reason.as_ref(),
        priority: booking.priority,
        created_by: booker.id(),
    };
    // Staff book for a patient as the clinic sees fit (a course of treatment, say); the limit
    // protects the clinic's calendar from a patient's own bookings.
    let max_open = (!booker.is_admin()).then_some(rules.max_open_per_patient);
    Ok(Booked {
        row,
        patient,
        doctor,
        max_open,
    })
}

/// Refuses `slot` unless it lies within the doctor's week: `own` when they set one, else the
/// clinic's hours every day.
pub(super) fn within_hours(
    own: Option<&WeeklyHours>,
    clinic: &WorkingHours,
    doctor_id: Uuid,
    slot: Slot,
) -> Result<(), Refusal> {
    let fits = match own {
        Some(week) => week.fits(clinic, slot),
        None => WeeklyHours::clinic(clinic).fits(clinic, slot),
    };
    if fits {
        Ok(())
    } else {
        Err(Refusal::OutsideHours {
            doctor_id,
            time_zone: clinic.time_zone,
        })
    }
}

#[cfg(test)]
mod tests {
    use carebook_events::Priority;
    use chrono::{DateTime, NaiveTime, Utc, Weekday};

    use super::*;
    use crate::domain::{DurationMinutes, Reason, Span};

    const DOCTOR: Uuid = Uuid::from_u128(1);
    const PATIENT: Uuid = Uuid::from_u128(2);
    const ADMIN: Uuid = Uuid::from_u128(3);

    fn person(id: Uuid, roles: &[Role]) -> Person {
        Person {
            id,
            roles: roles.to_vec(),
            name: "Ada Lovelace".to_owned(),
            email: None,
            email_verified: false,
        }
    }

    fn parties() -> Parties {
        Parties {
            doctor: Some(person(DOCTOR, &[Role::Doctor])),
            patient: Some(person(PATIENT, &[Role::Patient])),
            doctor_hours: None,
        }
    }

    /// Half an hour on Tuesday 2030-01-01 at `time` (UTC, the default clinic's zone).
    fn booking_at(time: &str) -> NewAppointment {
        NewAppointment {
            doctor_id: DOCTOR,
            patient_id: None,
            starts_at: DateTime::parse_from_rfc3339(&format!("2030-01-01T{time}:00Z"))
                .unwrap()
                .with_timezone(&Utc),
            duration: DurationMinutes::DEFAULT,
            reason: Reason::parse("check-up").unwrap(),
            priority: Priority::Normal,
        }
    }

    fn book_as(
        booker: Booker,
        booking: &NewAppointment,
        parties: Parties,
    ) -> Result<Booked<'_>, Refusal> {
        book(
            booker,
            booking,
            parties,
            &WorkingHours::default(),
            BookingRules::default(),
        )
    }

    #[test]
    fn a_doctor_books_only_when_also_a_patient() {
        assert_eq!(
            Booker::new(Caller::Doctor(DOCTOR), false),
            Err(Refusal::Forbidden {
                required: vec!["patient", "admin"]
            })
        );
        assert_eq!(
            Booker::new(Caller::Doctor(DOCTOR), true),
            Ok(Booker::Patient(DOCTOR))
        );
        assert_eq!(
            Booker::new(Caller::Admin(ADMIN), false),
            Ok(Booker::Admin(ADMIN))
        );
    }

    #[test]
    fn a_patient_books_for_themselves_within_the_limit() {
        // Arrange
        let booking = booking_at("09:00");
        let booker = Booker::Patient(PATIENT);

        // Act
        let booked = book_as(booker, &booking, parties()).unwrap();

        // Assert
        assert!(booker.books_for_self());
        assert_eq!(booker.patient_of(&booking), PATIENT);
        assert_eq!(
            (
                booked.row.patient_id,
                booked.row.doctor_id,
                booked.row.created_by
            ),
            (PATIENT, DOCTOR, PATIENT)
        );
        assert_eq!(
            booked.row.slot.ends_at - booked.row.slot.starts_at,
            chrono::Duration::minutes(30)
        );
        assert_eq!(booked.max_open, Some(5));
        assert_eq!(booked.snapshot().version, 1);
    }

    #[test]
    fn an_admin_books_for_the_patient_they_name_without_the_limit() {
        // Arrange
        let booking = NewAppointment {
            patient_id: Some(PATIENT),
            ..booking_at("09:00")
        };
        let booker = Booker::Admin(ADMIN);

        // Act
        let booked = book_as(booker, &booking, parties()).unwrap();

        // Assert
        assert!(!booker.books_for_self());
        assert_eq!(booker.patient_of(&booking), PATIENT);
        assert_eq!(
            (
                booked.row.patient_id,
                booked.row.created_by,
                booked.max_open
            ),
            (PATIENT, ADMIN, None)
        );
    }

    #[test]
    fn a_booking_with_someone_who_is_not_a_doctor_is_refused() {
        let booking = booking_at("09:00");
        let not_a_doctor = Parties {
            doctor: Some(person(DOCTOR, &[Role::Patient])),
            ..parties()
        };
        let unknown = Parties {
            doctor: None,
            ..parties()
        };

        for parties in [not_a_doctor, unknown] {
            let refusal = book_as(Booker::Patient(PATIENT), &booking, parties).unwrap_err();

            assert_eq!(refusal, Refusal::NotADoctor);
        }
    }

    #[test]
    fn a_booking_for_someone_who_is_not_a_patient_is_refused() {
        let booking = booking_at("09:00");
        let not_a_patient = Parties {
            patient: Some(person(PATIENT, &[Role::Doctor])),
            ..parties()
        };
        let unknown = Parties {
            patient: None,
            ..parties()
        };

        for parties in [not_a_patient, unknown] {
            let refusal = book_as(Booker::Patient(PATIENT), &booking, parties).unwrap_err();

            assert_eq!(refusal, Refusal::NotAPatient);
        }
    }

    #[test]
    fn a_booking_must_end_within_the_clinics_hours() {
        let outside = Refusal::OutsideHours {
            doctor_id: DOCTOR,
            time_zone: chrono_tz::UTC,
        };

        let book_at = |time| {
            book_as(Booker::Patient(PATIENT), &booking_at(time), parties())
                .map(|booked| booked.row.slot)
        };

        assert!(book_at("16:30").is_ok());
        assert_eq!(book_at("16:45"), Err(outside.clone()));
        assert_eq!(book_at("08:45"), Err(outside));
    }

    #[test]
    fn a_doctors_own_week_replaces_the_clinics_hours() {
        // Arrange: the doctor works Monday mornings only; 2030-01-01 is a Tuesday.
        let time = |text| NaiveTime::parse_from_str(text, "%H:%M").unwrap();
        let mondays = Parties {
            doctor_hours: Some(WeeklyHours::new(vec![Span {
                weekday: Weekday::Mon,
                opens: time("08:00"),
                closes: time("12:00"),
            }])),
            ..parties()
        };

        // Act
        let booking = booking_at("09:00");
        let refusal = book_as(Booker::Patient(PATIENT), &booking, mondays);

        // Assert
        assert!(matches!(refusal, Err(Refusal::OutsideHours { .. })));
    }
}
