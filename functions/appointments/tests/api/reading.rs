use appointments::api;
use carebook_testkit::ApiRequest;
use lambda_http::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Person, TestApp, booking, tomorrow_at};

fn ids(page: &Value) -> Vec<Value> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].clone())
        .collect()
}

fn list(who: &Person, query: &[(&str, &str)]) -> ApiRequest {
    query.iter().fold(
        ApiRequest::get("/appointments").token(who.token()),
        |r, (k, v)| r.query(k, v),
    )
}

#[tokio::test]
async fn each_caller_lists_what_is_theirs_in_pages_with_filters() {
    // Arrange: two doctors, two patients, three appointments.
    let app = TestApp::spawn().await;
    let doctors = app.register_many(&["doctor"], 2).await;
    let patients = app.register_many(&["patient"], 2).await;
    let a = app.book(&patients[0], &doctors[0], tomorrow_at(9)).await;
    let b = app.book(&patients[0], &doctors[1], tomorrow_at(11)).await;
    let c = app.book(&patients[1], &doctors[0], tomorrow_at(13)).await;
    let admin = app.admin().await;

    // Act
    let (status, mine) = app
        .call(api::list_appointments, list(&patients[0], &[]))
        .await;
    let (_, schedule) = app
        .call(api::list_appointments, list(&doctors[0], &[]))
        .await;
    let (_, page_one) = app
        .call(api::list_appointments, list(&admin, &[("limit", "2")]))
        .await;
    let cursor = page_one["next_cursor"].as_str().unwrap().to_owned();
    let (_, page_two) = app
        .call(
            api::list_appointments,
            list(&admin, &[("limit", "2"), ("cursor", &cursor)]),
        )
        .await;
    let doctor_id = doctors[1].id.to_string();
    let (_, by_doctor) = app
        .call(
            api::list_appointments,
            list(&admin, &[("doctor_id", &doctor_id)]),
        )
        .await;
    let late = tomorrow_at(12).to_rfc3339();
    let (_, after_noon) = app
        .call(
            api::list_appointments,
            list(&patients[1], &[("from", &late), ("status", "scheduled")]),
        )
        .await;
    let (_, cancelled) = app
        .call(
            api::list_appointments,
            list(&patients[0], &[("status", "cancelled")]),
        )
        .await;
    let (forbidden_filter, problem) = app
        .call(
            api::list_appointments,
            list(&patients[0], &[("doctor_id", &doctor_id)]),
        )
        .await;

    // Assert
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&mine), [a["id"].clone(), b["id"].clone()]);
    assert_eq!(ids(&schedule), [a["id"].clone(), c["id"].clone()]);
    assert_eq!(ids(&page_one), [a["id"].clone(), b["id"].clone()]);
    assert_eq!(ids(&page_two), [c["id"].clone()]);
    assert_eq!(page_two["next_cursor"], Value::Null);
    assert_eq!(ids(&by_doctor), [b["id"].clone()]);
    assert_eq!(ids(&after_noon), [c["id"].clone()]);
    assert_eq!(ids(&cancelled), Vec::<Value>::new());
    assert_eq!(
        (forbidden_filter, problem["errors"]["doctor_id"].is_string()),
        (StatusCode::BAD_REQUEST, true)
    );
}

