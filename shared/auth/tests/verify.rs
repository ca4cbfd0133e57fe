//! The verifier against the testkit's token forger, over real HTTP: tokens no real Keycloak
//! would sign (expired, re-signed, under keys rotated at will). Real Keycloak's tokens are
//! verified in `keycloak.rs`.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use carebook_auth::{AuthConfig, AuthError, Role, Verifier};
use carebook_testkit::{
    SigningKey, TokenForger, forged_kid, keyed_with_public_key, unsigned, with_payload,
};
use http::StatusCode;
use jsonwebtoken::{Algorithm, Header};
use serde_json::{Value, json};

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

async fn forger_and_verifier() -> (TokenForger, Verifier) {
    let forger = TokenForger::start().await.unwrap();
    let verifier = Verifier::new(&forger.auth_config()).unwrap();
    (forger, verifier)
}

async fn rejection(verifier: &Verifier, token: &str) -> AuthError {
    verifier
        .verify(token)
        .await
        .expect_err("the token must be rejected")
}

#[tokio::test]
async fn a_keycloak_access_token_yields_the_principal() {
    let (forger, verifier) = forger_and_verifier().await;

    let principal = verifier
        .verify(&forger.access_token("doctor"))
        .await
        .unwrap();

    assert_eq!(
        principal.subject().to_string(),
        forger.access_claims("doctor")["sub"]
    );
    assert_eq!(principal.username(), Some("doctor"));
    assert_eq!(principal.email(), Some("doctor@carebook.test"));
    assert_eq!(principal.roles().collect::<Vec<_>>(), vec![Role::Doctor]);
    assert!(principal.has_client_role("account", "view-profile"));
}

#[tokio::test]
async fn an_es256_token_is_accepted() {
    let forger = TokenForger::start().await.unwrap();
    forger.rotate_key(Algorithm::ES256);
    let verifier = Verifier::new(&forger.auth_config()).unwrap();

    let principal = verifier
        .verify(&forger.access_token("patient"))
        .await
        .unwrap();

    assert!(principal.has_role(Role::Patient));
}

