//! How Lambda reads a Kafka-triggered function's answer when the mapping has
//! `ReportBatchItemFailures`: AWS's shape or the whole batch failed.
//!
//! <https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html#kafka-partial-batch-response>:
//! `{"batchItemFailures": [{"itemIdentifier": {"partition": "<topic>-<partition>", "offset": <number>}}]}`;
//! an empty or null answer or list is a success, and a partition or offset that was not in the
//! invoked event fails the whole batch. The Kafka page says nothing of other shapes; for the
//! other stream sources AWS documents that an empty or null identifier, or one with a bad key
//! name, fails the whole batch
//! (<https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html>),
//! and so does this event source for any shape but the documented one.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::Consumed;

/// The identifier of a failed Kafka record, exactly as AWS documents it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemIdentifier {
    partition: String,
    offset: i64,
}

/// The records of `pending` to deliver again after the function answered `answer`: each
/// reported record and the rest of its partition (none when all is done), or why the answer
/// fails the whole batch.
pub fn records_to_retry(
    answer: &Value,
    pending: &[Consumed],
) -> Result<Vec<Consumed>, &'static str> {
    let failures = match answer {
        Value::Null => return Ok(Vec::new()),
        Value::Object(fields) => match fields.get("batchItemFailures") {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(failures)) => failures,
            Some(_) => return Err("batchItemFailures is not a list"),
        },
        _ => return Err("the answer is not a JSON object"),
    };
    let mut first_failed: BTreeMap<String, i64> = BTreeMap::new();
    for failure in failures {
        let identifier = failure
            .get("itemIdentifier")
            .filter(|identifier| !identifier.is_null())
            .ok_or("a batchItemFailures entry without an itemIdentifier")?;
        let ItemIdentifier { partition, offset } = ItemIdentifier::deserialize(identifier)
            .map_err(|_| {
                "an itemIdentifier that is not {\"partition\": \"<topic>-<partition>\", \"offset\": <number>}"
            })?;
        if !pending
            .iter()
            .any(|record| partition_of(record) == partition && record.offset == offset)
        {
            return Err("an itemIdentifier names a record that was not in the batch");
        }
        first_failed
            .entry(partition)
            .and_modify(|first| *first = (*first).min(offset))
            .or_insert(offset);
    }
    Ok(pending
        .iter()
        .filter(|record| {
            first_failed
                .get(&partition_of(record))
                .is_some_and(|first| record.offset >= *first)
        })
        .cloned()
        .collect())
}

/// `<topic>-<partition>`, the key the event groups a record under.
fn partition_of(record: &Consumed) -> String {
    format!("{}-{}", record.topic, record.partition)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

    use aws_lambda_events::kafka::KafkaEvent;
    use carebook_consumer::{Batch, Failures};
    use serde_json::json;

    use super::*;

    const AWS_RESPONSE: &str =
        include_str!("../tests/fixtures/aws-kafka-partial-batch-response.json");
    const POWERTOOLS_EVENT: &str = include_str!("../tests/fixtures/powertools-kafka-event.json");
    const POWERTOOLS_RESPONSE: &str =
        include_str!("../tests/fixtures/powertools-kafka-response.json");

    /// The records of Powertools' example event (`mytopic-0`, offsets 0 to 2).
    fn batch() -> Vec<Consumed> {
        let event: Value = serde_json::from_str(POWERTOOLS_EVENT).unwrap();
        event["records"]["mytopic-0"]
            .as_array()
            .unwrap()
            .iter()
            .map(|record| Consumed {
                topic: record["topic"].as_str().unwrap().into(),
                partition: 0,
                offset: record["offset"].as_i64().unwrap(),
                timestamp: record["timestamp"].as_i64().unwrap(),
                timestamp_type: "CREATE_TIME",
                key: None,
                value: None,
                headers: Vec::new(),
            })
            .collect()
    }

    /// AWS's documented response with `partition` and `offset` in its placeholders.
    fn aws_response(partition: &str, offset: i64) -> Value {
        let mut response: Value = serde_json::from_str(AWS_RESPONSE).unwrap();
        response["batchItemFailures"][0]["itemIdentifier"]["partition"] = partition.into();
        response["batchItemFailures"][0]["itemIdentifier"]["offset"] = offset.into();
        response
    }

    fn offsets(records: &[Consumed]) -> Vec<i64> {
        records.iter().map(|record| record.offset).collect()
    }

    #[test]
    fn the_documented_shape_retries_the_named_record_and_the_rest_of_its_partition() {
        let retried = records_to_retry(&aws_response("mytopic-0", 1), &batch()).unwrap();

        assert_eq!(offsets(&retried), [1, 2]);
    }

    #[test]
    fn empty_and_null_answers_are_a_success() {
        for answer in [
            Value::Null,
            json!({}),
            json!({"batchItemFailures": null}),
            json!({"batchItemFailures": []}),
        ] {
            assert_eq!(
                records_to_retry(&answer, &batch()),
                Ok(Vec::new()),
                "{answer}"
            );
        }
    }

    #[test]
    fn any_other_shape_fails_the_whole_batch_with_the_reason() {
        let mut bad_key = aws_response("mytopic-0", 1);
        bad_key["batchItemFailures"][0]["itemIdentifier"] =
            json!({"partition": "mytopic-0", "ofset": 1});
        let mut string_offset = aws_response("mytopic-0", 1);
        string_offset["batchItemFailures"][0]["itemIdentifier"]["offset"] = "1".into();
        let cases = [
            // Carebook's old flat shape.
            (
                json!({"batchItemFailures": [{"topic-partition": "mytopic-0", "offset": 1}]}),
                "without an itemIdentifier",
            ),
            // Powertools' example, with the key an earlier version of AWS's page showed.
            (
                serde_json::from_str(POWERTOOLS_RESPONSE).unwrap(),
                "is not {",
            ),
            (bad_key, "is not {"),
            (string_offset, "is not {"),
            (
                json!({"batchItemFailures": [{"itemIdentifier": null}]}),
                "without an itemIdentifier",
            ),
            (
                json!({"batchItemFailures": [{"itemIdentifier": ""}]}),
                "is not {",
            ),
            (
                json!({"batchItemFailures": [{"itemIdentifier": "mytopic-0"}]}),
                "is not {",
            ),
            (json!({"batchItemFailures": {}}), "not a list"),
            // AWS's example as printed: its placeholder partition is in no batch.
            (
                serde_json::from_str(AWS_RESPONSE).unwrap(),
                "not in the batch",
            ),
            (aws_response("mytopic-0", 3), "not in the batch"),
            (aws_response("mytopic-1", 1), "not in the batch"),
        ];

        for (answer, reason) in cases {
            let outcome = records_to_retry(&answer, &batch());

            assert!(
                outcome.as_ref().is_err_and(|why| why.contains(reason)),
                "{answer}: {outcome:?}"
            );
        }
    }

    #[test]
    fn what_carebook_handlers_answer_is_read_as_aws_reads_it() {
        // Arrange: a consumer failed the second record of the example event.
        let decoded = Batch::decode(serde_json::from_str::<KafkaEvent>(POWERTOOLS_EVENT).unwrap());
        let mut failures = Failures::default();
        failures.retry(&decoded.records[1]);
        let answer = serde_json::to_value(failures.into_response()).unwrap();

        // Act
        let retried = records_to_retry(&answer, &batch()).unwrap();

        // Assert
        assert_eq!(offsets(&retried), [1, 2]);
    }
}