#[tokio::test]
async fn every_list_filter_narrows_what_an_admin_sees() {
    // Arrange: a (first patient, first doctor, 09:00), b (first patient, second doctor,
    // 11:00, an emergency), c (second patient, first doctor, 13:00).
    let app = TestApp::spawn().await;
    let doctors = app.register_many(&["doctor"], 2).await;
    let patients = app.register_many(&["patient"], 2).await;
    let a = app.book(&patients[0], &doctors[0], tomorrow_at(9)).await;
    let mut emergency = booking(&doctors[1], tomorrow_at(11));
    emergency["priority"] = json!("emergency");
    let (booked, b) = app.try_book(&patients[0], &emergency).await;
    assert_eq!(booked, StatusCode::CREATED, "{b}");
    let c = app.book(&patients[1], &doctors[0], tomorrow_at(13)).await;
    let admin = app.admin().await;
    let at = |hour, minutes| (tomorrow_at(hour) + chrono::Duration::minutes(minutes)).to_rfc3339();
    let (quarter_past_nine, ten, quarter_past_eleven) = (at(9, 15), at(10, 0), at(11, 15));
    let (first_patient, second_patient) = (patients[0].id.to_string(), patients[1].id.to_string());
    let first_doctor = doctors[0].id.to_string();
    let lists = async |query: &[(&str, &str)], expected: &[&Value]| {
        // Act
        let (status, page) = app.call(api::list_appointments, list(&admin, query)).await;

        // Assert
        assert_eq!(status, StatusCode::OK, "{query:?}: {page}");
        let expected: Vec<Value> = expected.iter().map(|x| x["id"].clone()).collect();
        assert_eq!(ids(&page), expected, "{query:?}");
    };

    // `from` keeps what ends after it, `to` what starts before it: what is under way counts.
    lists(&[("from", &quarter_past_nine)], &[&a, &b, &c]).await;
    lists(&[("from", &ten)], &[&b, &c]).await;
    lists(&[("to", &quarter_past_eleven)], &[&a, &b]).await;
    lists(&[("to", &ten)], &[&a]).await;
    lists(&[("from", &ten), ("to", &quarter_past_eleven)], &[&b]).await;
    lists(&[("priority", "emergency")], &[&b]).await;
    lists(
        &[("status", "scheduled"), ("priority", "normal")],
        &[&a, &c],
    )
    .await;
    lists(&[("patient_id", &first_patient)], &[&a, &b]).await;
    lists(
        &[
            ("patient_id", &second_patient),
            ("doctor_id", &first_doctor),
        ],
        &[&c],
    )
    .await;
}

#[tokio::test]
async fn bad_list_queries_are_400s_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let patient = app.register(&["patient"]).await;
    for (name, value) in [
        ("status", "done"),
        ("priority", "high"),
        ("from", "monday"),
        ("limit", "1000"),
        ("cursor", "bm9wZQ"),
    ] {
        let (status, problem) = app
            .call(api::list_appointments, list(&patient, &[(name, value)]))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}={value}");
        assert!(problem["errors"][name].is_string(), "{name}: {problem}");
    }
}

#[tokio::test]
async fn availability_lists_the_free_slots_of_a_day() {
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patient = app.register(&["patient"]).await;
    app.book(&patient, &doctor, tomorrow_at(10)).await;
    let request = |id: &str, date: Option<&str>| {
        let request = ApiRequest::get("/doctors/{id}/availability")
            .path_param("id", id)
            .token(patient.token());
        match date {
            Some(date) => request.query("date", date),
            None => request,
        }
    };
    let date = tomorrow_at(0).date_naive().to_string();

    let (status, day) = app
        .call(
            api::get_availability,
            request(&doctor.id.to_string(), Some(&date)),
        )
        .await;
    let (unknown, _) = app
        .call(
            api::get_availability,
            request(&patient.id.to_string(), Some(&date)),
        )
        .await;
    let (no_date, problem) = app
        .call(api::get_availability, request(&doctor.id.to_string(), None))
        .await;

    assert_eq!(status, StatusCode::OK, "{day}");
    assert_eq!(
        day["doctor_name"],
        json!(format!("Test {}", doctor.username))
    );
    let starts: Vec<Value> = day["days"][0]["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["starts_at"].clone())
        .collect();
    assert_eq!(starts.len(), 15);
    assert!(!starts.contains(&json!(tomorrow_at(10))));
    assert!(starts.contains(&json!(tomorrow_at(9))));
    assert_eq!(unknown, StatusCode::NOT_FOUND);
    assert_eq!(
        (no_date, problem["errors"]["date"].is_string()),
        (StatusCode::BAD_REQUEST, true)
    );
}
