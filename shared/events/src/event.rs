use serde_json::value::RawValue;

use crate::{
    AppointmentCancelled, AppointmentCompleted, AppointmentCreated, AppointmentRescheduled,
    DecodeError, EventData, UserRegistered, UserUpdated,
};

/// Declares [`Event`] and what is derived from its list of payloads, so that a new payload
/// type is a variant, a name in [`EVENT_TYPES`] and a case of the decoder at once.
macro_rules! events {
    ($($payload:ident),+ $(,)?) => {
        /// Every event Carebook publishes, with its payload. Consumers `match` on it without a
        /// catch-all arm, so a new event type does not compile until each of them says what
        /// it does with it (if only that it has no use for it).
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub enum Event {
            $($payload($payload),)+
        }

        /// Every event type Carebook publishes.
        pub const EVENT_TYPES: [&str; [$($payload::TYPE),+].len()] = [$($payload::TYPE),+];

        impl Event {
            /// The CloudEvents `type` of this payload, e.g. `appointment.created`.
            pub fn event_type(&self) -> &'static str {
                match self {
                    $(Event::$payload(_) => $payload::TYPE,)+
                }
            }

            /// Reads `data` as the payload of `event_type`: the one place a type name
            /// becomes a Rust type.
            pub(crate) fn decode(event_type: &str, data: &RawValue) -> Result<Self, DecodeError> {
                let invalid = |source| DecodeError::InvalidData {
                    event_type: event_type.to_owned(),
                    source,
                };
                match event_type {
                    $($payload::TYPE => serde_json::from_str(data.get())
                        .map(Event::$payload)
                        .map_err(invalid),)+
                    _ => Err(DecodeError::UnknownType(event_type.to_owned())),
                }
            }
        }
    };
}

events!(
    UserRegistered,
    UserUpdated,
    AppointmentCreated,
    AppointmentRescheduled,
    AppointmentCancelled,
    AppointmentCompleted,
);