#[tokio::test]
async fn bad_claims_are_rejected_with_their_own_error() {
    let (forger, verifier) = forger_and_verifier().await;
    type Case = (&'static str, Value, fn(&AuthError) -> bool);
    let cases: Vec<Case> = vec![
        ("expired", json!({ "exp": now() - 120 }), |e| {
            matches!(e, AuthError::Expired)
        }),
        ("not yet valid", json!({ "nbf": now() + 120 }), |e| {
            matches!(e, AuthError::NotYetValid)
        }),
        (
            "wrong forger",
            json!({ "iss": "http://127.0.0.1:1/realms/other" }),
            |e| matches!(e, AuthError::WrongIssuer),
        ),
        (
            "wrong audience",
            json!({ "aud": ["account", "another-api"] }),
            |e| matches!(e, AuthError::WrongAudience),
        ),
        ("missing audience", json!({ "aud": null }), |e| {
            matches!(e, AuthError::WrongAudience)
        }),
        ("id token", json!({ "typ": "ID" }), |e| {
            matches!(e, AuthError::WrongTokenType)
        }),
        ("no expiry", json!({ "exp": null }), |e| {
            matches!(e, AuthError::InvalidClaims(_))
        }),
        (
            "roles of the wrong type",
            json!({ "realm_access": { "roles": "admin" } }),
            |e| matches!(e, AuthError::InvalidClaims(_)),
        ),
    ];

    for (case, changes, expected) in cases {
        let mut claims = forger.access_claims("patient");
        for (name, value) in changes.as_object().unwrap() {
            match value {
                Value::Null => claims.as_object_mut().unwrap().remove(name),
                value => claims
                    .as_object_mut()
                    .unwrap()
                    .insert(name.clone(), value.clone()),
            };
        }
        let error = rejection(&verifier, &forger.sign(&claims)).await;
        assert!(expected(&error), "{case}: got {error:?}");
        assert_eq!(error.status(), StatusCode::UNAUTHORIZED, "{case}");
    }
}

#[tokio::test]
async fn expiry_within_the_leeway_is_tolerated() {
    let (forger, verifier) = forger_and_verifier().await;
    let mut claims = forger.access_claims("patient");
    claims["exp"] = json!(now() - 5);

    assert!(verifier.verify(&forger.sign(&claims)).await.is_ok());
}

#[tokio::test]
async fn alg_none_is_refused() {
    let (forger, verifier) = forger_and_verifier().await;
    let token = unsigned(&forger, &forger.access_claims("admin"));

    let error = rejection(&verifier, &token).await;

    assert!(matches!(error, AuthError::UnsupportedAlgorithm(alg) if alg == "none"));
}

#[tokio::test]
async fn hs256_signed_with_the_public_key_is_refused() {
    // The algorithm-confusion attack: a verifier that trusts the header's `alg` would check
    // this HMAC with the RSA public key's bytes as the secret, and accept it.
    let (forger, verifier) = forger_and_verifier().await;
    let token = keyed_with_public_key(&forger, &forger.access_claims("admin"));

    let error = rejection(&verifier, &token).await;

    assert!(matches!(error, AuthError::UnsupportedAlgorithm(alg) if alg == "HS256"));
    assert_eq!(forger.jwks_requests(), 0, "refused before any key lookup");
}

#[tokio::test]
async fn a_token_signed_by_an_unpublished_key_is_refused() {
    let (forger, verifier) = forger_and_verifier().await;
    let foreign = SigningKey::generate(Algorithm::RS256);

    let unknown_kid = foreign.sign(&forger.access_claims("admin"));
    assert!(matches!(
        rejection(&verifier, &unknown_kid).await,
        AuthError::UnknownKey
    ));

    // Forged kid: the header names the forger's key, the signature is the attacker's.
    let forged = forged_kid(&forger, &foreign, &forger.access_claims("admin"));
    assert!(matches!(
        rejection(&verifier, &forged).await,
        AuthError::InvalidSignature
    ));
}

#[tokio::test]
async fn a_token_without_kid_is_refused() {
    let (forger, verifier) = forger_and_verifier().await;
    let key = SigningKey::generate(Algorithm::RS256);
    let token = key.sign_with_header(
        &Header::new(Algorithm::RS256),
        &forger.access_claims("admin"),
    );

    assert!(matches!(
        rejection(&verifier, &token).await,
        AuthError::MissingKeyId
    ));
}

#[tokio::test]
async fn raised_roles_without_a_new_signature_are_refused() {
    let (forger, verifier) = forger_and_verifier().await;
    let token = forger.access_token("patient");
    let mut claims = forger.access_claims("patient");
    claims["realm_access"] = json!({ "roles": ["admin"] });
    let tampered = with_payload(&token, &claims);

    assert!(matches!(
        rejection(&verifier, &tampered).await,
        AuthError::InvalidSignature
    ));
}

#[tokio::test]
async fn truncated_garbage_and_huge_tokens_are_refused_without_panic() {
    let (forger, verifier) = forger_and_verifier().await;
    let token = forger.access_token("patient");
    let huge = "a".repeat(1 << 20);
    let inputs = [
        &token[..token.len() - 20],
        &token[..token.len() / 2],
        &token[..token.rfind('.').unwrap()],
        "",
        "Bearer",
        "not a token",
        "\u{0}\u{ff}\u{fffd}.\u{1F600}.x",
        "eyJhbGciOiJSUzI1NiJ9.e30.",
        &huge,
    ];

    for input in inputs {
        let error = rejection(&verifier, input).await;
        assert_eq!(error.status(), StatusCode::UNAUTHORIZED, "{error:?}");
    }
    assert!(matches!(
        rejection(&verifier, &huge).await,
        AuthError::TooLarge { .. }
    ));
}

#[tokio::test]
async fn no_single_character_change_opens_the_api() {
    let (forger, verifier) = forger_and_verifier().await;
    let token = forger.access_token("patient");
    let decoded = |t: &str| -> Vec<Option<Vec<u8>>> {
        t.split('.')
            .map(|p| URL_SAFE_NO_PAD.decode(p).ok())
            .collect()
    };

    for (position, original) in token.char_indices() {
        let replacement = if original == 'A' { 'B' } else { 'A' };
        let mut mutated = token.clone();
        mutated.replace_range(position..position + 1, &replacement.to_string());
        // The last base64 character carries spare bits: some changes decode to the same bytes.
        if verifier.verify(&mutated).await.is_ok() {
            assert_eq!(
                decoded(&mutated),
                decoded(&token),
                "position {position} accepted"
            );
        }
    }
}

#[tokio::test]
async fn a_rotated_key_is_picked_up_after_one_refetch() {
    let forger = TokenForger::start().await.unwrap();
    let config = AuthConfig {
        refetch_interval: Duration::from_millis(200),
        ..forger.auth_config()
    };
    let verifier = Verifier::new(&config).unwrap();
    verifier
        .verify(&forger.access_token("patient"))
        .await
        .unwrap();
    assert_eq!(forger.jwks_requests(), 1);
    tokio::time::sleep(Duration::from_millis(250)).await;

    forger.rotate_key(Algorithm::RS256);
    let principal = verifier
        .verify(&forger.access_token("patient"))
        .await
        .unwrap();

    assert!(principal.has_role(Role::Patient));
    assert_eq!(forger.jwks_requests(), 2);
}

#[tokio::test]
async fn a_flood_of_unknown_kids_causes_at_most_one_refetch_per_interval() {
    let forger = TokenForger::start().await.unwrap();
    let config = AuthConfig {
        refetch_interval: Duration::from_millis(300),
        ..forger.auth_config()
    };
    let verifier = Arc::new(Verifier::new(&config).unwrap());
    verifier
        .verify(&forger.access_token("patient"))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(350)).await;
    let claims = forger.access_claims("admin");
    let attacker = SigningKey::generate(Algorithm::RS256);
    let flood: Vec<String> = (0..40)
        .map(|_| {
            let mut header = Header::new(Algorithm::RS256);
            header.kid = Some(uuid::Uuid::new_v4().to_string());
            attacker.sign_with_header(&header, &claims)
        })
        .collect();

    let first_wave = verify_concurrently(&verifier, &flood).await;
    let second_wave = verify_concurrently(&verifier, &flood).await;

    assert!(
        first_wave
            .iter()
            .chain(&second_wave)
            .all(|e| matches!(e, Err(AuthError::UnknownKey)))
    );
    assert_eq!(
        forger.jwks_requests(),
        2,
        "one fetch at start, one for the whole flood"
    );
    verifier
        .verify(&forger.access_token("patient"))
        .await
        .unwrap();
}

