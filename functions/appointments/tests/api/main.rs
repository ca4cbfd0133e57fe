//! The appointments handlers against real PostgreSQL, the local Kafka broker and the local
//! Keycloak. One binary for all integration tests: one link, parallel tests.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod access;
mod attacks;
mod booking;
mod changes;
mod directory;
mod faults;
mod helpers;
mod lambda;
mod outbox;
mod reading;
mod schedule;
mod time_off;
