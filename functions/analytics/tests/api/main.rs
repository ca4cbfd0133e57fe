//! The analytics handlers against real PostgreSQL, the local broker and the test issuer.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod ingest;
mod reports;
