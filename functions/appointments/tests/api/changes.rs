use appointments::api;
use carebook_testkit::{ApiRequest, TopicTail};
use chrono::Duration;
use lambda_http::http::{StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{TestApp, at, events, tomorrow_at};

fn patch(id: &Value, token: Option<&str>) -> ApiRequest {
    at(ApiRequest::patch("/appointments/{id}"), id).token(token)
}

fn cancel(id: &Value, token: Option<&str>) -> ApiRequest {
    at(ApiRequest::post("/appointments/{id}/cancel"), id).token(token)
}

fn complete(id: &Value, token: Option<&str>) -> ApiRequest {
    at(ApiRequest::post("/appointments/{id}/complete"), id).token(token)
}

#[tokio::test]
async fn each_change_is_published_in_order_keyed_by_the_appointment() {
    // Arrange
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patient = app.register(&["patient"]).await;
    let tail = TopicTail::at_end("appointment-events");
    let booked = app.book(&patient, &doctor, tomorrow_at(10)).await;
    let id = &booked["id"];

    // Act: reschedule with the ETag, then cancel.
    let moved = app
        .call_raw(
            api::reschedule_appointment,
            patch(id, patient.token())
                .header("If-Match", "\"1\"")
                .json(&json!({"starts_at": tomorrow_at(12).to_rfc3339(), "duration_minutes": 45})),
        )
        .await;
    let (cancelled, body) = app
        .call(
            api::cancel_appointment,
            cancel(id, patient.token()).json(&json!({"reason": "feeling better"})),
        )
        .await;

    // Assert
    let (status, rescheduled) = carebook_testkit::read(&moved);
    assert_eq!(status, StatusCode::OK, "{rescheduled}");
    assert_eq!(moved.headers()[header::ETAG], "\"2\"");
    assert_eq!(
        rescheduled["ends_at"],
        json!(tomorrow_at(12) + Duration::minutes(45))
    );
    assert_eq!(
        (cancelled, body["status"].as_str()),
        (StatusCode::OK, Some("cancelled"))
    );
    assert_eq!(body["cancellation_reason"], "feeling better");
    let published = events(&tail, id, 3).await;
    let types: Vec<&str> = published
        .iter()
        .map(|r| r.value["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "appointment.created",
            "appointment.rescheduled",
            "appointment.cancelled"
        ]
    );
    assert!(
        published
            .windows(2)
            .all(|w| w[0].partition == w[1].partition && w[0].offset < w[1].offset)
    );
    assert_eq!(
        published[1].value["data"]["previous"]["starts_at"],
        json!(tomorrow_at(10))
    );
    assert_eq!(
        published[2].value["data"]["cancelled_by"],
        json!({"id": patient.id, "role": "patient"})
    );
    assert!(published.iter().all(|r| {
        r.headers
            .iter()
            .any(|(k, v)| k == "content-type" && v.starts_with("application/cloudevents+json"))
    }));
}

#[tokio::test]
async fn a_stale_version_is_412_a_missing_one_428_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patient = app.register(&["patient"]).await;
    let booked = app.book(&patient, &doctor, tomorrow_at(10)).await;
    let id = &booked["id"];
    let change = json!({"starts_at": tomorrow_at(11).to_rfc3339()});
    app.call(
        api::reschedule_appointment,
        patch(id, patient.token())
            .header("If-Match", "\"1\"")
            .json(&change),
    )
    .await;
    let before = app.stored().await;

    let (stale, problem) = app
        .call(
            api::reschedule_appointment,
            patch(id, patient.token())
                .header("If-Match", "\"1\"")
                .json(&json!({"reason": "x"})),
        )
        .await;
    let (stale_body, _) = app
        .call(
            api::reschedule_appointment,
            patch(id, patient.token()).json(&json!({"reason": "x", "version": 1})),
        )
        .await;
    let (missing, required) = app
        .call(
            api::reschedule_appointment,
            patch(id, patient.token()).json(&json!({"reason": "x"})),
        )
        .await;
    let (stale_cancel, _) = app
        .call(
            api::cancel_appointment,
            cancel(id, patient.token()).header("If-Match", "\"1\""),
        )
        .await;

    assert_eq!(stale, StatusCode::PRECONDITION_FAILED);
    assert_eq!(problem["current_version"], 2);
    assert_eq!(stale_body, StatusCode::PRECONDITION_FAILED);
    assert_eq!(
        (missing, required["type"].as_str()),
        (
            StatusCode::PRECONDITION_REQUIRED,
            Some("urn:carebook:problem:version-required")
        )
    );
    assert_eq!(stale_cancel, StatusCode::PRECONDITION_FAILED);
    assert_eq!(app.stored().await, before);
}

