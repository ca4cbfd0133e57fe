//! Doctors' time off and the clinic's closures: no slot offered inside them, no booking or move
//! into them under any concurrency, and appointments already there listed, never cancelled.

use appointments::api;
use carebook_testkit::ApiRequest;
use chrono::{DateTime, Duration, Utc};
use lambda_http::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Person, TestApp, at, booking, tomorrow_at};

fn range(starts_at: DateTime<Utc>, length: Duration, note: Option<&str>) -> Value {
    json!({
        "starts_at": starts_at.to_rfc3339(),
        "ends_at": (starts_at + length).to_rfc3339(),
        "note": note,
    })
}

fn record_time_off(doctor: &Person, who: &Person, body: &Value) -> ApiRequest {
    ApiRequest::post("/doctors/{id}/time-off")
        .path_param("id", &doctor.id.to_string())
        .token(who.token())
        .json(body)
}

fn time_off_of(doctor: &Person, who: &Person) -> ApiRequest {
    ApiRequest::get("/doctors/{id}/time-off")
        .path_param("id", &doctor.id.to_string())
        .token(who.token())
}

fn record_closure(who: &Person, body: &Value) -> ApiRequest {
    ApiRequest::post("/closures").token(who.token()).json(body)
}

/// Tomorrow's free slot starts of `doctor`, as `who` reads them.
async fn free_tomorrow(app: &TestApp, doctor: &Person, who: &Person) -> Vec<String> {
    let (status, body) = app
        .call(
            api::get_availability,
            ApiRequest::get("/doctors/{id}/availability")
                .path_param("id", &doctor.id.to_string())
                .query("date", &tomorrow_at(0).date_naive().to_string())
                .token(who.token()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["days"][0]["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|slot| slot["starts_at"].as_str().unwrap().to_owned())
        .collect()
}

fn start(hour: i64, minutes: i64) -> String {
    (tomorrow_at(hour) + Duration::minutes(minutes))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[tokio::test]
async fn time_off_hides_its_slots_refuses_bookings_into_it_and_can_be_taken_back() {
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patient = app.register(&["patient"]).await;

    let (status, recorded) = app
        .call(
            api::record_time_off,
            record_time_off(
                &doctor,
                &doctor,
                &range(tomorrow_at(10), Duration::hours(2), Some("dentist")),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{recorded}");
    assert_eq!(recorded["covers"], json!([]));
    assert_eq!(recorded["time_off"]["note"], "dentist");

    let free = free_tomorrow(&app, &doctor, &patient).await;
    for away in [start(10, 0), start(10, 30), start(11, 0), start(11, 30)] {
        assert!(!free.contains(&away), "{away} is offered: {free:?}");
    }
    assert!(free.contains(&start(9, 30)) && free.contains(&start(12, 0)));

    let before = app.stored().await;
    let (status, refused) = app
        .try_book(
            &patient,
            &booking(&doctor, tomorrow_at(10) + Duration::minutes(30)),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(refused["type"], "urn:carebook:problem:doctor-time-off");
    assert_eq!(
        app.stored().await,
        before,
        "a refused booking stores nothing"
    );
    // An appointment may end exactly when time off begins.
    app.book(&patient, &doctor, tomorrow_at(9) + Duration::minutes(30))
        .await;

    let id = recorded["time_off"]["id"].as_str().unwrap();
    let (status, _) = app
        .call(
            api::delete_time_off,
            ApiRequest::delete("/doctors/{id}/time-off/{time_off_id}")
                .path_param("id", &doctor.id.to_string())
                .path_param("time_off_id", id)
                .token(doctor.token()),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(
        free_tomorrow(&app, &doctor, &patient)
            .await
            .contains(&start(10, 30))
    );
    app.book(&patient, &doctor, tomorrow_at(10) + Duration::minutes(30))
        .await;
}

#[tokio::test]
async fn only_the_doctor_and_admins_manage_time_off_and_only_staff_read_its_notes() {
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let colleague = app.register(&["doctor"]).await;
    let patient = app.register(&["patient"]).await;
    let admin = app.admin().await;
    let body = range(tomorrow_at(13), Duration::hours(4), Some("course"));

    for (who, expected) in [
        (&patient, StatusCode::FORBIDDEN),
        (&colleague, StatusCode::FORBIDDEN),
        (&admin, StatusCode::CREATED),
    ] {
        let (status, answer) = app
            .call(api::record_time_off, record_time_off(&doctor, who, &body))
            .await;
        assert_eq!(status, expected, "{answer}");
    }
    let (status, _) = app
        .call(api::list_time_off, time_off_of(&doctor, &patient))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "notes are for staff");
    let (status, listed) = app
        .call(api::list_time_off, time_off_of(&doctor, &colleague))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed["items"][0]["note"], "course");

    let (status, invalid) = app
        .call(
            api::record_time_off,
            record_time_off(
                &doctor,
                &doctor,
                &json!({"starts_at": "soon", "ends_at": start(9, 0)}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(invalid["errors"]["starts_at"].is_string(), "{invalid}");
    let (status, _) = app
        .call(
            api::record_time_off,
            record_time_off(&patient, &admin, &body),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a patient takes no time off");
}

#[tokio::test]
async fn a_closure_applies_to_every_doctor_and_only_admins_record_it() {
    let app = TestApp::spawn().await;
    let doctors = [
        app.register(&["doctor"]).await,
        app.register(&["doctor"]).await,
    ];
    let patient = app.register(&["patient"]).await;
    let admin = app.admin().await;
    let holiday = range(tomorrow_at(0), Duration::hours(24), Some("Public holiday"));

    let (status, _) = app
        .call(api::record_closure, record_closure(&doctors[0], &holiday))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, recorded) = app
        .call(api::record_closure, record_closure(&admin, &holiday))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{recorded}");

    for doctor in &doctors {
        assert_eq!(
            free_tomorrow(&app, doctor, &patient).await,
            Vec::<String>::new()
        );
        let (status, refused) = app
            .try_book(&patient, &booking(doctor, tomorrow_at(9)))
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(refused["type"], "urn:carebook:problem:clinic-closed");
    }
    let (status, listed) = app
        .call(
            api::list_closures,
            ApiRequest::get("/closures").token(patient.token()),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        listed["items"][0]["note"], "Public holiday",
        "everyone sees why"
    );
}

#[tokio::test]
async fn time_off_over_appointments_lists_them_and_a_move_into_it_is_refused() {
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patient = app.register(&["patient"]).await;
    let inside = app.book(&patient, &doctor, tomorrow_at(14)).await;
    let outside = app.book(&patient, &doctor, tomorrow_at(9)).await;

    let (status, recorded) = app
        .call(
            api::record_time_off,
            record_time_off(
                &doctor,
                &doctor,
                &range(tomorrow_at(13), Duration::hours(4), None),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let covered: Vec<&Value> = recorded["covers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|covered| &covered["appointment_id"])
        .collect();
    assert_eq!(covered, [&inside["id"]]);

    let (status, kept) = app
        .call(
            api::get_appointment,
            at(ApiRequest::get("/appointments/{id}"), &inside["id"]).token(patient.token()),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        kept["status"], "scheduled",
        "time off cancels nothing by itself"
    );

    let (status, refused) = app
        .call(
            api::reschedule_appointment,
            at(ApiRequest::patch("/appointments/{id}"), &outside["id"])
                .token(patient.token())
                .header("If-Match", "\"1\"")
                .json(&json!({"starts_at": start(15, 0)})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(refused["type"], "urn:carebook:problem:doctor-time-off");

    let (status, cancelled) = app
        .call(
            api::cancel_appointment,
            at(ApiRequest::post("/appointments/{id}/cancel"), &inside["id"])
                .token(doctor.token())
                .header("If-Match", "\"1\""),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
}

/// A booking and the time off over its slot, sent together many times: the booking is refused,
/// or it committed first and the time off's answer lists it. Never a booking inside time off
/// that nobody was told about.
#[tokio::test]
async fn a_booking_racing_time_off_is_refused_or_listed() {
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    // Every half hour of a clinic day.
    let patients = app.register_many(&["patient"], 16).await;

    for (round, patient) in patients.iter().enumerate() {
        let slot = tomorrow_at(9) + Duration::minutes(30 * i64::try_from(round).unwrap());
        let body = booking(&doctor, slot);
        let (booked, recorded) = tokio::join!(
            app.try_book(patient, &body),
            app.call(
                api::record_time_off,
                record_time_off(&doctor, &doctor, &range(slot, Duration::minutes(30), None)),
            ),
        );
        assert_eq!(recorded.0, StatusCode::CREATED, "{}", recorded.1);
        let listed = recorded.1["covers"].as_array().unwrap().len();
        match booked.0 {
            StatusCode::CREATED => assert_eq!(listed, 1, "round {round}: booked, not listed"),
            StatusCode::CONFLICT => {
                assert_eq!(booked.1["type"], "urn:carebook:problem:doctor-time-off");
                assert_eq!(listed, 0);
            }
            other => panic!("round {round}: {other} {}", booked.1),
        }
    }
}
