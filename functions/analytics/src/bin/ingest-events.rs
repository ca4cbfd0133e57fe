//! Kafka-triggered (`appointment-events`, `user-events`): keeps the reporting tables.

carebook_consumer::kafka_main!(analytics::App::from_env(), analytics::ingest::ingest_events);
