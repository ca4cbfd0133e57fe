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
    create_topic_with(
        ClientConfig::new().set("bootstrap.servers", servers),
        topic,
        partitions,
    )
    .await;
}

/// Like [`create_topic`], through a client made with `config`.
pub(crate) async fn create_topic_with(config: &ClientConfig, topic: &str, partitions: i32) {
    use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
    let admin: AdminClient<rdkafka::client::DefaultClientContext> =
        config.create().expect("create an admin client");
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
    watermarks(&consumer, topic)
        .into_iter()
        .map(|(_, low, high)| high - low)
        .sum()
}

/// `(partition, low, high)` of every partition of `topic`.
fn watermarks(consumer: &StreamConsumer, topic: &str) -> Vec<(i32, i64, i64)> {
    let timeout = Duration::from_secs(10);
    let metadata = consumer
        .fetch_metadata(Some(topic), timeout)
        .expect("read topic metadata (is `make stack-up` running?)");
    metadata
        .topics()
        .iter()
        .flat_map(|t| t.partitions())
        .map(|partition| {
            let (low, high) = consumer
                .fetch_watermarks(topic, partition.id(), timeout)
                .expect("read partition watermarks");
            (partition.id(), low, high)
        })
        .collect()
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
        Self::open(&bootstrap_servers(), topic, Offset::Offset)
    }

    /// Reads `topic` on the broker at `servers` (a test's own, say) from its first record:
    /// everything the broker kept, whoever published it when.
    ///
    /// # Panics
    /// When the broker cannot be reached.
    pub fn from_start_on(servers: &str, topic: &str) -> Self {
        Self::open(servers, topic, |_| Offset::Beginning)
    }

    /// Reads every partition of `topic` from `start(its high watermark)`.
    fn open(servers: &str, topic: &str, start: impl Fn(i64) -> Offset) -> Self {
        let consumer: StreamConsumer = ClientConfig::new()
            .set("bootstrap.servers", servers)
            .set(
                "group.id",
                format!("carebook-test-{}", uuid::Uuid::new_v4()),
            )
            .set("enable.auto.commit", "false")
            .create()
            .expect("create a test consumer");
        let mut assignment = TopicPartitionList::new();
        for (partition, _, high) in watermarks(&consumer, topic) {
            assignment
                .add_partition_offset(topic, partition, start(high))
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