#[tokio::test]
async fn a_reschedule_into_a_taken_slot_is_409_and_bad_changes_are_400() {
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patients = app.register_many(&["patient"], 2).await;
    app.book(&patients[0], &doctor, tomorrow_at(10)).await;
    let other = app.book(&patients[1], &doctor, tomorrow_at(11)).await;
    let before = app.stored().await;
    let request = |body: Value| {
        patch(&other["id"], patients[1].token())
            .header("If-Match", "\"1\"")
            .json(&body)
    };

    let (taken, problem) = app
        .call(
            api::reschedule_appointment,
            request(json!({"starts_at": tomorrow_at(10).to_rfc3339()})),
        )
        .await;
    assert_eq!(
        (taken, problem["clash_with"].as_str()),
        (StatusCode::CONFLICT, Some("doctor"))
    );
    for (body, field) in [
        (json!({"starts_at": "yesterday"}), "starts_at"),
        (json!({"starts_at": "2001-01-01T09:00:00Z"}), "starts_at"),
        (json!({"duration_minutes": 500}), "duration_minutes"),
        (json!({"status": "completed"}), "status"),
        (json!({"patient_id": patients[0].id}), "patient_id"),
        (json!({}), "starts_at"),
    ] {
        let (status, problem) = app
            .call(api::reschedule_appointment, request(body.clone()))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(problem["errors"][field].is_string(), "{body}: {problem}");
    }
    let (bad_id, problem) = app
        .call(
            api::reschedule_appointment,
            ApiRequest::patch("/appointments/x")
                .path_param("id", "x")
                .token(patients[1].token())
                .json(&json!({"reason": "y", "version": 1})),
        )
        .await;
    assert_eq!(
        (bad_id, problem["errors"]["id"].is_string()),
        (StatusCode::BAD_REQUEST, true)
    );
    assert_eq!(app.stored().await, before);
}

#[tokio::test]
async fn a_cancelled_appointment_stays_cancelled_and_frees_its_slot() {
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patients = app.register_many(&["patient"], 2).await;
    let booked = app.book(&patients[0], &doctor, tomorrow_at(10)).await;

    let (by_doctor, _) = app
        .call(
            api::cancel_appointment,
            cancel(&booked["id"], doctor.token()),
        )
        .await;
    let (again, problem) = app
        .call(
            api::cancel_appointment,
            cancel(&booked["id"], patients[0].token()),
        )
        .await;
    let (complete_cancelled, _) = app
        .call(
            api::complete_appointment,
            complete(&booked["id"], doctor.token()),
        )
        .await;

    assert_eq!(by_doctor, StatusCode::OK);
    assert_eq!(
        (again, problem["type"].as_str()),
        (
            StatusCode::CONFLICT,
            Some("urn:carebook:problem:not-scheduled")
        )
    );
    assert_eq!(complete_cancelled, StatusCode::CONFLICT);
    app.book(&patients[1], &doctor, tomorrow_at(10)).await;
}

