//! Stopping the mapping mid-stream and starting it again: every event has its effect once,
//! through the real analytics ingest handler and its database.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use analytics::{App, Config};
use aws_lambda_events::kafka::KafkaEvent;
use axum::Json;
use axum::extract::State;
use carebook_event_source::{Invoker, Mapping, Runner, StartingPosition};
use carebook_events::{
    AppointmentCreated, AppointmentSnapshot, AppointmentStatus, CloudEvent, Participant, Priority,
};
use carebook_outbox::Publisher;
use carebook_testkit::{TestDatabase, TestIssuer, bootstrap_servers, create_topic, outbox_config};
use serde_json::Value;
use tokio::sync::watch;
use uuid::Uuid;

struct Watch {
    app: App,
    invocations: AtomicUsize,
}

/// Plays `cargo lambda watch` serving `ingest-events`, slowly, so a stop finds a batch in
/// flight: applied by the handler, not yet committed by the mapping.
async fn ingest(State(watch): State<Arc<Watch>>, Json(event): Json<KafkaEvent>) -> Json<Value> {
    watch.invocations.fetch_add(1, Ordering::SeqCst);
    let response = analytics::ingest::ingest_events(&watch.app, event).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    Json(serde_json::to_value(response).unwrap())
}

async fn produce(topic: &str, count: usize) {
    let publisher = Publisher::new(&bootstrap_servers(), Duration::from_secs(5)).unwrap();
    for _ in 0..count {
        let starts_at = chrono::Utc::now() + chrono::Duration::days(1);
        let person = |name: &str| Participant {
            id: Uuid::new_v4(),
            name: name.into(),
            email: None,
        };
        let event = CloudEvent::new(AppointmentCreated {
            appointment: AppointmentSnapshot {
                appointment_id: Uuid::now_v7(),
                patient: person("P"),
                doctor: person("D"),
                starts_at,
                ends_at: starts_at + chrono::Duration::minutes(30),
                duration_minutes: 30,
                priority: Priority::Normal,
                status: AppointmentStatus::Scheduled,
                version: 1,
            },
        });
        publisher
            .publish(topic, &event.subject, &serde_json::to_vec(&event).unwrap())
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_mid_stream_resumes_from_the_last_commit_and_each_event_counts_once() {
    // Arrange: the analytics service behind a fake watch, twenty events on a topic of its own.
    let issuer = TestIssuer::start().await.unwrap();
    let db = TestDatabase::create(&analytics::MIGRATOR).await;
    let app = App::new(&Config {
        auth: issuer.auth_config(),
        store: outbox_config(&db),
    })
    .await
    .unwrap();
    let watch_state = Arc::new(Watch {
        app,
        invocations: AtomicUsize::new(0),
    });
    let router = axum::Router::new()
        .route(
            "/2015-03-31/functions/{name}/invocations",
            axum::routing::post(ingest),
        )
        .with_state(watch_state.clone());
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let topic = format!("restart-{}", Uuid::new_v4().simple());
    create_topic(&topic, 3).await;
    produce(&topic, 20).await;
    let mapping = Mapping {
        function: "ingest-events".into(),
        topic: topic.clone(),
        consumer_group: format!("{topic}-analytics"),
        batch_size: 3,
        batching_window: Duration::from_millis(100),
        starting_position: StartingPosition::Earliest,
        max_retries: None,
        bisect_on_error: false,
        report_batch_item_failures: true,
        on_failure_topic: None,
    };
    let start = || {
        let invoker = Invoker::new(&base, Duration::from_secs(10)).unwrap();
        let publisher = Publisher::new(&bootstrap_servers(), Duration::from_secs(5)).unwrap();
        let runner = Runner::new(
            mapping.clone(),
            &bootstrap_servers(),
            invoker,
            publisher,
            "arn:local",
        )
        .unwrap();
        let (stop, shutdown) = watch::channel(false);
        (
            stop,
            tokio::spawn(async move { runner.run(shutdown).await.unwrap() }),
        )
    };
    let counted = async || -> i64 {
        sqlx::query_scalar("select coalesce(sum(created), 0)::bigint from daily_counts")
            .fetch_one(db.pool())
            .await
            .unwrap()
    };

    // Act: stop while the third batch is being handled, produce ten more, start again.
    let (stop, running) = start();
    while watch_state.invocations.load(Ordering::SeqCst) < 3 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.send(true).unwrap();
    running.await.unwrap();
    let before_restart = counted().await;
    produce(&topic, 10).await;
    let (stop, running) = start();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while counted().await < 30 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    stop.send(true).unwrap();
    running.await.unwrap();

    // Assert
    assert!(
        before_restart < 20,
        "the stop came mid-stream ({before_restart} applied)"
    );
    assert_eq!(counted().await, 30, "thirty events, each counted once");
    let processed: i64 = sqlx::query_scalar("select count(*) from processed_events")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(processed, 30);
}
