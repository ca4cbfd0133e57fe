//! What a schedule reads like: names on appointments, doctors' own working hours, and
//! availability over a month.

use appointments::api;
use carebook_testkit::ApiRequest;
use chrono::{Datelike, Duration};
use lambda_http::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Person, TestApp, booking, tomorrow_at};

fn hours_of(doctor: &Person, who: &Person) -> ApiRequest {
    ApiRequest::get("/doctors/{id}/working-hours")
        .path_param("id", &doctor.id.to_string())
        .token(who.token())
}

fn set_hours(doctor_id: &str, who: &Person, hours: Value) -> ApiRequest {
    ApiRequest::put("/doctors/{id}/working-hours")
        .path_param("id", doctor_id)
        .token(who.token())
        .json(&json!({ "hours": hours }))
}

fn availability(doctor: &Person, who: &Person, query: &[(&str, String)]) -> ApiRequest {
    query.iter().fold(
        ApiRequest::get("/doctors/{id}/availability")
            .path_param("id", &doctor.id.to_string())
            .token(who.token()),
        |request, (name, value)| request.query(name, value),
    )
}

fn starts(day: &Value) -> Vec<String> {
    day["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|slot| slot["starts_at"].as_str().unwrap().to_owned())
        .collect()
}

/// Tomorrow's weekday as the API names it.
fn tomorrow() -> &'static str {
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ][tomorrow_at(0).weekday().num_days_from_monday() as usize]
}

#[tokio::test]
async fn appointments_carry_the_names_of_their_doctor_and_patient() {
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patient = app.register(&["patient"]).await;

    let booked = app.book(&patient, &doctor, tomorrow_at(10)).await;
    let (_, read) = app
        .call(
            api::get_appointment,
            ApiRequest::get("/appointments/{id}")
                .path_param("id", booked["id"].as_str().unwrap())
                .token(doctor.token()),
        )
        .await;
    let (_, schedule) = app
        .call(
            api::list_appointments,
            ApiRequest::get("/appointments").token(doctor.token()),
        )
        .await;

    let names = json!({
        "doctor_name": format!("Test {}", doctor.username),
        "patient_name": format!("Test {}", patient.username),
    });
    for appointment in [&booked, &read, &schedule["items"][0]] {
        assert_eq!(
            json!({
                "doctor_name": appointment["doctor_name"],
                "patient_name": appointment["patient_name"],
            }),
            names,
            "{appointment}"
        );
    }
}

