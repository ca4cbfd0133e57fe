use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use carebook_backends::Publisher;
use carebook_consumer::LetterOrigin;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{Headers, Message, Timestamp};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::response::records_to_retry;
use crate::{Consumed, InvokeError, Invoker, Mapping, StartingPosition, msk_event};

/// The mapping could not start or lost its broker.
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    #[error("consumer group {group}: {source}")]
    Kafka {
        group: String,
        #[source]
        source: KafkaError,
    },
}

/// One MSK event source: a consumer group reading one topic and invoking one function.
pub struct Runner {
    mapping: Mapping,
    consumer: StreamConsumer,
    invoker: Invoker,
    publisher: Publisher,
    event_source_arn: String,
    bootstrap_servers: String,
    last_lag_check: Option<Instant>,
    last_caught_up_report: Option<Instant>,
}

/// How a batch ended.
enum Outcome {
    /// Every record succeeded, or what failed went to the on-failure destination.
    Done,
    /// Shutdown came first: nothing is committed, the batch will be delivered again.
    Interrupted,
}

impl Runner {
    /// A runner for `mapping` reading from `bootstrap_servers`; what still fails after the
    /// retries is sent to the on-failure destination through `publisher`.
    pub fn new(
        mapping: Mapping,
        bootstrap_servers: &str,
        invoker: Invoker,
        publisher: Publisher,
        event_source_arn: &str,
    ) -> Result<Self, RunnerError> {
        let kafka = |source| RunnerError::Kafka {
            group: mapping.consumer_group.clone(),
            source,
        };
        let consumer: StreamConsumer = ClientConfig::new()
            .set("bootstrap.servers", bootstrap_servers)
            .set("group.id", &mapping.consumer_group)
            // Offsets are committed by hand, after the function succeeded.
            .set("enable.auto.commit", "false")
            .set(
                "auto.offset.reset",
                match mapping.starting_position {
                    StartingPosition::Earliest => "earliest",
                    StartingPosition::Latest => "latest",
                },
            )
            .create()
            .map_err(kafka)?;
        consumer.subscribe(&[&mapping.topic]).map_err(kafka)?;
        Ok(Self {
            mapping,
            consumer,
            invoker,
            publisher,
            event_source_arn: event_source_arn.to_owned(),
            bootstrap_servers: bootstrap_servers.to_owned(),
            last_lag_check: None,
            last_caught_up_report: None,
        })
    }

    /// Delivers batches until `shutdown` turns true; a batch in flight then stays uncommitted.
    pub async fn run(mut self, mut shutdown: watch::Receiver<bool>) -> Result<(), RunnerError> {
        tracing::info!(function = %self.mapping.function, topic = %self.mapping.topic, group = %self.mapping.consumer_group, "event source mapping started");
        loop {
            let Some(batch) = self.next_batch(&mut shutdown).await? else {
                return Ok(());
            };
            match self.deliver(batch.clone(), &mut shutdown).await {
                Outcome::Done => self.commit(&batch)?,
                Outcome::Interrupted => return Ok(()),
            }
            self.report_lag();
        }
    }

    /// Up to `BatchSize` records: the first whenever it comes, the rest within the window.
    async fn next_batch(
        &self,
        shutdown: &mut watch::Receiver<bool>,
    ) -> Result<Option<Vec<Consumed>>, RunnerError> {
        let mut batch = Vec::new();
        let first = tokio::select! {
            message = self.consumer.recv() => message,
            _ = shutdown.wait_for(|stop| *stop) => return Ok(None),
        };
        batch.push(consumed(&first.map_err(|source| self.kafka(source))?));
        let deadline = Instant::now() + self.mapping.batching_window;
        while batch.len() < self.mapping.batch_size {
            match tokio::time::timeout_at(deadline, self.consumer.recv()).await {
                Ok(message) => batch.push(consumed(&message.map_err(|source| self.kafka(source))?)),
                Err(_) => break,
            }
        }
        Ok(Some(batch))
    }

