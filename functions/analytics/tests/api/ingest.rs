use std::time::Duration;

use analytics::ingest::ingest_events;
use analytics::{App, Config};
use carebook_backends::BackendsConfig;
use carebook_events::{
    Actor, AppointmentCancelled, AppointmentCreated, AppointmentSnapshot, AppointmentStatus,
    CloudEvent, EventData, Participant, Priority, UserRegistered, UserSnapshot,
};
use carebook_testkit::{Keycloak, TestDatabase, TopicTail, backends_config, msk_event};
use chrono::Utc;
use serde_json::Value;
use uuid::Uuid;

pub struct TestApp {
    pub keycloak: Keycloak,
    pub db: TestDatabase,
    pub app: App,
}

impl TestApp {
    pub async fn spawn() -> Self {
        let keycloak = Keycloak::local();
        let db = TestDatabase::create(&analytics::MIGRATOR).await;
        let app = App::new(&Config {
            auth: keycloak.auth_config(),
            backends: backends_config(&db),
        })
        .await
        .unwrap();
        Self { keycloak, db, app }
    }
}

/// The count that `$sql` selects from the app's database: a macro, so that the statement is
/// checked against the schema like the service's own.
macro_rules! count {
    ($app:expr, $sql:literal) => {
        sqlx::query_scalar!($sql)
            .fetch_one($app.db.pool())
            .await
            .unwrap()
    };
}

pub fn appointment(
    id: Uuid,
    doctor: Uuid,
    status: AppointmentStatus,
    version: i32,
    priority: Priority,
) -> AppointmentSnapshot {
    let starts_at = Utc::now() + chrono::Duration::days(1);
    AppointmentSnapshot {
        appointment_id: id,
        patient: Participant {
            id: Uuid::new_v4(),
            name: "Pat Ient".into(),
            email: Some("p@carebook.test".into()),
            email_verified: true,
        },
        doctor: Participant {
            id: doctor,
            name: "Dr Grace House".into(),
            email: Some("d@carebook.test".into()),
            email_verified: true,
        },
        starts_at,
        ends_at: starts_at + chrono::Duration::minutes(30),
        duration_minutes: 30,
        priority,
        status,
        version,
    }
}

/// A record's key and value.
pub type KeyValue = (String, Vec<u8>);

pub fn record<T: EventData>(event: &CloudEvent<T>) -> KeyValue {
    (event.subject.clone(), serde_json::to_vec(event).unwrap())
}

pub fn batch(topic: &str, records: &[KeyValue]) -> aws_lambda_events::kafka::KafkaEvent {
    let records: Vec<(&str, &[u8])> = records
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_slice()))
        .collect();
    msk_event(topic, &records)
}

/// A booking and its cancellation, and a registration.
fn story() -> (Uuid, Vec<KeyValue>, Vec<KeyValue>) {
    let id = Uuid::now_v7();
    let doctor = Uuid::new_v4();
    let created = CloudEvent::new(AppointmentCreated {
        appointment: appointment(
            id,
            doctor,
            AppointmentStatus::Scheduled,
            1,
            Priority::Emergency,
        ),
    });
    let cancelled = CloudEvent::new(AppointmentCancelled {
        appointment: appointment(
            id,
            doctor,
            AppointmentStatus::Cancelled,
            2,
            Priority::Emergency,
        ),
        cancelled_by: Actor {
            id: doctor,
            role: carebook_auth::Role::Doctor,
        },
    });
    let registered = CloudEvent::new(UserRegistered {
        user: UserSnapshot {
            user_id: doctor,
            username: None,
            email: None,
            email_verified: false,
            first_name: None,
            last_name: None,
            roles: vec![carebook_auth::Role::Doctor],
            specialty: None,
        },
    });
    (
        id,
        vec![record(&created), record(&cancelled)],
        vec![record(&registered)],
    )
}

