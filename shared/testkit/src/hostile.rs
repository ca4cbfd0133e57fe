use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::{SigningKey, TestIssuer};

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
        issuer.sign(&changed)
    };
    let foreign = SigningKey::generate(Algorithm::RS256);
    let mut issuer_kid = Header::new(Algorithm::RS256);
    issuer_kid.kid = Some(issuer.active_kid());
    let mut hs256 = Header::new(Algorithm::HS256);
    hs256.kid = Some(issuer.active_kid());
    let genuine = issuer.sign(&claims);
    let parts: Vec<&str> = genuine.split('.').collect();
    let mut raised = claims.clone();
    raised["realm_access"] = json!({ "roles": ["admin"] });

    vec![
        (
            "alg none",
            format!(
                "{}.{}.",
                URL_SAFE_NO_PAD.encode(
                    json!({ "alg": "none", "typ": "JWT", "kid": issuer.active_kid() }).to_string()
                ),
                URL_SAFE_NO_PAD.encode(claims.to_string())
            ),
        ),
        (
            "HS256 keyed with the public key (algorithm confusion)",
            jsonwebtoken::encode(
                &hs256,
                &claims,
                &EncodingKey::from_secret(issuer.active_public_pem().as_bytes()),
            )
            .expect("HS256 signing"),
        ),
        (
            "forged kid: the issuer's kid, an attacker's signature",
            foreign.sign_with_header(&issuer_kid, &claims),
        ),
        ("a key the issuer never published", foreign.sign(&claims)),
        (
            "roles raised without a new signature",
            format!(
                "{}.{}.{}",
                parts[0],
                URL_SAFE_NO_PAD.encode(raised.to_string()),
                parts[2]
            ),
        ),
        (
            "expired an hour ago",
            with(|claims| {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .expect("a clock after 1970")
                    .as_secs() as i64;
                claims["iat"] = json!(now - 7200);
                claims["exp"] = json!(now - 3600);
            }),
        ),
        (
            "another issuer",
            with(|claims| claims["iss"] = json!("https://evil.example/realms/carebook")),
        ),
        (
            "the audience of another client",
            with(|claims| {
                claims["aud"] = json!("account");
                claims["azp"] = json!("carebook-users-service");
            }),
        ),
        (
            "an ID token instead of an access token",
            with(|claims| claims["typ"] = json!("ID")),
        ),
        (
            "oversized (1 MiB of claims)",
            with(|claims| claims["padding"] = json!("a".repeat(1 << 20))),
        ),
        ("not a JWT", "' or 1=1 --".to_owned()),
    ]
}