async fn verify_concurrently(
    verifier: &Arc<Verifier>,
    tokens: &[String],
) -> Vec<Result<carebook_auth::Principal, AuthError>> {
    let mut tasks = tokio::task::JoinSet::new();
    for token in tokens {
        let (verifier, token) = (verifier.clone(), token.clone());
        tasks.spawn(async move { verifier.verify(&token).await });
    }
    tasks.join_all().await
}

#[tokio::test]
async fn cached_keys_keep_working_while_the_issuer_is_down() {
    let forger = TokenForger::start().await.unwrap();
    let config = AuthConfig {
        max_key_age: Duration::from_millis(100),
        refetch_interval: Duration::from_millis(100),
        ..forger.auth_config()
    };
    let verifier = Verifier::new(&config).unwrap();
    let token = forger.access_token("patient");
    verifier.verify(&token).await.unwrap();

    forger.shutdown().await;
    tokio::time::sleep(Duration::from_millis(150)).await;

    // The cached key set is past its age and the refresh fails: the keys stay in use.
    assert!(verifier.verify(&token).await.is_ok());
}

#[tokio::test]
async fn with_no_keys_at_all_the_error_is_service_unavailable() {
    let closed_port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let forger = format!("http://127.0.0.1:{closed_port}/realms/carebook")
        .parse()
        .unwrap();
    let verifier = Verifier::new(&AuthConfig::new(forger, "carebook-api")).unwrap();
    let token = SigningKey::generate(Algorithm::RS256).sign(&json!({ "sub": "x" }));

    let error = rejection(&verifier, &token).await;

    assert!(matches!(error, AuthError::KeysUnavailable(_)), "{error:?}");
    assert_eq!(error.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn a_configured_jwks_url_skips_discovery() {
    let forger = TokenForger::start().await.unwrap();
    let config = AuthConfig {
        jwks_url: Some(
            format!("{}/protocol/openid-connect/certs", forger.realm_url())
                .parse()
                .unwrap(),
        ),
        ..forger.auth_config()
    };
    let verifier = Verifier::new(&config).unwrap();

    assert!(verifier.verify(&forger.access_token("admin")).await.is_ok());
    assert_eq!(forger.jwks_requests(), 1);
}
