//! The Keycloak client secret read from Secrets Manager (the AWS emulator at
//! `AWS_ENDPOINT_URL`), as the template gives the function its ARN.

use carebook_testkit::{ApiRequest, stored_secret};
use lambda_http::http::StatusCode;
use serde_json::json;
use users::{ClientSecret, api};
use uuid::Uuid;

use crate::helpers::{TestApp, USERS_SERVICE_SECRET};

/// A new secret whose text is `value`; its ARN.
async fn secret(value: &str) -> String {
    stored_secret("carebook-users-keycloak-", value).await
}

#[tokio::test]
async fn the_client_secret_comes_from_secrets_manager_when_its_arn_is_set() {
    let right = secret(USERS_SERVICE_SECRET).await;
    let wrong = secret("not-the-client-secret").await;
    let mut answers = Vec::new();

    for arn in [right, wrong] {
        let app = TestApp::spawn_with(|config| {
            config.admin_client_secret = Some(ClientSecret::Secret(arn));
        })
        .await;
        let email = format!("{}@clinic.example", Uuid::new_v4());
        answers.push(
            app.call(
                api::create_user,
                ApiRequest::post("/users")
                    .token(Some(&app.admin_token()))
                    .json(&json!({
                        "email": email, "first_name": "Ada", "last_name": "Lovelace",
                        "role": "patient", "password": "first-day-password",
                    })),
            )
            .await
            .0,
        );
    }

    // The wrong secret's onboarding fails at Keycloak's token endpoint: the secret decides.
    assert_eq!(
        answers,
        [StatusCode::CREATED, StatusCode::INTERNAL_SERVER_ERROR]
    );
}
