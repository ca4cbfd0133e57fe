//! Kafka-triggered (`appointment-events`, `user-events`): emails patients and doctors.

use aws_lambda_events::kafka::KafkaEvent;
use lambda_runtime::{Error, LambdaEvent, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let app = notifications::App::from_env().await?;
    run(service_fn(|event: LambdaEvent<KafkaEvent>| {
        let app = &app;
        async move { Ok::<_, Error>(notifications::send::send_notifications(app, event.payload).await) }
    }))
    .await
}
