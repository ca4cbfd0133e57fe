//! What every Carebook Kafka-triggered handler shares (SPEC §5).
//!
//! Lambda's MSK event source delivers a [`KafkaEvent`]: records grouped by `topic-partition`,
//! keys and values base64-encoded. [`Batch::decode`] turns it into [`Incoming`] records in
//! partition order, each with its CloudEvent and typed [`Event`] or the reason it has none
//! (not a CloudEvent, another CloudEvents version, a type Carebook does not publish, a payload
//! that does not match its type). A handler then applies what it can and sorts the rest:
//! - a record that can never be processed goes to the consumer's dead-letter topic
//!   (`<topic>.<consumer>.dlq`, [`DeadLetters`]) with the reason and its coordinates in headers,
//!   and the batch goes on;
//! - a record that failed for a transient reason is reported in the [`BatchResponse`] with
//!   every later record of its partition, so the event source retries them in order.

use std::collections::BTreeMap;

use aws_lambda_events::kafka::KafkaEvent;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
#[cfg(feature = "runtime")]
use carebook_backends::Publisher;
use carebook_events::{CloudEvent, Envelope, Event};
#[cfg(feature = "runtime")]
use carebook_telemetry::{TraceContext, metric};
use serde::Serialize;

/// A record the event source must deliver again, with everything after it in its partition.
///
/// The shape is AWS's for Kafka event sources, an object rather than the string that SQS,
/// Kinesis and DynamoDB take: any other shape fails the whole batch.
/// <https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html#kafka-partial-batch-response>
/// (`aws_lambda_events` 1.2 has no Kafka response type yet; aws-lambda-rust-runtime#1164
/// adds one of this shape.)
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BatchItemFailure {
    #[serde(rename = "itemIdentifier")]
    pub item_identifier: ItemIdentifier,
}

/// Which record failed: its partition as the event names it and its offset, a JSON number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ItemIdentifier {
    /// `<topic>-<partition>`, the key of the event's `records`.
    pub partition: String,
    pub offset: i64,
}

/// A Kafka-triggered handler's answer: a partial batch response, empty when all is done.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BatchResponse {
    #[serde(rename = "batchItemFailures")]
    pub batch_item_failures: Vec<BatchItemFailure>,
}

/// One record of a batch.
#[derive(Clone, Debug)]
pub struct Incoming {
    pub topic: String,
    pub partition: i64,
    pub offset: i64,
    pub timestamp_ms: i64,
    pub key: Option<Vec<u8>>,
    pub value: Vec<u8>,
    pub headers: Vec<(String, Vec<u8>)>,
    /// The CloudEvent, or why the value is not one Carebook can read.
    pub event: Result<CloudEvent<Event>, &'static str>,
}

impl Incoming {
    /// `<topic>-<partition>`, as the event source names partitions.
    pub fn topic_partition(&self) -> String {
        format!("{}-{}", self.topic, self.partition)
    }

    /// The consumer span of processing this record, with its coordinates and its event's id
    /// and type: a child of the record's publish, whose context the
    /// record's headers carry, and linked to the change that emitted the event, whose context
    /// the CloudEvent carries. Lambda hands over records in batches from many traces; each
    /// record's span joins its own.
    #[cfg(feature = "runtime")]
    pub fn span(&self) -> tracing::Span {
        let span = tracing::info_span!(
            "record",
            otel.name = %format!("process {}", self.topic),
            otel.kind = "consumer",
            messaging.system = "kafka",
            messaging.operation.type = "process",
            topic = %self.topic,
            partition = self.partition,
            offset = self.offset,
            event_id = self.event.as_ref().ok().map(|event| tracing::field::display(event.id)),
            event_type = self.event.as_ref().ok().map(|event| event.event_type.as_str()),
            trace_id = tracing::field::Empty,
            span_id = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
        );
        carebook_telemetry::continue_trace(&span, self.trace_context().as_ref());
        if let Ok(event) = &self.event {
            let created_in = TraceContext::from_fields(
                event.traceparent.as_deref(),
                event.tracestate.as_deref(),
            );
            carebook_telemetry::link_to(&span, created_in.as_ref());
        }
        span
    }

    /// Records how long ago the record's event was committed, as processed by `consumer`.
    #[cfg(feature = "runtime")]
    pub fn record_event_age(&self, consumer: &'static str) {
        if let Ok(event) = &self.event {
            let age = chrono::Utc::now() - event.time;
            metric::EVENT_AGE.record(age.num_milliseconds() as f64, Some(consumer));
        }
    }

