//! The test issuer's token endpoint answers as Keycloak's does, over real HTTP.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use carebook_testkit::TestIssuer;
use reqwest::StatusCode;
use serde_json::Value;

async fn token(issuer: &TestIssuer, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let url = format!("{}/protocol/openid-connect/token", issuer.realm_url());
    let response = reqwest::Client::new()
        .post(url)
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

async fn password_grant(
    issuer: &TestIssuer,
    username: &str,
    password: &str,
) -> (StatusCode, Value) {
    let form = [
        ("grant_type", "password"),
        ("client_id", "carebook-cli"),
        ("username", username),
        ("password", password),
    ];
    token(issuer, &form).await
}

fn claims(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn the_password_grant_returns_a_keycloak_shaped_access_token() {
    let issuer = TestIssuer::start().await.unwrap();

    let (status, body) = password_grant(&issuer, "doctor", "doctor").await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["token_type"], "Bearer");
    let claims = claims(body["access_token"].as_str().unwrap());
    assert_eq!(claims["iss"], issuer.realm_url().as_str());
    assert_eq!(claims["azp"], "carebook-cli");
    assert_eq!(claims["typ"], "Bearer");
    assert!(
        claims["aud"]
            .as_array()
            .unwrap()
            .contains(&"carebook-api".into())
    );
    assert!(
        claims["realm_access"]["roles"]
            .as_array()
            .unwrap()
            .contains(&"doctor".into())
    );
}

#[tokio::test]
async fn a_wrong_password_is_invalid_grant_401() {
    let issuer = TestIssuer::start().await.unwrap();

    let (status, body) = password_grant(&issuer, "doctor", "patient").await;

    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn client_credentials_need_the_secret_and_yield_a_service_account_token() {
    let issuer = TestIssuer::start().await.unwrap();
    let grant = |secret| {
        [
            ("grant_type", "client_credentials"),
            ("client_id", "carebook-users-service"),
            ("client_secret", secret),
        ]
    };

    let (status, body) = token(&issuer, &grant("carebook-users-service-secret")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.get("refresh_token").is_none());
    let claims = claims(body["access_token"].as_str().unwrap());
    assert_eq!(
        claims["preferred_username"],
        "service-account-carebook-users-service"
    );
    assert!(
        claims["resource_access"]["realm-management"]["roles"]
            .as_array()
            .unwrap()
            .contains(&"manage-users".into())
    );

    let (status, _) = token(&issuer, &grant("wrong")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_refresh_token_yields_a_new_access_token_and_garbage_is_refused() {
    let issuer = TestIssuer::start().await.unwrap();
    let (_, first) = password_grant(&issuer, "patient", "patient").await;
    let refresh_token = first["refresh_token"].as_str().unwrap();

    let (status, refreshed) = token(
        &issuer,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "carebook-cli"),
            ("refresh_token", refresh_token),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        claims(refreshed["access_token"].as_str().unwrap())["preferred_username"],
        "patient"
    );

    let (status, body) = token(
        &issuer,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "carebook-cli"),
            ("refresh_token", "garbage"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn another_realm_does_not_exist() {
    let issuer = TestIssuer::start().await.unwrap();
    let url = issuer
        .realm_url()
        .as_str()
        .replace("/realms/carebook", "/realms/other");

    let response = reqwest::get(format!("{url}/protocol/openid-connect/certs"))
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
