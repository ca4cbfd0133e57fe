//! Any bytes as a Kafka record value: decoding the CloudEvent envelope and then its payload as
//! each event type returns an error or a value, never a panic.
#![no_main]

use carebook_events::{EVENT_TYPES, Envelope};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(mut envelope) = Envelope::decode(bytes) {
        // Every payload type on the same data, not only the one the bytes name.
        for event_type in EVENT_TYPES {
            event_type.clone_into(&mut envelope.event_type);
            let _ = envelope.event();
        }
    }
});
