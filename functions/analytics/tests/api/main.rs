//! The analytics handlers against real PostgreSQL, the local broker and the local Keycloak.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod ingest;
mod reports;
