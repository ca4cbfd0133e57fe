use serde_json::{Value, json};

use crate::{
    AppointmentCancelled, AppointmentCompleted, AppointmentCreated, AppointmentRescheduled,
    CloudEvent, EventData, SPEC_VERSION, UserRegistered, UserUpdated,
};

const CHECKED_IN: [(&str, &str); 6] = [
    (
        UserRegistered::TYPE,
        include_str!("../schemas/user.registered.json"),
    ),
    (
        UserUpdated::TYPE,
        include_str!("../schemas/user.updated.json"),
    ),
    (
        AppointmentCreated::TYPE,
        include_str!("../schemas/appointment.created.json"),
    ),
    (
        AppointmentRescheduled::TYPE,
        include_str!("../schemas/appointment.rescheduled.json"),
    ),
    (
        AppointmentCancelled::TYPE,
        include_str!("../schemas/appointment.cancelled.json"),
    ),
    (
        AppointmentCompleted::TYPE,
        include_str!("../schemas/appointment.completed.json"),
    ),
];

/// The checked-in JSON Schema (draft 2020-12) of a whole event of `event_type`, envelope
/// included; `None` for a type Carebook does not publish.
pub fn schema(event_type: &str) -> Option<Value> {
    CHECKED_IN
        .iter()
        .find(|(name, _)| *name == event_type)
        .and_then(|(_, text)| serde_json::from_str(text).ok())
}

/// The JSON Schema of a whole `T` event as the Rust types define it: what `schemas/` must hold.
pub fn schema_of<T: EventData>() -> Value {
    let mut schema = schemars::schema_for!(CloudEvent<T>).to_value();
    schema["$id"] = json!(format!("urn:carebook:event:{}", T::TYPE));
    schema["title"] = json!(T::TYPE);
    let properties = &mut schema["properties"];
    properties["specversion"]["const"] = json!(SPEC_VERSION);
    properties["type"]["const"] = json!(T::TYPE);
    properties["source"]["const"] = json!(T::SOURCE);
    properties["datacontenttype"]["const"] = json!("application/json");
    schema
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::{EVENT_TYPES, Envelope, Topic};

    fn generated() -> [(&'static str, Value); 6] {
        [
            (UserRegistered::TYPE, schema_of::<UserRegistered>()),
            (UserUpdated::TYPE, schema_of::<UserUpdated>()),
            (AppointmentCreated::TYPE, schema_of::<AppointmentCreated>()),
            (
                AppointmentRescheduled::TYPE,
                schema_of::<AppointmentRescheduled>(),
            ),
            (
                AppointmentCancelled::TYPE,
                schema_of::<AppointmentCancelled>(),
            ),
            (
                AppointmentCompleted::TYPE,
                schema_of::<AppointmentCompleted>(),
            ),
        ]
    }

    #[test]
    fn checked_in_schemas_match_the_rust_types() {
        let update = std::env::var_os("UPDATE_SCHEMAS").is_some();
        for (event_type, generated) in generated() {
            if update {
                let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("schemas")
                    .join(format!("{event_type}.json"));
                let text = serde_json::to_string_pretty(&generated).unwrap() + "\n";
                std::fs::write(path, text).unwrap();
                continue;
            }
            assert_eq!(
                schema(event_type).as_ref(),
                Some(&generated),
                "schemas/{event_type}.json is out of date: run UPDATE_SCHEMAS=1 cargo test -p carebook-events"
            );
        }
    }

    #[test]
    fn every_published_type_has_a_schema() {
        for event_type in EVENT_TYPES {
            assert!(schema(event_type).is_some(), "{event_type}");
        }
        assert!(schema("appointment.deleted").is_none());
    }

    #[test]
    fn the_asyncapi_document_names_every_topic_and_schema() {
        let asyncapi = include_str!("../asyncapi.yaml");
        for topic in Topic::ALL {
            assert!(asyncapi.contains(&format!("address: {topic}")), "{topic}");
        }
        for event_type in EVENT_TYPES {
            assert!(
                asyncapi.contains(&format!("./schemas/{event_type}.json")),
                "{event_type}"
            );
        }
    }

    #[test]
    fn an_envelope_of_another_specversion_is_refused() {
        let event = json!({
            "specversion": "0.3", "id": "0190b5d2-6a4e-7c3a-9a4e-2b1c0d9e8f70",
            "source": "/x", "type": "user.registered", "subject": "s",
            "time": "2026-01-01T00:00:00Z", "datacontenttype": "application/json", "data": {}
        });

        let result = Envelope::decode(event.to_string().as_bytes());

        assert!(matches!(
            result,
            Err(crate::DecodeError::UnsupportedSpecVersion(_))
        ));
    }
}
