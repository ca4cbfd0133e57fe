use chrono_tz::Tz;
use uuid::Uuid;

/// Why the clinic's rules refuse a well-formed booking or change. The API answers each with
/// its own problem (`crate::api`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The caller has none of the `required` roles for this (403).
    #[error("this needs one of the roles: {}", required.join(", "))]
    Forbidden { required: Vec<&'static str> },
    /// `doctor_id` names no doctor in the directory (400).
    #[error("the doctor is not a doctor of this clinic")]
    NotADoctor,
    /// The patient is not a patient in the directory (400).
    #[error("the patient is not a patient of this clinic")]
    NotAPatient,
    /// The slot lies outside `doctor_id`'s working hours, which are in `time_zone` (400).
    #[error("the slot is outside the doctor's working hours")]
    OutsideHours { doctor_id: Uuid, time_zone: Tz },
    /// The appointment has started and the caller is its patient: from its start it is the
    /// clinic's to change or cancel (409).
    #[error("the appointment has started")]
    AlreadyStarted,
    /// An appointment is completed at or after its start, not before (409).
    #[error("the appointment has not started")]
    NotStarted,
}
