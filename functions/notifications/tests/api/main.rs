//! The notifications handlers against real PostgreSQL, the local broker, the SES emulator
//! (moto) and the local Keycloak.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod crashes;
mod helpers;
mod sending;
