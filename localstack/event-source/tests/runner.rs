//! The local event source against the real broker, invoking a function that plays watch's
//! Invoke API (and, for the restart test, the real analytics ingest handler).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use carebook_backends::Publisher;
use carebook_event_source::{Invoker, Mapping, Runner, StartingPosition};
use carebook_testkit::{TopicTail, bootstrap_servers, create_topic};
use serde_json::{Value, json};
use tokio::sync::watch;
use uuid::Uuid;

/// What the fake function answers to one invocation, given the offsets it was sent.
type Behaviour = dyn Fn(&[i64], usize) -> Reply + Send + Sync;

enum Reply {
    Ok(Value),
    /// What watch answers for a failed handler.
    Status500,
    /// What AWS answers for a failed handler.
    FunctionErrorHeader,
    Hang,
}

#[derive(Clone)]
struct Function {
    calls: Arc<Mutex<Vec<Vec<i64>>>>,
    behaviour: Arc<Behaviour>,
}

async fn invocation(State(function): State<Function>, Json(event): Json<Value>) -> Response {
    let offsets: Vec<i64> = event["records"]
        .as_object()
        .into_iter()
        .flat_map(|records| records.values())
        .flat_map(|list| list.as_array().cloned().unwrap_or_default())
        .map(|record| record["offset"].as_i64().unwrap())
        .collect();
    let call = {
        let mut calls = function.calls.lock().unwrap();
        calls.push(offsets.clone());
        calls.len() - 1
    };
    match (function.behaviour)(&offsets, call) {
        Reply::Ok(body) => Json(body).into_response(),
        Reply::Status500 => (StatusCode::INTERNAL_SERVER_ERROR, "handler failed").into_response(),
        Reply::FunctionErrorHeader => (
            [("x-amz-function-error", "Unhandled")],
            Json(json!({"errorMessage": "boom"})),
        )
            .into_response(),
        Reply::Hang => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            Json(json!({})).into_response()
        }
    }
}

/// A fake Invoke API; returns its base URL and the offsets of each invocation.
async fn fake_function(
    behaviour: impl Fn(&[i64], usize) -> Reply + Send + Sync + 'static,
) -> (String, Arc<Mutex<Vec<Vec<i64>>>>) {
    let function = Function {
        calls: Arc::default(),
        behaviour: Arc::new(behaviour),
    };
    let calls = function.calls.clone();
    let app = axum::Router::new()
        .route(
            "/2015-03-31/functions/{name}/invocations",
            axum::routing::post(invocation),
        )
        .with_state(function);
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, calls)
}

fn mapping(topic: &str, max_retries: Option<u32>, bisect: bool) -> Mapping {
    Mapping {
        function: "fake".into(),
        topic: topic.into(),
        consumer_group: format!("{topic}-group"),
        batch_size: 10,
        batching_window: Duration::from_millis(300),
        starting_position: StartingPosition::Earliest,
        max_retries,
        bisect_on_error: bisect,
        report_batch_item_failures: true,
        on_failure_topic: Some(format!("{topic}.dlq")),
    }
}

async fn topic_with(records: usize) -> String {
    let topic = format!("event-source-{}", Uuid::new_v4().simple());
    create_topic(&topic, 1).await;
    create_topic(&format!("{topic}.dlq"), 1).await;
    produce(&topic, 0..records).await;
    topic
}

async fn produce(topic: &str, keys: std::ops::Range<usize>) {
    let publisher = Publisher::new(&bootstrap_servers(), Duration::from_secs(5)).unwrap();
    for key in keys {
        let key = format!("key-{key}");
        publisher
            .publish_with_headers(topic, Some(key.as_bytes()), b"{}", &[("origin", b"test")])
            .await
            .unwrap();
    }
}

/// Runs `mapping` against `base` until the returned sender says stop.
fn start(
    mapping: Mapping,
    base: &str,
    timeout: Duration,
) -> (watch::Sender<bool>, tokio::task::JoinHandle<()>) {
    let invoker = Invoker::new(base, timeout).unwrap();
    let publisher = Publisher::new(&bootstrap_servers(), Duration::from_secs(5)).unwrap();
    let runner = Runner::new(
        mapping,
        &bootstrap_servers(),
        invoker,
        publisher,
        "arn:aws:kafka:eu-west-1:000000000000:cluster/test/test",
    )
    .unwrap();
    let (stop, shutdown) = watch::channel(false);
    (
        stop,
        tokio::spawn(async move { runner.run(shutdown).await.unwrap() }),
    )
}

async fn stop(runner: (watch::Sender<bool>, tokio::task::JoinHandle<()>)) {
    runner.0.send(true).unwrap();
    runner.1.await.unwrap();
}

