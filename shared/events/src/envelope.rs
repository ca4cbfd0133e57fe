use chrono::{DateTime, SubsecRound, Utc};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Topic;

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
        }
    }

    /// The topic this event goes to.
    pub fn topic(&self) -> Topic {
        T::TOPIC
    }

    /// The same event with its payload as plain JSON, as the outbox stores it.
    pub fn to_envelope(&self) -> Result<Envelope, serde_json::Error> {
        Ok(CloudEvent {
            specversion: self.specversion.clone(),
            id: self.id,
            source: self.source.clone(),
            event_type: self.event_type.clone(),
            subject: self.subject.clone(),
            time: self.time,
            datacontenttype: self.datacontenttype.clone(),
            data: serde_json::to_value(&self.data)?,
        })
    }
}

/// An event whose payload has not been read yet: what a consumer decodes first.
pub type Envelope = CloudEvent<serde_json::Value>;

/// Why a record is not a Carebook event a consumer can use.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// Not JSON, or not a CloudEvents envelope.
    #[error("not a CloudEvents envelope: {0}")]
    Malformed(#[source] serde_json::Error),
    /// An envelope of another CloudEvents version.
    #[error("unsupported CloudEvents specversion {0:?}")]
    UnsupportedSpecVersion(String),
    /// The envelope is fine but its `data` does not match its `type`.
    #[error("invalid {event_type} payload: {source}")]
    InvalidData {
        event_type: String,
        #[source]
        source: serde_json::Error,
    },
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

    /// The payload as `T` when the event is of `T`'s type, `None` for any other type (which
    /// consumers ignore, SPEC §4).
    pub fn data_as<T: EventData>(&self) -> Result<Option<T>, DecodeError> {
        if self.event_type != T::TYPE {
            return Ok(None);
        }
        T::deserialize(&self.data)
            .map(Some)
            .map_err(|source| DecodeError::InvalidData {
                event_type: self.event_type.clone(),
                source,
            })
    }
}