    /// The trace context of the record's publish, from its `traceparent` and `tracestate`
    /// headers.
    #[cfg(feature = "runtime")]
    pub fn trace_context(&self) -> Option<TraceContext> {
        let header = |wanted: &str| {
            let (_, value) = self.headers.iter().find(|(name, _)| name == wanted)?;
            std::str::from_utf8(value).ok()
        };
        TraceContext::from_fields(
            header(carebook_telemetry::TRACEPARENT),
            header(carebook_telemetry::TRACESTATE),
        )
    }
}

/// The records of one invocation, in order within each partition.
pub struct Batch {
    pub records: Vec<Incoming>,
}

impl Batch {
    /// Decodes every record; undecodable ones keep a fixed reason (never decoder text, which
    /// can quote names and emails).
    pub fn decode(event: KafkaEvent) -> Self {
        let mut records: Vec<Incoming> = event
            .records
            .into_iter()
            .flat_map(|(topic_partition, records)| {
                records.into_iter().map(move |record| {
                    let topic = record.topic.clone().unwrap_or_else(|| {
                        topic_partition
                            .rsplit_once('-')
                            .map_or(topic_partition.clone(), |(topic, _)| topic.to_owned())
                    });
                    let value = record.value.as_deref().map(|v| STANDARD.decode(v));
                    let (value, event) = match value {
                        Some(Ok(bytes)) => {
                            let event = Envelope::decode(&bytes)
                                .and_then(Envelope::into_event)
                                .map_err(|error| error.reason());
                            (bytes, event)
                        }
                        _ => (Vec::new(), Err("the value is missing or not base64")),
                    };
                    Incoming {
                        topic,
                        partition: record.partition,
                        offset: record.offset,
                        timestamp_ms: record.timestamp.0.timestamp_millis(),
                        key: record.key.as_deref().and_then(|k| STANDARD.decode(k).ok()),
                        value,
                        headers: record
                            .headers
                            .iter()
                            .flat_map(|header| header.iter())
                            .map(|(name, bytes)| {
                                (
                                    name.clone(),
                                    bytes.iter().map(|b| b.to_ne_bytes()[0]).collect(),
                                )
                            })
                            .collect(),
                        event,
                    }
                })
            })
            .collect();
        records.sort_by(|a, b| {
            (&a.topic, a.partition, a.offset).cmp(&(&b.topic, b.partition, b.offset))
        });
        Self { records }
    }
}

/// Builds the partial batch response: for each partition, the first record that failed.
#[derive(Debug, Default)]
pub struct Failures(BTreeMap<String, i64>);

impl Failures {
    /// Marks `record` (and so the rest of its partition) for redelivery.
    pub fn retry(&mut self, record: &Incoming) {
        self.0
            .entry(record.topic_partition())
            .and_modify(|offset| *offset = (*offset).min(record.offset))
            .or_insert(record.offset);
    }

    /// Whether an earlier record of `record`'s partition failed: then it waits too.
    pub fn blocks(&self, record: &Incoming) -> bool {
        self.0
            .get(&record.topic_partition())
            .is_some_and(|offset| *offset < record.offset)
    }

    pub fn into_response(self) -> BatchResponse {
        BatchResponse {
            batch_item_failures: self
                .0
                .into_iter()
                .map(|(partition, offset)| BatchItemFailure {
                    item_identifier: ItemIdentifier { partition, offset },
                })
                .collect(),
        }
    }
}

/// Where a dead letter came from and why.
pub struct LetterOrigin<'a> {
    pub reason: &'a str,
    /// The consumer (or consumer group) that gave up on it.
    pub consumer: &'a str,
    pub topic: &'a str,
    pub partition: i64,
    pub offset: i64,
    pub timestamp_ms: i64,
}

impl LetterOrigin<'_> {
    /// The record's own `headers`, then `dlq-reason`, `dlq-consumer`, `dlq-topic`,
    /// `dlq-partition`, `dlq-offset` and `dlq-timestamp`: what `dead-letters replay` and a
    /// person reading the letter need.
    pub fn headers(&self, original: &[(String, Vec<u8>)]) -> Vec<(String, Vec<u8>)> {
        let origin = [
            ("dlq-reason", self.reason.to_owned()),
            ("dlq-consumer", self.consumer.to_owned()),
            ("dlq-topic", self.topic.to_owned()),
            ("dlq-partition", self.partition.to_string()),
            ("dlq-offset", self.offset.to_string()),
            ("dlq-timestamp", self.timestamp_ms.to_string()),
        ];
        original
            .iter()
            .cloned()
            .chain(origin.map(|(name, value)| (name.to_owned(), value.into_bytes())))
            .collect()
    }
}

