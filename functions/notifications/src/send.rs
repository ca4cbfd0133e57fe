//! The Kafka-triggered handler that emails patients and doctors (SPEC §5).

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

async fn notify(app: &App, envelope: &Envelope) -> Result<(), RecordError> {
    let emails = compose(envelope, app.time_zone).map_err(RecordError::Permanent)?;
    for email in &emails {
        let Claim::Send(id) = store::claim(app.pool(), envelope.id, &envelope.event_type, email)
            .await
            .map_err(RecordError::transient)?
        else {
            continue;
        };
        match app.mailer.send(email).await {
            Ok(message_id) => {
                store::mark_sent(app.pool(), id, &message_id)
                    .await
                    .map_err(RecordError::transient)?;
                tracing::info!(notification_id = %id, template = email.template, "email sent");
            }
            Err(SendError::Rejected(reason)) => {
                store::mark_failed(app.pool(), id, &reason, true)
                    .await
                    .map_err(RecordError::transient)?;
                tracing::error!(notification_id = %id, template = email.template, "email rejected by SES");
            }
            Err(error @ SendError::Unavailable(_)) => {
                store::mark_failed(app.pool(), id, &error.to_string(), false)
                    .await
                    .map_err(RecordError::transient)?;
                return Err(RecordError::transient(error));
            }
        }
    }
    Ok(())
}
