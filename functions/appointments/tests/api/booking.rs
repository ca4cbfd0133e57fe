use appointments::api;
use carebook_testkit::{ApiRequest, TopicTail};
use chrono::Duration;
use futures::future::join_all;
use lambda_http::http::{StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{Person, TestApp, at, booking, events, no_more_events, tomorrow_at};

#[tokio::test]
async fn a_patient_books_a_free_slot_and_the_booking_is_published() {
    // Arrange
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patient = app.register(&["patient"]).await;
    let tail = TopicTail::at_end("appointment-events");
    let starts_at = tomorrow_at(10);

    // Act
    let response = app
        .call_raw(
            api::book_appointment,
            ApiRequest::post("/appointments")
                .token(patient.token())
                .json(&booking(&doctor, starts_at)),
        )
        .await;

    // Assert
    let (status, body) = carebook_testkit::read(&response);
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].clone();
    assert_eq!(
        response.headers()[header::LOCATION],
        format!("/appointments/{}", id.as_str().unwrap())
    );
    assert_eq!(response.headers()[header::ETAG], "\"1\"");
    assert_eq!(body["patient_id"], json!(patient.id));
    assert_eq!(body["status"], "scheduled");
    assert_eq!(body["ends_at"], json!(starts_at + Duration::minutes(30)));
    let published = events(&tail, &id, 1).await;
    let event = &published[0].value;
    assert_eq!(event["type"], "appointment.created");
    assert_eq!(published[0].key, id.as_str().unwrap());
    assert_eq!(
        event["data"]["appointment"]["doctor"]["id"],
        json!(doctor.id)
    );
    assert!(event["data"]["appointment"]["patient"]["email"].is_string());
    assert!(
        event.to_string().find("persistent cough").is_none(),
        "free text stays out of events"
    );
}

#[tokio::test]
async fn an_admin_books_for_a_patient() {
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patient = app.register(&["patient"]).await;
    let mut body = booking(&doctor, tomorrow_at(11));
    body["patient_id"] = json!(patient.id);

    let (status, appointment) = app
        .call(
            api::book_appointment,
            ApiRequest::post("/appointments")
                .token(app.admin().await.token())
                .json(&body),
        )
        .await;

    assert_eq!(status, StatusCode::CREATED, "{appointment}");
    assert_eq!(appointment["patient_id"], json!(patient.id));
}

