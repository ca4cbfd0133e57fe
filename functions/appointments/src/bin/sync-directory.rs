//! Kafka-triggered (`user-events`): keeps the directory of doctors and patients.

use aws_lambda_events::kafka::KafkaEvent;
use lambda_runtime::{Error, LambdaEvent, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let app = appointments::App::from_env().await?;
    run(service_fn(|event: LambdaEvent<KafkaEvent>| {
        let app = &app;
        async move { Ok::<_, Error>(appointments::directory::sync_directory(app, event.payload).await) }
    }))
    .await
}