#[tokio::test]
async fn only_a_started_appointment_is_completed_by_its_doctor_or_an_admin() {
    // Arrange: one appointment in the future, one that has started (moved back in the database).
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patient = app.register(&["patient"]).await;
    let future = app.book(&patient, &doctor, tomorrow_at(10)).await;
    let started = app.book(&patient, &doctor, tomorrow_at(12)).await;
    let third = app.book(&patient, &doctor, tomorrow_at(14)).await;
    app.started(&started["id"], 120).await;
    app.started(&third["id"], 60).await;
    let tail = TopicTail::at_end("appointment-events");

    // Act
    let (too_early, problem) = app
        .call(
            api::complete_appointment,
            complete(&future["id"], doctor.token()),
        )
        .await;
    let (by_doctor, body) = app
        .call(
            api::complete_appointment,
            complete(&started["id"], doctor.token()),
        )
        .await;
    let (by_admin, _) = app
        .call(
            api::complete_appointment,
            complete(&third["id"], app.admin().await.token()),
        )
        .await;

    // Assert
    assert_eq!(
        (too_early, problem["type"].as_str()),
        (
            StatusCode::CONFLICT,
            Some("urn:carebook:problem:not-started")
        )
    );
    assert_eq!(
        (by_doctor, body["status"].as_str()),
        (StatusCode::OK, Some("completed"))
    );
    assert_eq!(by_admin, StatusCode::OK);
    let published = events(&tail, &started["id"], 1).await;
    assert_eq!(published[0].value["type"], "appointment.completed");
    assert_eq!(published[0].value["data"]["completed_by"]["role"], "doctor");
}

#[tokio::test]
async fn a_patient_cannot_cancel_or_change_a_started_appointment_but_staff_can() {
    // Arrange: one appointment in progress, one over but not completed, one to come.
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patient = app.register(&["patient"]).await;
    let first = app.book(&patient, &doctor, tomorrow_at(10)).await;
    let second = app.book(&patient, &doctor, tomorrow_at(12)).await;
    let upcoming = app.book(&patient, &doctor, tomorrow_at(14)).await;
    app.started(&first["id"], 10).await;
    app.started(&second["id"], 45).await;
    let before = app.stored().await;
    let new_reason = json!({"reason": "running late, sorry"});

    // Act
    let (patient_cancel, cancel_problem) = app
        .call(
            api::cancel_appointment,
            cancel(&first["id"], patient.token()),
        )
        .await;
    let (patient_edit, edit_problem) = app
        .call(
            api::reschedule_appointment,
            patch(&first["id"], patient.token())
                .header("If-Match", "\"1\"")
                .json(&new_reason),
        )
        .await;
    let untouched = app.stored().await;
    let (doctor_cancel, _) = app
        .call(
            api::cancel_appointment,
            cancel(&first["id"], doctor.token()),
        )
        .await;
    let (admin_edit, edited) = app
        .call(
            api::reschedule_appointment,
            patch(&second["id"], app.admin().await.token())
                .header("If-Match", "\"1\"")
                .json(&new_reason),
        )
        .await;
    let (admin_cancel, _) = app
        .call(
            api::cancel_appointment,
            cancel(&second["id"], app.admin().await.token()),
        )
        .await;
    let (patient_cancels_upcoming, _) = app
        .call(
            api::cancel_appointment,
            cancel(&upcoming["id"], patient.token()),
        )
        .await;

    // Assert
    for (status, problem) in [
        (patient_cancel, &cancel_problem),
        (patient_edit, &edit_problem),
    ] {
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
        assert_eq!(problem["type"], "urn:carebook:problem:already-started");
        assert!(problem["detail"].as_str().unwrap().contains("clinic"));
    }
    assert_eq!(untouched, before, "a refused change changes nothing");
    assert_eq!(doctor_cancel, StatusCode::OK);
    assert_eq!(
        (admin_edit, edited["reason"].as_str()),
        (StatusCode::OK, Some("running late, sorry"))
    );
    assert_eq!(admin_cancel, StatusCode::OK);
    assert_eq!(patient_cancels_upcoming, StatusCode::OK);
}
