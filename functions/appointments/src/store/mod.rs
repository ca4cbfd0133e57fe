//! All SQL of the appointments service, by concern: [`appointments`], the [`directory`] of
//! doctors and patients, doctors' working [`hours`], and [`time_off`] (the clinic's closures
//! too). Functions take a connection so the
//! caller decides the transaction, and puts each change and its outbox event in the same one.
//!
//! Each statement is checked against the service's schema at compile time (`.sqlx/`,
//! localstack/sqlx-prepare.sh); the one whose filters vary with the request is built by a
//! `QueryBuilder`, binding every value.

mod appointments;
mod directory;
mod hours;
mod time_off;

pub use appointments::{
    KeyClaim, Scope, book, booked, change, claimed_key, clash, find, is_over_open_limit, list,
    time_off_violated,
};
pub use directory::{
    add_person_if_missing, doctor, doctors_among, mark_processed, parties, upsert_person,
};
pub use hours::{own_hours, set_own_hours};
pub use time_off::{Covered, IN_CLOSURE, IN_TIME_OFF, delete_time_off, record_time_off, time_off};

/// The name of the constraint `error` violated, for exclusion and unique violations.
pub fn violated_constraint(error: &sqlx::Error) -> Option<&str> {
    match error {
        sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("23P01" | "23505")) => {
            db.constraint()
        }
        _ => None,
    }
}