#[tokio::test]
async fn a_doctor_s_own_hours_decide_availability_and_what_can_be_booked() {
    // Arrange: the doctor works 08:00-10:00 and 14:00-15:00 on tomorrow's weekday only.
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patient = app.register(&["patient"]).await;
    let day = tomorrow();

    // Act
    let (status, set) = app
        .call(
            api::set_working_hours,
            set_hours(
                &doctor.id.to_string(),
                &doctor,
                json!([
                    {"weekday": day, "opens": "14:00", "closes": "15:00"},
                    {"weekday": day, "opens": "08:00", "closes": "10:00"},
                ]),
            ),
        )
        .await;
    let (_, read) = app
        .call(api::get_working_hours, hours_of(&doctor, &patient))
        .await;
    let date = tomorrow_at(0).date_naive().to_string();
    let (_, free) = app
        .call(
            api::get_availability,
            availability(&doctor, &patient, &[("date", date)]),
        )
        .await;
    let before = app.stored().await;
    let (outside, problem) = app
        .try_book(&patient, &booking(&doctor, tomorrow_at(12)))
        .await;
    let after = app.stored().await;
    let (inside, _) = app
        .try_book(&patient, &booking(&doctor, tomorrow_at(14)))
        .await;

    // Assert
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(read, set);
    assert_eq!(read["source"], "doctor");
    assert_eq!(read["version"], 1);
    assert_eq!(read["hours"][0]["opens"], "08:00");
    let at = |hour: i64, minutes: i64| {
        (tomorrow_at(hour) + Duration::minutes(minutes))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    assert_eq!(
        starts(&free["days"][0]),
        [
            at(8, 0),
            at(8, 30),
            at(9, 0),
            at(9, 30),
            at(14, 0),
            at(14, 30)
        ]
    );
    assert_eq!(outside, StatusCode::BAD_REQUEST);
    assert!(
        problem["errors"]["starts_at"]
            .as_str()
            .unwrap()
            .contains("working hours")
    );
    assert_eq!(before, after, "a refused booking stores nothing");
    assert_eq!(inside, StatusCode::CREATED);
}

#[tokio::test]
async fn only_the_doctor_or_an_admin_sets_valid_hours_and_a_refusal_changes_nothing() {
    let app = TestApp::spawn().await;
    let doctors = app.register_many(&["doctor"], 2).await;
    let patient = app.register(&["patient"]).await;
    let admin = app.admin().await;
    let id = doctors[0].id.to_string();
    let week = json!([{"weekday": "monday", "opens": "09:00", "closes": "12:00"}]);

    let (by_other_doctor, _) = app
        .call(
            api::set_working_hours,
            set_hours(&id, &doctors[1], week.clone()),
        )
        .await;
    let (by_patient, _) = app
        .call(
            api::set_working_hours,
            set_hours(&id, &patient, week.clone()),
        )
        .await;
    let (by_admin, _) = app
        .call(api::set_working_hours, set_hours(&id, &admin, week.clone()))
        .await;
    let (for_a_patient, _) = app
        .call(
            api::set_working_hours,
            set_hours(&patient.id.to_string(), &admin, week.clone()),
        )
        .await;
    let refused = [
        (
            json!([
                {"weekday": "monday", "opens": "09:00", "closes": "12:00"},
                {"weekday": "monday", "opens": "11:00", "closes": "13:00"},
            ]),
            "hours[1]",
        ),
        (
            json!([{"weekday": "monday", "opens": "12:00", "closes": "09:00"}]),
            "hours[0].closes",
        ),
        (
            json!([{"weekday": "caturday", "opens": "09:00", "closes": "12:00"}]),
            "hours[0].weekday",
        ),
    ];
    for (hours, field) in refused {
        let (status, problem) = app
            .call(api::set_working_hours, set_hours(&id, &doctors[0], hours))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
        assert!(problem["errors"][field].is_string(), "{field}: {problem}");
    }
    let (_, kept) = app
        .call(api::get_working_hours, hours_of(&doctors[0], &patient))
        .await;
    let (_, other) = app
        .call(api::get_working_hours, hours_of(&doctors[1], &patient))
        .await;

    assert_eq!(by_other_doctor, StatusCode::FORBIDDEN);
    assert_eq!(by_patient, StatusCode::FORBIDDEN);
    assert_eq!(by_admin, StatusCode::OK);
    assert_eq!(for_a_patient, StatusCode::NOT_FOUND);
    assert_eq!(
        (kept["version"].clone(), kept["hours"].clone()),
        (json!(1), week)
    );
    assert_eq!(other["source"], "clinic");
    assert_eq!(other["hours"].as_array().unwrap().len(), 7);
}

#[tokio::test]
async fn a_month_of_availability_comes_in_one_call_and_longer_ranges_are_refused() {
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patient = app.register(&["patient"]).await;
    app.book(&patient, &doctor, tomorrow_at(9)).await;
    let day = |offset: i64| {
        (tomorrow_at(0) + Duration::days(offset))
            .date_naive()
            .to_string()
    };

    let (status, month) = app
        .call(
            api::get_availability,
            availability(&doctor, &patient, &[("from", day(0)), ("to", day(30))]),
        )
        .await;
    let mut refusals = Vec::new();
    for (query, field) in [
        (vec![("from", day(0)), ("to", day(31))], "to"),
        (vec![("from", day(3)), ("to", day(2))], "to"),
        (vec![("from", "next week".to_owned())], "from"),
    ] {
        let (status, problem) = app
            .call(
                api::get_availability,
                availability(&doctor, &patient, &query),
            )
            .await;
        refusals.push((status, problem["errors"][field].is_string()));
    }

    assert_eq!(status, StatusCode::OK, "{month}");
    let days = month["days"].as_array().unwrap();
    assert_eq!(days.len(), 31);
    assert_eq!(days[0]["date"], day(0));
    assert_eq!(days[30]["date"], day(30));
    assert_eq!(
        starts(&days[0]).len(),
        15,
        "the booked 09:00 is not offered"
    );
    assert!(days[1..].iter().all(|d| starts(d).len() == 16));
    assert_eq!(refusals, vec![(StatusCode::BAD_REQUEST, true); 3]);
}

#[tokio::test]
async fn the_directory_learns_when_each_doctor_is_next_free() {
    // Arrange: one doctor works only tomorrow 09:00-09:30 each week, and that slot is booked;
    // one works nowhere; one keeps the clinic's hours.
    let app = TestApp::spawn().await;
    let doctors = app.register_many(&["doctor"], 3).await;
    let (weekly, idle, clinic) = (&doctors[0], &doctors[1], &doctors[2]);
    let patient = app.register(&["patient"]).await;
    for (doctor, hours) in [
        (
            weekly,
            json!([{"weekday": tomorrow(), "opens": "09:00", "closes": "09:30"}]),
        ),
        (idle, json!([])),
    ] {
        let (status, body) = app
            .call(
                api::set_working_hours,
                set_hours(&doctor.id.to_string(), doctor, hours),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    app.book(&patient, weekly, tomorrow_at(9)).await;
    // As API Gateway passes a repeated parameter on: its values joined by commas.
    let asked = [weekly, &patient, idle, clinic, weekly]
        .map(|person| person.id.to_string())
        .join(",");

    // Act
    let (status, next) = app
        .call(
            api::get_next_free_slots,
            ApiRequest::get("/doctors/next-free-slots")
                .query("doctor_id", &asked)
                .token(patient.token()),
        )
        .await;
    let (none, problem) = app
        .call(
            api::get_next_free_slots,
            ApiRequest::get("/doctors/next-free-slots").token(patient.token()),
        )
        .await;

    // Assert: in the order asked, each once, the patient left out.
    assert_eq!(status, StatusCode::OK, "{next}");
    let ids: Vec<&str> = next["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["doctor_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [weekly, idle, clinic].map(|doctor| doctor.id.to_string())
    );
    assert_eq!(
        next["items"][0]["slot"]["starts_at"],
        json!(tomorrow_at(9) + Duration::days(7))
    );
    assert_eq!(next["items"][1]["slot"], Value::Null);
    let first: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(next["items"][2]["slot"]["starts_at"].clone()).unwrap();
    assert!(
        first > chrono::Utc::now() && first < tomorrow_at(24),
        "{first}"
    );
    assert_eq!(
        next["searched_to"],
        json!((tomorrow_at(0) + Duration::days(54)).date_naive())
    );
    assert_eq!(
        (none, problem["errors"]["doctor_id"].is_string()),
        (StatusCode::BAD_REQUEST, true)
    );
}
