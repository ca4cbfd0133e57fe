//! Any bytes as the MSK event a Kafka-triggered handler is invoked with: parsing it and
//! decoding its batch (base64 values, headers, envelopes) sorts every record into usable or
//! rejected, never panics, and loses no record.
#![no_main]

use aws_lambda_events::event::kafka::KafkaEvent;
use carebook_consumer::Batch;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(event) = serde_json::from_slice::<KafkaEvent>(bytes) {
        let records: usize = event.records.values().map(Vec::len).sum();
        let batch = Batch::decode(event);
        assert_eq!(batch.records.len(), records, "a record was lost in decoding");
    }
});
