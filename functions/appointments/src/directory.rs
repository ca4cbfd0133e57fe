//! The Kafka-triggered handler that keeps this service's directory of doctors and patients
//! from `user-events` (SPEC §5): each event is applied and marked processed in one
//! transaction, so a redelivery has no second effect, and the newest event about a person wins.

use aws_lambda_events::kafka::KafkaEvent;
use carebook_consumer::{Batch, BatchResponse, RecordError, process_each};
use carebook_events::{CloudEvent, Event, EventData, UserRegistered, UserUpdated};

use crate::{App, store};

/// Applies a batch of `user-events` records.
// At DEBUG: spans are exported from INFO, and the batch, holding records of many traces (each
// with its record's span), would be a one-span trace of its own.
#[tracing::instrument(level = "debug", skip_all, fields(records = event.records.values().map(Vec::len).sum::<usize>()))]
pub async fn sync_directory(app: &App, event: KafkaEvent) -> BatchResponse {
    process_each(
        Batch::decode(event),
        &app.dead_letters,
        async |event: &CloudEvent<Event>| apply(app, event).await,
    )
    .await
}

async fn apply(app: &App, event: &CloudEvent<Event>) -> Result<(), RecordError> {
    let user = match &event.data {
        Event::UserRegistered(UserRegistered { user })
        | Event::UserUpdated(UserUpdated { user }) => user,
        // The directory keeps people; appointment events change none.
        Event::AppointmentCreated(_)
        | Event::AppointmentRescheduled(_)
        | Event::AppointmentCancelled(_)
        | Event::AppointmentCompleted(_) => return Ok(()),
    };
    // Only the users service speaks about users. `source` is what the writer says it is, so
    // this keeps out events that lost their way (another service's, a replay to the wrong
    // topic); who may write to `user-events` at all is IAM's to decide (the template's
    // per-topic policies).
    if event.source != UserRegistered::SOURCE {
        return Err(RecordError::Permanent(
            "a user event from a source other than the users service",
        ));
    }
    let mut tx = app
        .backends
        .transaction()
        .await
        .map_err(RecordError::transient)?;
    if !store::mark_processed(&mut tx, event.id)
        .await
        .map_err(RecordError::transient)?
    {
        return Ok(());
    }
    store::upsert_person(&mut tx, user, event.time)
        .await
        .map_err(RecordError::transient)?;
    tx.commit().await.map_err(RecordError::transient)?;
    tracing::info!(user_id = %user.user_id, "directory updated");
    Ok(())
}
