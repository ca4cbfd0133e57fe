use analytics::api;
use analytics::ingest::ingest_events;
use carebook_events::{AppointmentCreated, AppointmentStatus, CloudEvent, Priority};
use carebook_testkit::{ApiRequest, read};
use chrono::Utc;
use lambda_http::http::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::ingest::{TestApp, appointment, batch, record};

#[tokio::test]
async fn an_admin_reads_the_summary_and_the_daily_counts() {
    // Arrange: three bookings with two doctors, one an emergency.
    let app = TestApp::spawn().await;
    let doctors = [Uuid::new_v4(), Uuid::new_v4()];
    let records: Vec<_> = [
        (doctors[0], Priority::Emergency),
        (doctors[0], Priority::Normal),
        (doctors[1], Priority::Normal),
    ]
    .into_iter()
    .map(|(doctor, priority)| {
        record(&CloudEvent::new(AppointmentCreated {
            appointment: appointment(
                Uuid::now_v7(),
                doctor,
                AppointmentStatus::Scheduled,
                1,
                priority,
            ),
        }))
    })
    .collect();
    ingest_events(&app.app, batch("appointment-events", &records)).await;
    let admin = app.keycloak.seeded("admin").await.token;
    let call = async |request: ApiRequest, endpoint: bool| {
        let request = request.build();
        let response = if endpoint {
            api::get_summary(&app.app, &request).await
        } else {
            api::get_daily(&app.app, &request).await
        };
        read(&carebook_http::respond(response))
    };

    // Act
    let (status, summary) = call(
        ApiRequest::get("/analytics/summary").token(Some(&admin)),
        true,
    )
    .await;
    let today = Utc::now().date_naive().to_string();
    let (_, daily) = call(
        ApiRequest::get("/analytics/daily")
            .query("from", &today)
            .query("to", &today)
            .token(Some(&admin)),
        false,
    )
    .await;

    // Assert
    assert_eq!(status, StatusCode::OK);
    assert_eq!(summary["total_appointments"], 3);
    assert_eq!(summary["open_emergencies"], 1);
    assert_eq!(
        summary["by_priority"],
        json!([{"label": "emergency", "count": 1}, {"label": "normal", "count": 2}])
    );
    assert_eq!(
        summary["doctor_load"][0],
        json!({"doctor_id": doctors[0], "doctor_name": "Dr Grace House", "scheduled": 2, "total": 2})
    );
    assert_eq!(summary["latest"].as_array().unwrap().len(), 3);
    assert_eq!(
        daily["days"],
        json!([{"date": today, "created": 3, "rescheduled": 0, "cancelled": 0, "completed": 0}])
    );
}

#[tokio::test]
async fn the_figures_are_for_admins_only_and_bad_ranges_are_400s() {
    let app = TestApp::spawn().await;
    let patient = app.keycloak.seeded("patient").await.token;
    let doctor = app.keycloak.seeded("doctor").await.token;
    let admin = app.keycloak.seeded("admin").await.token;
    let summary = async |token: Option<&str>| {
        let request = ApiRequest::get("/analytics/summary").token(token).build();
        carebook_http::respond(api::get_summary(&app.app, &request).await).status()
    };
    let daily = async |query: &[(&str, &str)], token: Option<&str>| {
        let request = query
            .iter()
            .fold(
                ApiRequest::get("/analytics/daily").token(token),
                |r, (k, v)| r.query(k, v),
            )
            .build();
        read(&carebook_http::respond(
            api::get_daily(&app.app, &request).await,
        ))
    };

    assert_eq!(summary(None).await, StatusCode::UNAUTHORIZED);
    assert_eq!(summary(Some(&patient)).await, StatusCode::FORBIDDEN);
    assert_eq!(summary(Some(&doctor)).await, StatusCode::FORBIDDEN);
    assert_eq!(daily(&[], Some(&patient)).await.0, StatusCode::FORBIDDEN);
    for (query, field) in [
        (vec![("from", "yesterday")], "from"),
        (vec![("from", "2030-02-01"), ("to", "2030-01-01")], "to"),
        (vec![("from", "2020-01-01"), ("to", "2030-01-01")], "from"),
    ] {
        let (status, problem) = daily(&query, Some(&admin)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query:?}");
        assert!(problem["errors"][field].is_string(), "{query:?}: {problem}");
    }
    let (status, last_month) = daily(&[], Some(&admin)).await;
    assert_eq!(
        (status, last_month["days"].as_array().unwrap().len()),
        (StatusCode::OK, 30)
    );
}
