//! The issuer's signing keys: fetched lazily, cached, and refreshed under a rate limit.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tokio::sync::{Mutex, RwLock};
use url::Url;

use crate::{AuthConfig, AuthError, KeyFetchError};

/// One published signing key and the only algorithm it may verify.
pub(crate) struct SigningKey {
    pub(crate) algorithm: Algorithm,
    pub(crate) key: DecodingKey,
}

#[derive(Default)]
struct KeySet {
    keys: HashMap<String, Arc<SigningKey>>,
    fetched_at: Option<Instant>,
}

impl KeySet {
    fn fresh(&self, kid: &str, max_age: Duration) -> Option<Arc<SigningKey>> {
        let fresh = self.fetched_at.is_some_and(|at| at.elapsed() < max_age);
        fresh.then(|| self.keys.get(kid).cloned()).flatten()
    }
}

/// What only the task holding the fetch lock may read or change.
#[derive(Default)]
struct FetchState {
    jwks_url: Option<Url>,
    last_attempt: Option<Instant>,
    last_error: Option<Arc<KeyFetchError>>,
}

pub(crate) struct KeyStore {
    http: reqwest::Client,
    issuer: Url,
    expected_issuer: String,
    refetch_interval: Duration,
    max_age: Duration,
    keys: RwLock<KeySet>,
    // Serialises fetches, so concurrent requests naming a new key cause one fetch, not many.
    fetch: Mutex<FetchState>,
}

#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    jwks_uri: Url,
}

#[derive(Deserialize)]
struct JwkSetDocument {
    keys: Vec<serde_json::Value>,
}

impl KeyStore {
    pub(crate) fn new(config: &AuthConfig, http: reqwest::Client) -> Self {
        Self {
            http,
            issuer: config.issuer.clone(),
            expected_issuer: config.issuer_claim().to_owned(),
            refetch_interval: config.refetch_interval,
            max_age: config.max_key_age,
            keys: RwLock::default(),
            fetch: Mutex::new(FetchState {
                jwks_url: config.jwks_url.clone(),
                ..Default::default()
            }),
        }
    }

    /// The key named `kid`, fetching the key set first when the key is unknown or the set is
    /// older than the maximum age, and no fetch happened within the refetch interval.
    pub(crate) async fn key(&self, kid: &str) -> Result<Arc<SigningKey>, AuthError> {
        if let Some(key) = self.keys.read().await.fresh(kid, self.max_age) {
            return Ok(key);
        }
        let mut fetch = self.fetch.lock().await;
        // Another task may have fetched while this one waited for the lock.
        if let Some(key) = self.keys.read().await.fresh(kid, self.max_age) {
            return Ok(key);
        }
        let due = fetch
            .last_attempt
            .is_none_or(|at| at.elapsed() >= self.refetch_interval);
        if due {
            fetch.last_attempt = Some(Instant::now());
            match self.fetch_key_set(&mut fetch).await {
                Ok(keys) => {
                    *self.keys.write().await = keys;
                    fetch.last_error = None;
                }
                Err(error) => {
                    tracing::warn!(error = %error, "fetching the issuer's keys failed; cached keys stay in use");
                    fetch.last_error = Some(Arc::new(error));
                }
            }
        }
        let keys = self.keys.read().await;
        match keys.keys.get(kid) {
            Some(key) => Ok(key.clone()),
            None if keys.keys.is_empty() => Err(AuthError::KeysUnavailable(
                fetch
                    .last_error
                    .clone()
                    .unwrap_or_else(|| Arc::new(KeyFetchError::NoUsableKeys)),
            )),
            None => Err(AuthError::UnknownKey),
        }
    }

    async fn fetch_key_set(&self, fetch: &mut FetchState) -> Result<KeySet, KeyFetchError> {
        let jwks_url = match &fetch.jwks_url {
            Some(url) => url.clone(),
            None => {
                let url = self.discovery_url();
                let discovery: Discovery =
                    self.get_json(&url, "an OpenID discovery document").await?;
                if discovery.issuer != self.expected_issuer {
                    return Err(KeyFetchError::IssuerMismatch {
                        expected: self.expected_issuer.clone(),
                        found: discovery.issuer,
                    });
                }
                fetch.jwks_url = Some(discovery.jwks_uri.clone());
                discovery.jwks_uri
            }
        };
        let document: JwkSetDocument = self.get_json(&jwks_url, "a JWK set").await?;
        let keys: HashMap<_, _> = document.keys.into_iter().filter_map(signing_key).collect();
        if keys.is_empty() {
            return Err(KeyFetchError::NoUsableKeys);
        }
        tracing::info!(keys = keys.len(), "fetched the issuer's signing keys");
        Ok(KeySet {
            keys,
            fetched_at: Some(Instant::now()),
        })
    }

