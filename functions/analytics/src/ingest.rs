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
use carebook_events::{
    AppointmentCancelled, AppointmentCompleted, AppointmentCreated, AppointmentRescheduled,
    Envelope, EventData, UserRegistered, UserUpdated,
};
use uuid::Uuid;

use crate::fold::{Applicable, AppointmentChange, Change, Folded};
use crate::{App, store};

const INVALID: &str = "a payload that does not match its type";

fn payload<T: EventData>(envelope: &Envelope) -> Result<Option<T>, &'static str> {
    envelope.data_as::<T>().map_err(|_| INVALID)
}

/// The change `envelope` describes; `None` for types analytics does not use.
fn change_of(envelope: &Envelope) -> Result<Option<Change>, &'static str> {
    use AppointmentChange::*;
    let appointment = |kind, appointment| Some(Change::Appointment { kind, appointment });
    Ok(match envelope.event_type.as_str() {
        AppointmentCreated::TYPE => payload::<AppointmentCreated>(envelope)?
            .and_then(|e| appointment(Created, e.appointment)),
        AppointmentRescheduled::TYPE => payload::<AppointmentRescheduled>(envelope)?
            .and_then(|e| appointment(Rescheduled, e.appointment)),
        AppointmentCancelled::TYPE => payload::<AppointmentCancelled>(envelope)?
            .and_then(|e| appointment(Cancelled, e.appointment)),
        AppointmentCompleted::TYPE => payload::<AppointmentCompleted>(envelope)?
            .and_then(|e| appointment(Completed, e.appointment)),
        UserRegistered::TYPE => {
            payload::<UserRegistered>(envelope)?.map(|e| Change::Registered(e.user))
        }
        UserUpdated::TYPE => payload::<UserUpdated>(envelope)?.map(|e| Change::Updated(e.user)),
        // Unknown types were dead-lettered by carebook_consumer before this point.
        _ => None,
    })
}

/// Applies a batch of records from either topic.
#[tracing::instrument(skip_all, fields(records = event.records.values().map(Vec::len).sum::<usize>()))]
pub async fn ingest_events(app: &App, event: KafkaEvent) -> BatchResponse {
    let batch = Batch::decode(event);
    let mut failures = Failures::default();
    let mut applicable: Vec<(&Incoming, Applicable)> = Vec::with_capacity(batch.records.len());
    for record in &batch.records {
        let change = record
            .event
            .as_ref()
            .map_err(|reason| *reason)
            .and_then(|envelope| {
                change_of(envelope).map(|change| {
                    change.map(|change| Applicable {
                        event_id: envelope.id,
                        time: envelope.time,
                        change,
                    })
                })
            });
        match change {
            Ok(Some(change)) => applicable.push((record, change)),
            Ok(None) => {}
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
    match apply(app, &changes).await {
        Ok(applied) => tracing::info!(applied, "events ingested"),
        Err(error) => {
            tracing::warn!(error = %error, "batch not applied; every record will be retried");
            for (record, _) in &applicable {
                failures.retry(record);
            }
        }
    }
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
