use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use carebook_auth::AuthConfig;
use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use url::Url;
use uuid::Uuid;

use crate::realm::{Client, Credential, Realm, User};
use crate::{API_AUDIENCE, SigningKey};

/// Roles Keycloak gives every user of a realm through `default-roles-<realm>`.
const DEFAULT_REALM_ROLES: [&str; 2] = ["offline_access", "uma_authorization"];
const DEFAULT_ACCOUNT_ROLES: [&str; 3] = ["manage-account", "manage-account-links", "view-profile"];

/// The issuer could not start.
#[derive(Debug, thiserror::Error)]
pub enum IssuerError {
    #[error("cannot listen on {addr}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

/// A running Keycloak-compatible issuer; dropping it stops the server.
pub struct TestIssuer {
    shared: Arc<Shared>,
    realm_url: Url,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
}

/// State shared between the test's handle and the HTTP routes.
pub(crate) struct Shared {
    pub(crate) realm: Realm,
    /// The realm's users, which the Admin API adds to and changes.
    pub(crate) users: RwLock<Vec<User>>,
    /// Realm role name to role id, as the Admin API shows roles.
    pub(crate) role_ids: BTreeMap<String, Uuid>,
    /// The realm URL as written in `iss`, without a trailing slash.
    pub(crate) issuer: String,
    keys: RwLock<KeyRing>,
    refresh_encoding: EncodingKey,
    refresh_decoding: DecodingKey,
    jwks_requests: AtomicUsize,
}

struct KeyRing {
    /// Published signing keys; the last one signs new tokens.
    signing: Vec<Arc<SigningKey>>,
    /// Keycloak also publishes an RSA-OAEP encryption key; verifiers must skip it.
    encryption: Jwk,
}

/// Why the token endpoint refused a request, in Keycloak's words.
pub(crate) struct OAuthError {
    pub(crate) status: u16,
    pub(crate) error: &'static str,
    pub(crate) description: &'static str,
}

impl TestIssuer {
    /// Serves the project's realm on a free loopback port.
    pub async fn start() -> Result<Self, IssuerError> {
        Self::serve(Realm::carebook(), SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Serves `realm` on `addr`.
    pub async fn serve(realm: Realm, addr: SocketAddr) -> Result<Self, IssuerError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| IssuerError::Bind { addr, source })?;
        let local = listener
            .local_addr()
            .map_err(|source| IssuerError::Bind { addr, source })?;
        let realm_url = Url::parse(&format!("http://{local}/realms/{}", realm.realm))
            .expect("a socket address and realm name form a URL");
        let shared = Arc::new(Shared::new(realm, realm_url.as_str()));
        let (shutdown, stopped) = oneshot::channel::<()>();
        let app = crate::routes::router(shared.clone());
        let server = tokio::spawn(async move {
            let stopped = async {
                // A dropped handle stops the server as surely as an explicit shutdown.
                let _ = stopped.await;
            };
            if let Err(error) = axum::serve(listener, app)
                .with_graceful_shutdown(stopped)
                .await
            {
                tracing::error!(%error, "test issuer stopped");
            }
        });
        Ok(Self {
            shared,
            realm_url,
            shutdown: Some(shutdown),
            server: Some(server),
        })
    }

    /// The realm URL, which is also every token's `iss`.
    pub fn realm_url(&self) -> &Url {
        &self.realm_url
    }

    /// Verifier settings for tokens of this issuer and the Carebook API audience.
    pub fn auth_config(&self) -> AuthConfig {
        AuthConfig::new(self.realm_url.clone(), API_AUDIENCE)
    }

    /// An access token for `username` as the password grant of `carebook-cli` returns it.
    ///
    /// # Panics
    /// When the realm has no such user.
    pub fn access_token(&self, username: &str) -> String {
        self.sign(&self.access_claims(username))
    }

    /// The claims of [`TestIssuer::access_token`], for tests that alter them before signing.
    ///
    /// # Panics
    /// When the realm has no such user.
    pub fn access_claims(&self, username: &str) -> Value {
        let user = self
            .shared
            .user_named(username)
            .unwrap_or_else(|| panic!("no user {username:?} in realm"));
        let client = self
            .shared
            .realm
            .client("carebook-cli")
            .expect("the realm has the carebook-cli client");
        self.shared.access_claims(&user, client, Uuid::new_v4())
    }