    fn discovery_url(&self) -> Url {
        let mut url = self.issuer.clone();
        let path = format!(
            "{}/.well-known/openid-configuration",
            url.path().trim_end_matches('/')
        );
        url.set_path(&path);
        url
    }

    async fn get_json<T: DeserializeOwned>(
        &self,
        url: &Url,
        expected: &'static str,
    ) -> Result<T, KeyFetchError> {
        let request_failed = |source| KeyFetchError::Request {
            url: url.to_string(),
            source,
        };
        let response = self
            .http
            .get(url.clone())
            .send()
            .await
            .map_err(request_failed)?;
        if !response.status().is_success() {
            return Err(KeyFetchError::Status {
                url: url.to_string(),
                status: response.status().as_u16(),
            });
        }
        let body = response.bytes().await.map_err(request_failed)?;
        serde_json::from_slice(&body).map_err(|source| KeyFetchError::Document {
            url: url.to_string(),
            expected,
            source,
        })
    }
}

/// A JWK usable for verifying Carebook tokens, keyed by its `kid`; `None` for anything else
/// (encryption keys, other algorithms, keys this crate cannot parse), which is skipped so one
/// odd key cannot hide the good ones.
fn signing_key(value: serde_json::Value) -> Option<(String, Arc<SigningKey>)> {
    let jwk: Jwk = serde_json::from_value(value).ok()?;
    if matches!(jwk.common.public_key_use, Some(ref u) if *u != PublicKeyUse::Signature) {
        return None;
    }
    let algorithm = match (&jwk.common.key_algorithm, &jwk.algorithm) {
        (Some(KeyAlgorithm::RS256), AlgorithmParameters::RSA(_)) => Algorithm::RS256,
        (Some(KeyAlgorithm::ES256), AlgorithmParameters::EllipticCurve(ec))
            if ec.curve == EllipticCurve::P256 =>
        {
            Algorithm::ES256
        }
        (None, AlgorithmParameters::RSA(_)) => Algorithm::RS256,
        (None, AlgorithmParameters::EllipticCurve(ec)) if ec.curve == EllipticCurve::P256 => {
            Algorithm::ES256
        }
        _ => return None,
    };
    let kid = jwk.common.key_id.clone()?;
    let key = DecodingKey::from_jwk(&jwk).ok()?;
    Some((kid, Arc::new(SigningKey { algorithm, key })))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const RSA_MODULUS: &str = "u1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0_IzW7yWR7QkrmBL7jTKEn5u-qKhbwKfBstIs-bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW_VDL5AaWTg0nLVkjRo9z-40RQzuVaE8AkAFmxZzow3x-VJYKdjykkJ0iT9wCS0DRTXu269V264Vf_3jvredZiKRkgwlL9xNAwxXFg0x_XFw005UWVRIkdgcKWTjpBP2dPwVZ4WWC-9aGVd-Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbcmw";

    fn rsa_jwk(extra: serde_json::Value) -> serde_json::Value {
        let mut jwk = json!({ "kty": "RSA", "kid": "k1", "n": RSA_MODULUS, "e": "AQAB" });
        jwk.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        jwk
    }

    #[test]
    fn an_rsa_signing_key_verifies_rs256_only() {
        let (kid, key) = signing_key(rsa_jwk(json!({ "alg": "RS256", "use": "sig" }))).unwrap();
        assert_eq!(kid, "k1");
        assert_eq!(key.algorithm, Algorithm::RS256);
    }

    #[test]
    fn keycloaks_encryption_key_is_skipped() {
        assert!(signing_key(rsa_jwk(json!({ "alg": "RSA-OAEP", "use": "enc" }))).is_none());
    }

    #[test]
    fn a_key_without_kid_is_skipped() {
        let mut jwk = rsa_jwk(json!({ "alg": "RS256" }));
        jwk.as_object_mut().unwrap().remove("kid");
        assert!(signing_key(jwk).is_none());
    }

    #[test]
    fn symmetric_and_unparseable_keys_are_skipped() {
        assert!(
            signing_key(json!({ "kty": "oct", "kid": "h", "k": "c2VjcmV0", "alg": "HS256" }))
                .is_none()
        );
        assert!(signing_key(json!({ "kty": "RSA", "kid": "x", "alg": "RS256" })).is_none());
        assert!(signing_key(json!("not a key")).is_none());
    }
}
