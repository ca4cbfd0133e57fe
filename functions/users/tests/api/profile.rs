use carebook_testkit::{ApiRequest, TopicTail};
use lambda_http::http::StatusCode;
use serde_json::json;
use users::api;

use crate::helpers::{TestApp, events};

#[tokio::test]
async fn the_first_call_creates_the_profile_from_the_token_and_registers_the_user_once() {
    // Arrange
    let app = TestApp::spawn().await;
    let (id, token) = app.user(&["patient"]).await;
    let tail = TopicTail::at_end("user-events");

    // Act
    let (first, profile) = app
        .call(
            api::get_profile,
            ApiRequest::get("/users/me").token(Some(&token)),
        )
        .await;
    let (second, again) = app
        .call(
            api::get_profile,
            ApiRequest::get("/users/me").token(Some(&token)),
        )
        .await;

    // Assert
    assert_eq!((first, second), (StatusCode::OK, StatusCode::OK));
    assert_eq!(profile["id"], id.to_string());
    assert_eq!(profile["roles"], json!(["patient"]));
    assert_eq!(profile, again);
    let published = events(&tail, id, 2).await;
    assert_eq!(published.len(), 1, "{published:?}");
    assert_eq!(published[0]["type"], "user.registered");
    assert_eq!(published[0]["subject"], id.to_string());
    assert_eq!(published[0]["data"]["user"]["email"], profile["email"]);
}

#[tokio::test]
async fn the_profile_takes_email_verified_from_the_token_and_publishes_its_change() {
    // Arrange: a user whose address Keycloak has not verified yet.
    let app = TestApp::spawn().await;
    let user = app.keycloak.new_user(&["patient"]).await;
    let unverified = app.keycloak.set_email_verified(&user, false).await;
    let me = |token: &str| ApiRequest::get("/users/me").token(Some(token));
    let tail = TopicTail::at_end("user-events");

    // Act: their first call, then one after following Keycloak's link.
    let (_, before) = app.call(api::get_profile, me(&unverified)).await;
    let verified = app.keycloak.set_email_verified(&user, true).await;
    let (status, after) = app.call(api::get_profile, me(&verified)).await;

    // Assert
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(before["email_verified"], false);
    assert_eq!(after["email_verified"], true);
    assert_eq!(after["version"], 2);
    let published = events(&tail, user.id, 2).await;
    assert_eq!(
        published
            .iter()
            .map(|event| (&event["type"], &event["data"]["user"]["email_verified"]))
            .collect::<Vec<_>>(),
        [
            (&json!("user.registered"), &json!(false)),
            (&json!("user.updated"), &json!(true))
        ]
    );
}

#[tokio::test]
async fn a_patch_changes_only_the_fields_given_and_publishes_user_updated() {
    let app = TestApp::spawn().await;
    let (id, token) = app.user(&["patient"]).await;
    let me = || ApiRequest::patch("/users/me").token(Some(&token));
    app.call(
        api::update_profile,
        me().json(&json!({"phone": "+441632960961", "address": "1 Clinic Road"})),
    )
    .await;
    let tail = TopicTail::at_end("user-events");

    let (status, profile) = app
        .call(
            api::update_profile,
            me().json(&json!({"first_name": "Ada", "phone": null, "gender": "female"})),
        )
        .await;

    assert_eq!(status, StatusCode::OK, "{profile}");
    assert_eq!(profile["first_name"], "Ada");
    assert_eq!(profile["phone"], json!(null));
    assert_eq!(profile["address"], "1 Clinic Road");
    assert_eq!(profile["gender"], "female");
    assert_eq!(profile["version"], 3);
    let published = events(&tail, id, 1).await;
    assert_eq!(published[0]["type"], "user.updated");
    assert_eq!(published[0]["data"]["user"]["first_name"], "Ada");
}