/// Where a consumer's records that can never be processed go: `<topic>.<consumer>.dlq`.
#[cfg(feature = "runtime")]
#[derive(Clone)]
pub struct DeadLetters {
    consumer: &'static str,
    publisher: Publisher,
}

#[cfg(feature = "runtime")]
impl DeadLetters {
    /// Dead letters of `consumer` (e.g. `analytics`), sent through `publisher`.
    pub fn new(consumer: &'static str, publisher: Publisher) -> Self {
        Self {
            consumer,
            publisher,
        }
    }

    /// The consumer whose letters these are.
    pub fn consumer(&self) -> &'static str {
        self.consumer
    }

    /// The dead-letter topic of `topic` for this consumer.
    pub fn topic_for(&self, topic: &str) -> String {
        format!("{topic}.{}.dlq", self.consumer)
    }

    /// Sends `record` as it came, with its headers and `dlq-*` headers saying why and where
    /// it came from. Fails when the broker does not take it: then the record is retried.
    pub async fn send(
        &self,
        record: &Incoming,
        reason: &str,
    ) -> Result<(), rdkafka::error::KafkaError> {
        let headers = LetterOrigin {
            reason,
            consumer: self.consumer,
            topic: &record.topic,
            partition: record.partition,
            offset: record.offset,
            timestamp_ms: record.timestamp_ms,
        }
        .headers(&record.headers);
        self.publisher
            .publish_with_headers(
                &self.topic_for(&record.topic),
                record.key.as_deref(),
                &record.value,
                &headers,
            )
            .await?;
        tracing::error!(topic = %record.topic, partition = record.partition, offset = record.offset, reason, "record dead-lettered");
        metric::DEAD_LETTERS.count(Some(self.consumer));
        Ok(())
    }
}

/// Why a record was not applied.
#[derive(Debug)]
pub enum RecordError {
    /// It never will be (an event from the wrong source, an email that does not render):
    /// dead-letter it.
    Permanent(&'static str),
    /// It may be later (the database is down): retry it and the rest of its partition.
    Transient(Box<dyn std::error::Error + Send + Sync>),
}

impl RecordError {
    pub fn transient(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Transient(Box::new(error))
    }
}

/// Applies `handle` to every record of `batch` in partition order, one at a time: undecodable
/// and permanently failing records go to `dead_letters`, and a transient failure stops its
/// partition for this invocation. Each record is handled in a span with its coordinates and
/// event id.
#[cfg(feature = "runtime")]
pub async fn process_each(
    batch: Batch,
    dead_letters: &DeadLetters,
    handle: impl AsyncFn(&CloudEvent<Event>) -> Result<(), RecordError>,
) -> BatchResponse {
    use tracing::Instrument;

    let mut failures = Failures::default();
    for record in &batch.records {
        if failures.blocks(record) {
            continue;
        }
        let span = record.span();
        let outcome = async {
            match &record.event {
                Err(reason) => Err(RecordError::Permanent(reason)),
                Ok(event) => handle(event).await,
            }
        }
        .instrument(span.clone())
        .await;
        let _entered = span.enter();
        if outcome.is_err() {
            carebook_telemetry::mark_failed(&span);
        }
        match outcome {
            Ok(()) => record.record_event_age(dead_letters.consumer()),
            Err(RecordError::Permanent(reason)) => {
                if let Err(error) = dead_letters.send(record, reason).await {
                    tracing::warn!(error = %error, "dead letter not sent; the record will be retried");
                    failures.retry(record);
                }
            }
            Err(RecordError::Transient(error)) => {
                tracing::warn!(error = %error, "record will be retried");
                failures.retry(record);
            }
        }
    }
    failures.into_response()
}

/// Re-exported for [`kafka_main!`].
#[cfg(feature = "runtime")]
pub use lambda_runtime;

/// The `main` of a Kafka-triggered handler binary: logs and traces as the binary's service, the
/// app built once per Lambda container from `$app` (a future of `Result<App, _>`), then every
/// batch handed to `$handler` (`async fn(&App, KafkaEvent) -> BatchResponse`), its spans
/// exported once the answer is sent.
#[cfg(feature = "runtime")]
#[macro_export]
macro_rules! kafka_main {
    ($app:expr, $handler:path) => {
        #[tokio::main]
        async fn main() -> Result<(), $crate::lambda_runtime::Error> {
            let telemetry = $crate::Telemetry::init(env!("CARGO_BIN_NAME"));
            let app = $app.await?;
            let handler = $crate::lambda_runtime::service_fn(
                |event: $crate::lambda_runtime::LambdaEvent<
                    $crate::aws_lambda_events::kafka::KafkaEvent,
                >| {
                    let app = &app;
                    async move {
                        Ok::<_, $crate::lambda_runtime::Error>($handler(app, event.payload).await)
                    }
                },
            );
            telemetry
                .run($crate::lambda_runtime::Runtime::new(handler))
                .await
        }
    };
}

/// Re-exported for [`kafka_main!`].
pub use aws_lambda_events;
/// Re-exported for [`kafka_main!`].
#[cfg(feature = "runtime")]
pub use carebook_telemetry::Telemetry;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

