//! Appointments and the people in them, as read from and written to the database.

use carebook_auth::Role;
use carebook_events::{AppointmentSnapshot, AppointmentStatus, Participant, Priority, Slot};
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::WeeklyHours;

/// An appointment as the API shows it, its doctor and patient named as the directory knows
/// them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Appointment {
    pub id: Uuid,
    pub patient_id: Uuid,
    /// The patient's full name, else their user name.
    pub patient_name: String,
    pub doctor_id: Uuid,
    /// The doctor's full name, else their user name.
    pub doctor_name: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    #[schema(minimum = 5, maximum = 240)]
    pub duration_minutes: i16,
    pub reason: String,
    pub priority: Priority,
    pub status: AppointmentStatus,
    pub cancellation_reason: Option<String>,
    /// Increases with every change; sent back as `If-Match` (also the `ETag`).
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Appointment {
    /// The slot it occupies.
    pub fn slot(&self) -> Slot {
        Slot {
            starts_at: self.starts_at,
            ends_at: self.ends_at,
        }
    }

    pub fn is_scheduled(&self) -> bool {
        self.status == AppointmentStatus::Scheduled
    }

    /// How long it lasts, in minutes.
    pub fn minutes(&self) -> u16 {
        u16::try_from(self.duration_minutes).unwrap_or_default()
    }

    /// The appointment as events carry it, with its participants.
    pub fn snapshot(&self, patient: &Person, doctor: &Person) -> AppointmentSnapshot {
        AppointmentSnapshot {
            appointment_id: self.id,
            patient: patient.participant(),
            doctor: doctor.participant(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            duration_minutes: self.minutes(),
            priority: self.priority,
            status: self.status,
            version: self.version,
        }
    }

    /// The appointment as `change` leaves it, as events carry it.
    pub fn snapshot_after(
        &self,
        change: &Change,
        patient: &Person,
        doctor: &Person,
    ) -> AppointmentSnapshot {
        AppointmentSnapshot {
            starts_at: change.slot.starts_at,
            ends_at: change.slot.ends_at,
            duration_minutes: change.duration_minutes,
            status: change.status,
            version: self.version + 1,
            ..self.snapshot(patient, doctor)
        }
    }
}

/// A doctor as anyone signed in may see them: what `GET /doctors` shows, no contact details.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DoctorListing {
    /// First and last name; `None` when the directory has neither (never the user name, which
    /// may be an email address).
    pub name: Option<String>,
    pub specialty: Option<String>,
}

/// Someone in this service's directory (from `user-events`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub id: Uuid,
    pub roles: Vec<Role>,
    /// `display_name(people)`: full name, else user name.
    pub name: String,
    pub email: Option<String>,
    /// Whether Keycloak verified `email`.
    pub email_verified: bool,
}

impl Person {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// The person as an event names them.
    pub fn participant(&self) -> Participant {
        Participant {
            id: self.id,
            name: self.name.clone(),
            email: self.email.clone(),
            email_verified: self.email_verified,
        }
    }
}

/// Who a booking names, as the directory knows them, with the doctor's own week (`None`:
/// the clinic's hours).
#[derive(Clone, Debug, Default)]
pub struct Parties {
    pub doctor: Option<Person>,
    pub patient: Option<Person>,
    pub doctor_hours: Option<WeeklyHours>,
}

/// A new appointment's row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRow<'a> {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub doctor_id: Uuid,
    pub slot: Slot,
    pub duration_minutes: u16,
    pub reason: &'a str,
    pub priority: Priority,
    pub created_by: Uuid,
}

impl NewRow<'_> {
    /// The appointment this row becomes, as events carry it.
    pub fn snapshot(&self, patient: &Person, doctor: &Person) -> AppointmentSnapshot {
        AppointmentSnapshot {
            appointment_id: self.id,
            patient: patient.participant(),
            doctor: doctor.participant(),
            starts_at: self.slot.starts_at,
            ends_at: self.slot.ends_at,
            duration_minutes: self.duration_minutes,
            priority: self.priority,
            status: AppointmentStatus::Scheduled,
            version: 1,
        }
    }
}

/// What a change sets on a scheduled appointment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub slot: Slot,
    pub duration_minutes: u16,
    pub reason: String,
    pub status: AppointmentStatus,
    pub cancellation_reason: Option<String>,
}

impl Change {
    /// The change that ends `appointment` with `status`, leaving its slot and reason.
    pub fn closing(
        appointment: &Appointment,
        status: AppointmentStatus,
        cancellation_reason: Option<String>,
    ) -> Self {
        Self {
            slot: appointment.slot(),
            duration_minutes: appointment.minutes(),
            reason: appointment.reason.clone(),
            status,
            cancellation_reason,
        }
    }
}
