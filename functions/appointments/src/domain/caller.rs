use carebook_auth::Role;
use carebook_events::Actor;
use uuid::Uuid;

use super::Appointment;

/// The caller in the role that decides what they may do: admin, else doctor, else patient.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    Patient(Uuid),
    Doctor(Uuid),
    Admin(Uuid),
}

impl Caller {
    pub fn id(self) -> Uuid {
        match self {
            Caller::Patient(id) | Caller::Doctor(id) | Caller::Admin(id) => id,
        }
    }

    pub fn role(self) -> Role {
        match self {
            Caller::Patient(_) => Role::Patient,
            Caller::Doctor(_) => Role::Doctor,
            Caller::Admin(_) => Role::Admin,
        }
    }

    /// The caller as an event names who acted.
    pub fn actor(self) -> Actor {
        Actor {
            id: self.id(),
            role: self.role(),
        }
    }

    pub fn is_admin(self) -> bool {
        matches!(self, Caller::Admin(_))
    }

    /// Participants and admins see an appointment; to anyone else it does not exist.
    pub fn sees(self, appointment: &Appointment) -> bool {
        self.is_admin() || [appointment.patient_id, appointment.doctor_id].contains(&self.id())
    }

    /// Whether the caller is the clinic's side of `appointment`: its doctor or an admin.
    pub fn is_staff_of(self, appointment: &Appointment) -> bool {
        self.is_admin() || self.id() == appointment.doctor_id
    }
}
