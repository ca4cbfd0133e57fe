use carebook_events::{
    AppointmentCreated, AppointmentSnapshot, AppointmentStatus, CloudEvent, Participant, Priority,
};
use uuid::Uuid;

/// The `appointment.created` event of a 30-minute booking for tomorrow between a patient and a
/// doctor named `patient` and `doctor`, each with a verified email address of their own;
/// returns the event, the patient's address and the doctor's.
pub fn booked(patient: &str, doctor: &str) -> (CloudEvent<AppointmentCreated>, String, String) {
    let person = |name: &str| {
        let email = format!("{name}-{}@carebook.test", Uuid::new_v4().simple());
        let participant = Participant {
            id: Uuid::new_v4(),
            name: name.to_owned(),
            email: Some(email.clone()),
            email_verified: true,
        };
        (participant, email)
    };
    let (patient, patient_email) = person(patient);
    let (doctor, doctor_email) = person(doctor);
    let starts_at = chrono::Utc::now() + chrono::Duration::days(1);
    let event = CloudEvent::new(AppointmentCreated {
        appointment: AppointmentSnapshot {
            appointment_id: Uuid::now_v7(),
            patient,
            doctor,
            starts_at,
            ends_at: starts_at + chrono::Duration::minutes(30),
            duration_minutes: 30,
            priority: Priority::Normal,
            status: AppointmentStatus::Scheduled,
            version: 1,
        },
    });
    (event, patient_email, doctor_email)
}