async fn until(what: &str, condition: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !condition() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn seen(calls: &Mutex<Vec<Vec<i64>>>) -> Vec<i64> {
    let mut all: Vec<i64> = calls.lock().unwrap().iter().flatten().copied().collect();
    all.sort_unstable();
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn committed_records_are_not_delivered_again_after_a_restart() {
    // Arrange
    let topic = topic_with(5).await;
    let (base, calls) = fake_function(|_, _| Reply::Ok(json!({"batchItemFailures": []}))).await;

    // Act: run, stop, produce more, run again.
    let first = start(
        mapping(&topic, Some(2), false),
        &base,
        Duration::from_secs(5),
    );
    until("the first five", || seen(&calls).len() == 5).await;
    stop(first).await;
    produce(&topic, 5..8).await;
    let second = start(
        mapping(&topic, Some(2), false),
        &base,
        Duration::from_secs(5),
    );
    until("three more", || seen(&calls).len() >= 8).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    stop(second).await;

    // Assert
    assert_eq!(seen(&calls), (0..8).collect::<Vec<_>>(), "each record once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_batch_failure_retries_the_failed_record_and_what_follows_it() {
    let topic = topic_with(5).await;
    let partition = format!("{topic}-0");
    let (base, calls) = fake_function(move |_, call| {
        let failures = if call == 0 {
            json!([{"itemIdentifier": {"partition": partition, "offset": 2}}])
        } else {
            json!([])
        };
        Reply::Ok(json!({ "batchItemFailures": failures }))
    })
    .await;

    let runner = start(
        mapping(&topic, Some(2), false),
        &base,
        Duration::from_secs(5),
    );
    until("the retry", || calls.lock().unwrap().len() == 2).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    stop(runner).await;

    assert_eq!(*calls.lock().unwrap(), [vec![0, 1, 2, 3, 4], vec![2, 3, 4]]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_function_is_retried_then_its_records_go_to_the_on_failure_topic() {
    // Arrange: watch's 500 first, then AWS's error header, forever.
    let topic = topic_with(2).await;
    let dead_letters = TopicTail::at_end(&format!("{topic}.dlq"));
    let (base, calls) = fake_function(|_, call| {
        if call % 2 == 0 {
            Reply::Status500
        } else {
            Reply::FunctionErrorHeader
        }
    })
    .await;

    // Act
    let runner = start(
        mapping(&topic, Some(1), false),
        &base,
        Duration::from_secs(5),
    );
    let letters = [
        dead_letters
            .records_for("key-0", 1, Duration::from_secs(20))
            .await,
        dead_letters
            .records_for("key-1", 1, Duration::from_secs(5))
            .await,
    ];
    stop(runner).await;

    // Assert: one try and one retry, then the destination, with the coordinates.
    assert_eq!(*calls.lock().unwrap(), [vec![0, 1], vec![0, 1]]);
    for (offset, letter) in letters.iter().enumerate() {
        let header = |name: &str| {
            letter[0]
                .headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(header("dlq-offset"), Some(offset.to_string()));
        assert_eq!(header("dlq-topic"), Some(topic.clone()));
        assert_eq!(
            header("dlq-reason").as_deref(),
            Some("the function returned an error")
        );
        assert_eq!(
            header("origin").as_deref(),
            Some("test"),
            "original headers are kept"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bisecting_on_error_isolates_the_record_that_fails() {
    let topic = topic_with(5).await;
    let dead_letters = TopicTail::at_end(&format!("{topic}.dlq"));
    let (base, calls) = fake_function(|offsets, _| {
        if offsets.contains(&3) {
            Reply::Status500
        } else {
            Reply::Ok(json!({}))
        }
    })
    .await;

    let runner = start(
        mapping(&topic, Some(0), true),
        &base,
        Duration::from_secs(5),
    );
    let letters = dead_letters
        .records_for("key-3", 1, Duration::from_secs(20))
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop(runner).await;

    assert_eq!(letters.len(), 1);
    let delivered: Vec<i64> = calls
        .lock()
        .unwrap()
        .iter()
        .filter(|c| !c.contains(&3))
        .flatten()
        .copied()
        .collect();
    assert_eq!(
        delivered,
        [0, 1, 2, 4],
        "every other record reached the function once"
    );
    assert!(
        dead_letters
            .records_for("key-0", 1, Duration::from_millis(500))
            .await
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_function_times_out_and_is_retried() {
    let topic = topic_with(1).await;
    let (base, calls) = fake_function(|_, call| {
        if call == 0 {
            Reply::Hang
        } else {
            Reply::Ok(json!({}))
        }
    })
    .await;

    let runner = start(
        mapping(&topic, None, false),
        &base,
        Duration::from_millis(500),
    );
    until("the retry after the timeout", || {
        calls.lock().unwrap().len() == 2
    })
    .await;
    stop(runner).await;

    assert_eq!(*calls.lock().unwrap(), [vec![0], vec![0]]);
}
