//! What the users service's Keycloak service account may do, asked of Keycloak itself with the
//! account's own token, and what onboarding refuses by policy.

use carebook_testkit::ApiRequest;
use lambda_http::http::StatusCode;
use reqwest::Method;
use serde_json::{Value, json};
use users::api;
use uuid::Uuid;

use crate::helpers::{TestApp, USERS_SERVICE_CLIENT, USERS_SERVICE_SECRET};

/// The service account's access token (client credentials), as the users service gets it.
async fn service_account_token(app: &TestApp) -> String {
    let answer = app
        .keycloak
        .grant(&[
            ("grant_type", "client_credentials"),
            ("client_id", USERS_SERVICE_CLIENT),
            ("client_secret", USERS_SERVICE_SECRET),
        ])
        .await
        .unwrap();
    answer["access_token"].as_str().unwrap().to_owned()
}

/// `GET` of the Admin API path `path` as the master realm's administrator.
async fn as_administrator(app: &TestApp, path: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{}{path}", app.keycloak.admin_url()))
        .bearer_auth(app.keycloak.admin_token().await.unwrap())
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Keycloak's status for mapping `roles` to `user` at `mappings` (`realm` or
/// `clients/<id>`), asked with `token`.
async fn map(
    app: &TestApp,
    token: &str,
    user: Uuid,
    mappings: &str,
    roles: &Value,
) -> reqwest::StatusCode {
    reqwest::Client::new()
        .request(
            Method::POST,
            format!(
                "{}/users/{user}/role-mappings/{mappings}",
                app.keycloak.admin_url()
            ),
        )
        .bearer_auth(token)
        .json(&json!([roles]))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn the_service_account_cannot_make_anyone_an_admin_but_maps_patients_and_doctors() {
    // Arrange: a person of this test's own, and the service account's own token.
    let app = TestApp::spawn().await;
    let (person, _) = app.user(&["patient"]).await;
    let token = service_account_token(&app).await;
    let admin = as_administrator(&app, "/roles/admin").await;
    let doctor = as_administrator(&app, "/roles/doctor").await;
    let realm_management = as_administrator(&app, "/clients?clientId=realm-management").await;
    let realm_management = realm_management[0]["id"].as_str().unwrap();
    let realm_admin_roles: Vec<Value> = client_roles(
        &app,
        realm_management,
        &["realm-admin", "manage-users", "manage-realm"],
    )
    .await;

    // Act
    let admin_mapped = map(&app, &token, person, "realm", &admin).await;
    let mut client_roles_mapped = Vec::new();
    for role in &realm_admin_roles {
        client_roles_mapped.push((
            role["name"].clone(),
            map(
                &app,
                &token,
                person,
                &format!("clients/{realm_management}"),
                role,
            )
            .await,
        ));
    }
    let doctor_mapped = map(&app, &token, person, "realm", &doctor).await;

    // Assert
    assert_eq!(admin_mapped, reqwest::StatusCode::FORBIDDEN);
    for (role, status) in client_roles_mapped {
        assert_eq!(
            status,
            reqwest::StatusCode::FORBIDDEN,
            "realm-management {role}"
        );
    }
    assert_eq!(doctor_mapped, reqwest::StatusCode::NO_CONTENT);
    assert_eq!(
        app.keycloak.realm_roles_of(person).await,
        ["doctor", "patient"]
    );
    let held = as_administrator(
        &app,
        &format!("/users/{person}/role-mappings/clients/{realm_management}"),
    )
    .await;
    assert_eq!(held, json!([]));
}

async fn client_roles(app: &TestApp, client: &str, names: &[&str]) -> Vec<Value> {
    let mut roles = Vec::new();
    for name in names {
        roles.push(as_administrator(app, &format!("/clients/{client}/roles/{name}")).await);
    }
    roles
}

#[tokio::test]
async fn onboarding_an_admin_is_refused_by_policy_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let email = format!("{}@clinic.example", Uuid::new_v4());

    let (status, problem) = app
        .call(
            api::create_user,
            ApiRequest::post("/users")
                .token(Some(&app.admin_token()))
                .json(&json!({
                    "email": email, "first_name": "Ada", "last_name": "Admin", "role": "admin",
                    "password": "first-day-password", "password_temporary": false,
                })),
        )
        .await;

    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert!(
        problem["errors"]["role"]
            .as_str()
            .unwrap()
            .contains("admins are created in Keycloak"),
        "{problem}"
    );
    assert!(app.keycloak.user(&email).await.is_none());
}

/// Keycloak's status for `method` on the Admin API path `path` with `token`, and `body`.
async fn admin_api(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::StatusCode {
    let request = reqwest::Client::new()
        .request(method, format!("{}{path}", app.keycloak.admin_url()))
        .bearer_auth(token);
    let request = match body {
        Some(body) => request.json(&body),
        None => request,
    };
    request.send().await.unwrap().status()
}

#[tokio::test]
async fn the_service_account_can_neither_take_over_nor_create_an_administrator() {
    // Arrange: an administrator of this test's own, made as the README says admins are made
    // (a member of the realm's `administrators` group), and the service account's own token.
    let app = TestApp::spawn().await;
    let admin = app.keycloak.new_user(&[]).await;
    let group = as_administrator(&app, "/groups?exact=true&search=administrators").await;
    let group = group[0]["id"].as_str().unwrap();
    let master = app.keycloak.admin_token().await.unwrap();
    let joined = admin_api(
        &app,
        &master,
        Method::PUT,
        &format!("/users/{}/groups/{group}", admin.id),
        None,
    )
    .await;
    assert_eq!(joined, reqwest::StatusCode::NO_CONTENT);
    let token = service_account_token(&app).await;
    let user = format!("/users/{}", admin.id);
    let intruder = format!("{}@attacker.example", Uuid::new_v4());

    // Act: every way to the administrator's account, then to an administrator of its own.
    let mut attempts = Vec::new();
    for (what, method, path, body) in [
        (
            "reset the password",
            Method::PUT,
            format!("{user}/reset-password"),
            Some(json!({"type": "password", "value": "taken-over-password", "temporary": false})),
        ),
        (
            "change the email",
            Method::PUT,
            user.clone(),
            Some(json!({"email": intruder})),
        ),
        (
            "email a password update",
            Method::PUT,
            format!("{user}/execute-actions-email"),
            Some(json!(["UPDATE_PASSWORD"])),
        ),
        (
            "impersonate",
            Method::POST,
            format!("{user}/impersonation"),
            None,
        ),
        ("delete", Method::DELETE, user.clone(), None),
        ("read", Method::GET, user.clone(), None),
    ] {
        attempts.push((what, admin_api(&app, &token, method, &path, body).await));
    }
    let newcomer = format!("{}@clinic.example", Uuid::new_v4());
    let created = admin_api(
        &app,
        &token,
        Method::POST,
        "/users",
        Some(json!({
            "username": newcomer, "email": newcomer, "enabled": true,
            "firstName": "Eve", "lastName": "Intruder", "groups": ["/administrators"],
            "credentials": [{"type": "password", "value": "intruder-password", "temporary": false}],
        })),
    )
    .await;

    // Assert: refused, and the administrator signs in as before with their own address.
    for (what, status) in attempts {
        assert_eq!(status, reqwest::StatusCode::FORBIDDEN, "{what}");
    }
    assert!(
        !created.is_success(),
        "created a member of administrators: {created}"
    );
    assert!(app.keycloak.user(&newcomer).await.is_none());
    let signed_in = app
        .keycloak
        .access_token(&admin.username, &admin.username)
        .await;
    assert!(!signed_in.is_empty());
    assert_eq!(as_administrator(&app, &user).await["email"], admin.email);
}
