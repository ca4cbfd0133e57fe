//! The notifications handlers against real PostgreSQL, the local broker, the SES emulator
//! (moto) and the test issuer.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod sending;
