//! Lambda's MSK event source mapping, for the local stack (SPEC §5, §7).
//!
//! AWS polls Kafka for each Kafka-triggered function and invokes it with batches of records;
//! locally nothing does, so this crate does the same through `cargo lambda watch`'s Invoke
//! API. Its settings are the MSK event sources (and schedules) of `infra/template.yaml`, so
//! local and deployed behaviour cannot drift:
//! - one consumer group per mapping (`ConsumerGroupId`), `StartingPosition`;
//! - batches of up to `BatchSize` records, waiting at most `MaximumBatchingWindowInSeconds`;
//! - the MSK event JSON exactly as AWS builds it ([`msk_event`]);
//! - offsets committed only after the batch succeeded; on failure, retries with backoff up to
//!   `MaximumRetryAttempts`, partial batch responses with `ReportBatchItemFailures` (in AWS's
//!   shape only: any other fails the whole batch), halving
//!   the batch with `BisectBatchOnFunctionError`, and the `OnFailure` Kafka destination for
//!   what is left;
//! - scheduled functions (the outbox relays) invoked at their rate.
//!
//! [`deployment`] checks that the handler binaries, the template and watch's router describe
//! the same functions and routes.
//!
//! Watch answers a failed handler with HTTP 500 (AWS: 200 with `X-Amz-Function-Error`); both
//! count as failure, and every invocation has a client timeout because a crashed handler can
//! leave the request hanging.

pub mod deployment;
mod event;
pub mod gateway;
mod invoke;
mod response;
mod runner;
mod settings;

pub use event::{Consumed, msk_event};
pub use invoke::{InvokeError, Invoker};
pub use runner::{Runner, RunnerError};
pub use settings::{Mapping, Schedule, Settings, SettingsError, StartingPosition};
