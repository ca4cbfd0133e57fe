use chrono::{DateTime, SubsecRound, Utc};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::{Event, Topic};

/// The CloudEvents version Carebook writes and accepts.
pub const SPEC_VERSION: &str = "1.0";

const JSON: &str = "application/json";

/// A payload type: what it is called, who sends it, where it goes and what it is about.
pub trait EventData: Serialize + DeserializeOwned + JsonSchema {
    /// The CloudEvents `type`, e.g. `appointment.created`.
    const TYPE: &'static str;
    /// The CloudEvents `source`: the service that owns the data.
    const SOURCE: &'static str;
    /// The topic the event is published to.
    const TOPIC: Topic;

    /// The id of the entity the event is about: the CloudEvents `subject` and the Kafka key.
    fn subject(&self) -> Uuid;
}

/// A CloudEvents 1.0 event in structured JSON mode.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CloudEvent<T> {
    /// Always `1.0`.
    pub specversion: String,
    /// A UUID v7: unique, and sortable by creation time. Consumers deduplicate by it.
    pub id: Uuid,
    /// The service that emitted the event, e.g. `/carebook/appointments`.
    pub source: String,
    /// What happened, e.g. `appointment.created`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The id of the user or appointment the event is about; also the Kafka key.
    pub subject: String,
    /// When the change was committed.
    pub time: DateTime<Utc>,
    /// Always `application/json`.
    pub datacontenttype: String,
    /// The payload.
    pub data: T,
    /// The W3C Trace Context of the change that emitted the event (CloudEvents'
    /// distributed-tracing extension), so its consumers' spans join that trace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traceparent: Option<String>,
    /// The vendor part of the trace context, when the trace has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracestate: Option<String>,
}

impl<T: EventData> CloudEvent<T> {
    /// A new event about `data`, with a fresh id, stamped now.
    pub fn new(data: T) -> Self {
        Self {
            specversion: SPEC_VERSION.to_owned(),
            id: Uuid::now_v7(),
            source: T::SOURCE.to_owned(),
            event_type: T::TYPE.to_owned(),
            subject: data.subject().to_string(),
            // Microseconds: what PostgreSQL keeps, so a stored event reads back equal.
            time: Utc::now().trunc_subsecs(6),
            datacontenttype: JSON.to_owned(),
            data,
            traceparent: None,
            tracestate: None,
        }
    }

    /// The topic this event goes to.
    pub fn topic(&self) -> Topic {
        T::TOPIC
    }

    /// The same event with its payload as JSON text, as the outbox stores it.
    pub fn to_envelope(&self) -> Result<Envelope, serde_json::Error> {
        Ok(CloudEvent {
            specversion: self.specversion.clone(),
            id: self.id,
            source: self.source.clone(),
            event_type: self.event_type.clone(),
            subject: self.subject.clone(),
            time: self.time,
            datacontenttype: self.datacontenttype.clone(),
            data: serde_json::value::to_raw_value(&self.data)?,
            traceparent: self.traceparent.clone(),
            tracestate: self.tracestate.clone(),
        })
    }
}

/// An event whose payload has not been read yet: what a consumer decodes first.
///
/// The payload stays JSON text until the envelope's `type` says what it is (CloudEvents
/// leaves attributes unordered, and the outbox relay writes `data` before `type`), so a
/// record's bytes are parsed once: into the attributes here, then into the payload by
/// [`Envelope::event`].
pub type Envelope = CloudEvent<Box<RawValue>>;

/// Why a record is not a Carebook event a consumer can use.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// Not JSON, or not a CloudEvents envelope.
    #[error("not a CloudEvents envelope: {0}")]
    Malformed(#[source] serde_json::Error),
    /// An envelope of another CloudEvents version.
    #[error("unsupported CloudEvents specversion {0:?}")]
    UnsupportedSpecVersion(String),
    /// A type Carebook does not publish (a newer version, a typo). Consumers park it in their
    /// dead-letter topic rather than drop it, so it can be replayed once they understand it.
    #[error("unknown event type {0:?}")]
    UnknownType(String),
    /// The envelope is fine but its `data` does not match its `type`.
    #[error("invalid {event_type} payload: {source}")]
    InvalidData {
        event_type: String,
        #[source]
        source: serde_json::Error,
    },
}

impl DecodeError {
    /// Why the record is refused, in words fit for a dead letter's `dlq-reason` header and a
    /// log line: fixed text, never the decoder's, which can quote names and emails.
    pub fn reason(&self) -> &'static str {
        match self {
            DecodeError::Malformed(_) => "not a CloudEvents envelope",
            DecodeError::UnsupportedSpecVersion(_) => "an unsupported CloudEvents version",
            DecodeError::UnknownType(_) => "an unknown event type",
            DecodeError::InvalidData { .. } => "a payload that does not match its type",
        }
    }
}

