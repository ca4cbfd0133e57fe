use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::{SigningKey, TestIssuer};

/// `claims` with `alg: none` and no signature, naming the issuer's key.
pub fn unsigned(issuer: &TestIssuer, claims: &Value) -> String {
    let header = json!({ "alg": "none", "typ": "JWT", "kid": issuer.active_kid() });
    format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

/// The algorithm-confusion attack: `claims` as HS256 keyed with the bytes of the issuer's
/// public key, under the issuer's kid. A verifier that trusts the header's `alg` accepts it.
pub fn keyed_with_public_key(issuer: &TestIssuer, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(issuer.active_kid());
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_secret(issuer.active_public_pem().as_bytes()),
    )
    .expect("HS256 signing")
}

/// `claims` signed by `foreign` under the issuer's kid.
pub fn forged_kid(issuer: &TestIssuer, foreign: &SigningKey, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(issuer.active_kid());
    foreign.sign_with_header(&header, claims)
}

/// `token` with its payload replaced by `claims` and its header and signature kept.
pub fn with_payload(token: &str, claims: &Value) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        parts[2]
    )
}

/// Tokens an attacker could send instead of `username`'s access token, each named by the
/// attack it tries. Every one must be refused with 401, and refused before any work is done.
///
/// # Panics
/// When the realm has no such user.
pub fn hostile_tokens(issuer: &TestIssuer, username: &str) -> Vec<(&'static str, String)> {
    let claims = issuer.access_claims(username);
    let with = |change: fn(&mut Value)| {
        let mut changed = claims.clone();
        change(&mut changed);
        changed
    };
    let foreign = SigningKey::generate(Algorithm::RS256);

    vec![
        ("alg none", unsigned(issuer, &claims)),
        (
            "HS256 keyed with the public key (algorithm confusion)",
            keyed_with_public_key(issuer, &claims),
        ),
        (
            "forged kid: the issuer's kid, an attacker's signature",
            forged_kid(issuer, &foreign, &claims),
        ),
        ("a key the issuer never published", foreign.sign(&claims)),
        (
            "roles raised without a new signature",
            with_payload(
                &issuer.sign(&claims),
                &with(|claims| claims["realm_access"] = json!({ "roles": ["admin"] })),
            ),
        ),
        (
            "expired an hour ago",
            issuer.sign(&with(|claims| {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .expect("a clock after 1970")
                    .as_secs() as i64;
                claims["iat"] = json!(now - 7200);
                claims["exp"] = json!(now - 3600);
            })),
        ),
        (
            "another issuer",
            issuer.sign(&with(|claims| {
                claims["iss"] = json!("https://evil.example/realms/carebook")
            })),
        ),
        (
            "the audience of another client",
            issuer.sign(&with(|claims| {
                claims["aud"] = json!("account");
                claims["azp"] = json!("carebook-users-service");
            })),
        ),
        (
            "an ID token instead of an access token",
            issuer.sign(&with(|claims| claims["typ"] = json!("ID"))),
        ),
        (
            "oversized (1 MiB of claims)",
            issuer.sign(&with(|claims| {
                claims["padding"] = json!("a".repeat(1 << 20))
            })),
        ),
        ("not a JWT", "' or 1=1 --".to_owned()),
    ]
}