#[tokio::test]
async fn bad_patches_are_400s_naming_the_field_and_change_nothing() {
    let app = TestApp::spawn().await;
    let (id, token) = app.user(&["patient"]).await;
    app.call(
        api::get_profile,
        ApiRequest::get("/users/me").token(Some(&token)),
    )
    .await;
    let before = app.profile_row(id).await;
    let long = "x".repeat(101);
    let cases = [
        (json!({"phone": "12345"}), "phone"),
        (json!({"date_of_birth": "2999-01-01"}), "date_of_birth"),
        (json!({"date_of_birth": "14/07/1985"}), "date_of_birth"),
        (json!({"gender": "robot"}), "gender"),
        (json!({"first_name": ""}), "first_name"),
        (json!({"last_name": long}), "last_name"),
        (json!({"first_name": 7}), "first_name"),
        (json!({"roles": ["admin"]}), "roles"),
        (json!({"specialty": "surgery"}), "specialty"),
    ];

    for (body, field) in cases {
        let (status, problem) = app
            .call(
                api::update_profile,
                ApiRequest::patch("/users/me")
                    .token(Some(&token))
                    .json(&body),
            )
            .await;

        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(problem["errors"][field].is_string(), "{body} -> {problem}");
    }
    let (status, problem) = app
        .call(
            api::update_profile,
            ApiRequest::patch("/users/me")
                .token(Some(&token))
                .raw_json("{\"first_name\":"),
        )
        .await;
    assert_eq!(
        (status, problem["type"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("urn:carebook:problem:invalid-json")
        )
    );
    assert_eq!(app.profile_row(id).await, before);
}

#[tokio::test]
async fn a_profile_is_visible_to_its_owner_and_admins_and_missing_for_anyone_else() {
    let app = TestApp::spawn().await;
    let (id, owner) = app.user(&["patient"]).await;
    let (_, other) = app.user(&["doctor"]).await;
    app.call(
        api::get_profile,
        ApiRequest::get("/users/me").token(Some(&owner)),
    )
    .await;
    let get = |token: Option<&str>| {
        ApiRequest::get("/users/x")
            .path_param("id", &id.to_string())
            .token(token)
    };

    let (own, _) = app.call(api::get_user, get(Some(&owner))).await;
    let (admin, body) = app.call(api::get_user, get(Some(&app.admin_token()))).await;
    let (stranger, problem) = app.call(api::get_user, get(Some(&other))).await;
    let (anonymous, _) = app.call(api::get_user, get(None)).await;
    let (bad_id, bad) = app
        .call(
            api::get_user,
            ApiRequest::get("/users/42")
                .path_param("id", "42")
                .token(Some(&owner)),
        )
        .await;

    assert_eq!(own, StatusCode::OK);
    assert_eq!(
        (admin, body["id"].as_str()),
        (StatusCode::OK, Some(id.to_string().as_str()))
    );
    assert_eq!(
        (stranger, problem["type"].as_str()),
        (
            StatusCode::NOT_FOUND,
            Some("urn:carebook:problem:not-found")
        )
    );
    assert_eq!(anonymous, StatusCode::UNAUTHORIZED);
    assert_eq!(
        (bad_id, bad["errors"]["id"].as_str()),
        (StatusCode::BAD_REQUEST, Some("must be a UUID"))
    );
}

#[tokio::test]
async fn every_endpoint_refuses_anonymous_callers_and_callers_without_a_carebook_role() {
    let app = TestApp::spawn().await;
    let (_, roleless) = app.user(&[]).await;
    let requests = || {
        [
            ApiRequest::get("/users/me"),
            ApiRequest::patch("/users/me").json(&json!({"first_name": "A"})),
            ApiRequest::get("/users/x").path_param("id", &uuid::Uuid::new_v4().to_string()),
            ApiRequest::get("/doctors"),
            ApiRequest::get("/doctors/specialties"),
            ApiRequest::post("/users").json(&json!({})),
        ]
    };
    macro_rules! each_endpoint {
        ($token:expr, $expected:expr) => {
            let [me, patch, user, doctors, specialties, create] = requests();
            for (name, status) in [
                (
                    "get_profile",
                    app.call(api::get_profile, me.token($token)).await.0,
                ),
                (
                    "update_profile",
                    app.call(api::update_profile, patch.token($token)).await.0,
                ),
                (
                    "get_user",
                    app.call(api::get_user, user.token($token)).await.0,
                ),
                (
                    "list_doctors",
                    app.call(api::list_doctors, doctors.token($token)).await.0,
                ),
                (
                    "list_specialties",
                    app.call(api::list_specialties, specialties.token($token))
                        .await
                        .0,
                ),
                (
                    "create_user",
                    app.call(api::create_user, create.token($token)).await.0,
                ),
            ] {
                assert_eq!(status, $expected, "{name}");
            }
        };
    }

    each_endpoint!(None, StatusCode::UNAUTHORIZED);
    each_endpoint!(Some(roleless.as_str()), StatusCode::FORBIDDEN);
    // Nothing was stored for either caller.
    let rows: i64 = sqlx::query_scalar!(r#"select count(*) as "count!" from profiles"#)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(rows, 0);
}

#[tokio::test]
async fn a_person_who_signs_up_on_keycloak_s_page_is_a_patient_with_a_profile_on_first_call() {
    // Arrange: the web app's sign-up, through Keycloak's own registration page and PKCE.
    let app = TestApp::spawn().await;
    let username = format!("signup-{}", uuid::Uuid::new_v4().simple());
    let tokens = app.keycloak.sign_up(&username).await;
    let token = tokens["access_token"].as_str().unwrap();

    // Act
    let (status, profile) = app
        .call(
            api::get_profile,
            ApiRequest::get("/users/me").token(Some(token)),
        )
        .await;

    // Assert
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert_eq!(profile["username"], username.as_str());
    assert_eq!(profile["roles"], json!(["patient"]));
    assert_eq!(profile["first_name"], "Self");
}

#[tokio::test]
async fn the_web_app_s_client_refuses_a_sign_in_without_pkce() {
    let keycloak = carebook_testkit::Keycloak::local();
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let answer = browser
        .get(format!(
            "{}/protocol/openid-connect/auth",
            keycloak.realm_url()
        ))
        .query(&[
            ("client_id", carebook_testkit::WEB_CLIENT),
            ("response_type", "code"),
            ("scope", "openid"),
            ("redirect_uri", "http://127.0.0.1:5173/"),
        ])
        .send()
        .await
        .unwrap();

    // Keycloak sends the browser back to the app with an error instead of a login page.
    let location = answer.headers()[reqwest::header::LOCATION]
        .to_str()
        .unwrap();
    assert!(
        location.contains("error=invalid_request") && location.contains("code_challenge"),
        "{location}"
    );
}