impl Envelope {
    /// Reads a record value as a CloudEvents 1.0 structured-mode envelope.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let envelope: Envelope = serde_json::from_slice(bytes).map_err(DecodeError::Malformed)?;
        if envelope.specversion != SPEC_VERSION {
            return Err(DecodeError::UnsupportedSpecVersion(envelope.specversion));
        }
        Ok(envelope)
    }

    /// The payload, read as the type the envelope names. Fails on a type Carebook does not
    /// publish and on a payload that does not match its type.
    pub fn event(&self) -> Result<Event, DecodeError> {
        Event::decode(&self.event_type, &self.data)
    }

    /// The envelope with its payload read, as [`Envelope::event`] reads it.
    pub fn into_event(self) -> Result<CloudEvent<Event>, DecodeError> {
        let data = self.event()?;
        Ok(CloudEvent {
            specversion: self.specversion,
            id: self.id,
            source: self.source,
            event_type: self.event_type,
            subject: self.subject,
            time: self.time,
            datacontenttype: self.datacontenttype,
            data,
            traceparent: self.traceparent,
            tracestate: self.tracestate,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

    use carebook_auth::Role;
    use serde_json::{Value, json};

    use super::*;
    use crate::{UserRegistered, UserSnapshot};

    fn registered() -> CloudEvent<UserRegistered> {
        CloudEvent::new(UserRegistered {
            user: UserSnapshot {
                user_id: Uuid::from_u128(7),
                username: Some("dr-house".into()),
                email: Some("house@carebook.test".into()),
                email_verified: true,
                first_name: Some("Gregory".into()),
                last_name: Some("House".into()),
                roles: vec![Role::Doctor],
                specialty: Some("diagnostics".into()),
            },
        })
    }

    /// `event` as the outbox relay publishes it: read back from `jsonb` into a
    /// `serde_json::Value`, whose keys are sorted, so `data` comes before `type`.
    fn as_relayed(event: &impl Serialize) -> Vec<u8> {
        let value: Value = serde_json::to_value(event).unwrap();
        serde_json::to_vec(&value).unwrap()
    }

    fn with(event: &impl Serialize, field: &str, value: Value) -> Vec<u8> {
        let mut json = serde_json::to_value(event).unwrap();
        json[field] = value;
        serde_json::to_vec(&json).unwrap()
    }

    #[test]
    fn a_relayed_event_reads_back_as_the_event_that_was_published() {
        // Arrange
        let published = registered();

        // Act
        let received = Envelope::decode(&as_relayed(&published))
            .unwrap()
            .into_event()
            .unwrap();

        // Assert
        assert_eq!(received.id, published.id);
        assert_eq!(received.time, published.time);
        assert_eq!(received.event_type, "user.registered");
        assert_eq!(received.data, Event::UserRegistered(published.data));
    }

    #[test]
    fn the_outbox_copy_is_byte_for_byte_the_published_event() {
        let published = registered();

        let stored = serde_json::to_vec(&published.to_envelope().unwrap()).unwrap();

        assert_eq!(stored, serde_json::to_vec(&published).unwrap());
    }

    #[test]
    fn an_unknown_type_is_refused_with_the_reason_consumers_report() {
        // Arrange: a type no Carebook service publishes, on an envelope that is fine.
        let bytes = with(&registered(), "type", json!("user.deleted.v9"));
        let envelope = Envelope::decode(&bytes).unwrap();

        // Act
        let error = envelope.event().unwrap_err();

        // Assert: the reason a consumer's dead letter carries in `dlq-reason`.
        assert!(matches!(&error, DecodeError::UnknownType(t) if t == "user.deleted.v9"));
        assert_eq!(error.reason(), "an unknown event type");
    }

    #[test]
    fn a_payload_that_does_not_match_its_type_is_refused() {
        let bytes = with(
            &registered(),
            "data",
            json!({ "user": { "user_id": "not a uuid" } }),
        );

        let error = Envelope::decode(&bytes).unwrap().event().unwrap_err();

        assert!(
            matches!(&error, DecodeError::InvalidData { event_type, .. } if event_type == "user.registered")
        );
        assert_eq!(error.reason(), "a payload that does not match its type");
    }

    #[test]
    fn a_record_that_is_not_an_envelope_is_refused() {
        let error = Envelope::decode(b"{not json").unwrap_err();

        assert_eq!(error.reason(), "not a CloudEvents envelope");
    }
}
