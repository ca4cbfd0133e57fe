use carebook_testkit::{ApiRequest, TopicTail};
use lambda_http::http::{StatusCode, header};
use serde_json::{Value, json};
use users::api;
use uuid::Uuid;

use crate::helpers::{LogCapture, TestApp, events};

fn new_doctor(email: &str) -> Value {
    json!({
        "email": email, "first_name": "Ada", "last_name": "Lovelace", "role": "doctor",
        "password": "first-day-password", "password_temporary": false, "specialty": "cardiology",
    })
}

#[tokio::test]
async fn an_admin_onboards_a_doctor_into_keycloak_and_carebook() {
    // Arrange
    let app = TestApp::spawn().await;
    let email = format!("{}@clinic.example", Uuid::new_v4());
    let tail = TopicTail::at_end("user-events");

    // Act
    let response = app
        .call_raw(
            api::create_user,
            ApiRequest::post("/users")
                .token(Some(&app.admin_token()))
                .json(&new_doctor(&email)),
        )
        .await;

    // Assert: the API answer
    let (status, profile) = carebook_testkit::read(&response);
    assert_eq!(status, StatusCode::CREATED, "{profile}");
    let id: Uuid = profile["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(response.headers()[header::LOCATION], format!("/users/{id}"));
    assert_eq!(profile["specialty"], "cardiology");
    // Keycloak: the user exists with the role alone (not the patient's default role) and
    // signs in with the password.
    let user = app.keycloak.user(&email).await.unwrap();
    assert_eq!(user.id, id);
    assert_eq!(app.keycloak.realm_roles_of(id).await, ["doctor"]);
    assert!(user.required_actions.is_empty());
    let token = app
        .keycloak
        .access_token(&email, "first-day-password")
        .await;
    let (_, me) = app
        .call(
            api::get_profile,
            ApiRequest::get("/users/me").token(Some(&token)),
        )
        .await;
    assert_eq!(me["specialty"], "cardiology");
    // The event.
    let published = events(&tail, id, 2).await;
    assert_eq!(
        published.len(),
        1,
        "one user.registered, not a second one on first sign-in"
    );
    assert_eq!(published[0]["type"], "user.registered");
    assert_eq!(published[0]["data"]["user"]["roles"], json!(["doctor"]));
}

#[tokio::test]
async fn a_temporary_password_must_be_changed_before_signing_in() {
    let app = TestApp::spawn().await;
    let email = format!("{}@clinic.example", Uuid::new_v4());
    let mut body = new_doctor(&email);
    body["password_temporary"] = json!(true);

    let (status, _) = app
        .call(
            api::create_user,
            ApiRequest::post("/users")
                .token(Some(&app.admin_token()))
                .json(&body),
        )
        .await;

    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        app.keycloak.user(&email).await.unwrap().required_actions,
        ["UPDATE_PASSWORD"]
    );
}

#[tokio::test]
async fn an_email_already_in_keycloak_is_a_409_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token();
    let email = format!("{}@clinic.example", Uuid::new_v4());
    app.call(
        api::create_user,
        ApiRequest::post("/users")
            .token(Some(&admin))
            .json(&new_doctor(&email)),
    )
    .await;

    for taken in [email.to_uppercase(), "doctor@carebook.test".to_owned()] {
        let (status, problem) = app
            .call(
                api::create_user,
                ApiRequest::post("/users")
                    .token(Some(&admin))
                    .json(&new_doctor(&taken)),
            )
            .await;

        assert_eq!(status, StatusCode::CONFLICT, "{taken}");
        assert_eq!(problem["type"], "urn:carebook:problem:email-taken");
    }
    let rows: i64 = sqlx::query_scalar!(r#"select count(*) as "count!" from profiles"#)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(rows, 1);
}

