//! Kafka-triggered (`appointment-events`, `user-events`): emails patients and doctors.

carebook_consumer::kafka_main!(
    notifications::App::from_env(),
    notifications::send::send_notifications
);