#[tokio::test]
async fn an_overlapping_slot_is_refused_with_the_clash_for_doctor_and_patient_alike() {
    // Arrange: the doctor is booked 10:00-10:30.
    let app = TestApp::spawn().await;
    let doctors = app.register_many(&["doctor"], 2).await;
    let patients = app.register_many(&["patient"], 2).await;
    app.book(&patients[0], &doctors[0], tomorrow_at(10)).await;
    let book = |patient: usize, doctor: usize, minutes: i64| {
        ApiRequest::post("/appointments")
            .token(patients[patient].token())
            .json(&booking(
                &doctors[doctor],
                tomorrow_at(10) + Duration::minutes(minutes),
            ))
    };

    // Act
    let (doctor_busy, problem) = app.call(api::book_appointment, book(1, 0, 15)).await;
    let (patient_busy, patient_problem) = app.call(api::book_appointment, book(0, 1, 20)).await;
    let (back_to_back, _) = app.call(api::book_appointment, book(1, 0, 30)).await;

    // Assert
    assert_eq!(doctor_busy, StatusCode::CONFLICT);
    assert_eq!(problem["type"], "urn:carebook:problem:slot-taken");
    assert_eq!(problem["clash_with"], "doctor");
    assert_eq!(
        problem["clashing_slot"]["starts_at"],
        json!(tomorrow_at(10))
    );
    assert_eq!(patient_busy, StatusCode::CONFLICT);
    assert_eq!(patient_problem["clash_with"], "patient");
    assert_eq!(
        back_to_back,
        StatusCode::CREATED,
        "[start, end) ranges let one end as the next begins"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_bookings_of_one_slot_give_one_201_and_nineteen_409s() {
    // Arrange: twenty patients, each through their own Lambda instance.
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patients = app.register_many(&["patient"], 20).await;
    let mut instances = Vec::new();
    for _ in 0..20 {
        instances.push(app.another_instance().await);
    }

    // Act
    let attempts = instances.iter().zip(&patients).map(|(instance, patient)| {
        crate::helpers::call_on(
            instance,
            api::book_appointment,
            ApiRequest::post("/appointments")
                .token(patient.token())
                .json(&booking(&doctor, tomorrow_at(9))),
        )
    });
    let statuses: Vec<StatusCode> = join_all(attempts)
        .await
        .iter()
        .map(|r| r.status())
        .collect();

    // Assert
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((created, refused), (1, 19), "{statuses:?}");
    let stored: i64 = sqlx::query_scalar!(r#"select count(*) as "count!" from appointments"#)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(stored, 1);
}

#[tokio::test]
async fn a_key_stored_with_the_body_as_sent_still_answers_its_retry() {
    // Arrange: a booking whose key was stored as the body was sent, `null`s included, as
    // keys were before the body was parsed once (keys never expire).
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patient = app.register(&["patient"]).await;
    let mut body = booking(&doctor, tomorrow_at(14));
    body["priority"] = Value::Null;
    let request = || {
        ApiRequest::post("/appointments")
            .token(patient.token())
            .header("Idempotency-Key", "booked-last-year")
            .json(&body)
    };
    let (_, original) = app.call(api::book_appointment, request()).await;
    sqlx::query!("update idempotency_keys set request = $1", &body)
        .execute(app.db.pool())
        .await
        .unwrap();

    // Act
    let (status, replayed) = app.call(api::book_appointment, request()).await;

    // Assert
    assert_eq!(
        (status, &replayed["id"]),
        (StatusCode::CREATED, &original["id"])
    );
}

#[tokio::test]
async fn a_retry_with_the_same_idempotency_key_returns_the_first_booking_and_creates_nothing() {
    // Arrange
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patient = app.register(&["patient"]).await;
    let tail = TopicTail::at_end("appointment-events");
    let request = |body: &Value| {
        ApiRequest::post("/appointments")
            .token(patient.token())
            .header("Idempotency-Key", "booking-7f3a")
            .json(body)
    };
    let body = booking(&doctor, tomorrow_at(14));

    // Act: the first attempt, three concurrent retries, then a late one.
    let (first, original) = app.call(api::book_appointment, request(&body)).await;
    let retries =
        join_all((0..3).map(|_| app.call_raw(api::book_appointment, request(&body)))).await;
    let late = app.call_raw(api::book_appointment, request(&body)).await;
    let (reused, problem) = app
        .call(
            api::book_appointment,
            request(&booking(&doctor, tomorrow_at(15))),
        )
        .await;

    // Assert
    assert_eq!(first, StatusCode::CREATED);
    for retry in retries.iter().chain([&late]) {
        let (status, replayed) = carebook_testkit::read(retry);
        assert_eq!(
            (status, &replayed["id"]),
            (StatusCode::CREATED, &original["id"])
        );
        assert_eq!(retry.headers()["idempotent-replayed"], "true");
    }
    assert_eq!(reused, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problem["type"],
        "urn:carebook:problem:idempotency-key-reused"
    );
    let stored: i64 = sqlx::query_scalar!(r#"select count(*) as "count!" from appointments"#)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(stored, 1);
    assert_eq!(events(&tail, &original["id"], 1).await.len(), 1);
    no_more_events(&tail, &original["id"]).await;
}

#[tokio::test]
async fn every_bad_booking_is_a_400_naming_the_field_and_stores_nothing() {
    // Arrange
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patient = app.register(&["patient"]).await;
    let other_patient = app.register(&["patient"]).await;
    let before = app.stored().await;
    let valid = booking(&doctor, tomorrow_at(10));
    let with = |field: &str, value: Value| {
        let mut body = valid.clone();
        body[field] = value;
        body
    };
    let without = |field: &str| {
        let mut body = valid.clone();
        body.as_object_mut().unwrap().remove(field);
        body
    };
    let cases = [
        (without("doctor_id"), "doctor_id"),
        (without("starts_at"), "starts_at"),
        (without("reason"), "reason"),
        (with("reason", json!("")), "reason"),
        (with("reason", json!("x".repeat(2001))), "reason"),
        (with("starts_at", json!("tomorrow at ten")), "starts_at"),
        (with("starts_at", json!("2030-01-02 10:00")), "starts_at"),
        (
            with(
                "starts_at",
                json!((chrono::Utc::now() - Duration::hours(1)).to_rfc3339()),
            ),
            "starts_at",
        ),
        (with("duration_minutes", json!(4)), "duration_minutes"),
        (with("duration_minutes", json!(241)), "duration_minutes"),
        (
            with("duration_minutes", json!("thirty")),
            "duration_minutes",
        ),
        (with("priority", json!("urgent")), "priority"),
        (with("doctor_id", json!("not-a-uuid")), "doctor_id"),
        (with("doctor_id", json!(uuid::Uuid::new_v4())), "doctor_id"),
        (with("doctor_id", json!(other_patient.id)), "doctor_id"),
        (with("patient_id", json!(other_patient.id)), "patient_id"),
        (with("status", json!("completed")), "status"),
        (with("version", json!(9)), "version"),
    ];

    // Act + Assert
    for (body, field) in cases {
        let (status, problem) = app.try_book(&patient, &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}: {body}");
        assert_eq!(problem["type"], "urn:carebook:problem:validation");
        assert!(problem["errors"][field].is_string(), "{field}: {problem}");
    }
    let post = || ApiRequest::post("/appointments").token(patient.token());
    let (malformed, problem) = app
        .call(api::book_appointment, post().raw_json("{\"doctor_id\":"))
        .await;
    assert_eq!(
        (malformed, problem["type"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("urn:carebook:problem:invalid-json")
        )
    );
    let (too_big, _) = app
        .call(
            api::book_appointment,
            post().raw_json(format!("{{\"reason\":\"{}\"}}", "x".repeat(70_000))),
        )
        .await;
    assert_eq!(too_big, StatusCode::PAYLOAD_TOO_LARGE);
    let (bad_key, problem) = app
        .call(
            api::book_appointment,
            post().header("Idempotency-Key", "has spaces").json(&valid),
        )
        .await;
    assert_eq!(
        (bad_key, problem["errors"]["Idempotency-Key"].is_string()),
        (StatusCode::BAD_REQUEST, true)
    );
    assert_eq!(app.stored().await, before);
}

/// `POST /appointments/{id}/cancel` as `who`, which must succeed.
async fn cancel(app: &TestApp, who: &Person, appointment: &Value) {
    let (status, body) = app
        .call(
            api::cancel_appointment,
            at(
                ApiRequest::post("/appointments/{id}/cancel"),
                &appointment["id"],
            )
            .token(who.token()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_patient_books_up_to_the_limit_and_the_next_booking_is_refused_until_one_ends() {
    // Arrange: five open appointments, the last booked with an Idempotency-Key.
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patient = app.register(&["patient"]).await;
    let mut open = Vec::new();
    for hour in 9..13 {
        open.push(app.book(&patient, &doctor, tomorrow_at(hour)).await);
    }
    let keyed = || {
        ApiRequest::post("/appointments")
            .token(patient.token())
            .header("Idempotency-Key", "fifth-booking")
            .json(&booking(&doctor, tomorrow_at(13)))
    };
    let (fifth, _) = app.call(api::book_appointment, keyed()).await;
    let before = app.stored().await;

    // Act
    let (sixth, problem) = app
        .try_book(&patient, &booking(&doctor, tomorrow_at(14)))
        .await;
    let after_refusal = app.stored().await;
    let (retry_of_fifth, _) = app.call(api::book_appointment, keyed()).await;
    cancel(&app, &patient, &open[0]).await;
    let (after_cancel, _) = app
        .try_book(&patient, &booking(&doctor, tomorrow_at(14)))
        .await;
    app.started(&open[1]["id"], 5).await;
    let (after_one_started, _) = app
        .try_book(&patient, &booking(&doctor, tomorrow_at(15)))
        .await;
    let (at_the_limit_again, _) = app
        .try_book(&patient, &booking(&doctor, tomorrow_at(16)))
        .await;

    // Assert
    assert_eq!(fifth, StatusCode::CREATED);
    assert_eq!(sixth, StatusCode::CONFLICT, "{problem}");
    assert_eq!(
        problem["type"],
        "urn:carebook:problem:open-appointments-limit"
    );
    assert_eq!(problem["limit"], 5);
    assert!(
        problem["detail"].as_str().unwrap().contains("at most 5"),
        "{problem}"
    );
    assert_eq!(after_refusal, before, "a refused booking stores nothing");
    assert_eq!(
        retry_of_fifth,
        StatusCode::CREATED,
        "a retry of a booking within the limit is answered, not refused"
    );
    assert_eq!(
        after_cancel,
        StatusCode::CREATED,
        "a cancellation frees a place"
    );
    assert_eq!(
        after_one_started,
        StatusCode::CREATED,
        "a started appointment is no longer open"
    );
    assert_eq!(at_the_limit_again, StatusCode::CONFLICT);
}

#[tokio::test]
async fn an_admin_books_past_a_patient_s_limit_and_the_booking_counts_towards_it() {
    // Arrange: the patient holds five open appointments they booked themselves.
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patient = app.register(&["patient"]).await;
    let mut open = Vec::new();
    for hour in 9..14 {
        open.push(app.book(&patient, &doctor, tomorrow_at(hour)).await);
    }
    let mut for_patient = booking(&doctor, tomorrow_at(14));
    for_patient["patient_id"] = json!(patient.id);

    // Act
    let (by_admin, appointment) = app.try_book(&app.admin().await, &for_patient).await;
    cancel(&app, &patient, &open[0]).await;
    let (by_patient, problem) = app
        .try_book(&patient, &booking(&doctor, tomorrow_at(15)))
        .await;

    // Assert
    assert_eq!(by_admin, StatusCode::CREATED, "{appointment}");
    assert_eq!(appointment["patient_id"], json!(patient.id));
    assert_eq!(
        (by_patient, problem["type"].as_str()),
        (
            StatusCode::CONFLICT,
            Some("urn:carebook:problem:open-appointments-limit")
        ),
        "after one cancellation the admin's booking still leaves five open"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_bookings_one_below_the_limit_let_exactly_one_through() {
    // Arrange: four open appointments; six more attempts at six free slots with six doctors,
    // each through its own Lambda instance. The test holds the doctors' rows locked, so each
    // booking, once it has counted the patient's appointments, waits to insert (its foreign
    // key reads the doctor's row) until all six are in flight: the race happens every time.
    let app = TestApp::spawn().await;
    let doctors = app.register_many(&["doctor"], 6).await;
    let patient = app.register(&["patient"]).await;
    for hour in 9..13 {
        app.book(&patient, &doctors[0], tomorrow_at(hour)).await;
    }
    let mut instances = Vec::new();
    for _ in &doctors {
        instances.push(app.another_instance().await);
    }
    let mut hold = app.db.pool().begin().await.unwrap();
    let doctor_ids: Vec<uuid::Uuid> = doctors.iter().map(|doctor| doctor.id).collect();
    sqlx::query!(
        "select from people where id = any($1) for update",
        &doctor_ids
    )
    .execute(&mut *hold)
    .await
    .unwrap();

    // Act
    let attempts =
        instances
            .iter()
            .zip(&doctors)
            .zip(0..)
            .map(|((instance, doctor), half_hours)| {
                crate::helpers::call_on(
                    instance,
                    api::book_appointment,
                    ApiRequest::post("/appointments")
                        .token(patient.token())
                        .json(&booking(
                            doctor,
                            tomorrow_at(13) + Duration::minutes(30 * half_hours),
                        )),
                )
            });
    let release = async {
        let waiting = waiting_sessions(&app, 6).await;
        hold.commit().await.unwrap();
        waiting
    };
    let (responses, waiting) = tokio::join!(join_all(attempts), release);
    let answers: Vec<(StatusCode, Value)> = responses.iter().map(carebook_testkit::read).collect();

    // Assert
    assert_eq!(waiting, 6, "all six bookings were in flight at once");
    let created = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::CREATED)
        .count();
    let refused = answers
        .iter()
        .filter(|(_, body)| body["type"] == "urn:carebook:problem:open-appointments-limit")
        .count();
    assert_eq!((created, refused), (1, 5), "{answers:?}");
    let open: i64 = sqlx::query_scalar!(
        r#"select count(*) as "count!" from appointments where status = 'scheduled'"#
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(open, 5);
}

/// How many sessions of the test's database wait for a lock, once `count` do or after 10 s.
async fn waiting_sessions(app: &TestApp, count: i64) -> i64 {
    let mut waiting = 0;
    for _ in 0..200 {
        waiting = sqlx::query_scalar!(
            r#"select count(*) as "count!" from pg_stat_activity
             where datname = current_database() and wait_event_type = 'Lock'"#,
        )
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        if waiting >= count {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    waiting
}
