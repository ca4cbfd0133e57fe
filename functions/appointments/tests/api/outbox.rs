//! SPEC §4: no committed change loses its event; no rolled-back change has one.

use appointments::api;
use carebook_events::{AppointmentCreated, CloudEvent};
use carebook_testkit::{ApiRequest, TopicTail};
use lambda_http::http::StatusCode;

use crate::helpers::{TestApp, booking, events, no_more_events, tomorrow_at};

#[tokio::test]
async fn with_the_broker_down_bookings_succeed_and_the_relay_publishes_them_later() {
    // Arrange: the service's broker is down.
    let down = TestApp::spawn_without_broker().await;
    let doctor = down.register(&["doctor"]).await;
    let patients = down.register_many(&["patient"], 3).await;
    let tail = TopicTail::at_end("appointment-events");

    // Act: three bookings and a cancellation while the broker is down.
    let mut booked = Vec::new();
    for (hour, patient) in (9..).zip(&patients) {
        let (status, body) = down
            .call(
                api::book_appointment,
                ApiRequest::post("/appointments")
                    .token(patient.token())
                    .json(&booking(&doctor, tomorrow_at(hour))),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        booked.push(body);
    }
    let cancel = ApiRequest::post("/appointments/{id}/cancel")
        .path_param("id", booked[0]["id"].as_str().unwrap())
        .token(patients[0].token());
    assert_eq!(
        down.call(api::cancel_appointment, cancel).await.0,
        StatusCode::OK
    );
    assert_eq!(down.app.outbox().pending().await.unwrap(), 4);

    // The broker is back: the scheduled relay runs in a container that reaches it.
    let relay = down.another_instance().await;
    let published = relay.outbox().relay(100).await.unwrap();

    // Assert
    assert_eq!(published, 4);
    assert_eq!(relay.outbox().pending().await.unwrap(), 0);
    let first = events(&tail, &booked[0]["id"], 2).await;
    let types: Vec<&str> = first
        .iter()
        .map(|r| r.value["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["appointment.created", "appointment.cancelled"]);
    for appointment in &booked[1..] {
        assert_eq!(events(&tail, &appointment["id"], 1).await.len(), 1);
    }
    assert_eq!(
        relay.outbox().relay(100).await.unwrap(),
        0,
        "a second run has nothing left"
    );
}

#[tokio::test]
async fn a_rolled_back_change_publishes_nothing() {
    // Arrange: an event written in a transaction that then rolls back, and a refused booking.
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patients = app.register_many(&["patient"], 2).await;
    let booked = app.book(&patients[0], &doctor, tomorrow_at(10)).await;
    let tail = TopicTail::at_end("appointment-events");
    let mut tx = app.db.pool().begin().await.unwrap();
    let snapshot: serde_json::Value = serde_json::json!({
        "appointment_id": uuid::Uuid::now_v7(), "patient": {"id": patients[1].id, "name": "P", "email": null},
        "doctor": {"id": doctor.id, "name": "D", "email": null}, "starts_at": tomorrow_at(10),
        "ends_at": tomorrow_at(11), "duration_minutes": 60, "priority": "normal", "status": "scheduled", "version": 1
    });
    let event = CloudEvent::new(AppointmentCreated {
        appointment: serde_json::from_value(snapshot).unwrap(),
    });
    carebook_outbox::enqueue(&mut tx, &event).await.unwrap();
    tx.rollback().await.unwrap();
    let (clash, _) = app
        .call(
            api::book_appointment,
            ApiRequest::post("/appointments")
                .token(patients[1].token())
                .json(&booking(&doctor, tomorrow_at(10))),
        )
        .await;

    // Act
    let relayed = app.app.outbox().relay(100).await.unwrap();

    // Assert
    assert_eq!(clash, StatusCode::CONFLICT);
    assert_eq!(relayed, 0);
    let outbox_rows: i64 = sqlx::query_scalar!(r#"select count(*) as "count!" from outbox"#)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(outbox_rows, 1, "only the committed booking's event");
    no_more_events(&tail, &serde_json::json!(event.subject)).await;
    no_more_events(&tail, &booked["id"]).await;
}
