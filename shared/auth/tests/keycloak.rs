//! The verifier against real Keycloak (the local stack's, `make stack-up`): the tokens its
//! grants issue, the ones it issues that must not open the API, and a key rotation done as an
//! operator does it, through the Admin REST API.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use carebook_auth::{AuthConfig, AuthError, Role, Verifier};
use carebook_testkit::{CLI_CLIENT, Keycloak, claims_of};
use serde_json::{Value, json};

fn verifier(keycloak: &Keycloak) -> Verifier {
    Verifier::new(&keycloak.auth_config()).unwrap()
}

#[tokio::test]
async fn a_password_grant_token_yields_the_principal_with_issuer_audience_and_roles() {
    // Arrange
    let keycloak = Keycloak::local();
    let doctor = keycloak.new_user(&["doctor"]).await;

    // Act
    let principal = verifier(&keycloak).verify(&doctor.token).await.unwrap();

    // Assert
    assert_eq!(principal.subject(), doctor.id);
    assert_eq!(principal.username(), Some(doctor.username.as_str()));
    assert_eq!(principal.email(), Some(doctor.email.as_str()));
    assert_eq!(principal.client_id(), Some(CLI_CLIENT));
    assert_eq!(principal.roles().collect::<Vec<_>>(), [Role::Doctor]);
    let claims = claims_of(&doctor.token);
    assert_eq!(claims["iss"], keycloak.realm_url().as_str());
    assert_eq!(claims["typ"], "Bearer");
}

#[tokio::test]
async fn the_realm_file_s_people_sign_in_with_their_role_and_nothing_more() {
    let keycloak = Keycloak::local();
    let verifier = verifier(&keycloak);

    for (username, role) in [
        ("admin", Role::Admin),
        ("doctor", Role::Doctor),
        ("patient", Role::Patient),
    ] {
        let person = keycloak.seeded(username).await;
        let principal = verifier.verify(&person.token).await.unwrap();
        assert_eq!(principal.roles().collect::<Vec<_>>(), [role], "{username}");
    }
}

#[tokio::test]
async fn a_service_account_token_carries_its_client_roles_and_no_carebook_role() {
    let keycloak = Keycloak::local();

    let answer = keycloak
        .grant(&[
            ("grant_type", "client_credentials"),
            ("client_id", "carebook-users-service"),
            ("client_secret", "carebook-users-service-secret"),
        ])
        .await
        .unwrap();
    let principal = verifier(&keycloak)
        .verify(answer["access_token"].as_str().unwrap())
        .await
        .unwrap();

    assert_eq!(principal.client_id(), Some("carebook-users-service"));
    assert_eq!(principal.roles().count(), 0);
    for role in ["query-users", "view-realm"] {
        assert!(
            principal.has_client_role("realm-management", role),
            "{role}"
        );
    }
    // Its rights on users come from fine-grained admin permissions (functions/users/tests/api/identity.rs).
    for role in ["manage-users", "view-users", "manage-realm"] {
        assert!(
            !principal.has_client_role("realm-management", role),
            "{role}"
        );
    }
}

#[tokio::test]
async fn a_refresh_token_and_an_id_token_never_open_the_api() {
    // Arrange: one sign-in with the openid scope, which brings all three tokens.
    let keycloak = Keycloak::local();
    let patient = keycloak.new_user(&["patient"]).await;
    let answer = keycloak
        .password_grant(
            CLI_CLIENT,
            &patient.username,
            &patient.username,
            Some("openid"),
        )
        .await
        .unwrap();
    let verifier = verifier(&keycloak);

    // Act
    let access = verifier
        .verify(answer["access_token"].as_str().unwrap())
        .await;
    let refresh = verifier
        .verify(answer["refresh_token"].as_str().unwrap())
        .await;
    let id = verifier.verify(answer["id_token"].as_str().unwrap()).await;

    // Assert: Keycloak signs refresh tokens with the realm's HMAC key, which no client may
    // verify; its ID token is RS256 but for the client, not the API.
    assert!(access.is_ok(), "{access:?}");
    assert!(
        matches!(refresh, Err(AuthError::UnsupportedAlgorithm(ref alg)) if alg.starts_with("HS")),
        "{refresh:?}"
    );
    assert_eq!(claims_of(answer["id_token"].as_str().unwrap())["typ"], "ID");
    assert!(
        matches!(
            id,
            Err(AuthError::WrongAudience | AuthError::WrongTokenType)
        ),
        "{id:?}"
    );
}

