use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tracing::Instrument;

use carebook_events::{CloudEvent, Envelope, EventData};
use carebook_telemetry::{TraceContext, continue_trace, metric};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use sqlx::types::Json;
use sqlx::{PgConnection, Postgres, Transaction};
use uuid::Uuid;

use carebook_backends::{Backends, DatabaseError};

/// How many times the brokers may refuse an event for good before it is parked: a handler's
/// publish and a few relay runs (a minute apart), so a refusal an operator fixes at once (a
/// topic created late) costs nothing, and a poison event holds back its key for minutes only.
pub const PARK_AFTER_ATTEMPTS: i32 = 5;

/// Why events could not be stored or published.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("outbox database operation failed")]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Connect(#[from] DatabaseError),
    #[error("event could not be encoded")]
    Encode(#[from] serde_json::Error),
    #[error("event could not be published")]
    Publish(#[from] KafkaError),
    #[error("publishing took longer than {0:?}; the relay will publish the rest")]
    Timeout(Duration),
}

/// An event as a row of the `outbox` table, for a service that writes it in the same
/// statement as its change (a data-modifying CTE), saving the round trip of [`enqueue`].
#[derive(Debug)]
pub struct OutboxRow {
    pub id: Uuid,
    pub topic: &'static str,
    pub key: String,
    pub payload: Json<Envelope>,
}

impl OutboxRow {
    /// The row of `event`, carrying the trace context of the current span (the request that
    /// made the change) unless the event has one already, so its publish and its consumers
    /// join that trace however late the event is published.
    pub fn of<T: EventData>(event: &CloudEvent<T>) -> Result<Self, serde_json::Error> {
        let mut payload = event.to_envelope()?;
        if payload.traceparent.is_none()
            && let Some(context) = TraceContext::of(&tracing::Span::current())
        {
            payload.traceparent = Some(context.traceparent);
            payload.tracestate = context.tracestate;
        }
        Ok(Self {
            id: event.id,
            topic: event.topic().name(),
            key: event.subject.clone(),
            payload: Json(payload),
        })
    }
}

/// Writes `event` into the outbox on `conn`, which should be the transaction of the change
/// the event reports: the event then exists exactly when the change was committed.
pub async fn enqueue<T: EventData>(
    conn: &mut PgConnection,
    event: &CloudEvent<T>,
) -> Result<(), OutboxError> {
    let row = OutboxRow::of(event)?;
    sqlx::query!(
        "insert into outbox (id, topic, key, payload) values ($1, $2, $3, $4)",
        row.id,
        row.topic,
        &row.key,
        // The macros know jsonb as serde_json::Value; the envelope encodes itself as jsonb.
        &row.payload as &Json<Envelope>,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// What waits in an outbox to be published.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backlog {
    pub events: i64,
    /// How long the oldest waiting event has waited; 0 when none waits.
    pub oldest_seconds: f64,
}

/// Publishes what the outbox holds.
#[derive(Clone)]
pub struct Outbox {
    backends: Backends,
    /// Set by [`Outbox::deferring`]: the keys committed during this invocation, published by
    /// [`Outbox::publish_deferred`] once the answer is sent.
    deferred: Option<Arc<Mutex<Vec<String>>>>,
}

#[derive(Clone, Copy)]
enum Wait {
    /// A handler publishing its own event waits for whoever publishes the key now.
    ForLock,
    /// The relay leaves a key someone is publishing to them.
    SkipIfLocked,
}

impl Wait {
    /// Who publishes, as the `Publisher` dimension of `OutboxPublishLatency` names them.
    fn publisher(self) -> &'static str {
        match self {
            Wait::ForLock => "handler",
            Wait::SkipIfLocked => "relay",
        }
    }
}

impl Outbox {
    /// The outbox in the database of `backends`, publishing through its producer;
    /// [`Outbox::flush`] gives up after the publish budget, so a handler answers quickly even
    /// when the brokers are down.
    pub fn new(backends: &Backends) -> Self {
        Self {
            backends: backends.clone(),
            deferred: None,
        }
    }

    /// This outbox, publishing committed events only when [`Outbox::publish_deferred`] is
    /// called: a Lambda handler calls it after its answer was sent and before it asks for the
    /// next invocation, so no answer waits for Kafka and no publish runs in a frozen process.
    /// A crash in between leaves the events to the relay.
    pub fn deferring(self) -> Self {
        Self {
            deferred: Some(Arc::default()),
            ..self
        }
    }

    /// Publishes what this invocation committed (see [`Outbox::deferring`]), each key's events
    /// in order; what cannot be published now is logged and left to the relay.
    pub async fn publish_deferred(&self) {
        let Some(deferred) = &self.deferred else {
            return;
        };
        let mut keys =
            std::mem::take(&mut *deferred.lock().unwrap_or_else(PoisonError::into_inner));
        keys.dedup();
        for key in keys {
            if let Err(error) = self.flush(&key).await {
                tracing::warn!(key, error = %error, "events left for the outbox relay");
            }
        }
    }

    /// Writes `event` to the outbox in `tx`, commits the transaction, then publishes what is
    /// pending for the event's key. Only the commit can fail: what cannot be published now is
    /// logged and left to the relay.
    pub async fn commit<T: EventData>(
        &self,
        mut tx: Transaction<'_, Postgres>,
        event: &CloudEvent<T>,
    ) -> Result<(), OutboxError> {
        enqueue(&mut tx, event).await?;
        tx.commit().await?;
        self.publish_committed(event).await;
        Ok(())
    }

    /// Publishes `event`, committed to the outbox, with whatever else is pending for its key,
    /// now or, when [`Outbox::deferring`], after the answer; what cannot be published is logged
    /// and left to the relay.
    pub async fn publish_committed<T: EventData>(&self, event: &CloudEvent<T>) {
        if let Some(deferred) = &self.deferred {
            deferred
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(event.subject.clone());
            return;
        }
        if let Err(error) = self.flush(&event.subject).await {
            tracing::warn!(event_id = %event.id, error = %error, "event left for the outbox relay");
        }
    }

    /// Publishes the unpublished events with `key`, oldest first, and marks them published;
    /// returns how many. Fails after the budget; what is left stays for the relay.
    pub async fn flush(&self, key: &str) -> Result<usize, OutboxError> {
        let deadline = tokio::time::Instant::now() + self.backends.publish_budget();
        self.publish_key(key, Wait::ForLock, Some(deadline)).await
    }

    /// Publishes the unpublished events of up to `max_keys` keys, oldest first, skipping keys
    /// a handler is publishing right now; returns how many were published. An event the
    /// brokers refuse for good holds back only its own key, until it is parked; any other
    /// failure stops the run, since the brokers are then most likely down for every key.
    pub async fn relay(&self, max_keys: i64) -> Result<usize, OutboxError> {
        let keys = sqlx::query_scalar!(
            "select key from outbox where published_at is null and parked_at is null
             group by key order by min(seq) limit $1",
            max_keys,
        )
        .fetch_all(&mut *self.backends.connection().await?)
        .await?;
        let mut published = 0;
        for key in keys {
            published += self.publish_key(&key, Wait::SkipIfLocked, None).await?;
        }
        tracing::info!(published, "outbox relayed");
        Ok(published)
    }

    /// How many events wait to be published.
    pub async fn pending(&self) -> Result<i64, OutboxError> {
        Ok(self.backlog().await?.events)
    }

    /// How many events wait to be published, and how long the oldest has waited.
    pub async fn backlog(&self) -> Result<Backlog, OutboxError> {
        let backlog = sqlx::query!(
            r#"select count(*) as "events!",
                      coalesce(extract(epoch from now() - min(created_at)), 0)::float8 as "oldest_seconds!"
               from outbox where published_at is null and parked_at is null"#,
        )
        .fetch_one(&mut *self.backends.connection().await?)
        .await?;
        Ok(Backlog {
            events: backlog.events,
            oldest_seconds: backlog.oldest_seconds,
        })
    }

    /// How many events are parked: refused by the brokers [`PARK_AFTER_ATTEMPTS`] times, they
    /// wait for an operator (README, "Events and the outbox").
    pub async fn parked(&self) -> Result<i64, OutboxError> {
        Ok(sqlx::query_scalar!(
            r#"select count(*) as "count!" from outbox where parked_at is not null"#
        )
        .fetch_one(&mut *self.backends.connection().await?)
        .await?)
    }

    /// Only the sends are bounded by `deadline`: a database future cancelled mid-transaction
    /// could hand its connection back in a state the next statement inherits.
    async fn publish_key(
        &self,
        key: &str,
        wait: Wait,
        deadline: Option<tokio::time::Instant>,
    ) -> Result<usize, OutboxError> {
        let mut tx = self.backends.transaction().await?;
        // One publisher per key at a time keeps each key's events in order on the topic.
        let locked = match wait {
            Wait::ForLock => {
                sqlx::query!("select pg_advisory_xact_lock(hashtextextended($1, 0))", key)
                    .execute(&mut *tx)
                    .await?;
                true
            }
            Wait::SkipIfLocked => {
                sqlx::query_scalar!(
                    r#"select pg_try_advisory_xact_lock(hashtextextended($1, 0)) as "locked!""#,
                    key,
                )
                .fetch_one(&mut *tx)
                .await?
            }
        };
        if !locked {
            return Ok(0);
        }
        let pending = sqlx::query!(
            "select id, topic, payload, created_at from outbox
             where key = $1 and published_at is null and parked_at is null order by seq",
            key,
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut published = Vec::with_capacity(pending.len());
        let mut failure = None;
        for event in pending {
            let (id, topic) = (event.id, event.topic);
            let bytes = serde_json::to_vec(&event.payload)?;
            let span = publish_span(id, &topic, &event.payload);
            let send = async {
                // The record's headers carry the publish span's context: the consumers' parent.
                let trace = TraceContext::of(&tracing::Span::current());
                let headers: Vec<_> = trace.iter().flat_map(TraceContext::headers).collect();
                Ok::<_, OutboxError>(
                    self.backends
                        .publisher()
                        .publish(&topic, key, &bytes, &headers)
                        .await?,
                )
            }
            .instrument(span.clone());
            let sent = match deadline {
                Some(deadline) => tokio::time::timeout_at(deadline, send)
                    .await
                    .unwrap_or(Err(OutboxError::Timeout(self.backends.publish_budget()))),
                None => send.await,
            };
            if sent.is_err() {
                carebook_telemetry::mark_failed(&span);
            }
            match sent {
                Ok(()) => {
                    let latency = chrono::Utc::now() - event.created_at;
                    metric::OUTBOX_PUBLISH_LATENCY
                        .record(latency.num_milliseconds() as f64, Some(wait.publisher()));
                    published.push(id);
                }
                // Once parked, the key's later events go on; until then they keep their order.
                Err(OutboxError::Publish(error)) if refused_for_good(&error) => {
                    if !refuse(&mut tx, id, &topic, key, &error).await? {
                        break;
                    }
                }
                Err(error) => {
                    failure = Some(error);
                    break;
                }
            }
        }
        sqlx::query!(
            "update outbox set published_at = now() where id = any($1)",
            &published,
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        match failure {
            Some(error) => Err(error),
            None => Ok(published.len()),
        }
    }
}

/// The producer span of event `id`'s publish, a child of the change that emitted it (the trace
/// context its payload carries), whether a handler or the relay publishes it.
fn publish_span(id: Uuid, topic: &str, payload: &serde_json::Value) -> tracing::Span {
    let span = tracing::info_span!(
        "publish",
        otel.name = %format!("publish {topic}"),
        otel.kind = "producer",
        messaging.system = "kafka",
        messaging.operation.type = "send",
        messaging.destination.name = %topic,
        messaging.message.id = %id,
        trace_id = tracing::field::Empty,
        span_id = tracing::field::Empty,
        otel.status_code = tracing::field::Empty,
    );
    let created_in = TraceContext::from_fields(
        payload["traceparent"].as_str(),
        payload["tracestate"].as_str(),
    );
    continue_trace(&span, created_in.as_ref());
    span
}

/// Whether the brokers will refuse this record however often it is sent: too large, a topic
/// they do not have, a write they do not authorize, a record they reject. Any other failure
/// (brokers unreachable, timeouts, leader elections) is retried without limit.
fn refused_for_good(error: &KafkaError) -> bool {
    use RDKafkaErrorCode as Code;
    matches!(
        error.rdkafka_error_code(),
        Some(
            Code::MessageSizeTooLarge
                | Code::MessageBatchTooLarge
                | Code::InvalidMessageSize
                | Code::UnknownTopicOrPartition
                | Code::UnknownTopic
                | Code::UnknownPartition
                | Code::InvalidTopic
                | Code::TopicAuthorizationFailed
                | Code::InvalidRecord
        )
    )
}

/// Counts a refusal of event `id` and parks it at the [`PARK_AFTER_ATTEMPTS`]th; returns
/// whether it is parked. The log names the event, never its payload (personal data).
async fn refuse(
    conn: &mut PgConnection,
    id: Uuid,
    topic: &str,
    key: &str,
    error: &KafkaError,
) -> Result<bool, OutboxError> {
    let reason = error.to_string();
    let refused = sqlx::query!(
        r#"update outbox set attempts = attempts + 1, last_error = $2,
             parked_at = case when attempts + 1 >= $3 then now() end
         where id = $1
         returning attempts, parked_at is not null as "parked!""#,
        id,
        &reason,
        PARK_AFTER_ATTEMPTS,
    )
    .fetch_one(conn)
    .await?;
    let (attempts, parked) = (refused.attempts, refused.parked);
    if parked {
        tracing::error!(outbox_id = %id, topic, key, attempts, reason, "event parked: the brokers refuse it; its key's later events go on");
    } else {
        tracing::warn!(outbox_id = %id, topic, key, attempts, reason, "the brokers refused an event; it is tried again later");
    }
    Ok(parked)
}