    /// Invokes the function with `records` until they are done, as AWS's event source does.
    fn deliver<'a>(
        &'a self,
        records: Vec<Consumed>,
        shutdown: &'a mut watch::Receiver<bool>,
    ) -> Pin<Box<dyn Future<Output = Outcome> + Send + 'a>> {
        Box::pin(async move {
            let mut pending = records;
            let mut attempt: u32 = 0;
            loop {
                if *shutdown.borrow() {
                    return Outcome::Interrupted;
                }
                let event = msk_event(&pending, &self.event_source_arn, &self.bootstrap_servers);
                let reason = match self.invoker.invoke(&self.mapping.function, &event).await {
                    // Without `ReportBatchItemFailures` the answer is not read, as in AWS.
                    Ok(_) if !self.mapping.report_batch_item_failures => return Outcome::Done,
                    Ok(answer) => match records_to_retry(&answer, &pending) {
                        Ok(rest) if rest.is_empty() => return Outcome::Done,
                        Ok(rest) => {
                            tracing::warn!(function = %self.mapping.function, retried = rest.len(), "partial batch failure");
                            pending = rest;
                            "the function reported the records as failed".to_owned()
                        }
                        Err(problem) => {
                            tracing::warn!(function = %self.mapping.function, records = pending.len(), problem, "the partial batch response is not in AWS's shape: the whole batch failed");
                            problem.to_owned()
                        }
                    },
                    Err(error) => {
                        tracing::warn!(function = %self.mapping.function, error = %error, records = pending.len(), "invocation failed");
                        if self.mapping.bisect_on_error && pending.len() > 1 {
                            let second = pending.split_off(pending.len() / 2);
                            if let Outcome::Interrupted = self.deliver(pending, shutdown).await {
                                return Outcome::Interrupted;
                            }
                            return self.deliver(second, shutdown).await;
                        }
                        match error {
                            InvokeError::Function { .. } => {
                                "the function returned an error".to_owned()
                            }
                            InvokeError::Unreachable { .. } => {
                                "the function did not answer".to_owned()
                            }
                        }
                    }
                };
                attempt += 1;
                if self.mapping.max_retries.is_some_and(|max| attempt > max) {
                    self.send_to_destination(&pending, &reason).await;
                    return Outcome::Done;
                }
                let backoff = Duration::from_millis(200 * 2_u64.pow(attempt.min(6)));
                tokio::select! {
                    _ = tokio::time::sleep(backoff.min(Duration::from_secs(10))) => {}
                    _ = shutdown.wait_for(|stop| *stop) => return Outcome::Interrupted,
                }
            }
        })
    }

    /// Sends what could not be processed to the on-failure destination with the reason and
    /// its coordinates, or, without one, logs and drops it, as AWS does.
    async fn send_to_destination(&self, records: &[Consumed], reason: &str) {
        let Some(topic) = &self.mapping.on_failure_topic else {
            tracing::error!(function = %self.mapping.function, records = records.len(), reason, "retries exhausted; records dropped (no on-failure destination)");
            return;
        };
        for record in records {
            let mut headers = LetterOrigin {
                reason,
                consumer: &self.mapping.consumer_group,
                topic: &record.topic,
                partition: i64::from(record.partition),
                offset: record.offset,
                timestamp_ms: record.timestamp,
            }
            .headers(&record.headers);
            headers.push((
                "dlq-function".to_owned(),
                self.mapping.function.clone().into_bytes(),
            ));
            let value = record.value.as_deref().unwrap_or_default();
            // Keep trying: dropping a record here would lose it for good.
            while let Err(error) = self
                .publisher
                .publish_with_headers(topic, record.key.as_deref(), value, &headers)
                .await
            {
                tracing::warn!(error = %error, topic, "on-failure destination unavailable; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        tracing::error!(function = %self.mapping.function, records = records.len(), topic, reason, "retries exhausted; records sent to the on-failure destination");
    }

    fn commit(&self, batch: &[Consumed]) -> Result<(), RunnerError> {
        let mut next: BTreeMap<i32, i64> = BTreeMap::new();
        for record in batch {
            let offset = next.entry(record.partition).or_insert(record.offset + 1);
            *offset = (*offset).max(record.offset + 1);
        }
        let mut offsets = TopicPartitionList::new();
        for (partition, offset) in next {
            offsets
                .add_partition_offset(&self.mapping.topic, partition, Offset::Offset(offset))
                .map_err(|source| self.kafka(source))?;
        }
        self.consumer
            .commit(&offsets, CommitMode::Sync)
            .map_err(|source| self.kafka(source))
    }

    /// Measures how far the group is behind, at most every 5 seconds: a warning each time it
    /// is behind (`make dev` prints those on its console), an info line every 30 seconds when
    /// it is not. Lambda's `OffsetLag` metric tells the same in AWS.
    fn report_lag(&mut self) {
        if self
            .last_lag_check
            .is_some_and(|last| last.elapsed() < Duration::from_secs(5))
        {
            return;
        }
        self.last_lag_check = Some(Instant::now());
        let timeout = Duration::from_secs(2);
        let Ok(committed) = self.consumer.committed(timeout) else {
            return;
        };
        let mut lag = 0;
        for element in committed.elements() {
            if let (Offset::Offset(done), Ok((_, high))) = (
                element.offset(),
                self.consumer
                    .fetch_watermarks(element.topic(), element.partition(), timeout),
            ) {
                lag += (high - done).max(0);
            }
        }
        if lag > 0 {
            tracing::warn!(group = %self.mapping.consumer_group, lag, "consumer group behind");
        } else if self
            .last_caught_up_report
            .is_none_or(|last| last.elapsed() >= Duration::from_secs(30))
        {
            self.last_caught_up_report = Some(Instant::now());
            tracing::info!(group = %self.mapping.consumer_group, lag, "consumer lag");
        }
    }

    fn kafka(&self, source: KafkaError) -> RunnerError {
        RunnerError::Kafka {
            group: self.mapping.consumer_group.clone(),
            source,
        }
    }
}

fn consumed(message: &impl Message) -> Consumed {
    let (timestamp, timestamp_type) = match message.timestamp() {
        Timestamp::CreateTime(ms) => (ms, "CREATE_TIME"),
        Timestamp::LogAppendTime(ms) => (ms, "LOG_APPEND_TIME"),
        Timestamp::NotAvailable => (0, "NO_TIMESTAMP_TYPE"),
    };
    Consumed {
        topic: message.topic().to_owned(),
        partition: message.partition(),
        offset: message.offset(),
        timestamp,
        timestamp_type,
        key: message.key().map(<[u8]>::to_vec),
        value: message.payload().map(<[u8]>::to_vec),
        headers: message
            .headers()
            .map(|headers| {
                headers
                    .iter()
                    .map(|h| (h.key.to_owned(), h.value.unwrap_or_default().to_vec()))
                    .collect()
            })
            .unwrap_or_default(),
    }
}
