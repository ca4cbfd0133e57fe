//! The attack suite: hostile tokens and hostile requests, each answered with the right 4xx and
//! nothing stored changed. Object-level access (BOLA) on every id route is in `access.rs`.

use appointments::api;
use carebook_testkit::{ApiRequest, hostile_tokens};
use lambda_http::http::StatusCode;
use serde_json::json;

use crate::access::statuses;
use crate::helpers::{TestApp, at, booking, tomorrow_at};

#[tokio::test]
async fn hostile_tokens_are_401_on_every_endpoint_and_change_nothing() {
    // Arrange: the service trusts a forger, which can sign what no real Keycloak would.
    let app = TestApp::trusting_forger().await;
    let doctor = app.register(&["doctor"]).await;
    let patient = app.register(&["patient"]).await;
    let appointment = app.book(&patient, &doctor, tomorrow_at(10)).await;
    let id = appointment["id"].as_str().unwrap();
    let before = app.stored().await;

    let claims = app
        .forger()
        .claims_for(patient.id, &patient.username, &["patient"]);
    for (attack, token) in hostile_tokens(app.forger(), &claims) {
        // Act
        let answers = statuses(&app, id, &doctor, Some(&token)).await;

        // Assert
        for (endpoint, status) in answers {
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{attack} on {endpoint}");
        }
    }
    assert_eq!(app.stored().await, before);
}

#[tokio::test]
async fn mass_assignment_of_patient_or_status_is_refused_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patients = app.register_many(&["patient"], 2).await;
    let appointment = app.book(&patients[0], &doctor, tomorrow_at(10)).await;
    let before = app.stored().await;

    let mut for_someone_else = booking(&doctor, tomorrow_at(12));
    for_someone_else["patient_id"] = json!(patients[1].id);
    let mut already_completed = booking(&doctor, tomorrow_at(13));
    already_completed["status"] = json!("completed");
    for (attempt, body) in [
        ("a patient booking for another", for_someone_else),
        ("a booking born completed", already_completed),
    ] {
        let (status, problem) = app.try_book(&patients[0], &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{attempt}: {problem}");
    }
    let (status, problem) = app
        .call(
            api::reschedule_appointment,
            at(ApiRequest::patch("/appointments/{id}"), &appointment["id"])
                .token(patients[0].token())
                .header("If-Match", "\"1\"")
                .json(&json!({ "status": "completed", "patient_id": patients[1].id })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");

    assert_eq!(app.stored().await, before);
}

#[tokio::test]
async fn sql_metacharacters_are_data_and_never_code() {
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patient = app.register(&["patient"]).await;
    let injection = "x'); delete from appointments; --";

    let mut body = booking(&doctor, tomorrow_at(10));
    body["reason"] = json!(injection);
    let (status, booked) = app.try_book(&patient, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{booked}");
    let before = app.stored().await;

    let (list_status, _) = app
        .call(
            api::list_appointments,
            ApiRequest::get("/appointments")
                .token(patient.token())
                .query("status", "scheduled' or '1'='1"),
        )
        .await;
    let (get_status, _) = app
        .call(
            api::get_appointment,
            ApiRequest::get("/appointments/{id}")
                .path_param("id", "1' or '1'='1")
                .token(patient.token()),
        )
        .await;

    assert_eq!(list_status, StatusCode::BAD_REQUEST);
    assert_eq!(get_status, StatusCode::BAD_REQUEST, "an id must be a UUID");
    let stored_reason: String = sqlx::query_scalar!("select reason from appointments")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(stored_reason, injection);
    assert_eq!(app.stored().await, before);
}

#[tokio::test]
async fn oversized_deep_and_invalid_utf8_bodies_are_4xx_and_store_nothing() {
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patient = app.register(&["patient"]).await;
    let before = app.stored().await;
    let mut oversized = booking(&doctor, tomorrow_at(10));
    oversized["reason"] = json!("a".repeat(1 << 20));
    // Deep but under the size limit: the parser's own depth limit must stop it.
    let deep = format!("{}{}", "[".repeat(30_000), "]".repeat(30_000));
    let mut invalid_utf8 = br#"{"doctor_id": ""#.to_vec();
    invalid_utf8.extend_from_slice(&[0xff, 0xfe, 0xfd]);
    invalid_utf8.extend_from_slice(br#"", "starts_at": "x", "reason": "y"}"#);

    for (attack, body, expected) in [
        (
            "a 1 MiB body",
            oversized.to_string().into_bytes(),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            "JSON nested 30,000 deep",
            deep.into_bytes(),
            StatusCode::BAD_REQUEST,
        ),
        ("invalid UTF-8", invalid_utf8, StatusCode::BAD_REQUEST),
    ] {
        let (status, problem) = app
            .call(
                api::book_appointment,
                ApiRequest::post("/appointments")
                    .token(patient.token())
                    .raw_json(body),
            )
            .await;
        assert_eq!(status, expected, "{attack}: {problem}");
        assert!(
            problem["type"]
                .as_str()
                .is_some_and(|kind| kind.starts_with("urn:carebook:problem:")),
            "{attack}: {problem}"
        );
    }
    assert_eq!(app.stored().await, before);
}
