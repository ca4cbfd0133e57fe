//! Kafka-triggered (`user-events`): keeps the directory of doctors and patients.

carebook_consumer::kafka_main!(
    appointments::App::from_env(),
    appointments::directory::sync_directory
);
