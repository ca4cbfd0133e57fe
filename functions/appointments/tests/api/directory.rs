//! The directory handler applies `user-events` once each, newest wins, and skips what it
//! cannot use without holding up the batch.

use appointments::directory::sync_directory;
use carebook_events::{CloudEvent, UserRegistered, UserSnapshot, UserUpdated};
use carebook_testkit::{TopicTail, msk_event};
use chrono::Duration;
use uuid::Uuid;

use crate::helpers::{TestApp, events, tomorrow_at};

fn user(id: Uuid, last_name: &str) -> UserSnapshot {
    UserSnapshot {
        user_id: id,
        username: Some("grace".to_owned()),
        email: Some("grace@carebook.test".to_owned()),
        email_verified: true,
        first_name: Some("Grace".to_owned()),
        last_name: Some(last_name.to_owned()),
        roles: vec![carebook_auth::Role::Doctor],
        specialty: None,
    }
}

async fn last_name(app: &TestApp, id: Uuid) -> Option<String> {
    sqlx::query_scalar!("select last_name from people where id = $1", id)
        .fetch_optional(app.db.pool())
        .await
        .unwrap()
        .flatten()
}

#[tokio::test]
async fn redelivered_and_out_of_order_events_leave_the_newest_state_once() {
    // Arrange: registered, then updated a minute later.
    let app = TestApp::spawn().await;
    let id = Uuid::new_v4();
    let mut registered = CloudEvent::new(UserRegistered {
        user: user(id, "House"),
    });
    registered.time -= Duration::minutes(1);
    let updated = CloudEvent::new(UserUpdated {
        user: user(id, "Hopper"),
    });
    let key = id.to_string();
    let bytes = |event: &serde_json::Value| serde_json::to_vec(event).unwrap();
    let registered = bytes(&serde_json::to_value(&registered).unwrap());
    let updated = bytes(&serde_json::to_value(&updated).unwrap());

    // Act: the update arrives first, then the registration, then both again.
    let pool = app.db.pool();
    let app_ref = &app.app;
    let first = sync_directory(
        app_ref,
        msk_event("user-events", &[(&key, &updated), (&key, &registered)]),
    )
    .await;
    let replay = sync_directory(
        app_ref,
        msk_event("user-events", &[(&key, &registered), (&key, &updated)]),
    )
    .await;

    // Assert
    assert!(first.batch_item_failures.is_empty() && replay.batch_item_failures.is_empty());
    assert_eq!(last_name(&app, id).await.as_deref(), Some("Hopper"));
    let processed: i64 =
        sqlx::query_scalar!(r#"select count(*) as "count!" from processed_events"#)
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(processed, 2);
}

#[tokio::test]
async fn records_it_cannot_use_go_to_the_dead_letter_topic_and_the_batch_goes_on() {
    let app = TestApp::spawn().await;
    let id = Uuid::new_v4();
    let good = serde_json::to_vec(&CloudEvent::new(UserRegistered {
        user: user(id, "House"),
    }))
    .unwrap();
    let mut unknown_type: serde_json::Value = serde_json::from_slice(&good).unwrap();
    unknown_type["type"] = "user.deleted.v9".into();
    let mut bad_payload = unknown_type.clone();
    bad_payload["type"] = "user.updated".into();
    bad_payload["data"] = serde_json::json!({"user": {"user_id": "nope"}});
    let unknown_type = serde_json::to_vec(&unknown_type).unwrap();
    let bad_payload = serde_json::to_vec(&bad_payload).unwrap();
    let key = id.to_string();
    let dead_letters = TopicTail::at_end("user-events.appointments.dlq");

    let response = sync_directory(
        &app.app,
        msk_event(
            "user-events",
            &[
                (&key, b"{not json"),
                (&key, &unknown_type),
                (&key, &bad_payload),
                (&key, &good),
            ],
        ),
    )
    .await;

    assert!(response.batch_item_failures.is_empty());
    assert_eq!(last_name(&app, id).await.as_deref(), Some("House"));
    let letters = dead_letters
        .records_for(&key, 3, std::time::Duration::from_secs(5))
        .await;
    let reasons: Vec<&str> = letters
        .iter()
        .map(|r| {
            r.headers
                .iter()
                .find(|(k, _)| k == "dlq-reason")
                .map(|(_, v)| v.as_str())
                .unwrap()
        })
        .collect();
    assert_eq!(
        reasons,
        [
            "not a CloudEvents envelope",
            "an unknown event type",
            "a payload that does not match its type"
        ],
        "unknown types are parked for a later replay, not dropped"
    );
    assert!(letters.iter().all(|r| {
        r.headers
            .iter()
            .any(|(k, v)| k == "dlq-offset" && !v.is_empty())
    }));
}

#[tokio::test]
async fn a_user_event_from_another_source_does_not_reach_the_directory() {
    // Arrange: someone who can write to user-events makes up a doctor.
    let app = TestApp::spawn().await;
    let id = Uuid::new_v4();
    let mut forged = serde_json::to_value(CloudEvent::new(UserRegistered {
        user: user(id, "Mallory"),
    }))
    .unwrap();
    forged["source"] = "/carebook/appointments".into();
    let forged = serde_json::to_vec(&forged).unwrap();
    let key = id.to_string();
    let dead_letters = TopicTail::at_end("user-events.appointments.dlq");

    // Act
    let response = sync_directory(&app.app, msk_event("user-events", &[(&key, &forged)])).await;

    // Assert: not in the directory, parked with the reason, and the batch is done.
    assert!(response.batch_item_failures.is_empty());
    assert_eq!(last_name(&app, id).await, None);
    let letters = dead_letters
        .records_for(&key, 1, std::time::Duration::from_secs(5))
        .await;
    let reason = letters[0]
        .headers
        .iter()
        .find(|(k, _)| k == "dlq-reason")
        .map(|(_, v)| v.as_str());
    assert_eq!(
        reason,
        Some("a user event from a source other than the users service")
    );
}

#[tokio::test]
async fn appointment_events_say_whose_address_keycloak_has_not_verified() {
    // Arrange: the patient changed their address and has not verified the new one yet.
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patient = app.register(&["patient"]).await;
    let changed = CloudEvent::new(UserUpdated {
        user: UserSnapshot {
            user_id: patient.id,
            username: Some(patient.username.clone()),
            email: Some(format!("new-{}@carebook.test", patient.username)),
            email_verified: false,
            first_name: Some("Test".to_owned()),
            last_name: Some(patient.username.clone()),
            roles: vec![carebook_auth::Role::Patient],
            specialty: None,
        },
    });
    let applied = sync_directory(
        &app.app,
        msk_event(
            "user-events",
            &[(
                &patient.id.to_string(),
                &serde_json::to_vec(&changed).unwrap(),
            )],
        ),
    )
    .await;
    assert!(applied.batch_item_failures.is_empty());
    let tail = TopicTail::at_end("appointment-events");

    // Act
    let booked = app.book(&patient, &doctor, tomorrow_at(10)).await;

    // Assert
    let published = events(&tail, &booked["id"], 1).await;
    let appointment = &published[0].value["data"]["appointment"];
    assert_eq!(appointment["patient"]["email_verified"], false);
    assert_eq!(appointment["doctor"]["email_verified"], true);
}
