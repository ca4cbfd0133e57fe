use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

use carebook_backends::BackendsConfig;

use crate::Outbox;

/// Keys the relay handles per run; a run that has more leaves them for the next one.
pub const RELAY_MAX_KEYS: i64 = 500;

/// The `main` of a service's scheduled relay function: whatever the outbox still holds (the
/// broker was down, a handler crashed after commit) is published, oldest first per key. The
/// schedule's event is ignored; the answer says how many events were published and how many
/// are parked, waiting for an operator.
pub async fn run_relay(database_variable: &'static str) -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let backends = BackendsConfig::from_env(database_variable)?
        .connect(database_variable)
        .await?;
    let outbox = Outbox::new(&backends);
    lambda_runtime::run(service_fn(|_: LambdaEvent<Value>| {
        let outbox = &outbox;
        async move {
            let published = outbox.relay(RELAY_MAX_KEYS).await?;
            let parked = outbox.parked().await?;
            if parked > 0 {
                tracing::error!(parked, "parked outbox events wait for an operator");
            }
            Ok::<_, Error>(json!({ "published": published, "parked": parked }))
        }
    }))
    .await
}