#[tokio::test]
async fn a_batch_is_applied_once_however_often_it_is_delivered() {
    // Arrange
    let app = TestApp::spawn().await;
    let (_, appointments, users) = story();

    // Act: delivered, redelivered, and the cancellation replayed before the booking.
    for _ in 0..2 {
        assert!(
            ingest_events(&app.app, batch("appointment-events", &appointments))
                .await
                .batch_item_failures
                .is_empty()
        );
        assert!(
            ingest_events(&app.app, batch("user-events", &users))
                .await
                .batch_item_failures
                .is_empty()
        );
    }
    let reversed: Vec<_> = appointments.iter().rev().cloned().collect();
    ingest_events(&app.app, batch("appointment-events", &reversed)).await;

    // Assert
    assert_eq!(
        count!(
            app,
            r#"select count(*) as "count!" from appointments where status = 'cancelled'"#
        ),
        1
    );
    assert_eq!(
        count!(
            app,
            r#"select coalesce(sum(created), 0)::bigint as "count!" from daily_counts"#
        ),
        1
    );
    assert_eq!(
        count!(
            app,
            r#"select coalesce(sum(cancelled), 0)::bigint as "count!" from daily_counts"#
        ),
        1
    );
    assert_eq!(
        count!(app, r#"select count(*) as "count!" from registrations"#),
        1
    );
}

#[tokio::test]
async fn one_batch_with_an_event_three_times_and_an_older_version_last_has_one_effect_and_the_newer_state()
 {
    let app = TestApp::spawn().await;
    let (id, appointments, _) = story();
    let (created, cancelled) = (&appointments[0], &appointments[1]);
    let batch_records = [
        cancelled.clone(),
        cancelled.clone(),
        created.clone(),
        cancelled.clone(),
    ];

    let response = ingest_events(&app.app, batch("appointment-events", &batch_records)).await;

    assert!(response.batch_item_failures.is_empty());
    let row = sqlx::query!(
        r#"select status, version, booked_at is not null as "booked!" from appointments where id = $1"#,
        id,
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(
        (row.status.as_str(), row.version, row.booked),
        ("cancelled", 2, true)
    );
    assert_eq!(
        count!(
            app,
            r#"select coalesce(sum(created), 0)::bigint as "count!" from daily_counts"#
        ),
        1
    );
    assert_eq!(
        count!(
            app,
            r#"select coalesce(sum(cancelled), 0)::bigint as "count!" from daily_counts"#
        ),
        1
    );
    assert_eq!(
        count!(app, r#"select count(*) as "count!" from processed_events"#),
        2
    );
}

#[tokio::test]
async fn an_older_event_arriving_late_does_not_undo_a_newer_one() {
    let app = TestApp::spawn().await;
    let (_, appointments, _) = story();
    let reversed: Vec<_> = appointments.iter().rev().cloned().collect();

    ingest_events(&app.app, batch("appointment-events", &reversed)).await;

    assert_eq!(
        count!(
            app,
            r#"select count(*) as "count!" from appointments where status = 'cancelled' and booked_at is not null"#
        ),
        1
    );
}

#[tokio::test]
async fn unreadable_records_go_to_the_dead_letter_topic_and_the_rest_is_applied() {
    // Arrange
    let app = TestApp::spawn().await;
    let (id, mut appointments, _) = story();
    let key = id.to_string();
    let mut wrong: Value = serde_json::from_slice(&appointments[0].1).unwrap();
    wrong["data"]["appointment"]["priority"] = "whenever".into();
    wrong["id"] = Uuid::now_v7().to_string().into();
    appointments.insert(0, (key.clone(), b"\x00not json".to_vec()));
    appointments.insert(1, (key.clone(), serde_json::to_vec(&wrong).unwrap()));
    let dead_letters = TopicTail::at_end("appointment-events.analytics.dlq");

    // Act
    let response = ingest_events(&app.app, batch("appointment-events", &appointments)).await;

    // Assert
    assert!(response.batch_item_failures.is_empty());
    assert_eq!(
        count!(app, r#"select count(*) as "count!" from appointments"#),
        1
    );
    let letters = dead_letters
        .records_for(&key, 2, Duration::from_secs(10))
        .await;
    assert_eq!(letters.len(), 2);
    let header = |record: &carebook_testkit::Record, name: &str| {
        record
            .headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(header(&letters[0], "dlq-offset").as_deref(), Some("0"));
    assert_eq!(
        header(&letters[1], "dlq-reason").as_deref(),
        Some("a payload that does not match its type")
    );
    assert_eq!(
        header(&letters[1], "dlq-topic").as_deref(),
        Some("appointment-events")
    );
}

#[tokio::test]
async fn with_the_database_down_the_whole_batch_is_retried_and_nothing_is_half_applied() {
    // Arrange: the same service, once without its database.
    let app = TestApp::spawn().await;
    let (_, appointments, _) = story();
    let unreachable = BackendsConfig {
        database: carebook_backends::Database::Url(
            "postgres://carebook:carebook@127.0.0.1:1/nowhere".into(),
        ),
        ..backends_config(&app.db)
    };
    let down = App::new(&Config {
        auth: app.keycloak.auth_config(),
        backends: unreachable,
    })
    .await
    .unwrap();

    // Act
    let failed = ingest_events(&down, batch("appointment-events", &appointments)).await;
    let retried = ingest_events(&app.app, batch("appointment-events", &appointments)).await;

    // Assert
    assert_eq!(failed.batch_item_failures.len(), 1);
    assert_eq!(
        (
            failed.batch_item_failures[0]
                .item_identifier
                .partition
                .as_str(),
            failed.batch_item_failures[0].item_identifier.offset
        ),
        ("appointment-events-0", 0)
    );
    assert!(retried.batch_item_failures.is_empty());
    assert_eq!(
        count!(
            app,
            r#"select coalesce(sum(created + cancelled), 0)::bigint as "count!" from daily_counts"#
        ),
        2
    );
}
