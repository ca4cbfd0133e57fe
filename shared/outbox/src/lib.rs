//! Carebook's transactional outbox (SPEC §4).
//!
//! A service writes each event with [`enqueue`] in the same transaction as the change it
//! reports, so an event exists exactly when its change was committed. After the commit the
//! event's key is published by [`Outbox::flush`]: at once, or, in a Lambda handler
//! ([`Outbox::deferring`]), right after the answer is sent and before the next invocation is
//! asked for. Whatever that cannot publish (broker down, timeout, a crash after commit) stays in the `outbox` table until [`Outbox::relay`],
//! run on a schedule, publishes it.
//!
//! Guarantees: every committed event is published at least once; an event of a rolled-back
//! change never is. Events with the same key are published in the order they were written,
//! because each key is published under a PostgreSQL advisory lock, oldest row first. A
//! duplicate can happen (published, then the mark failed): consumers deduplicate by event id.
//!
//! An event the brokers refuse for good (too large, topic missing, not authorized) holds back
//! only its own key, and only until it was refused [`PARK_AFTER_ATTEMPTS`] times: then it is
//! parked with the reason, logged at error and counted ([`Outbox::parked`]), and its key's
//! later events go on. The state consumers keep stays right, since each event carries the
//! whole snapshot with its version and they keep the newest; what only the parked event
//! would have caused (its email, its count in the day's figures) waits until an operator
//! puts it back (README). One poison event must not stop every later change of its key.
//!
//! The `outbox` table is this crate's: a service that publishes events applies
//! [`with_outbox_table`] to its own migrations.

mod migrations;
mod outbox;
mod relay;

pub use migrations::with_outbox_table;
pub use outbox::{Backlog, Outbox, OutboxError, OutboxRow, PARK_AFTER_ATTEMPTS, enqueue};
pub use relay::{RELAY_MAX_KEYS, run_relay};
