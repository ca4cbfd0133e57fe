//! The users handlers against real PostgreSQL, the local Kafka broker and the local Keycloak.
//! One binary for all integration tests (zero2prod's layout): one link, parallel tests.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod client_secret;
mod doctors;
mod helpers;
mod identity;
mod onboarding;
mod profile;
mod search;