    /// Adds a user who signs in with their username as password and holds realm `roles`,
    /// as an admin would in Keycloak's console; returns their id.
    pub fn add_user(&self, username: &str, roles: &[&str]) -> Uuid {
        let id = Uuid::new_v4();
        self.shared
            .users
            .write()
            .expect("user list lock")
            .push(User {
                id,
                username: username.to_owned(),
                enabled: true,
                email: Some(format!("{username}@carebook.test")),
                email_verified: true,
                first_name: Some("Test".to_owned()),
                last_name: Some(username.to_owned()),
                credentials: vec![Credential {
                    kind: "password".to_owned(),
                    value: username.to_owned(),
                    temporary: false,
                }],
                realm_roles: roles.iter().map(|role| (*role).to_owned()).collect(),
                client_roles: BTreeMap::new(),
                required_actions: Vec::new(),
                service_account_client_id: None,
            });
        id
    }

    /// The user as the realm holds them now (Admin API changes included).
    pub fn user(&self, username: &str) -> Option<User> {
        self.shared.user_named(username)
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

    /// Stops publishing the key `kid`, as when an administrator deletes it from the realm.
    pub fn remove_key(&self, kid: &str) {
        self.shared
            .keys
            .write()
            .expect("key ring lock")
            .signing
            .retain(|key| key.kid() != kid);
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

impl Drop for TestIssuer {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Shared {
    fn new(realm: Realm, realm_url: &str) -> Self {
        let mut refresh_secret = [0u8; 64];
        aws_lc_rs::rand::fill(&mut refresh_secret).expect("system randomness");
        let mut encryption = SigningKey::generate(Algorithm::RS256).jwk();
        encryption.common.public_key_use = Some(PublicKeyUse::Encryption);
        encryption.common.key_algorithm = Some(KeyAlgorithm::RSA_OAEP);
        let role_ids = realm
            .roles
            .realm
            .iter()
            .map(|role| (role.name.clone(), Uuid::new_v4()))
            .collect();
        Self {
            users: RwLock::new(realm.users.clone()),
            role_ids,
            realm,
            issuer: realm_url.trim_end_matches('/').to_owned(),
            keys: RwLock::new(KeyRing {
                signing: vec![Arc::new(SigningKey::generate(Algorithm::RS256))],
                encryption,
            }),
            refresh_encoding: EncodingKey::from_secret(&refresh_secret),
            refresh_decoding: DecodingKey::from_secret(&refresh_secret),
            jwks_requests: AtomicUsize::new(0),
        }
    }

    /// The user signing in as `username`, as they are now.
    pub(crate) fn user_named(&self, username: &str) -> Option<User> {
        self.find_user(|user| user.username == username)
    }

    /// The user behind `client_id`'s service account.
    pub(crate) fn service_account(&self, client_id: &str) -> Option<User> {
        self.find_user(|user| user.service_account_client_id.as_deref() == Some(client_id))
    }

    pub(crate) fn find_user(&self, matches: impl Fn(&User) -> bool) -> Option<User> {
        self.users
            .read()
            .expect("user list lock")
            .iter()
            .find(|user| matches(user))
            .cloned()
    }

    /// The server's base URL, before `/realms/...`.
    pub(crate) fn base_url(&self) -> &str {
        self.issuer
            .rsplit_once("/realms/")
            .map_or(self.issuer.as_str(), |(base, _)| base)
    }

    /// The claims of `token` when this issuer signed it and it has not expired.
    pub(crate) fn verify_own(&self, token: &str) -> Option<Value> {
        let kid = jsonwebtoken::decode_header(token).ok()?.kid?;
        let key = self
            .keys
            .read()
            .expect("key ring lock")
            .signing
            .iter()
            .find(|key| key.kid() == kid)
            .cloned()?;
        let decoding = match key.algorithm() {
            Algorithm::ES256 => DecodingKey::from_ec_pem(key.public_pem().as_bytes()),
            _ => DecodingKey::from_rsa_pem(key.public_pem().as_bytes()),
        }
        .ok()?;
        let mut validation = Validation::new(key.algorithm());
        validation.set_issuer(&[&self.issuer]);
        validation.validate_aud = false;
        jsonwebtoken::decode::<Value>(token, &decoding, &validation)
            .ok()
            .map(|data| data.claims)
    }

    fn active_key(&self) -> Arc<SigningKey> {
        let keys = self.keys.read().expect("key ring lock");
        keys.signing
            .last()
            .cloned()
            .expect("the issuer always has a signing key")
    }

    pub(crate) fn jwks(&self) -> JwkSet {
        self.jwks_requests.fetch_add(1, Ordering::SeqCst);
        let keys = self.keys.read().expect("key ring lock");
        let mut published: Vec<Jwk> = keys.signing.iter().map(|key| key.jwk()).collect();
        published.push(keys.encryption.clone());
        JwkSet { keys: published }
    }

    /// Claims shaped like a Keycloak 26 access token for `user`, issued to `client`.
    pub(crate) fn access_claims(&self, user: &User, client: &Client, session: Uuid) -> Value {
        let now = now();
        let mut realm_roles: Vec<String> = user.realm_roles.clone();
        realm_roles.push(format!("default-roles-{}", self.realm.realm));
        realm_roles.extend(DEFAULT_REALM_ROLES.map(String::from));
        let mut resource_access: BTreeMap<&str, Value> = user
            .client_roles
            .iter()
            .map(|(client, roles)| (client.as_str(), json!({ "roles": roles })))
            .collect();
        resource_access.insert("account", json!({ "roles": DEFAULT_ACCOUNT_ROLES }));
        // Keycloak's audience resolution: mapped audiences plus every client the user holds
        // roles of, never the requesting client itself.
        let mut audiences: Vec<&str> = client.mapped_audiences().collect();
        audiences.extend(resource_access.keys().copied());
        audiences.retain(|aud| *aud != client.client_id);
        audiences.sort_unstable();
        audiences.dedup();
        let mut claims = json!({
            "exp": now + self.realm.access_token_lifespan,
            "iat": now,
            "jti": Uuid::new_v4(),
            "iss": self.issuer,
            "aud": if audiences.len() == 1 { json!(audiences[0]) } else { json!(audiences) },
            "sub": user.id,
            "typ": "Bearer",
            "azp": client.client_id,
            "sid": session,
            "acr": "1",
            "realm_access": { "roles": realm_roles },
            "resource_access": resource_access,
            "scope": "openid profile email",
            "email_verified": user.email_verified,
            "preferred_username": user.username,
        });
        let optional = [
            ("name", user.full_name()),
            ("given_name", user.first_name.clone()),
            ("family_name", user.last_name.clone()),
            ("email", user.email.clone()),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                claims[name] = json!(value);
            }
        }
        claims
    }

    /// The token endpoint's answer for `user` and `client`; service-account tokens come
    /// without a refresh token, as in Keycloak.
    pub(crate) fn token_response(&self, user: &User, client: &Client, refreshable: bool) -> Value {
        let session = Uuid::new_v4();
        let access_token = self
            .active_key()
            .sign(&self.access_claims(user, client, session));
        let mut response = json!({
            "access_token": access_token,
            "expires_in": self.realm.access_token_lifespan,
            "token_type": "Bearer",
            "not-before-policy": 0,
            "scope": "profile email",
        });
        if refreshable {
            let now = now();
            let refresh = json!({
                "exp": now + self.realm.sso_session_idle_timeout,
                "iat": now,
                "jti": Uuid::new_v4(),
                "iss": self.issuer,
                "aud": self.issuer,
                "sub": user.id,
                "typ": "Refresh",
                "azp": client.client_id,
                "sid": session,
            });
            // Keycloak signs refresh tokens with the realm's HMAC key: only it can read them.
            let token = jsonwebtoken::encode(
                &Header::new(Algorithm::HS512),
                &refresh,
                &self.refresh_encoding,
            )
            .expect("HS512 signing with a generated secret");
            response["refresh_token"] = json!(token);
            response["refresh_expires_in"] = json!(self.realm.sso_session_idle_timeout);
            response["session_state"] = json!(session);
        } else {
            response["refresh_expires_in"] = json!(0);
        }
        response
    }

    /// The user and client a refresh token was issued to, when it is valid and both still are.
    pub(crate) fn redeem_refresh_token(
        &self,
        token: &str,
        client: &Client,
    ) -> Result<User, OAuthError> {
        let invalid = || OAuthError::invalid_grant("Invalid refresh token");
        let mut validation = Validation::new(Algorithm::HS512);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.issuer]);
        let claims = jsonwebtoken::decode::<Value>(token, &self.refresh_decoding, &validation)
            .map_err(|_| invalid())?
            .claims;
        if claims["typ"] != "Refresh" || claims["azp"] != client.client_id.as_str() {
            return Err(invalid());
        }
        let sub = claims["sub"]
            .as_str()
            .and_then(|sub| Uuid::parse_str(sub).ok());
        self.find_user(|user| Some(user.id) == sub && user.enabled)
            .ok_or_else(invalid)
    }
}

impl OAuthError {
    pub(crate) fn invalid_grant(description: &'static str) -> Self {
        Self {
            status: 400,
            error: "invalid_grant",
            description,
        }
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}
