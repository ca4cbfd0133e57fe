//! SPEC §4 under faults: a broker stopped, or killed, in the middle of a burst of bookings
//! loses no committed booking's event.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use carebook_testkit::{PrivateBroker, TopicTail};
use futures::StreamExt;
use lambda_http::http::StatusCode;

use crate::helpers::{TestApp, booking, tomorrow_at};

const BURST: usize = 40;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_restart_during_a_booking_burst_loses_no_committed_booking_s_event() {
    booking_burst_through(PrivateBroker::stop).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_killed_during_a_booking_burst_loses_no_committed_booking_s_event() {
    booking_burst_through(PrivateBroker::kill).await;
}

/// Forty bookings while `fault` takes the broker down and it comes back.
async fn booking_burst_through(fault: fn(&mut PrivateBroker)) {
    // Arrange: the service on a broker of the test's own, five doctors with eight free hours.
    let mut broker = PrivateBroker::start();
    broker.create_topic("appointment-events", 3).await;
    let app = TestApp::on_broker(broker.address()).await;
    let doctors = app.register_many(&["doctor"], 5).await;
    let patients = app.register_many(&["patient"], BURST).await;
    let answered = Arc::new(AtomicUsize::new(0));

    // Act: forty bookings eight at a time; the broker goes down after the tenth answer and
    // comes back after the twentieth.
    let restarts = std::thread::spawn({
        let answered = answered.clone();
        move || {
            let wait_for = |count| {
                while answered.load(Ordering::SeqCst) < count {
                    std::thread::sleep(Duration::from_millis(5));
                }
            };
            wait_for(10);
            fault(&mut broker);
            wait_for(20);
            broker.resume();
            broker
        }
    });
    let slots = doctors
        .iter()
        .flat_map(|doctor| (9..17).map(move |hour| (doctor, tomorrow_at(hour))));
    let answers: Vec<(StatusCode, serde_json::Value)> =
        futures::stream::iter(patients.iter().zip(slots))
            .map(|(patient, (doctor, starts_at))| {
                let answered = answered.clone();
                let app = &app;
                async move {
                    let answer = app.try_book(patient, &booking(doctor, starts_at)).await;
                    answered.fetch_add(1, Ordering::SeqCst);
                    answer
                }
            })
            .buffer_unordered(8)
            .collect()
            .await;
    let broker = restarts.join().unwrap();
    let left_to_the_relay = app.app.outbox().pending().await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while app.app.outbox().pending().await.unwrap() > 0 && tokio::time::Instant::now() < deadline {
        let _ = app.app.outbox().relay(100).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Assert: every booking was taken, and the broker's log has every one's event.
    let mut booked = BTreeSet::new();
    for (status, body) in &answers {
        assert_eq!(*status, StatusCode::CREATED, "{body}");
        booked.insert(body["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(booked.len(), BURST);
    assert!(
        left_to_the_relay > 0,
        "the restart should have left events to the relay"
    );
    let log = TopicTail::from_start_on(broker.address(), "appointment-events");
    let mut published = BTreeSet::new();
    // One budget for the whole log, so missing events fail the test in seconds, not minutes.
    let reading_ends = tokio::time::Instant::now() + Duration::from_secs(20);
    for id in &booked {
        let left = reading_ends
            .saturating_duration_since(tokio::time::Instant::now())
            .max(Duration::from_millis(100));
        let records = log.records_for(id, 1, left).await;
        if records
            .first()
            .is_some_and(|r| r.value["type"] == "appointment.created")
        {
            published.insert(id.clone());
        }
    }
    let missing: Vec<_> = booked.difference(&published).collect();
    assert!(missing.is_empty(), "no event for {missing:?}");
    drop(broker);
}
