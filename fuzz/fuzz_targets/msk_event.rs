//! Any bytes as the MSK event a Kafka-triggered handler is invoked with: parsing it and
//! decoding its batch (base64 values, headers, envelopes) sorts every record into usable or
//! rejected, never panics, and loses no record.
#![no_main]

use aws_lambda_events::event::kafka::KafkaEvent;
use carebook_consumer::Batch;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// aws_lambda_events 1.2.1 asserts (panics) on a record timestamp with a fraction of a
/// millisecond (found by this target: `"timestamp": 15.5`). MSK sends whole milliseconds, so
/// only whole-number timestamps reach the decoder: that panic is upstream's, not ours.
fn timestamps_are_whole(event: &Value) -> bool {
    event["records"].as_object().is_none_or(|partitions| {
        partitions
            .values()
            .filter_map(Value::as_array)
            .flatten()
            .all(|record| match &record["timestamp"] {
                Value::Number(number) => number.is_i64() || number.is_u64(),
                _ => false,
            })
    })
}

fuzz_target!(|bytes: &[u8]| {
    let Ok(json) = serde_json::from_slice::<Value>(bytes) else {
        return;
    };
    if !timestamps_are_whole(&json) {
        return;
    }
    if let Ok(event) = serde_json::from_value::<KafkaEvent>(json) {
        let records: usize = event.records.values().map(Vec::len).sum();
        let batch = Batch::decode(event);
        assert_eq!(batch.records.len(), records, "a record was lost in decoding");
    }
});
