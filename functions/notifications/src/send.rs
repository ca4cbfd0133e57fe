//! The Kafka-triggered handler that emails patients and doctors (SPEC §5).

use std::time::Duration;

use aws_lambda_events::kafka::KafkaEvent;
use carebook_consumer::{Batch, BatchResponse, RecordError, process_each};
use carebook_events::Envelope;

use crate::store::{self, Claim};
use crate::{App, SendError, compose};

/// Sends the emails of a batch of `appointment-events` and `user-events` records. Each
/// (event, recipient) is recorded before it is sent, so a redelivered event sends nothing
/// twice; SES rejections are recorded as failed, SES outages retried.
#[tracing::instrument(skip_all, fields(records = event.records.values().map(Vec::len).sum::<usize>()))]
pub async fn send_notifications(app: &App, event: KafkaEvent) -> BatchResponse {
    process_each(
        Batch::decode(event),
        &app.dead_letters,
        async |envelope: &Envelope| notify(app, envelope).await,
    )
    .await
}

/// How long a sent email's row is retried when the database is away (a restart takes seconds).
const RECORD_SENT_WITHIN: Duration = Duration::from_secs(15);

async fn notify(app: &App, envelope: &Envelope) -> Result<(), RecordError> {
    let emails = compose(envelope, app.time_zone).map_err(RecordError::Permanent)?;
    for email in &emails {
        // One transaction per email: its row stays locked while SES is called.
        let mut tx = app.pool().begin().await.map_err(RecordError::transient)?;
        let Claim::Send(id) = store::claim(&mut tx, envelope.id, &envelope.event_type, email)
            .await
            .map_err(RecordError::transient)?
        else {
            continue;
        };
        match app.mailer.send(email).await {
            Ok(message_id) => {
                let recorded = async {
                    store::mark_sent(&mut tx, id, &message_id).await?;
                    tx.commit().await
                };
                // SES has the email now: a record retried for want of this row would send it
                // again, so the row is worth waiting for (a database restart, say).
                if recorded.await.is_err() {
                    store::mark_sent_within(app.pool(), id, &message_id, RECORD_SENT_WITHIN)
                        .await
                        .map_err(RecordError::transient)?;
                }
                tracing::info!(notification_id = %id, template = email.template, "email sent");
            }
            Err(SendError::Rejected(reason)) => {
                store::mark_failed(&mut tx, id, &reason, true)
                    .await
                    .map_err(RecordError::transient)?;
                tx.commit().await.map_err(RecordError::transient)?;
                tracing::error!(notification_id = %id, template = email.template, "email rejected by SES");
            }
            Err(error @ SendError::Unavailable(_)) => {
                store::mark_failed(&mut tx, id, &error.to_string(), false)
                    .await
                    .map_err(RecordError::transient)?;
                tx.commit().await.map_err(RecordError::transient)?;
                return Err(RecordError::transient(error));
            }
        }
    }
    Ok(())
}
