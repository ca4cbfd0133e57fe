use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;

use crate::keys::KeyStore;
use crate::principal::AccessTokenClaims;
use crate::{AuthConfig, AuthError, ConfigError, Principal};

/// Keycloak access tokens are 1-3 KiB; anything far larger is refused before any parsing.
const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// Verifies Keycloak access tokens; build one per process and share it.
pub struct Verifier {
    keys: KeyStore,
    rs256: Validation,
    es256: Validation,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
}

impl Verifier {
    /// Builds a verifier without touching the network; keys are fetched on first use.
    pub fn new(config: &AuthConfig) -> Result<Self, ConfigError> {
        let http = reqwest::Client::builder()
            .timeout(config.http_timeout)
            .connect_timeout(config.http_timeout)
            .build()
            .map_err(ConfigError::HttpClient)?;
        Ok(Self {
            keys: KeyStore::new(config, http),
            rs256: validation(config, Algorithm::RS256),
            es256: validation(config, Algorithm::ES256),
        })
    }

    /// Checks `token` (the part after `Bearer `) and returns who sent it.
    ///
    /// Fails with a 401-class [`AuthError`] for any token that is malformed, badly signed,
    /// expired, not yet valid, from another issuer or for another audience, and with
    /// [`AuthError::KeysUnavailable`] when no signing key could ever be fetched.
    pub async fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(AuthError::TooLarge {
                limit: MAX_TOKEN_BYTES,
            });
        }
        let header = parse_header(token)?;
        // The allow-list is checked before any key is looked up: `none` and HS* (including
        // HS256 "signed" with the public key) never reach signature verification.
        let (algorithm, validation) = match header.alg.as_str() {
            "RS256" => (Algorithm::RS256, &self.rs256),
            "ES256" => (Algorithm::ES256, &self.es256),
            other => {
                return Err(AuthError::UnsupportedAlgorithm(
                    other.chars().take(16).collect(),
                ));
            }
        };
        let kid = header.kid.ok_or(AuthError::MissingKeyId)?;
        let key = self.keys.key(&kid).await?;
        // A key verifies only the algorithm it is published for (no RSA key used as ECDSA).
        if key.algorithm != algorithm {
            return Err(AuthError::UnsupportedAlgorithm(header.alg));
        }
        let claims = jsonwebtoken::decode::<AccessTokenClaims>(token, &key.key, validation)
            .map_err(|e| map_jwt_error(e.into_kind()))?
            .claims;
        Principal::try_from(claims)
    }
}

fn validation(config: &AuthConfig, algorithm: Algorithm) -> Validation {
    let mut validation = Validation::new(algorithm);
    validation.leeway = config.leeway.as_secs();
    validation.validate_nbf = true;
    validation.set_issuer(&[config.issuer_claim()]);
    validation.set_audience(&[&config.audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation
}

fn parse_header(token: &str) -> Result<Header, AuthError> {
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(AuthError::Malformed("expected three dot-separated parts"));
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| AuthError::Malformed("the header is not base64url"))?;
    serde_json::from_slice(&bytes)
        .map_err(|_| AuthError::Malformed("the header is not a JWT header"))
}

fn map_jwt_error(kind: ErrorKind) -> AuthError {
    match kind {
        ErrorKind::InvalidSignature => AuthError::InvalidSignature,
        ErrorKind::ExpiredSignature => AuthError::Expired,
        ErrorKind::ImmatureSignature => AuthError::NotYetValid,
        ErrorKind::InvalidIssuer => AuthError::WrongIssuer,
        ErrorKind::InvalidAudience => AuthError::WrongAudience,
        ErrorKind::MissingRequiredClaim(claim) if claim == "aud" => AuthError::WrongAudience,
        ErrorKind::MissingRequiredClaim(claim) => {
            AuthError::InvalidClaims(format!("the {claim} claim is missing"))
        }
        ErrorKind::InvalidSubject => AuthError::InvalidClaims("invalid sub".into()),
        ErrorKind::Json(_) => {
            AuthError::InvalidClaims("the claims do not have the expected types".into())
        }
        ErrorKind::Base64(_) | ErrorKind::Utf8(_) => {
            AuthError::Malformed("the payload or signature is not base64url")
        }
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
            AuthError::UnsupportedAlgorithm("mismatched".into())
        }
        // Remaining kinds concern keys rather than the token; a bad published key must not
        // let a token through, so it counts as a bad signature.
        _ => AuthError::InvalidSignature,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(json: &str) -> String {
        URL_SAFE_NO_PAD.encode(json)
    }

    #[test]
    fn a_token_without_three_parts_is_malformed() {
        for token in ["", "abc", "a.b", "a.b.c.d", "...."] {
            assert!(
                matches!(parse_header(token), Err(AuthError::Malformed(_))),
                "{token:?}"
            );
        }
    }

    #[test]
    fn a_header_that_is_not_json_is_malformed() {
        let token = format!("{}.e30.sig", encode("{alg"));
        assert!(matches!(parse_header(&token), Err(AuthError::Malformed(_))));
        assert!(matches!(
            parse_header("%%%.e30.sig"),
            Err(AuthError::Malformed(_))
        ));
    }

    #[test]
    fn the_header_names_algorithm_and_key() {
        let token = format!(
            "{}.e30.sig",
            encode(r#"{"alg":"RS256","kid":"k1","typ":"JWT"}"#)
        );
        let header = parse_header(&token).unwrap();
        assert_eq!(
            (header.alg.as_str(), header.kid.as_deref()),
            ("RS256", Some("k1"))
        );
    }
}