#[tokio::test]
async fn what_keycloak_refuses_is_a_400_naming_the_field_and_creates_nothing() {
    // Found by schemathesis: a backtick is valid in an email address (RFC 5322) but not in a
    // Keycloak user name, and Keycloak refuses "<" in a person's name; both were 500s.
    let app = TestApp::spawn().await;
    let admin = app.admin_token();
    let backtick = format!("`{}@clinic.example", Uuid::new_v4().simple());
    let mut bad_name = new_doctor(&format!("{}@clinic.example", Uuid::new_v4()));
    bad_name["last_name"] = json!("<script>");

    let mut answers = Vec::new();
    for body in [new_doctor(&backtick), bad_name.clone()] {
        answers.push(
            app.call(
                api::create_user,
                ApiRequest::post("/users").token(Some(&admin)).json(&body),
            )
            .await,
        );
    }

    assert_eq!(answers[0].0, StatusCode::BAD_REQUEST, "{}", answers[0].1);
    assert!(
        answers[0].1["errors"]["email"].is_string(),
        "{}",
        answers[0].1
    );
    assert_eq!(answers[1].0, StatusCode::BAD_REQUEST, "{}", answers[1].1);
    assert!(
        answers[1].1["errors"]["last_name"].is_string(),
        "{}",
        answers[1].1
    );
    assert!(app.keycloak.user(&backtick).await.is_none());
    let rows: i64 = sqlx::query_scalar!(r#"select count(*) as "count!" from profiles"#)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(rows, 0);
}

#[tokio::test]
async fn only_admins_onboard_and_bad_requests_never_reach_keycloak() {
    let app = TestApp::spawn().await;
    let email = format!("{}@clinic.example", Uuid::new_v4());
    for role in ["patient", "doctor"] {
        let (_, token) = app.user(&[role]).await;
        let (status, _) = app
            .call(
                api::create_user,
                ApiRequest::post("/users")
                    .token(Some(&token))
                    .json(&new_doctor(&email)),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}");
    }
    let cases = [
        ("email", json!("not-an-email")),
        ("role", json!("nurse")),
        ("password", json!("short")),
        ("first_name", json!("")),
        ("first_name", json!(null)),
        ("is_admin", json!(true)),
    ];

    for (field, value) in cases {
        let mut body = new_doctor(&email);
        body[field] = value.clone();
        let (status, problem) = app
            .call(
                api::create_user,
                ApiRequest::post("/users")
                    .token(Some(&app.admin_token()))
                    .json(&body),
            )
            .await;

        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}={value}");
        assert!(
            problem["errors"][field].is_string(),
            "{field}={value}: {problem}"
        );
    }
    assert!(app.keycloak.user(&email).await.is_none());
}

#[tokio::test]
async fn an_onboarding_that_fails_after_keycloak_is_undone_and_its_retry_succeeds() {
    // Arrange: the profile insert fails, as a broken database would make it, for this test's
    // database alone.
    let app = TestApp::spawn().await;
    let email = format!("{}@clinic.example", Uuid::new_v4());
    sqlx::raw_sql(
        "create function refuse_profiles() returns trigger language plpgsql as
           $$ begin raise exception 'the profile store is broken'; end $$;
         create trigger refuse_profiles before insert on profiles
           for each row execute function refuse_profiles();",
    )
    .execute(app.db.pool())
    .await
    .unwrap();
    let onboard = || {
        app.call(
            api::create_user,
            ApiRequest::post("/users")
                .token(Some(&app.admin_token()))
                .json(&new_doctor(&email)),
        )
    };

    // Act
    let (failed, _) = onboard().await;
    let left_in_keycloak = app.keycloak.user(&email).await;
    sqlx::raw_sql("drop trigger refuse_profiles on profiles")
        .execute(app.db.pool())
        .await
        .unwrap();
    let (retried, profile) = onboard().await;

    // Assert
    assert_eq!(failed, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        left_in_keycloak.is_none(),
        "the failed onboarding left its Keycloak user behind"
    );
    assert_eq!(retried, StatusCode::CREATED, "{profile}");
    let user = app.keycloak.user(&email).await.unwrap();
    assert_eq!(profile["id"], user.id.to_string());
}

#[tokio::test]
async fn a_failing_onboarding_logs_no_email_name_or_token() {
    // Arrange: Keycloak's Admin API is unreachable (nothing listens on port 9), so the user
    // search fails: its URL carries the email as a query.
    let app = TestApp::spawn_with(|config| {
        config.admin_url = Some("http://127.0.0.1:9".parse().unwrap());
    })
    .await;
    let email = format!("{}@clinic.example", Uuid::new_v4());
    let token = app.admin_token();
    let logs = LogCapture::default();

    // Act
    let (status, _) = {
        let _capturing = logs.install();
        app.call(
            api::create_user,
            ApiRequest::post("/users")
                .token(Some(&token))
                .json(&new_doctor(&email)),
        )
        .await
    };

    // Assert
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let logged = logs.text();
    assert!(
        logged.contains("request failed"),
        "nothing logged: {logged}"
    );
    for secret in [email.as_str(), "Ada", "Lovelace", token.as_str()] {
        assert!(
            !logged.contains(secret),
            "the logs show {secret:?}: {logged}"
        );
    }
    // The email as a URL's query encodes its '@'.
    assert!(!logged.contains(&email.replace('@', "%40")), "{logged}");
}
