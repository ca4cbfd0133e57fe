//! The role matrix: anonymous, no Carebook role, patient, doctor and admin on every endpoint.

use appointments::api;
use carebook_testkit::ApiRequest;
use lambda_http::http::StatusCode;
use serde_json::json;

use crate::helpers::{Person, TestApp, at, booking, tomorrow_at};

/// Every endpoint, as a request on the appointment `id` (or the doctor `doctor`).
fn every_endpoint(
    id: &str,
    doctor: &Person,
    token: Option<&str>,
) -> Vec<(&'static str, ApiRequest)> {
    let on = |request: ApiRequest| request.path_param("id", id).token(token);
    let of_doctor = |request: ApiRequest| {
        request
            .path_param("id", &doctor.id.to_string())
            .token(token)
    };
    let time_off = json!({
        "starts_at": tomorrow_at(20).to_rfc3339(), "ends_at": tomorrow_at(21).to_rfc3339(),
    });
    vec![
        (
            "book",
            ApiRequest::post("/appointments")
                .token(token)
                .json(&booking(doctor, tomorrow_at(16))),
        ),
        ("list", ApiRequest::get("/appointments").token(token)),
        ("get", on(ApiRequest::get("/appointments/{id}"))),
        (
            "reschedule",
            on(ApiRequest::patch("/appointments/{id}"))
                .header("If-Match", "\"1\"")
                .json(&json!({"reason": "x"})),
        ),
        ("cancel", on(ApiRequest::post("/appointments/{id}/cancel"))),
        (
            "complete",
            on(ApiRequest::post("/appointments/{id}/complete")),
        ),
        (
            "availability",
            ApiRequest::get("/doctors/{id}/availability")
                .path_param("id", &doctor.id.to_string())
                .query("date", &tomorrow_at(0).date_naive().to_string())
                .token(token),
        ),
        (
            "next free",
            ApiRequest::get("/doctors/next-free-slots")
                .query("doctor_id", &doctor.id.to_string())
                .token(token),
        ),
        (
            "record time off",
            of_doctor(ApiRequest::post("/doctors/{id}/time-off")).json(&time_off),
        ),
        (
            "list time off",
            of_doctor(ApiRequest::get("/doctors/{id}/time-off")),
        ),
        (
            "delete time off",
            of_doctor(ApiRequest::delete("/doctors/{id}/time-off/{time_off_id}"))
                .path_param("time_off_id", &uuid::Uuid::new_v4().to_string()),
        ),
        (
            "record closure",
            ApiRequest::post("/closures").token(token).json(&time_off),
        ),
        ("list closures", ApiRequest::get("/closures").token(token)),
        (
            "delete closure",
            ApiRequest::delete("/closures/{id}")
                .path_param("id", &uuid::Uuid::new_v4().to_string())
                .token(token),
        ),
    ]
}

pub async fn statuses(
    app: &TestApp,
    id: &str,
    doctor: &Person,
    token: Option<&str>,
) -> Vec<(&'static str, StatusCode)> {
    let mut statuses = Vec::new();
    for (name, request) in every_endpoint(id, doctor, token) {
        let status = match name {
            "book" => app.call(api::book_appointment, request).await.0,
            "list" => app.call(api::list_appointments, request).await.0,
            "get" => app.call(api::get_appointment, request).await.0,
            "reschedule" => app.call(api::reschedule_appointment, request).await.0,
            "cancel" => app.call(api::cancel_appointment, request).await.0,
            "complete" => app.call(api::complete_appointment, request).await.0,
            "availability" => app.call(api::get_availability, request).await.0,
            "next free" => app.call(api::get_next_free_slots, request).await.0,
            "record time off" => app.call(api::record_time_off, request).await.0,
            "list time off" => app.call(api::list_time_off, request).await.0,
            "delete time off" => app.call(api::delete_time_off, request).await.0,
            "record closure" => app.call(api::record_closure, request).await.0,
            "list closures" => app.call(api::list_closures, request).await.0,
            "delete closure" => app.call(api::delete_closure, request).await.0,
            other => unreachable!("no handler for {other}"),
        };
        statuses.push((name, status));
    }
    statuses
}

#[tokio::test]
async fn anonymous_callers_get_401_and_callers_without_a_carebook_role_403_everywhere() {
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patient = app.register(&["patient"]).await;
    let appointment = app.book(&patient, &doctor, tomorrow_at(10)).await;
    let id = appointment["id"].as_str().unwrap();
    let roleless = app.register(&[]).await;
    let before = app.stored().await;

    for (name, status) in statuses(&app, id, &doctor, None).await {
        assert_eq!(status, StatusCode::UNAUTHORIZED, "anonymous {name}");
    }
    for (name, status) in statuses(&app, id, &doctor, roleless.token()).await {
        assert_eq!(status, StatusCode::FORBIDDEN, "roleless {name}");
    }
    assert_eq!(app.stored().await, before);
}

