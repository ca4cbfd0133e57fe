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

/// Creates `topic` with `partitions` on the local broker: a topic of one test alone.
///
/// # Panics
/// When the broker refuses.
pub async fn create_topic(topic: &str, partitions: i32) {
    create_topic_on(&bootstrap_servers(), topic, partitions).await;
}

/// Like [`create_topic`], on the broker at `servers` (a test's own, say).
///
/// # Panics
/// When the broker refuses.
pub async fn create_topic_on(servers: &str, topic: &str, partitions: i32) {
    use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
    let admin: AdminClient<rdkafka::client::DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", servers)
        .create()
        .expect("create an admin client");
    let results = admin
        .create_topics(
            &[NewTopic::new(topic, partitions, TopicReplication::Fixed(1))],
            &AdminOptions::new(),
        )
        .await
        .expect("the broker answers CreateTopics");
    for result in results {
        result.unwrap_or_else(|(name, error)| panic!("cannot create topic {name}: {error}"));
    }
}

/// How many records `topic` on the local broker holds, over all its partitions.
///
/// # Panics
/// When the broker cannot be reached.
pub fn topic_size(topic: &str) -> i64 {
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap_servers())
        .create()
        .expect("create a test consumer");
    let timeout = Duration::from_secs(10);
    let metadata = consumer
        .fetch_metadata(Some(topic), timeout)
        .expect("read topic metadata");
    metadata
        .topics()
        .iter()
        .flat_map(|t| t.partitions())
        .map(|partition| {
            let (low, high) = consumer
                .fetch_watermarks(topic, partition.id(), timeout)
                .expect("read partition watermarks");
            high - low
        })
        .sum()
}

/// An address where no broker answers, to play a stopped broker.
pub const NO_BROKER: &str = "127.0.0.1:1";

/// An MSK event as Lambda's event source mapping delivers it: records of `topic` partition 0
/// at consecutive offsets from 0, keys and values base64-encoded.
pub fn msk_event(topic: &str, records: &[(&str, &[u8])]) -> aws_lambda_events::kafka::KafkaEvent {
    use base64::Engine;
    let encode = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let records: Vec<Value> = records
        .iter()
        .enumerate()
        .map(|(offset, (key, value))| {
            serde_json::json!({
                "topic": topic, "partition": 0, "offset": offset,
                "timestamp": 1_767_225_600_000_i64, "timestampType": "CREATE_TIME",
                "key": encode(key.as_bytes()), "value": encode(value), "headers": [],
            })
        })
        .collect();
    serde_json::from_value(serde_json::json!({
        "eventSource": "aws:kafka",
        "eventSourceArn": "arn:aws:kafka:us-east-1:123456789012:cluster/carebook/local",
        "bootstrapServers": bootstrap_servers(),
        "records": { format!("{topic}-0"): records },
    }))
    .expect("an MSK event in the documented shape")
}

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
    /// Records read while looking for another key, kept for later calls.
    seen: std::sync::Mutex<Vec<Record>>,
}

impl TopicTail {
    /// Starts reading `topic` at its current end, on every partition.
    ///
    /// # Panics
    /// When the broker cannot be reached.
    pub fn at_end(topic: &str) -> Self {
        Self::at_end_on(&bootstrap_servers(), topic)
    }

    /// Like [`TopicTail::at_end`], on the broker at `servers` (a test's own, say).
    ///
    /// # Panics
    /// When the broker cannot be reached.
    pub fn at_end_on(servers: &str, topic: &str) -> Self {
        Self::open(servers, topic, true)
    }

    /// Reads `topic` on the broker at `servers` from its first record: everything the broker
    /// kept, whoever published it when.
    ///
    /// # Panics
    /// When the broker cannot be reached.
    pub fn from_start_on(servers: &str, topic: &str) -> Self {
        Self::open(servers, topic, false)
    }

    fn open(servers: &str, topic: &str, at_end: bool) -> Self {
        let consumer: StreamConsumer = ClientConfig::new()
            .set("bootstrap.servers", servers)
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
            let offset = if at_end {
                let (_, high) = consumer
                    .fetch_watermarks(topic, partition.id(), timeout)
                    .expect("read partition watermarks");
                Offset::Offset(high)
            } else {
                Offset::Beginning
            };
            assignment
                .add_partition_offset(topic, partition.id(), offset)
                .expect("a valid offset");
        }
        consumer.assign(&assignment).expect("assign partitions");
        Self {
            consumer,
            seen: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// The next `count` records whose key is `key`, in the order they were read; fewer if
    /// `within` passes first.
    pub async fn records_for(&self, key: &str, count: usize, within: Duration) -> Vec<Record> {
        let mut found = self.take_seen(key, count);
        let deadline = tokio::time::Instant::now() + within;
        while found.len() < count {
            let Ok(Ok(message)) = tokio::time::timeout_at(deadline, self.consumer.recv()).await
            else {
                break;
            };
            let record = Record {
                key: message
                    .key()
                    .map(|k| String::from_utf8_lossy(k).into_owned())
                    .unwrap_or_default(),
                value: message
                    .payload()
                    .and_then(|bytes| serde_json::from_slice(bytes).ok())
                    .unwrap_or(Value::Null),
                partition: message.partition(),
                offset: message.offset(),
                headers: message
                    .headers()
                    .map(|headers| {
                        headers
                            .iter()
                            .map(|h| {
                                let value = h.value.unwrap_or_default();
                                (
                                    h.key.to_owned(),
                                    String::from_utf8_lossy(value).into_owned(),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            if record.key == key {
                found.push(record);
            } else {
                self.seen.lock().expect("tail buffer lock").push(record);
            }
        }
        found
    }

    fn take_seen(&self, key: &str, count: usize) -> Vec<Record> {
        let mut seen = self.seen.lock().expect("tail buffer lock");
        let mut taken = Vec::new();
        seen.retain(|record| {
            if record.key == key && taken.len() < count {
                taken.push(record.clone());
                false
            } else {
                true
            }
        });
        taken
    }
}
