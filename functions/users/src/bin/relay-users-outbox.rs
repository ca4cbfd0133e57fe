//! Scheduled: publishes the users outbox's leftovers (SPEC §4).

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    carebook_outbox::run_relay(env!("CARGO_BIN_NAME"), users::DATABASE_URL_VARIABLE).await
}
