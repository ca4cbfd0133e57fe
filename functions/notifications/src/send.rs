//! The Kafka-triggered handler that emails patients and doctors (SPEC §5).

use std::time::Duration;

use aws_lambda_events::kafka::KafkaEvent;
use carebook_consumer::{Batch, BatchResponse, RecordError, process_each};
use carebook_events::{CloudEvent, Event};
use carebook_telemetry::metric;

use crate::store::{self, Claim};
use crate::{App, SendError, compose};

/// Sends the emails of a batch of `appointment-events` and `user-events` records. Each
/// (event, recipient) is claimed, and the claim committed, before SES is called, so no
/// delivery of an event sends an email twice, whatever stops the sender (at most once: see
/// [`store::claim`]). Addresses Keycloak has not verified are recorded as skipped, SES
/// rejections as failed, SES outages retried.
// At DEBUG: spans are exported from INFO, and the batch, holding records of many traces (each
// with its record's span), would be a one-span trace of its own.
#[tracing::instrument(level = "debug", skip_all, fields(records = event.records.values().map(Vec::len).sum::<usize>()))]
pub async fn send_notifications(app: &App, event: KafkaEvent) -> BatchResponse {
    process_each(
        Batch::decode(event),
        &app.dead_letters,
        async |event: &CloudEvent<Event>| notify(app, event).await,
    )
    .await
}

/// How long a sent email's row is retried when the database is away (a failover takes
/// seconds): well inside the function's 10 s timeout in the template, so the invocation still
/// answers with the record's outcome.
const RECORD_SENT_WITHIN: Duration = Duration::from_secs(5);

async fn notify(app: &App, event: &CloudEvent<Event>) -> Result<(), RecordError> {
    let emails = compose(&event.data, app.time_zone).map_err(RecordError::Permanent)?;
    for email in &emails {
        let claim = store::claim(&app.backends, event.id, &event.event_type, email)
            .await
            .map_err(RecordError::transient)?;
        let id = match claim {
            Claim::Send(id) => id,
            Claim::Unverified(id) => {
                tracing::info!(notification_id = %id, template = email.template, "unverified: skipped");
                metric::EMAILS.count(Some("skipped"));
                continue;
            }
            Claim::Abandoned(id) => {
                tracing::warn!(notification_id = %id, template = email.template, "claimed by a sender that stopped: unknown");
                continue;
            }
            Claim::Done => continue,
        };
        match app.mailer.send(email).await {
            Ok(message_id) => {
                // Failing here leaves the claim, so a retry does not send it again: it records
                // the email as unknown instead.
                store::mark_sent(&app.backends, id, &message_id, RECORD_SENT_WITHIN)
                    .await
                    .map_err(RecordError::transient)?;
                tracing::info!(notification_id = %id, template = email.template, "email sent");
                metric::EMAILS.count(Some("sent"));
            }
            Err(SendError::Rejected(reason)) => {
                store::mark_failed(&app.backends, id, &reason, true)
                    .await
                    .map_err(RecordError::transient)?;
                tracing::error!(notification_id = %id, template = email.template, "email rejected by SES");
                metric::EMAILS.count(Some("failed"));
            }
            // Not counted: the record is retried, and its final outcome is.
            Err(error @ SendError::Unavailable(_)) => {
                store::mark_failed(&app.backends, id, &error.to_string(), false)
                    .await
                    .map_err(RecordError::transient)?;
                return Err(RecordError::transient(error));
            }
        }
    }
    Ok(())
}
