//! Payloads. Free text (booking and cancellation reasons) stays in the appointments database:
//! events travel to more systems than the data they describe, and no consumer needs it.

use carebook_auth::Role;
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{EventData, Topic};

const USERS: &str = "/carebook/users";
const APPOINTMENTS: &str = "/carebook/appointments";

/// A user as other services may know them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct UserSnapshot {
    /// The Keycloak user id.
    pub user_id: Uuid,
    pub username: Option<String>,
    pub email: Option<String>,
    /// Whether Keycloak verified `email` (the token's `email_verified`); events from before
    /// this field say nothing, which counts as not verified.
    #[serde(default)]
    pub email_verified: bool,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Carebook realm roles.
    pub roles: Vec<Role>,
    /// A doctor's specialty, e.g. `cardiology`.
    pub specialty: Option<String>,
}

/// `user.registered`: a profile was created, on first sign-in or by an admin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct UserRegistered {
    pub user: UserSnapshot,
}

/// `user.updated`: a profile changed; `user` is the profile after the change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct UserUpdated {
    pub user: UserSnapshot,
}

impl EventData for UserRegistered {
    const TYPE: &'static str = "user.registered";
    const SOURCE: &'static str = USERS;
    const TOPIC: Topic = Topic::UserEvents;

    fn subject(&self) -> Uuid {
        self.user.user_id
    }
}

impl EventData for UserUpdated {
    const TYPE: &'static str = "user.updated";
    const SOURCE: &'static str = USERS;
    const TOPIC: Topic = Topic::UserEvents;

    fn subject(&self) -> Uuid {
        self.user.user_id
    }
}

/// How urgent an appointment is.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "lowercase")
)]
pub enum Priority {
    Normal,
    Emergency,
}

/// Where an appointment is in its life.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "lowercase")
)]
pub enum AppointmentStatus {
    Scheduled,
    Cancelled,
    Completed,
}

/// A person taking part in an appointment, with what an email to them needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Participant {
    pub id: Uuid,
    /// The name to address them by.
    pub name: String,
    pub email: Option<String>,
    /// Whether Keycloak verified `email`: the clinic emails verified addresses only. Events
    /// from before this field say nothing, which counts as not verified.
    #[serde(default)]
    pub email_verified: bool,
}

/// A time slot, `[starts_at, ends_at)`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, utoipa::ToSchema,
)]
pub struct Slot {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// An appointment as it is after the change the event reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AppointmentSnapshot {
    pub appointment_id: Uuid,
    pub patient: Participant,
    pub doctor: Participant,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub duration_minutes: u16,
    pub priority: Priority,
    pub status: AppointmentStatus,
    /// Increases with every change; the `ETag` clients send back in `If-Match`.
    pub version: i32,
}

/// Who made a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Actor {
    pub id: Uuid,
    /// The role they acted in.
    pub role: Role,
}

/// `appointment.created`: a patient (or an admin for them) booked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AppointmentCreated {
    pub appointment: AppointmentSnapshot,
}

/// `appointment.rescheduled`: the slot changed; `previous` is the slot before.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AppointmentRescheduled {
    pub appointment: AppointmentSnapshot,
    pub previous: Slot,
}

/// `appointment.cancelled`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AppointmentCancelled {
    pub appointment: AppointmentSnapshot,
    pub cancelled_by: Actor,
}

/// `appointment.completed`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AppointmentCompleted {
    pub appointment: AppointmentSnapshot,
    pub completed_by: Actor,
}

macro_rules! appointment_event {
    ($payload:ty, $type:literal) => {
        impl EventData for $payload {
            const TYPE: &'static str = $type;
            const SOURCE: &'static str = APPOINTMENTS;
            const TOPIC: Topic = Topic::AppointmentEvents;

            fn subject(&self) -> Uuid {
                self.appointment.appointment_id
            }
        }
    };
}

appointment_event!(AppointmentCreated, "appointment.created");
appointment_event!(AppointmentRescheduled, "appointment.rescheduled");
appointment_event!(AppointmentCancelled, "appointment.cancelled");
appointment_event!(AppointmentCompleted, "appointment.completed");
