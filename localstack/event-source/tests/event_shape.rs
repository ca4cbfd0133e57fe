//! The MSK event the local mapping sends is the one AWS documents, field for field.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use aws_lambda_events::kafka::KafkaEvent;
use carebook_event_source::{Consumed, msk_event};
use serde_json::Value;

const AWS_EXAMPLE: &str = include_str!("fixtures/aws-msk-event.json");

#[test]
fn the_event_for_a_record_equals_the_aws_documented_example() {
    // Arrange: the record of the example, as read from Kafka.
    let id = b"8d5596b4-1813-4238-b24b-6dad8e3d1c0c".to_vec();
    let record = Consumed {
        topic: "AWSKafkaTopic".into(),
        partition: 0,
        offset: 0,
        timestamp: 1_595_035_749_700,
        timestamp_type: "CREATE_TIME",
        key: Some(id.clone()),
        value: Some(id),
        headers: vec![("headerKey".into(), b"headerValue".to_vec())],
    };
    let expected: Value = serde_json::from_str(AWS_EXAMPLE).unwrap();

    // Act
    let event = msk_event(
        &[record],
        expected["eventSourceArn"].as_str().unwrap(),
        expected["bootstrapServers"].as_str().unwrap(),
    );

    // Assert
    assert_eq!(event, expected);
    let parsed: KafkaEvent = serde_json::from_value(event).unwrap();
    assert_eq!(parsed.records["AWSKafkaTopic-0"][0].offset, 0);
}

#[test]
fn records_are_grouped_by_topic_partition_in_order_and_bytes_over_127_stay_java_bytes() {
    let record = |partition, offset| Consumed {
        topic: "t".into(),
        partition,
        offset,
        timestamp: 1,
        timestamp_type: "CREATE_TIME",
        key: None,
        value: Some(vec![1]),
        headers: vec![("h".into(), vec![0xff, 0x80])],
    };

    let event = msk_event(&[record(1, 7), record(0, 3), record(1, 8)], "arn", "b:9092");

    assert_eq!(event["records"]["t-1"][1]["offset"], 8);
    assert_eq!(event["records"]["t-0"][0]["offset"], 3);
    assert!(event["records"]["t-0"][0].get("key").is_none());
    assert_eq!(
        event["records"]["t-0"][0]["headers"][0]["h"],
        serde_json::json!([-1, -128])
    );
    let parsed: KafkaEvent = serde_json::from_value(event).unwrap();
    assert_eq!(parsed.records["t-1"][0].headers[0]["h"], vec![-1, -128]);
}
