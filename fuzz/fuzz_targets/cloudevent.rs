//! Any bytes as a Kafka record value: decoding the CloudEvent envelope and then its payload as
//! each event type returns an error or a value, never a panic.
#![no_main]

use carebook_events::{
    AppointmentCancelled, AppointmentCompleted, AppointmentCreated, AppointmentRescheduled,
    Envelope, UserRegistered, UserUpdated,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(envelope) = Envelope::decode(bytes) {
        let _ = envelope.data_as::<UserRegistered>();
        let _ = envelope.data_as::<UserUpdated>();
        let _ = envelope.data_as::<AppointmentCreated>();
        let _ = envelope.data_as::<AppointmentRescheduled>();
        let _ = envelope.data_as::<AppointmentCancelled>();
        let _ = envelope.data_as::<AppointmentCompleted>();
    }
});
