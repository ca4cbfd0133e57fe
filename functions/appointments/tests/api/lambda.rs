//! The booking handler as Lambda runs it (its binary polling a Runtime API): the answer does
//! not wait for Kafka, the event is published before the process asks for its next
//! invocation, and a crash between the answer and the publish loses nothing.

use std::path::Path;
use std::time::Duration;

use carebook_testkit::{Function, TopicTail, api_gateway_event, bootstrap_servers};
use lambda_http::http::{HeaderMap, Method, Uri};
use serde_json::Value;

use crate::helpers::{Person, TestApp, booking, events, tomorrow_at};

/// The `book-appointment` binary, one warm process, on `app`'s database.
async fn booking_function(app: &TestApp) -> Function {
    let auth = app.signer.auth_config();
    let mut env: Vec<(String, String)> = std::env::vars().collect();
    env.extend([
        ("APPOINTMENTS_DATABASE_URL".into(), app.db.url().into()),
        ("KEYCLOAK_ISSUER".into(), auth.issuer.to_string()),
        ("KEYCLOAK_AUDIENCE".into(), auth.audience),
        ("KAFKA_BOOTSTRAP_SERVERS".into(), bootstrap_servers()),
    ]);
    let mut function = Function::serve("book-appointment").await.unwrap();
    function
        .start(Path::new(env!("CARGO_BIN_EXE_book-appointment")), &env, 1)
        .await
        .unwrap();
    function
}

/// `POST /appointments` by `patient` with `doctor` tomorrow at `hour`, through `function`.
async fn book(function: &Function, patient: &Person, doctor: &Person, hour: i64) -> Value {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", "application/json".parse().unwrap());
    headers.insert(
        "authorization",
        format!("Bearer {}", patient.token).parse().unwrap(),
    );
    let body = serde_json::to_vec(&booking(doctor, tomorrow_at(hour))).unwrap();
    let event = api_gateway_event(
        &Method::POST,
        &Uri::from_static("/appointments"),
        &headers,
        &body,
    );
    let answer = function.invoke(event).await.unwrap();
    assert_eq!(answer["statusCode"], 201, "{answer}");
    serde_json::from_str(answer["body"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn a_booking_is_published_after_the_answer_and_before_the_next_invocation() {
    // Arrange
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patient = app.register(&["patient"]).await;
    let function = booking_function(&app).await;
    let tail = TopicTail::at_end("appointment-events");
    let polls = function.polls();

    // Act
    let booked = book(&function, &patient, &doctor, 10).await;
    function
        .polled_after(polls, Duration::from_secs(10))
        .await
        .unwrap();

    // Assert: published by the handler itself, no relay involved.
    assert_eq!(app.app.outbox().pending().await.unwrap(), 0);
    let published = events(&tail, &booked["id"], 1).await;
    assert_eq!(published[0].value["type"], "appointment.created");
}

#[tokio::test]
async fn a_crash_right_after_the_answer_loses_no_event() {
    // Arrange: the process will be killed after it answers, before it can publish.
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patient = app.register(&["patient"]).await;
    let mut function = booking_function(&app).await;
    function.hold_after_answer();
    let tail = TopicTail::at_end("appointment-events");

    // Act
    let booked = book(&function, &patient, &doctor, 11).await;
    function.kill();

    // Assert: the booking stands, its event waited in the outbox, and the relay publishes it.
    assert_eq!(app.app.outbox().pending().await.unwrap(), 1);
    assert_eq!(
        app.another_instance()
            .await
            .outbox()
            .relay(100)
            .await
            .unwrap(),
        1
    );
    let published = events(&tail, &booked["id"], 1).await;
    assert_eq!(published[0].value["type"], "appointment.created");
    assert_eq!(app.stored().await[0].as_array().map(Vec::len), Some(1));
}
