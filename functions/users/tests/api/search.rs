//! `GET /users?role=&q=`: admins find people to book for.

use carebook_testkit::ApiRequest;
use lambda_http::http::StatusCode;
use serde_json::Value;
use users::api;
use uuid::Uuid;

use crate::helpers::TestApp;

/// Stores a profile as a first sign-in would have made it.
async fn person(app: &TestApp, first: &str, last: &str, email: &str, role: &str) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query!(
        "insert into profiles (id, username, email, first_name, last_name, roles)
         values ($1, $2, $2, $3, $4, array[$5])",
        id,
        email,
        first,
        last,
        role,
    )
    .execute(app.db.pool())
    .await
    .unwrap();
    id
}

fn search(token: &str, query: &[(&str, &str)]) -> ApiRequest {
    query.iter().fold(
        ApiRequest::get("/users").token(Some(token)),
        |request, (name, value)| request.query(name, value),
    )
}

fn emails(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|person| person["email"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn an_admin_finds_people_by_name_or_email_prefix_and_role_in_pages() {
    // Arrange
    let app = TestApp::spawn().await;
    person(&app, "Ada", "Lovelace", "ada@clinic.example", "patient").await;
    person(
        &app,
        "Adam",
        "Smith",
        "adam.smith@clinic.example",
        "patient",
    )
    .await;
    person(&app, "Grace", "Adams", "grace@clinic.example", "doctor").await;
    person(
        &app,
        "Linus",
        "Pauling",
        "l.pauling@clinic.example",
        "patient",
    )
    .await;
    person(&app, "Percent", "Sign", "100%@clinic.example", "patient").await;
    let admin = app.admin_token();

    // Act
    let (status, ada) = app
        .call(api::search_users, search(&admin, &[("q", "ADA")]))
        .await;
    let (_, patients) = app
        .call(
            api::search_users,
            search(&admin, &[("q", "ada"), ("role", "patient")]),
        )
        .await;
    let (_, full_name) = app
        .call(api::search_users, search(&admin, &[("q", "linus paul")]))
        .await;
    let (_, by_email) = app
        .call(api::search_users, search(&admin, &[("q", "l.p")]))
        .await;
    let (_, wildcard) = app
        .call(api::search_users, search(&admin, &[("q", "%")]))
        .await;
    let (_, first) = app
        .call(
            api::search_users,
            search(&admin, &[("limit", "2"), ("role", "patient")]),
        )
        .await;
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let (_, second) = app
        .call(
            api::search_users,
            search(
                &admin,
                &[("limit", "2"), ("role", "patient"), ("cursor", &cursor)],
            ),
        )
        .await;

    // Assert: by last name, then id; every name and the email match from their start.
    assert_eq!(status, StatusCode::OK, "{ada}");
    assert_eq!(
        emails(&ada),
        [
            "grace@clinic.example",
            "ada@clinic.example",
            "adam.smith@clinic.example"
        ]
    );
    assert_eq!(
        emails(&patients),
        ["ada@clinic.example", "adam.smith@clinic.example"]
    );
    assert_eq!(emails(&full_name), ["l.pauling@clinic.example"]);
    assert_eq!(emails(&by_email), ["l.pauling@clinic.example"]);
    assert!(
        emails(&wildcard).is_empty(),
        "% is a character, not a wildcard"
    );
    assert_eq!(
        [emails(&first), emails(&second)].concat(),
        [
            "ada@clinic.example",
            "l.pauling@clinic.example",
            "100%@clinic.example",
            "adam.smith@clinic.example"
        ]
    );
    assert!(second["next_cursor"].is_null());
}

#[tokio::test]
async fn nobody_but_an_admin_searches_and_bad_queries_name_their_field() {
    let app = TestApp::spawn().await;
    person(&app, "Ada", "Lovelace", "ada@clinic.example", "patient").await;
    let (_, patient) = app.user(&["patient"]).await;
    let (_, doctor) = app.user(&["doctor"]).await;
    let admin = app.admin_token();

    let (by_patient, patient_answer) = app
        .call(api::search_users, search(&patient, &[("q", "a")]))
        .await;
    let (by_doctor, doctor_answer) = app
        .call(api::search_users, search(&doctor, &[("q", "a")]))
        .await;
    let long = "x".repeat(101);
    let mut refusals = Vec::new();
    for (name, value) in [
        ("role", "nurse"),
        ("q", "\u{7}bell"),
        ("q", long.as_str()),
        ("limit", "0"),
        ("cursor", "not-ours"),
    ] {
        let (status, problem) = app
            .call(api::search_users, search(&admin, &[(name, value)]))
            .await;
        refusals.push((name, status, problem["errors"][name].is_string()));
    }

    assert_eq!(
        (by_patient, by_doctor),
        (StatusCode::FORBIDDEN, StatusCode::FORBIDDEN)
    );
    for answer in [patient_answer, doctor_answer] {
        assert!(
            !answer.to_string().contains("ada@clinic.example"),
            "{answer}"
        );
    }
    for (name, status, named) in refusals {
        assert_eq!((status, named), (StatusCode::BAD_REQUEST, true), "{name}");
    }
}
