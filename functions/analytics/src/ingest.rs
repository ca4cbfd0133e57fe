//! The Kafka-triggered ingest handler: a batch of `appointment-events` and `user-events`
//! records becomes one transaction of idempotent upserts (SPEC §5). An event already applied
//! (redelivery, replay) changes nothing; a record that cannot be read goes to its dead-letter
//! topic; if the database fails, every record of the batch is retried and nothing is
//! half-applied.
//!
//! The batch is folded in Rust first ([`crate::fold`]): each appointment to its newest version,
//! each day's counters to one sum, each user to one row. The database then sees a handful of
//! set-based statements per batch, whatever its size, and locks each row once.

use std::collections::HashSet;

use aws_lambda_events::kafka::KafkaEvent;
use carebook_backends::DatabaseError;
use carebook_consumer::{Batch, BatchResponse, Failures, Incoming};
use carebook_events::Event;
use uuid::Uuid;

use crate::fold::{Applicable, AppointmentChange, Change, Folded};
use crate::{App, store};

/// The change `event` describes: analytics counts every event type.
fn change_of(event: &Event) -> Change {
    use AppointmentChange::*;
    let appointment = |kind, appointment| Change::Appointment { kind, appointment };
    match event {
        Event::AppointmentCreated(e) => appointment(Created, e.appointment.clone()),
        Event::AppointmentRescheduled(e) => appointment(Rescheduled, e.appointment.clone()),
        Event::AppointmentCancelled(e) => appointment(Cancelled, e.appointment.clone()),
        Event::AppointmentCompleted(e) => appointment(Completed, e.appointment.clone()),
        Event::UserRegistered(e) => Change::Registered(e.user.clone()),
        Event::UserUpdated(e) => Change::Updated(e.user.clone()),
    }
}

/// Applies a batch of records from either topic.
// At DEBUG: spans are exported from INFO, and the batch, holding records of many traces (each
// with its record's span), would be a one-span trace of its own.
#[tracing::instrument(level = "debug", skip_all, fields(records = event.records.values().map(Vec::len).sum::<usize>()))]
pub async fn ingest_events(app: &App, event: KafkaEvent) -> BatchResponse {
    let batch = Batch::decode(event);
    let mut failures = Failures::default();
    let mut applicable: Vec<(&Incoming, Applicable)> = Vec::with_capacity(batch.records.len());
    for record in &batch.records {
        match &record.event {
            Ok(event) => applicable.push((
                record,
                Applicable {
                    event_id: event.id,
                    time: event.time,
                    change: change_of(&event.data),
                },
            )),
            Err(reason) => {
                if let Err(error) = app.dead_letters.send(record, reason).await {
                    tracing::warn!(error = %error, offset = record.offset, "dead letter not sent; retrying the record");
                    failures.retry(record);
                }
            }
        }
    }
    // A record after a dead letter that could not be sent waits with it, to keep its order.
    applicable.retain(|(record, _)| !failures.blocks(record));
    let changes: Vec<&Applicable> = applicable.iter().map(|(_, change)| change).collect();
    // The batch is applied in one transaction: each record's span, in its own trace, lasts
    // until the transaction that applies it has ended.
    let record_spans: Vec<_> = applicable.iter().map(|(record, _)| record.span()).collect();
    match apply(app, &changes).await {
        Ok(applied) => {
            tracing::info!(applied, "events ingested");
            for (record, _) in &applicable {
                record.record_event_age(app.dead_letters.consumer());
            }
        }
        Err(error) => {
            tracing::warn!(error = %error, "batch not applied; every record will be retried");
            record_spans
                .iter()
                .for_each(carebook_telemetry::mark_failed);
            for (record, _) in &applicable {
                failures.retry(record);
            }
        }
    }
    drop(record_spans);
    failures.into_response()
}

/// Applies the events not applied before, in one transaction; returns how many were new.
async fn apply(app: &App, changes: &[&Applicable]) -> Result<usize, DatabaseError> {
    if changes.is_empty() {
        return Ok(0);
    }
    let mut tx = app.backends.transaction().await?;
    let ids: Vec<Uuid> = changes.iter().map(|change| change.event_id).collect();
    let mut new: HashSet<Uuid> = store::claim_events(&mut tx, &ids)
        .await?
        .into_iter()
        .collect();
    // `remove`: an event delivered twice within one batch is applied once.
    let fresh: Vec<&Applicable> = changes
        .iter()
        .copied()
        .filter(|change| new.remove(&change.event_id))
        .collect();
    store::apply(&mut tx, &Folded::from(fresh.as_slice())).await?;
    tx.commit().await?;
    Ok(fresh.len())
}
