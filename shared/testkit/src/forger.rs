//! A token forger: signs whatever claims a test asks for, with keys only it holds, and serves
//! them the way Keycloak serves a realm's keys (discovery and JWKS). It is for tokens no real
//! server would issue (the hostile-token corpus, verifier unit tests that expire, re-sign or
//! rotate at will); every other test gets its tokens from real Keycloak ([`crate::Keycloak`]).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use carebook_auth::AuthConfig;
use jsonwebtoken::Algorithm;
use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm, PublicKeyUse};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use url::Url;
use uuid::Uuid;

use crate::{API_AUDIENCE, SigningKey};

mod routes;

/// The realm name in the forger's URLs.
const REALM: &str = "forged";
/// How long a forged access token lives, as Keycloak's default.
const LIFESPAN_SECONDS: u64 = 300;

/// The forger could not start.
#[derive(Debug, thiserror::Error)]
#[error("cannot listen on {addr}")]
pub struct ForgerError {
    addr: SocketAddr,
    #[source]
    source: std::io::Error,
}

/// A running token forger; dropping it stops its server.
pub struct TokenForger {
    shared: Arc<Shared>,
    realm_url: Url,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
}

/// State shared between the test's handle and the HTTP routes.
pub(crate) struct Shared {
    /// The realm URL as written in `iss`, without a trailing slash.
    pub(crate) issuer: String,
    keys: RwLock<KeyRing>,
    jwks_requests: AtomicUsize,
}

struct KeyRing {
    /// Published signing keys; the last one signs new tokens.
    signing: Vec<Arc<SigningKey>>,
    /// Keycloak also publishes an RSA-OAEP encryption key; verifiers must skip it.
    encryption: Jwk,
}

impl TokenForger {
    /// Serves a realm's discovery document and JWKS on a free loopback port.
    pub async fn start() -> Result<Self, ForgerError> {
        let addr = SocketAddr::from(([127, 0, 0, 1], 0));
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ForgerError { addr, source })?;
        let local = listener
            .local_addr()
            .map_err(|source| ForgerError { addr, source })?;
        let realm_url = Url::parse(&format!("http://{local}/realms/{REALM}"))
            .expect("a socket address and realm name form a URL");
        let shared = Arc::new(Shared::new(realm_url.as_str()));
        let (shutdown, stopped) = oneshot::channel::<()>();
        let app = routes::router(shared.clone());
        let server = tokio::spawn(async move {
            let stopped = async {
                // A dropped handle stops the server as surely as an explicit shutdown.
                let _ = stopped.await;
            };
            if let Err(error) = axum::serve(listener, app)
                .with_graceful_shutdown(stopped)
                .await
            {
                tracing::error!(%error, "token forger stopped");
            }
        });
        Ok(Self {
            shared,
            realm_url,
            shutdown: Some(shutdown),
            server: Some(server),
        })
    }

    /// The realm URL, which is also every forged token's `iss`.
    pub fn realm_url(&self) -> &Url {
        &self.realm_url
    }

    /// Verifier settings that trust this forger for the Carebook API audience.
    pub fn auth_config(&self) -> AuthConfig {
        AuthConfig::new(self.realm_url.clone(), API_AUDIENCE)
    }

    /// The claims of a Keycloak 26 access token of `carebook-cli` for `subject`, known as
    /// `username`, holding realm `roles`.
    pub fn claims_for(&self, subject: Uuid, username: &str, roles: &[&str]) -> Value {
        let now = now();
        let mut realm_roles: Vec<&str> = roles.to_vec();
        realm_roles.extend([
            "offline_access",
            "default-roles-forged",
            "uma_authorization",
        ]);
        json!({
            "exp": now + LIFESPAN_SECONDS,
            "iat": now,
            "jti": Uuid::new_v4(),
            "iss": self.shared.issuer,
            "aud": [API_AUDIENCE, "account"],
            "sub": subject,
            "typ": "Bearer",
            "azp": "carebook-cli",
            "sid": Uuid::new_v4(),
            "acr": "1",
            "realm_access": { "roles": realm_roles },
            "resource_access": {
                "account": { "roles": ["manage-account", "manage-account-links", "view-profile"] }
            },
            "scope": "profile email",
            "email_verified": true,
            "name": format!("Test {username}"),
            "preferred_username": username,
            "given_name": "Test",
            "family_name": username,
            "email": format!("{username}@carebook.test"),
        })
    }

    /// [`TokenForger::claims_for`] a person whose username and only Carebook role are `role`.
    pub fn access_claims(&self, role: &str) -> Value {
        let subject = Uuid::new_v5(&Uuid::NAMESPACE_OID, role.as_bytes());
        self.claims_for(subject, role, &[role])
    }

    /// [`TokenForger::access_claims`], signed with the active key.
    pub fn access_token(&self, role: &str) -> String {
        self.sign(&self.access_claims(role))
    }

    /// Signs `claims` with the active key.
    pub fn sign(&self, claims: &Value) -> String {
        self.shared.active_key().sign(claims)
    }

    /// Publishes a new key of `algorithm` and signs new tokens with it, keeping the old keys
    /// published, as a Keycloak key rotation does. Returns the new key's `kid`.
    pub fn rotate_key(&self, algorithm: Algorithm) -> String {
        let key = Arc::new(SigningKey::generate(algorithm));
        let kid = key.kid().to_owned();
        self.shared
            .keys
            .write()
            .expect("key ring lock")
            .signing
            .push(key);
        kid
    }

    /// The `kid` of the key new tokens are signed with.
    pub fn active_kid(&self) -> String {
        self.shared.active_key().kid().to_owned()
    }

    /// The public key new tokens are verified with, as PEM.
    pub fn active_public_pem(&self) -> String {
        self.shared.active_key().public_pem().to_owned()
    }

    /// How many times the JWKS endpoint has been read.
    pub fn jwks_requests(&self) -> usize {
        self.shared.jwks_requests.load(Ordering::SeqCst)
    }

    /// Stops the server and waits until its port is closed.
    pub async fn shutdown(mut self) {
        self.stop();
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }

    fn stop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

impl Drop for TokenForger {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Shared {
    fn new(realm_url: &str) -> Self {
        let mut encryption = SigningKey::generate(Algorithm::RS256).jwk();
        encryption.common.public_key_use = Some(PublicKeyUse::Encryption);
        encryption.common.key_algorithm = Some(KeyAlgorithm::RSA_OAEP);
        Self {
            issuer: realm_url.trim_end_matches('/').to_owned(),
            keys: RwLock::new(KeyRing {
                signing: vec![Arc::new(SigningKey::generate(Algorithm::RS256))],
                encryption,
            }),
            jwks_requests: AtomicUsize::new(0),
        }
    }

    fn active_key(&self) -> Arc<SigningKey> {
        let keys = self.keys.read().expect("key ring lock");
        keys.signing
            .last()
            .cloned()
            .expect("the forger always has a signing key")
    }

    pub(crate) fn jwks(&self) -> JwkSet {
        self.jwks_requests.fetch_add(1, Ordering::SeqCst);
        let keys = self.keys.read().expect("key ring lock");
        let mut published: Vec<Jwk> = keys.signing.iter().map(|key| key.jwk()).collect();
        published.push(keys.encryption.clone());
        JwkSet { keys: published }
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}
