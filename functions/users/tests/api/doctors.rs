use carebook_testkit::ApiRequest;
use lambda_http::http::StatusCode;
use serde_json::{Value, json};
use users::api;

use crate::helpers::TestApp;

/// Onboards a doctor through the API, as an admin would.
async fn onboard(app: &TestApp, last_name: &str, specialty: &str) -> Value {
    let body = json!({
        "email": format!("{}@clinic.example", uuid::Uuid::new_v4()),
        "first_name": "Dr", "last_name": last_name, "role": "doctor",
        "password": "a-long-password", "specialty": specialty,
    });
    let (status, profile) = app
        .call(
            api::create_user,
            ApiRequest::post("/users")
                .token(Some(&app.admin_token()))
                .json(&body),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{profile}");
    profile
}

#[tokio::test]
async fn doctors_are_listed_by_name_in_pages_and_filtered_by_specialty() {
    // Arrange
    let app = TestApp::spawn().await;
    for (name, specialty) in [
        ("Chen", "cardiology"),
        ("Adams", "dermatology"),
        ("Baker", "Cardiology"),
    ] {
        onboard(&app, name, specialty).await;
    }
    let (_, patient) = app.user(&["patient"]).await;
    app.call(
        api::get_profile,
        ApiRequest::get("/users/me").token(Some(&patient)),
    )
    .await;
    let list = |query: &[(&str, &str)]| {
        query.iter().fold(
            ApiRequest::get("/doctors").token(Some(&patient)),
            |r, (k, v)| r.query(k, v),
        )
    };

    // Act
    let (status, first) = app.call(api::list_doctors, list(&[("limit", "2")])).await;
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let (_, second) = app
        .call(
            api::list_doctors,
            list(&[("limit", "2"), ("cursor", &cursor)]),
        )
        .await;
    let (_, cardiology) = app
        .call(api::list_doctors, list(&[("specialty", "cardiology")]))
        .await;
    let (bad, problem) = app
        .call(api::list_doctors, list(&[("cursor", "not-ours")]))
        .await;
    // PostgreSQL refuses a NUL in text: a 400, not the 500 schemathesis once found.
    let (nul, nul_problem) = app
        .call(api::list_doctors, list(&[("specialty", "card\0iology")]))
        .await;

    // Assert
    let names = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["last_name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(status, StatusCode::OK);
    assert_eq!(names(&first), ["Adams", "Baker"]);
    assert_eq!(names(&second), ["Chen"]);
    assert_eq!(second["next_cursor"], Value::Null);
    assert_eq!(names(&cardiology), ["Baker", "Chen"]);
    assert!(
        first["items"][0].get("email").is_none(),
        "the directory shows no contact details"
    );
    assert_eq!(
        (bad, problem["errors"]["cursor"].is_string()),
        (StatusCode::BAD_REQUEST, true)
    );
    assert_eq!(
        (nul, nul_problem["errors"]["specialty"].is_string()),
        (StatusCode::BAD_REQUEST, true)
    );
}

#[tokio::test]
async fn specialties_are_listed_once_whatever_their_case_as_most_doctors_spell_them() {
    // Arrange
    let app = TestApp::spawn().await;
    for (name, specialty) in [
        ("Chen", "cardiology"),
        ("Adams", "Dermatology"),
        ("Baker", "Cardiology"),
        ("Diaz", "Cardiology"),
    ] {
        onboard(&app, name, specialty).await;
    }
    let (_, patient) = app.user(&["patient"]).await;

    // Act
    let (status, specialties) = app
        .call(
            api::list_specialties,
            ApiRequest::get("/doctors/specialties").token(Some(&patient)),
        )
        .await;
    let (anonymous, _) = app
        .call(
            api::list_specialties,
            ApiRequest::get("/doctors/specialties"),
        )
        .await;

    // Assert
    assert_eq!(status, StatusCode::OK, "{specialties}");
    assert_eq!(
        specialties,
        json!({"items": [
            {"name": "Cardiology", "doctors": 3},
            {"name": "Dermatology", "doctors": 1},
        ]})
    );
    assert_eq!(anonymous, StatusCode::UNAUTHORIZED);
}
