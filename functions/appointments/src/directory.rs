//! The Kafka-triggered handler that keeps this service's directory of doctors and patients
//! from `user-events` (SPEC §5): each record is applied and marked processed in one
//! transaction, so a redelivery has no second effect.

use aws_lambda_events::kafka::{KafkaEvent, KafkaRecord};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use carebook_events::{DecodeError, Envelope, UserRegistered, UserSnapshot, UserUpdated};
use serde::Serialize;
use sqlx::PgPool;
use tracing::Instrument;

use crate::store;

/// A record to retry: Lambda's event source mapping redelivers it and everything after it
/// in its partition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BatchItemFailure {
    #[serde(rename = "topic-partition")]
    pub topic_partition: String,
    pub offset: i64,
}

/// The handler's answer: a partial batch response (empty when every record is done).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BatchResponse {
    #[serde(rename = "batchItemFailures")]
    pub batch_item_failures: Vec<BatchItemFailure>,
}

/// What became of one record.
enum Outcome {
    Applied,
    /// Already processed, of a type this service ignores, or about nobody it keeps.
    Skipped,
    /// Can never be processed (not a Carebook event, an invalid payload). Issue 4 sends these
    /// to a dead-letter topic; until then they are logged and skipped so the partition moves on.
    /// The reason is a fixed phrase: decoder messages can quote the record, and records hold
    /// names and emails, which stay out of logs.
    Rejected(&'static str),
}

/// Applies a batch of `user-events` records. A record failing for a transient reason (the
/// database) is reported in `batchItemFailures`, as are the records after it in its
/// partition, so their order is kept; other partitions go on.
#[tracing::instrument(skip_all, fields(records = tracing::field::Empty))]
pub async fn sync_directory(pool: &PgPool, event: KafkaEvent) -> BatchResponse {
    let mut response = BatchResponse::default();
    let mut total = 0;
    for (topic_partition, records) in event.records {
        total += records.len();
        let mut records = records.into_iter();
        for record in records.by_ref() {
            let span = tracing::info_span!("record", topic = ?record.topic, partition = record.partition, offset = record.offset, event_id = tracing::field::Empty, event_type = tracing::field::Empty);
            let outcome = apply(pool, &record).instrument(span).await;
            match outcome {
                Ok(Outcome::Applied | Outcome::Skipped) => {}
                Ok(Outcome::Rejected(reason)) => {
                    tracing::error!(partition = record.partition, offset = record.offset, %reason, "record rejected");
                }
                Err(error) => {
                    tracing::warn!(partition = record.partition, offset = record.offset, error = %error, "record will be retried");
                    response.batch_item_failures.push(BatchItemFailure {
                        topic_partition: topic_partition.clone(),
                        offset: record.offset,
                    });
                    break;
                }
            }
        }
    }
    tracing::Span::current().record("records", total);
    response
}

async fn apply(pool: &PgPool, record: &KafkaRecord) -> Result<Outcome, sqlx::Error> {
    let Some(bytes) = record
        .value
        .as_deref()
        .and_then(|value| STANDARD.decode(value).ok())
    else {
        return Ok(Outcome::Rejected("the value is missing or not base64"));
    };
    let envelope = match Envelope::decode(&bytes) {
        Ok(envelope) => envelope,
        Err(DecodeError::UnsupportedSpecVersion(_)) => {
            return Ok(Outcome::Rejected("an unsupported CloudEvents version"));
        }
        Err(_) => return Ok(Outcome::Rejected("not a CloudEvents envelope")),
    };
    let span = tracing::Span::current();
    span.record("event_id", tracing::field::display(envelope.id));
    span.record("event_type", envelope.event_type.as_str());
    let user: Option<UserSnapshot> = match (
        envelope.data_as::<UserRegistered>(),
        envelope.data_as::<UserUpdated>(),
    ) {
        (Ok(Some(registered)), _) => Some(registered.user),
        (_, Ok(Some(updated))) => Some(updated.user),
        (Err(_), _) | (_, Err(_)) => {
            return Ok(Outcome::Rejected("a payload that does not match its type"));
        }
        // Consumers ignore types they do not know (SPEC §4).
        _ => None,
    };
    let Some(user) = user else {
        return Ok(Outcome::Skipped);
    };
    let mut tx = pool.begin().await?;
    if !store::mark_processed(&mut tx, envelope.id).await? {
        return Ok(Outcome::Skipped);
    }
    store::upsert_person(&mut tx, &user, Some(envelope.time)).await?;
    tx.commit().await?;
    tracing::info!(user_id = %user.user_id, "directory updated");
    Ok(Outcome::Applied)
}
