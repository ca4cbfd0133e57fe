//! The relay isolates failures per key: an event the brokers refuse for good holds back only its
//! own key, is parked with its reason after `PARK_AFTER_ATTEMPTS` refusals and counted, and every
//! other key keeps flowing. A broker that is down parks nothing.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::time::Duration;

use carebook_backends::BackendsConfig;
use carebook_outbox::{Outbox, PARK_AFTER_ATTEMPTS, with_outbox_table};
use carebook_testkit::{
    TestDatabase, TopicTail, backends_config, backends_config_without_broker, create_topic,
};
use serde_json::{Value, json};
use sqlx::migrate::Migrator;
use uuid::Uuid;

/// A database of the test's own with the outbox table alone.
async fn database() -> TestDatabase {
    TestDatabase::create(&with_outbox_table(Migrator::DEFAULT)).await
}

async fn connect(config: BackendsConfig) -> Outbox {
    Outbox::new(&config.connect("TEST_DATABASE_URL").await.unwrap())
}

/// Commits an event to the outbox as a service does; returns its id.
async fn write(db: &TestDatabase, topic: &str, key: &str, payload: &Value) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query!(
        "insert into outbox (id, topic, key, payload) values ($1, $2, $3, $4)",
        id,
        topic,
        key,
        payload,
    )
    .execute(db.pool())
    .await
    .unwrap();
    id
}

enum Poison {
    /// For a topic the brokers do not have (the local broker, like MSK, creates none itself).
    MissingTopic,
    /// Larger than a Kafka message may be (`message.max.bytes`, 1,000,000 bytes by default).
    TooLarge,
}

/// The oldest event in the outbox is `poison`; after it come events of three other keys and a
/// later event of the poison's own key. Returns the reason the parked event was stored with.
async fn relay_a_poison_event_among_good_ones(poison: Poison) -> String {
    // Arrange
    let db = database().await;
    let outbox = connect(backends_config(&db)).await;
    let topic = format!("outbox-relay-{}", Uuid::new_v4());
    create_topic(&topic, 3).await;
    let tail = TopicTail::at_end(&topic);
    let poison_key = Uuid::new_v4().to_string();
    let poison_id = match poison {
        Poison::MissingTopic => {
            let missing = format!("outbox-relay-missing-{}", Uuid::new_v4());
            write(&db, &missing, &poison_key, &json!({"n": 0})).await
        }
        Poison::TooLarge => {
            let huge = json!({"n": 0, "padding": "x".repeat(1_100_000)});
            write(&db, &topic, &poison_key, &huge).await
        }
    };
    let good_keys: Vec<String> = (0..3).map(|_| Uuid::new_v4().to_string()).collect();
    for (n, key) in (1..).zip(&good_keys) {
        write(&db, &topic, key, &json!({ "n": n })).await;
    }
    let later = json!({"n": 4, "after": "the poison"});
    write(&db, &topic, &poison_key, &later).await;

    // Act: the first run.
    let published = outbox
        .relay(100)
        .await
        .expect("a poison event does not fail the run");

    // Assert: every other key flowed in that same run.
    assert_eq!(published, good_keys.len());
    for (n, key) in (1..).zip(&good_keys) {
        let records = tail.records_for(key, 1, Duration::from_secs(10)).await;
        assert_eq!(
            records.len(),
            1,
            "key {key} was held back by another key's poison"
        );
        assert_eq!(records[0].value, json!({ "n": n }));
    }

    // Act: the runs up to the last refusal before parking.
    for _ in 1..PARK_AFTER_ATTEMPTS - 1 {
        assert_eq!(outbox.relay(100).await.unwrap(), 0);
    }

    // Assert: until it is parked, the poison holds back its own key's later event.
    assert_eq!(outbox.parked().await.unwrap(), 0);
    assert_eq!(outbox.pending().await.unwrap(), 2);

    // Act: the run whose refusal parks it.
    let published = outbox.relay(100).await.unwrap();

    // Assert: parked, counted, with the refusals and the reason; its key's later event went on.
    assert_eq!(published, 1);
    assert_eq!(outbox.parked().await.unwrap(), 1);
    assert_eq!(outbox.pending().await.unwrap(), 0);
    let parked = sqlx::query!(
        r#"select attempts, last_error as "reason!" from outbox where id = $1 and parked_at is not null"#,
        poison_id,
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(parked.attempts, PARK_AFTER_ATTEMPTS);
    let records = tail
        .records_for(&poison_key, 2, Duration::from_secs(3))
        .await;
    let values: Vec<&Value> = records.iter().map(|record| &record.value).collect();
    assert_eq!(values, [&later], "only the later event of the poison's key");
    assert_eq!(
        outbox.relay(100).await.unwrap(),
        0,
        "a parked event is not tried again"
    );
    parked.reason
}

#[tokio::test]
async fn an_event_for_a_topic_the_brokers_lack_is_parked_and_every_other_key_flows() {
    let reason = relay_a_poison_event_among_good_ones(Poison::MissingTopic).await;

    assert!(reason.contains("Unknown topic"), "{reason}");
}

#[tokio::test]
async fn an_event_too_large_for_the_brokers_is_parked_and_every_other_key_flows() {
    let reason = relay_a_poison_event_among_good_ones(Poison::TooLarge).await;

    assert!(reason.contains("Message size too large"), "{reason}");
}

#[tokio::test]
async fn a_broker_that_is_down_parks_nothing() {
    // Arrange
    let db = database().await;
    let outbox = connect(backends_config_without_broker(&db)).await;
    write(&db, "user-events", &Uuid::new_v4().to_string(), &json!({})).await;

    // Act: more runs than it takes to park a refused event.
    for _ in 0..=PARK_AFTER_ATTEMPTS {
        assert!(outbox.relay(100).await.is_err(), "the broker is down");
    }

    // Assert: the event waits for the broker, however long it is down.
    assert_eq!(outbox.parked().await.unwrap(), 0);
    assert_eq!(outbox.pending().await.unwrap(), 1);
}

#[tokio::test]
async fn the_backlog_says_how_long_the_oldest_waiting_event_has_waited() {
    // Arrange: an event committed a minute ago and one just now, neither published.
    let db = database().await;
    let outbox = connect(backends_config_without_broker(&db)).await;
    assert_eq!(outbox.backlog().await.unwrap().oldest_seconds, 0.0);
    let old = write(&db, "user-events", &Uuid::new_v4().to_string(), &json!({})).await;
    sqlx::query!(
        "update outbox set created_at = now() - interval '61 seconds' where id = $1",
        old
    )
    .execute(db.pool())
    .await
    .unwrap();
    write(&db, "user-events", &Uuid::new_v4().to_string(), &json!({})).await;

    // Act
    let backlog = outbox.backlog().await.unwrap();

    // Assert: what the relay reports as OutboxPending and OutboxOldestAge.
    assert_eq!(backlog.events, 2);
    assert!(
        (61.0..120.0).contains(&backlog.oldest_seconds),
        "{backlog:?}"
    );
}
