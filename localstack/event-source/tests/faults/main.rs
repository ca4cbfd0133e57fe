//! The fault suite of the consumers (SPEC §5): the local event source mapping delivering real
//! records from the broker to the real analytics and notifications handlers, their databases
//! and the SES emulator, while something fails. Each test asserts that every event had its
//! one effect (one count, one email per recipient) and that the dead-letter topics hold
//! exactly what they should.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod pipeline;

use std::time::Duration;

use carebook_testkit::{Gate, PrivatePostgres, TestDatabase, topic_size};

use crate::pipeline::{Delivery, Pipeline};

async fn restart_mid_batch(delivery_ends: impl AsyncFnOnce(Delivery)) {
    // Arrange: each invocation is slow, so the interruption finds a batch in flight: applied
    // by the handler, not yet committed by the mapping.
    let pipeline = Pipeline::start(
        TestDatabase::local_server(),
        None,
        Duration::from_millis(300),
    )
    .await;
    let mut bookings = pipeline.produce(20).await;

    // Act
    let delivery = pipeline.deliver();
    pipeline.wait_for_invocations(4).await;
    let before = pipeline.counted().await;
    delivery_ends(delivery).await;
    bookings.extend(pipeline.produce(10).await);
    let delivery = pipeline.deliver();

    // Assert
    assert!(
        before < 20,
        "the interruption came mid-stream ({before} applied)"
    );
    pipeline.assert_each_had_its_one_effect(&bookings).await;
    pipeline.assert_no_dead_letters();
    delivery.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mapping_stopped_mid_batch_resumes_from_its_last_commit() {
    restart_mid_batch(Delivery::stop).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mapping_killed_mid_batch_redelivers_and_each_event_has_one_effect() {
    restart_mid_batch(async |delivery: Delivery| delivery.kill()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restarted_during_processing_loses_and_doubles_nothing() {
    // Arrange: the consumers' databases on a server of the test's own.
    let postgres = PrivatePostgres::start();
    let pipeline = Pipeline::start(postgres.url(), None, Duration::from_millis(100)).await;
    let bookings = pipeline.produce(30).await;

    // Act: the server goes down after the second invocation and comes back a second later.
    let delivery = pipeline.deliver();
    pipeline.wait_for_invocations(2).await;
    postgres.stop();
    tokio::time::sleep(Duration::from_secs(1)).await;
    postgres.resume();

    // Assert
    pipeline.assert_each_had_its_one_effect(&bookings).await;
    pipeline.assert_no_dead_letters();
    delivery.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_ses_down_emails_wait_and_are_sent_once_when_it_is_back() {
    // Arrange: SES behind a gate that is closed.
    let moto = carebook_testkit::aws_endpoint();
    let moto = moto.trim_start_matches("http://").parse().unwrap();
    let mut ses = Gate::closed(moto);
    let pipeline = Pipeline::start(
        TestDatabase::local_server(),
        Some(ses.url()),
        Duration::ZERO,
    )
    .await;
    let bookings = pipeline.produce(10).await;

    // Act: deliveries fail while SES is down; then it is back.
    let delivery = pipeline.deliver();
    pipeline.wait_for_invocations(4).await;
    let sent_while_down = pipeline.emails_sent(&bookings).await;
    ses.open().await;

    // Assert
    assert_eq!(sent_while_down, 0);
    pipeline.assert_each_had_its_one_effect(&bookings).await;
    pipeline.assert_no_dead_letters();
    delivery.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_delivery_storm_has_each_event_s_effect_once() {
    // Arrange: every event published three times, as retrying producers do.
    let pipeline = Pipeline::start(TestDatabase::local_server(), None, Duration::ZERO).await;
    let bookings = pipeline.produce_copies(10, 3).await;

    // Act: two mappings per function, each delivering every copy, at the same time.
    let first = pipeline.deliver();
    let second = pipeline.deliver_as("again");

    // Assert
    pipeline.assert_each_had_its_one_effect(&bookings).await;
    pipeline.assert_no_dead_letters();
    first.stop().await;
    second.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poison_record_goes_to_the_dead_letters_and_the_good_ones_around_it_through() {
    // Arrange: a record that is not an event between good ones.
    let pipeline = Pipeline::start(TestDatabase::local_server(), None, Duration::ZERO).await;
    let mut bookings = pipeline.produce(5).await;
    pipeline
        .produce_raw("poison", b"{\"not\": \"a cloudevent\"")
        .await;
    bookings.extend(pipeline.produce(5).await);

    // Act
    let delivery = pipeline.deliver();

    // Assert
    pipeline.assert_each_had_its_one_effect(&bookings).await;
    for consumer in ["analytics", "notifications"] {
        let letters = pipeline.dead_letters(consumer);
        let poison = letters
            .records_for("poison", 2, Duration::from_secs(10))
            .await;
        assert_eq!(
            poison.len(),
            1,
            "the poison record, once, in {consumer}'s letters"
        );
        assert_eq!(
            topic_size(&pipeline.dead_letter_topic(consumer)),
            1,
            "nothing else"
        );
    }
    delivery.stop().await;
}
