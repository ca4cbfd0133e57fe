use carebook_telemetry::{Telemetry, metric};
use lambda_runtime::{Error, LambdaEvent, Runtime, service_fn};
use serde_json::{Value, json};

use carebook_backends::BackendsConfig;

use crate::Outbox;

/// Keys the relay handles per run; a run that has more leaves them for the next one.
pub const RELAY_MAX_KEYS: i64 = 500;

/// The `main` of a service's scheduled relay function: whatever the outbox still holds (the
/// broker was down, a handler crashed after commit) is published, oldest first per key. The
/// schedule's event is ignored; the answer says how many events were published, how many are
/// parked, waiting for an operator, and how many still wait (also the `OutboxPending` and
/// `OutboxOldestAge` metrics). Each publish is a span of the trace of the change that emitted
/// the event, exported as `service` after the run.
pub async fn run_relay(
    service: &'static str,
    database_variable: &'static str,
) -> Result<(), Error> {
    let telemetry = Telemetry::init(service);
    let backends = BackendsConfig::from_env(database_variable)?
        .connect(database_variable)
        .await?;
    let outbox = Outbox::new(&backends);
    let relay = service_fn(|_: LambdaEvent<Value>| {
        let outbox = &outbox;
        async move {
            let relayed = outbox.relay(RELAY_MAX_KEYS).await;
            // Measured after every run, failed ones included: a broker outage is when the
            // backlog grows, and an alarm on its age must see it.
            let backlog = outbox.backlog().await?;
            metric::OUTBOX_PENDING.set(backlog.events as f64, Some(service));
            metric::OUTBOX_OLDEST_AGE.set(backlog.oldest_seconds, Some(service));
            let published = relayed?;
            let parked = outbox.parked().await?;
            if parked > 0 {
                tracing::error!(parked, "parked outbox events wait for an operator");
            }
            Ok::<_, Error>(
                json!({ "published": published, "parked": parked, "pending": backlog.events }),
            )
        }
    });
    telemetry.run(Runtime::new(relay)).await
}
