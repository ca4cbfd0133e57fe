use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::{SigningKey, TokenForger};

/// `claims` with `alg: none` and no signature, naming the issuer's key.
pub fn unsigned(forger: &TokenForger, claims: &Value) -> String {
    let header = json!({ "alg": "none", "typ": "JWT", "kid": forger.active_kid() });
    format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

/// The algorithm-confusion attack: `claims` as HS256 keyed with the bytes of the issuer's
/// public key, under the forger's kid. A verifier that trusts the header's `alg` accepts it.
pub fn keyed_with_public_key(forger: &TokenForger, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(forger.active_kid());
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_secret(forger.active_public_pem().as_bytes()),
    )
    .expect("HS256 signing")
}

/// `claims` signed by `foreign` under the forger's kid.
pub fn forged_kid(forger: &TokenForger, foreign: &SigningKey, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(forger.active_kid());
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

/// Tokens an attacker could send instead of the access token with `claims` that `forger`
/// signs, each named by the attack it tries. Every one must be refused with 401, and refused
/// before any work is done.
pub fn hostile_tokens(forger: &TokenForger, claims: &Value) -> Vec<(&'static str, String)> {
    let with = |change: fn(&mut Value)| {
        let mut changed = claims.clone();
        change(&mut changed);
        changed
    };
    let foreign = SigningKey::generate(Algorithm::RS256);

    vec![
        ("alg none", unsigned(forger, claims)),
        (
            "HS256 keyed with the public key (algorithm confusion)",
            keyed_with_public_key(forger, claims),
        ),
        (
            "forged kid: the forger's kid, an attacker's signature",
            forged_kid(forger, &foreign, claims),
        ),
        ("a key the forger never published", foreign.sign(claims)),
        (
            "roles raised without a new signature",
            with_payload(
                &forger.sign(claims),
                &with(|claims| claims["realm_access"] = json!({ "roles": ["admin"] })),
            ),
        ),
        (
            "expired an hour ago",
            forger.sign(&with(|claims| {
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
            forger.sign(&with(|claims| {
                claims["iss"] = json!("https://evil.example/realms/carebook")
            })),
        ),
        (
            "the audience of another client",
            forger.sign(&with(|claims| {
                claims["aud"] = json!("account");
                claims["azp"] = json!("carebook-users-service");
            })),
        ),
        (
            "an ID token instead of an access token",
            forger.sign(&with(|claims| claims["typ"] = json!("ID"))),
        ),
        (
            "oversized (1 MiB of claims)",
            forger.sign(&with(|claims| {
                claims["padding"] = json!("a".repeat(1 << 20))
            })),
        ),
        ("not a JWT", "' or 1=1 --".to_owned()),
    ]
}