    use aws_lambda_events::kafka::KafkaEvent;
    use serde_json::{Value, json};

    use super::*;

    /// AWS's example MSK event, as Powertools for AWS Lambda (Python) ships it.
    const EVENT: &str =
        include_str!("../../../localstack/event-source/tests/fixtures/powertools-kafka-event.json");
    /// The response schema of AWS's Lambda guide.
    const AWS_RESPONSE: &str = include_str!(
        "../../../localstack/event-source/tests/fixtures/aws-kafka-partial-batch-response.json"
    );

    #[test]
    fn a_failed_record_is_reported_in_the_shape_aws_documents() {
        // Arrange: the second record of the example fails.
        let batch = Batch::decode(serde_json::from_str::<KafkaEvent>(EVENT).unwrap());
        let failed = &batch.records[1];
        let mut failures = Failures::default();

        // Act
        failures.retry(failed);
        failures.retry(&batch.records[2]);
        let answer = serde_json::to_value(failures.into_response()).unwrap();

        // Assert: AWS's schema, with that record's partition and offset in its placeholders.
        let mut expected: Value = serde_json::from_str(AWS_RESPONSE).unwrap();
        expected["batchItemFailures"][0]["itemIdentifier"]["partition"] = "mytopic-0".into();
        expected["batchItemFailures"][0]["itemIdentifier"]["offset"] = 1.into();
        assert_eq!(answer, expected);
    }

    #[test]
    fn each_record_is_read_into_its_event_or_the_reason_it_has_none() {
        // Arrange: AWS's example batch carrying a user.registered event, one of a type
        // Carebook does not publish, and one whose payload does not match its type.
        let good = json!({
            "data": { "user": {
                "user_id": "5b0c7d7e-3a63-4a38-9f0d-2b6f1c0f4a11", "username": "dr-house",
                "email": null, "first_name": "Gregory", "last_name": "House",
                "roles": ["doctor"], "specialty": "diagnostics"
            } },
            "datacontenttype": "application/json", "id": "0192f0c4-8a4e-7c3e-9b8e-2f3c4d5e6f70",
            "source": "/carebook/users", "specversion": "1.0",
            "subject": "5b0c7d7e-3a63-4a38-9f0d-2b6f1c0f4a11",
            "time": "2026-11-25T09:00:00.000000Z", "type": "user.registered"
        });
        let mut unknown = good.clone();
        unknown["type"] = "user.deleted.v9".into();
        let mut invalid = good.clone();
        invalid["data"]["user"]["roles"] = json!(["surgeon"]);
        let mut event: Value = serde_json::from_str(EVENT).unwrap();
        let records = event["records"]["mytopic-0"].as_array_mut().unwrap();
        for (record, value) in records.iter_mut().zip([&good, &unknown, &invalid]) {
            record["value"] = STANDARD.encode(value.to_string()).into();
        }

        // Act
        let batch = Batch::decode(serde_json::from_value::<KafkaEvent>(event).unwrap());

        // Assert
        let read: Vec<Result<&str, &str>> = batch
            .records
            .iter()
            .map(|record| match &record.event {
                Ok(event) => Ok(event.data.event_type()),
                Err(reason) => Err(*reason),
            })
            .collect();
        assert_eq!(
            read,
            [
                Ok("user.registered"),
                Err("an unknown event type"),
                Err("a payload that does not match its type"),
            ]
        );
    }
}
