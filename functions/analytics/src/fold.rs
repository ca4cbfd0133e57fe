//! A batch of events folded to what it changes in each reporting row: each appointment to
//! its newest version, each day's counters to one sum, each user to one row. Shared by the
//! ingest handler, which makes it, and the store, which writes it.

use std::collections::BTreeMap;

use carebook_events::{AppointmentSnapshot, UserSnapshot};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// What an event changes in the reporting tables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Change {
    Appointment {
        kind: AppointmentChange,
        appointment: AppointmentSnapshot,
    },
    Registered(UserSnapshot),
    Updated(UserSnapshot),
}

/// Which of the per-day counters an appointment event adds to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AppointmentChange {
    Created,
    Rescheduled,
    Cancelled,
    Completed,
}

/// An event to apply.
pub(crate) struct Applicable {
    pub(crate) event_id: Uuid,
    pub(crate) time: DateTime<Utc>,
    pub(crate) change: Change,
}

/// An appointment's row after a batch: its newest version, and when it was booked if its
/// booking is in the batch.
#[derive(Debug, PartialEq)]
pub(crate) struct AppointmentRow<'a> {
    pub(crate) appointment: &'a AppointmentSnapshot,
    pub(crate) booked_at: Option<DateTime<Utc>>,
    pub(crate) updated_at: DateTime<Utc>,
}

/// What a batch adds to one day's counters.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct DayCounts {
    pub(crate) created: i32,
    pub(crate) rescheduled: i32,
    pub(crate) cancelled: i32,
    pub(crate) completed: i32,
}

/// A user's row after a batch: the latest roles, registered when first seen.
#[derive(Debug, PartialEq)]
pub(crate) struct RegistrationRow<'a> {
    pub(crate) user: &'a UserSnapshot,
    pub(crate) registered_at: DateTime<Utc>,
}

/// A batch of new events, folded to one change per row, ordered by key so concurrent batches
/// lock rows in the same order.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Folded<'a> {
    pub(crate) appointments: BTreeMap<Uuid, AppointmentRow<'a>>,
    pub(crate) days: BTreeMap<chrono::NaiveDate, DayCounts>,
    pub(crate) registrations: BTreeMap<Uuid, RegistrationRow<'a>>,
}

impl<'a> From<&[&'a Applicable]> for Folded<'a> {
    fn from(changes: &[&'a Applicable]) -> Self {
        let mut folded = Folded::default();
        for change in changes {
            match &change.change {
                Change::Appointment { kind, appointment } => {
                    let booked_at = (*kind == AppointmentChange::Created).then_some(change.time);
                    folded
                        .appointments
                        .entry(appointment.appointment_id)
                        .and_modify(|row| {
                            row.booked_at = row.booked_at.or(booked_at);
                            if row.appointment.version < appointment.version {
                                row.appointment = appointment;
                                row.updated_at = change.time;
                            }
                        })
                        .or_insert(AppointmentRow {
                            appointment,
                            booked_at,
                            updated_at: change.time,
                        });
                    let day = folded.days.entry(change.time.date_naive()).or_default();
                    match kind {
                        AppointmentChange::Created => day.created += 1,
                        AppointmentChange::Rescheduled => day.rescheduled += 1,
                        AppointmentChange::Cancelled => day.cancelled += 1,
                        AppointmentChange::Completed => day.completed += 1,
                    }
                }
                Change::Registered(user) | Change::Updated(user) => {
                    folded
                        .registrations
                        .entry(user.user_id)
                        .and_modify(|row| row.user = user)
                        .or_insert(RegistrationRow {
                            user,
                            registered_at: change.time,
                        });
                }
            }
        }
        folded
    }
}
