//! `dead-letters list <topic>` / `dead-letters replay <topic>`: what a dead-letter topic
//! (`<topic>.<consumer>.dlq`) holds, and putting it back on the topic it came from.
//!
//! `list` prints one JSON line per letter (coordinates, reason, key, value) and changes
//! nothing. `replay` republishes each letter to its `dlq-topic` with its key and original
//! headers, then commits in consumer group `dead-letters-replay`, so a letter is replayed once;
//! consumers deduplicate by event id, so replaying an event that did get through is harmless.
//! `KAFKA_BOOTSTRAP_SERVERS` (default `127.0.0.1:9092`).

use std::time::Duration;

use anyhow::{Context, bail};
use carebook_backends::Publisher;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::message::{Headers, Message};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};

const TIMEOUT: Duration = Duration::from_secs(10);

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (replay, topic) = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["list", topic] => (false, (*topic).to_owned()),
        ["replay", topic] => (true, (*topic).to_owned()),
        _ => bail!("usage: dead-letters list|replay <topic>.<consumer>.dlq"),
    };
    let bootstrap =
        std::env::var("KAFKA_BOOTSTRAP_SERVERS").unwrap_or_else(|_| "127.0.0.1:9092".to_owned());
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &bootstrap)
        .set("group.id", "dead-letters-replay")
        .set("enable.auto.commit", "false")
        .create()?;
    let metadata = consumer
        .fetch_metadata(Some(&topic), TIMEOUT)
        .context("reading topic metadata")?;
    let partitions: Vec<i32> = metadata
        .topics()
        .iter()
        .flat_map(|t| t.partitions())
        .map(|p| p.id())
        .collect();
    if partitions.is_empty() {
        bail!("no topic {topic}");
    }
    // `list` reads everything; `replay` starts after what it replayed before.
    let mut wanted = TopicPartitionList::new();
    for partition in &partitions {
        wanted.add_partition(&topic, *partition);
    }
    let committed = consumer.committed_offsets(wanted, TIMEOUT).ok();
    let mut assignment = TopicPartitionList::new();
    let mut ends = Vec::new();
    for partition in &partitions {
        let (low, high) = consumer.fetch_watermarks(&topic, *partition, TIMEOUT)?;
        let start = match committed
            .as_ref()
            .and_then(|c| c.find_partition(&topic, *partition))
            .map(|e| e.offset())
        {
            Some(Offset::Offset(done)) if replay => done,
            _ => low,
        };
        assignment.add_partition_offset(&topic, *partition, Offset::Offset(start))?;
        ends.push((*partition, high));
    }
    consumer.assign(&assignment)?;
    let publisher = Publisher::new(&bootstrap, TIMEOUT)?;
    let mut remaining: Vec<(i32, i64)> = ends
        .into_iter()
        .filter(|(p, high)| {
            assignment
                .find_partition(&topic, *p)
                .is_some_and(|e| matches!(e.offset(), Offset::Offset(start) if start < *high))
        })
        .collect();
    let mut handled = 0;
    while !remaining.is_empty() {
        let Some(message) = consumer.poll(TIMEOUT) else {
            break;
        };
        let message = message?;
        let headers: Vec<(String, Vec<u8>)> = message
            .headers()
            .map(|h| {
                h.iter()
                    .map(|h| (h.key.to_owned(), h.value.unwrap_or_default().to_vec()))
                    .collect()
            })
            .unwrap_or_default();
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
        };
        if replay {
            let origin =
                header("dlq-topic").context("a letter without dlq-topic cannot be replayed")?;
            let original: Vec<(&str, &[u8])> = headers
                .iter()
                .filter(|(k, _)| !k.starts_with("dlq-"))
                .map(|(k, v)| (k.as_str(), v.as_slice()))
                .collect();
            publisher
                .publish_with_headers(
                    &origin,
                    message.key(),
                    message.payload().unwrap_or_default(),
                    &original,
                )
                .await?;
            let mut done = TopicPartitionList::new();
            done.add_partition_offset(
                &topic,
                message.partition(),
                Offset::Offset(message.offset() + 1),
            )?;
            consumer.commit(&done, CommitMode::Sync)?;
        } else {
            println!(
                "{}",
                serde_json::json!({
                    "partition": message.partition(), "offset": message.offset(),
                    "reason": header("dlq-reason"), "from": format!("{}-{}@{}", header("dlq-topic").unwrap_or_default(), header("dlq-partition").unwrap_or_default(), header("dlq-offset").unwrap_or_default()),
                    "key": message.key().map(|k| String::from_utf8_lossy(k).into_owned()),
                    "value": message.payload().map(|v| String::from_utf8_lossy(v).into_owned()),
                })
            );
        }
        handled += 1;
        remaining.retain(|(p, high)| !(*p == message.partition() && message.offset() + 1 >= *high));
    }
    eprintln!(
        "{handled} letters {}",
        if replay { "replayed" } else { "listed" }
    );
    Ok(())
}