#[tokio::test]
async fn a_token_of_a_client_without_the_api_audience_is_refused() {
    // Every realm has admin-cli, which takes passwords, has no audience mapper and issues
    // lightweight tokens (no `aud`, no `sub`).
    let keycloak = Keycloak::local();
    let patient = keycloak.new_user(&["patient"]).await;
    let answer = keycloak
        .password_grant("admin-cli", &patient.username, &patient.username, None)
        .await
        .unwrap();

    let refused = verifier(&keycloak)
        .verify(answer["access_token"].as_str().unwrap())
        .await;

    let error = refused.unwrap_err();
    assert_eq!(error.status(), http::StatusCode::UNAUTHORIZED, "{error:?}");
}

/// A JWKS endpoint in front of the realm's that counts the fetches reaching it.
async fn counted_jwks(keycloak: &Keycloak) -> (url::Url, Arc<AtomicUsize>) {
    let fetches = Arc::new(AtomicUsize::new(0));
    let certs = format!("{}/protocol/openid-connect/certs", keycloak.realm_url());
    let app = Router::new()
        .route(
            "/certs",
            get(
                |State((certs, fetches)): State<(String, Arc<AtomicUsize>)>| async move {
                    fetches.fetch_add(1, Ordering::SeqCst);
                    let keys: Value = reqwest::get(certs).await.unwrap().json().await.unwrap();
                    axum::Json(keys)
                },
            ),
        )
        .with_state((certs, fetches.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/certs", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url.parse().unwrap(), fetches)
}

/// What the Admin API answers to `request`, as an administrator.
async fn admin_read(request: reqwest::RequestBuilder, token: &str) -> Value {
    let response = request.bearer_auth(token).send().await.unwrap();
    response.error_for_status().unwrap().json().await.unwrap()
}

/// The realm's key providers that sign with RS256.
async fn rsa_providers(http: &reqwest::Client, realm: &Keycloak, token: &str) -> Vec<Value> {
    let components = admin_read(
        http.get(format!("{}/components", realm.admin_url()))
            .query(&[("type", "org.keycloak.keys.KeyProvider")]),
        token,
    )
    .await;
    components
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["providerId"] == "rsa-generated")
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_rotated_realm_key_is_picked_up_with_one_fetch_and_a_removed_one_stops_working() {
    // Arrange: a realm of the test's own (rotation would disturb the tests beside it), a
    // verifier whose keys count as stale after a second, and a token under the first key.
    let local = Keycloak::local();
    let realm = local.new_realm().await;
    let (jwks_url, fetches) = counted_jwks(&realm).await;
    let verifier = Verifier::new(&AuthConfig {
        jwks_url: Some(jwks_url),
        refetch_interval: Duration::ZERO,
        max_key_age: Duration::from_secs(1),
        ..realm.auth_config()
    })
    .unwrap();
    let before = realm.access_token("patient", "patient").await;
    verifier.verify(&before).await.unwrap();
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
    let http = reqwest::Client::new();
    let admin = realm.admin_token().await.unwrap();
    let old_key = rsa_providers(&http, &realm, &admin).await.remove(0);
    let realm_id = admin_read(http.get(realm.admin_url()), &admin).await;

    // Act 1: the operator adds a new active RSA key with a higher priority.
    let added = http
        .post(format!("{}/components", realm.admin_url()))
        .bearer_auth(&admin)
        .json(&json!({
            "name": "rotated-rsa", "providerId": "rsa-generated",
            "providerType": "org.keycloak.keys.KeyProvider", "parentId": realm_id["id"],
            "config": { "priority": ["200"], "keySize": ["2048"], "algorithm": ["RS256"],
                        "active": ["true"], "enabled": ["true"] },
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), reqwest::StatusCode::CREATED);
    let after = realm.access_token("patient", "patient").await;

    // Assert 1: the new token names another key, and one fetch finds it.
    let kid = |token: &str| jsonwebtoken::decode_header(token).unwrap().kid.unwrap();
    assert_ne!(kid(&after), kid(&before));
    verifier.verify(&after).await.unwrap();
    assert_eq!(fetches.load(Ordering::SeqCst), 2);

    // Act 2: the old key is removed from the realm, and the cached keys age.
    let removed = http
        .delete(format!(
            "{}/components/{}",
            realm.admin_url(),
            old_key["id"].as_str().unwrap()
        ))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert!(removed.status().is_success());
    tokio::time::sleep(Duration::from_millis(1100)).await;

    // Assert 2: the token signed by the removed key is refused; the new key still works.
    let refused = verifier.verify(&before).await;
    assert!(matches!(refused, Err(AuthError::UnknownKey)), "{refused:?}");
    verifier.verify(&after).await.unwrap();
    realm.delete_realm().await;
}
