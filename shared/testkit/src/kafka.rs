use std::time::Duration;

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::{Headers, Message};
use rdkafka::{Offset, TopicPartitionList};
use serde_json::Value;

/// The local stack's broker (`KAFKA_BOOTSTRAP_SERVERS`, default 127.0.0.1:9092).
pub fn bootstrap_servers() -> String {
    std::env::var("KAFKA_BOOTSTRAP_SERVERS").unwrap_or_else(|_| "127.0.0.1:9092".to_owned())
}

/// An address where no broker answers, to play a stopped broker.
pub const NO_BROKER: &str = "127.0.0.1:1";

/// A record as a consumer sees it.
#[derive(Clone, Debug)]
pub struct Record {
    pub key: String,
    pub value: Value,
    pub partition: i32,
    pub offset: i64,
    pub headers: Vec<(String, String)>,
}

/// Reads what is published to a topic after the tail was opened.
pub struct TopicTail {
    consumer: StreamConsumer,
}

impl TopicTail {
    /// Starts reading `topic` at its current end, on every partition.
    ///
    /// # Panics
    /// When the broker cannot be reached.
    pub fn at_end(topic: &str) -> Self {
        let consumer: StreamConsumer = ClientConfig::new()
            .set("bootstrap.servers", bootstrap_servers())
            .set(
                "group.id",
                format!("carebook-test-{}", uuid::Uuid::new_v4()),
            )
            .set("enable.auto.commit", "false")
            .create()
            .expect("create a test consumer");
        let timeout = Duration::from_secs(10);
        let metadata = consumer
            .fetch_metadata(Some(topic), timeout)
            .expect("read topic metadata (is `make stack-up` running?)");
        let mut assignment = TopicPartitionList::new();
        for partition in metadata.topics().iter().flat_map(|t| t.partitions()) {
            let (_, high) = consumer
                .fetch_watermarks(topic, partition.id(), timeout)
                .expect("read partition watermarks");
            assignment
                .add_partition_offset(topic, partition.id(), Offset::Offset(high))
                .expect("a valid offset");
        }
        consumer.assign(&assignment).expect("assign partitions");
        Self { consumer }
    }

    /// The next `count` records whose key is `key`, skipping others; fewer if `within` passes.
    pub async fn records_for(&self, key: &str, count: usize, within: Duration) -> Vec<Record> {
        let mut found = Vec::new();
        let deadline = tokio::time::Instant::now() + within;
        while found.len() < count {
            let Ok(Ok(message)) = tokio::time::timeout_at(deadline, self.consumer.recv()).await
            else {
                break;
            };
            let record_key = message
                .key()
                .map(|k| String::from_utf8_lossy(k).into_owned());
            if record_key.as_deref() != Some(key) {
                continue;
            }
            let value = message
                .payload()
                .and_then(|bytes| serde_json::from_slice(bytes).ok())
                .unwrap_or(Value::Null);
            let headers = message
                .headers()
                .map(|headers| {
                    headers
                        .iter()
                        .map(|h| {
                            (
                                h.key.to_owned(),
                                String::from_utf8_lossy(h.value.unwrap_or_default()).into_owned(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            found.push(Record {
                key: key.to_owned(),
                value,
                partition: message.partition(),
                offset: message.offset(),
                headers,
            });
        }
        found
    }
}