#[tokio::test]
async fn strangers_see_no_appointment_of_others_and_change_nothing() {
    // Arrange: an appointment between a patient and a doctor, and one of each who are not in it.
    let app = TestApp::spawn().await;
    let doctors = app.register_many(&["doctor"], 2).await;
    let patients = app.register_many(&["patient"], 2).await;
    let appointment = app.book(&patients[0], &doctors[0], tomorrow_at(10)).await;
    let id = appointment["id"].as_str().unwrap();
    let before = app.stored().await;

    for stranger in [&patients[1], &doctors[1]] {
        let statuses = statuses(&app, id, &doctors[0], stranger.token()).await;
        for (name, status) in statuses {
            let expected = match name {
                "get" | "reschedule" | "cancel" | "complete" => StatusCode::NOT_FOUND,
                "book" if stranger.id == doctors[1].id => StatusCode::FORBIDDEN,
                "book" => continue,
                "list time off" if stranger.id == doctors[1].id => StatusCode::OK,
                "record time off" | "delete time off" | "list time off" | "record closure"
                | "delete closure" => StatusCode::FORBIDDEN,
                _ => StatusCode::OK,
            };
            assert_eq!(status, expected, "{name} by a stranger");
        }
    }
    let (_, own) = app
        .call(
            api::list_appointments,
            ApiRequest::get("/appointments").token(patients[1].token()),
        )
        .await;
    assert!(
        own["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["id"] != appointment["id"])
    );
    let unchanged = sqlx::query_scalar!(
        r#"select to_jsonb(a) as "row!" from appointments a where id = $1"#,
        id.parse::<uuid::Uuid>().unwrap(),
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(unchanged, before[0][0]);
}

#[tokio::test]
async fn participants_and_admins_have_their_own_rights_on_an_appointment() {
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patient = app.register(&["patient"]).await;
    let admin = app.admin().await;
    let appointment = app.book(&patient, &doctor, tomorrow_at(10)).await;
    let get = |who: &Person| {
        at(ApiRequest::get("/appointments/{id}"), &appointment["id"]).token(Some(&who.token))
    };
    let reschedule = |who: &Person| {
        at(ApiRequest::patch("/appointments/{id}"), &appointment["id"])
            .token(Some(&who.token))
            .json(&json!({"reason": "follow-up", "version": 1}))
    };

    for who in [&patient, &doctor, &admin] {
        assert_eq!(
            app.call(api::get_appointment, get(who)).await.0,
            StatusCode::OK
        );
    }
    assert_eq!(
        app.call(api::reschedule_appointment, reschedule(&doctor))
            .await
            .0,
        StatusCode::FORBIDDEN,
        "doctors cancel, they do not reschedule"
    );
    assert_eq!(
        app.call(api::reschedule_appointment, reschedule(&patient))
            .await
            .0,
        StatusCode::OK
    );
    let (completed_by_patient, _) = app
        .call(
            api::complete_appointment,
            at(
                ApiRequest::post("/appointments/{id}/complete"),
                &appointment["id"],
            )
            .token(patient.token()),
        )
        .await;
    assert_eq!(completed_by_patient, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_admin_reads_moves_and_cancels_any_appointment() {
    let app = TestApp::spawn().await;
    let doctor = app.register(&["doctor"]).await;
    let patient = app.register(&["patient"]).await;
    let admin = app.admin().await;
    let appointment = app.book(&patient, &doctor, tomorrow_at(10)).await;
    let id = &appointment["id"];

    let (read, _) = app
        .call(
            api::get_appointment,
            at(ApiRequest::get("/appointments/{id}"), id).token(admin.token()),
        )
        .await;
    let (moved, body) = app
        .call(
            api::reschedule_appointment,
            at(ApiRequest::patch("/appointments/{id}"), id)
                .token(admin.token())
                .header("If-Match", "\"1\"")
                .json(&json!({"starts_at": tomorrow_at(15).to_rfc3339()})),
        )
        .await;
    let (cancelled, _) = app
        .call(
            api::cancel_appointment,
            at(ApiRequest::post("/appointments/{id}/cancel"), id).token(admin.token()),
        )
        .await;

    assert_eq!(read, StatusCode::OK);
    assert_eq!(
        (moved, &body["starts_at"]),
        (StatusCode::OK, &json!(tomorrow_at(15)))
    );
    assert_eq!(cancelled, StatusCode::OK);
}
