//! Carebook's event contracts (SPEC §4).
//!
//! Every change a service makes becomes a [`CloudEvent`] (CloudEvents 1.0, structured JSON) on
//! a [`Topic`], keyed by the id of what changed so one entity's events stay in order.
//! Payloads carry everything consumers need (names, emails, times, priority), so no consumer
//! calls another service.
//!
//! The JSON Schemas under `schemas/` are generated from these types and checked in; a test
//! fails when the two drift (regenerate with `UPDATE_SCHEMAS=1 cargo test -p carebook-events`).
//! `asyncapi.yaml` describes both topics for people and tools.
//!
//! A consumer reads a record with [`Envelope::decode`], then [`Envelope::event`] (or
//! [`Envelope::into_event`]) gives the payload as an [`Event`], which the consumer matches on.
//!
//! Compatibility: consumers ignore unknown fields, and park an unknown event type in their
//! dead-letter topic (to replay once they understand it); a breaking change
//! to a payload is a new event type (`appointment.created.v2`), never an edit of this one.

mod envelope;
mod event;
mod payload;
mod schema;
mod topic;

pub use envelope::{CloudEvent, DecodeError, Envelope, EventData, SPEC_VERSION};
pub use event::{EVENT_TYPES, Event};
pub use payload::{
    Actor, AppointmentCancelled, AppointmentCompleted, AppointmentCreated, AppointmentRescheduled,
    AppointmentSnapshot, AppointmentStatus, Participant, Priority, Slot, UserRegistered,
    UserSnapshot, UserUpdated,
};
pub use schema::{schema, schema_of};
pub use topic::Topic;
