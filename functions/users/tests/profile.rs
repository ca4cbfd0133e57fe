//! `GET /users/me` through the handler's library entry point, against the test issuer.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use carebook_testkit::TestIssuer;
use lambda_http::http::{StatusCode, header};
use lambda_http::{Body, Request, Response};
use serde_json::Value;
use users::App;

async fn get_profile(issuer: &TestIssuer, token: Option<&str>) -> Response<Body> {
    let app = App::new(&issuer.auth_config()).unwrap();
    let mut request = Request::new(Body::Empty);
    if let Some(token) = token {
        request.headers_mut().insert(
            header::AUTHORIZATION,
            format!("Bearer {token}").parse().unwrap(),
        );
    }
    app.get_profile(&request).await
}

fn body(response: &Response<Body>) -> Value {
    serde_json::from_slice(response.body().as_ref()).unwrap()
}

#[tokio::test]
async fn a_patient_sees_their_profile_from_the_token() {
    let issuer = TestIssuer::start().await.unwrap();

    let response = get_profile(&issuer, Some(&issuer.access_token("patient"))).await;

    assert_eq!(response.status(), StatusCode::OK);
    let profile = body(&response);
    assert_eq!(profile["id"], "9e8d7c6b-5a49-4382-b1c0-d9e8f7a6b503");
    assert_eq!(profile["username"], "patient");
    assert_eq!(profile["roles"], serde_json::json!(["patient"]));
}

#[tokio::test]
async fn without_a_token_the_answer_is_401_problem_json() {
    let issuer = TestIssuer::start().await.unwrap();

    let response = get_profile(&issuer, None).await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    assert_eq!(
        body(&response)["type"],
        "urn:carebook:problem:missing-token"
    );
}

#[tokio::test]
async fn a_token_without_a_carebook_role_is_403() {
    let issuer = TestIssuer::start().await.unwrap();
    let service_account = issuer.access_token("service-account-carebook-users-service");

    let response = get_profile(&issuer, Some(&service_account)).await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}
