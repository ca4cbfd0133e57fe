//! The local stack's real Keycloak (`make stack-up`), as tests use it: people of a test's own
//! made through the Admin REST API, their tokens from the token endpoint, realms of a test's
//! own copied from `localstack/keycloak/realm.json`.

use std::time::{Duration, Instant};

use base64::Engine;
use carebook_auth::AuthConfig;
use futures::{StreamExt, TryStreamExt};
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::Mutex;
use url::Url;
use uuid::Uuid;

use crate::API_AUDIENCE;

/// The realm every Carebook service trusts locally.
const DEFAULT_ISSUER: &str = "http://127.0.0.1:8080/realms/carebook";
/// The public client scripts and tests sign in through (password grant).
pub const CLI_CLIENT: &str = "carebook-cli";
/// The web app's public client (authorization code flow with PKCE).
pub const WEB_CLIENT: &str = "carebook-web";
/// How many people a test's Keycloak calls make at once.
const PARALLEL_SIGN_UPS: usize = 4;

/// A Keycloak call that failed.
#[derive(Debug, thiserror::Error)]
pub enum KeycloakError {
    #[error("Keycloak could not be reached for {operation} (is `make stack-up` running?)")]
    Http {
        operation: &'static str,
        #[source]
        source: reqwest::Error,
    },
    #[error("Keycloak answered {status} to {operation}: {body}")]
    Status {
        operation: &'static str,
        status: StatusCode,
        body: String,
    },
}

/// One realm of the local Keycloak, and an administrator's access to it.
pub struct Keycloak {
    http: reqwest::Client,
    /// `http://host:port`, before `/realms/...`.
    base: String,
    realm: String,
    admin_token: Mutex<Option<(String, Instant)>>,
}

/// A person of a test's own: a Keycloak user signed in through `carebook-cli`.
#[derive(Clone, Debug)]
pub struct KeycloakUser {
    pub id: Uuid,
    pub username: String,
    pub email: String,
    /// Their access token, from the password grant.
    pub token: String,
}

/// A realm as the Admin API shows a user in it: what onboarding tests check.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserRecord {
    pub id: Uuid,
    pub username: String,
    #[serde(default)]
    pub required_actions: Vec<String>,
}

impl Keycloak {
    /// The realm the local stack imported (`KEYCLOAK_ISSUER`, default realm `carebook` on
    /// 127.0.0.1:8080). No network call.
    ///
    /// # Panics
    /// When `KEYCLOAK_ISSUER` is not a realm URL.
    pub fn local() -> Self {
        let issuer = std::env::var("KEYCLOAK_ISSUER").unwrap_or_else(|_| DEFAULT_ISSUER.into());
        let (base, realm) = issuer
            .trim_end_matches('/')
            .rsplit_once("/realms/")
            .expect("KEYCLOAK_ISSUER is <base>/realms/<realm>");
        Self::realm(base, realm)
    }

    fn realm(base: &str, realm: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("an HTTP client"),
            base: base.to_owned(),
            realm: realm.to_owned(),
            admin_token: Mutex::new(None),
        }
    }

    /// The realm's URL, its tokens' `iss`.
    pub fn realm_url(&self) -> Url {
        Url::parse(&format!("{}/realms/{}", self.base, self.realm)).expect("a realm URL")
    }

    /// The realm's name.
    pub fn realm_name(&self) -> &str {
        &self.realm
    }

    /// Verifier settings for this realm's tokens and the Carebook API audience.
    pub fn auth_config(&self) -> AuthConfig {
        AuthConfig::new(self.realm_url(), API_AUDIENCE)
    }

    /// The token endpoint's URL.
    pub fn token_url(&self) -> String {
        format!("{}/protocol/openid-connect/token", self.realm_url())
    }

    /// The Admin API's URL of this realm.
    pub fn admin_url(&self) -> String {
        format!("{}/admin/realms/{}", self.base, self.realm)
    }

    /// The token endpoint's whole answer to `form`.
    ///
    /// # Errors
    /// When Keycloak refuses (status and body) or cannot be reached.
    pub async fn grant(&self, form: &[(&str, &str)]) -> Result<Value, KeycloakError> {
        let request = self.http.post(self.token_url()).form(form);
        json_of("a token request", request).await
    }

    /// The password grant's answer to client `client_id` for `username`, with `scope` if any
    /// (`openid` brings an ID token).
    ///
    /// # Errors
    /// When Keycloak refuses (status and body) or cannot be reached.
    pub async fn password_grant(
        &self,
        client_id: &str,
        username: &str,
        password: &str,
        scope: Option<&str>,
    ) -> Result<Value, KeycloakError> {
        let mut form = vec![
            ("grant_type", "password"),
            ("client_id", client_id),
            ("username", username),
            ("password", password),
        ];
        form.extend(scope.map(|scope| ("scope", scope)));
        self.grant(&form).await
    }

    /// An access token of `carebook-cli` for `username` (password grant).
    ///
    /// # Panics
    /// When Keycloak refuses.
    pub async fn access_token(&self, username: &str, password: &str) -> String {
        let answer = self
            .password_grant(CLI_CLIENT, username, password, None)
            .await
            .unwrap_or_else(|error| panic!("{username} cannot sign in: {error}"));
        answer["access_token"]
            .as_str()
            .expect("an access token")
            .to_owned()
    }

    /// One of the realm file's people (`admin`, `doctor`, `patient`; password = username).
    ///
    /// # Panics
    /// When the realm has no such user.
    pub async fn seeded(&self, username: &str) -> KeycloakUser {
        let token = self.access_token(username, username).await;
        let claims = crate::claims_of(&token);
        KeycloakUser {
            id: claims["sub"]
                .as_str()
                .and_then(|sub| sub.parse().ok())
                .expect("a user id in sub"),
            username: username.to_owned(),
            email: claims["email"].as_str().unwrap_or_default().to_owned(),
            token,
        }
    }

    /// A new user of this test alone holding realm `roles`, signed in: made as an
    /// administrator would, through the Admin API. Their password is their username.
    ///
    /// # Panics
    /// When Keycloak refuses.
    pub async fn new_user(&self, roles: &[&str]) -> KeycloakUser {
        self.new_users(roles, 1).await.remove(0)
    }

    /// Marks `user`'s address verified or not, as Keycloak does when they follow its link,
    /// and signs them in again: the new token's `email_verified` says so.
    ///
    /// # Panics
    /// When Keycloak refuses.
    pub async fn set_email_verified(&self, user: &KeycloakUser, verified: bool) -> String {
        let changed = async {
            let request = self
                .http
                .put(format!("{}/users/{}", self.admin_url(), user.id))
                .bearer_auth(self.admin_token().await?)
                .json(&json!({ "emailVerified": verified }));
            checked("verifying an email", request).await
        };
        changed
            .await
            .unwrap_or_else(|error| panic!("cannot change emailVerified: {error}"));
        self.access_token(&user.username, &user.username).await
    }

    /// `count` new users holding `roles`, made a few at a time.
    ///
    /// # Panics
    /// When Keycloak refuses.
    pub async fn new_users(&self, roles: &[&str], count: usize) -> Vec<KeycloakUser> {
        let made = async {
            let token = self.admin_token().await?;
            // The realm's default role makes every new user a patient; these hold `roles` alone.
            let granted = self.role_representations(&token, roles).await?;
            let default = self
                .role_representations(&token, &[&format!("default-roles-{}", self.realm)])
                .await?;
            let kind = roles.first().unwrap_or(&"nobody");
            futures::stream::iter(0..count)
                .map(|_| self.try_new_user(&token, kind, &granted, &default))
                .buffered(PARALLEL_SIGN_UPS)
                .try_collect()
                .await
        };
        made.await
            .unwrap_or_else(|error| panic!("cannot make a test user: {error}"))
    }

    async fn try_new_user(
        &self,
        token: &str,
        kind: &str,
        granted: &Value,
        default: &Value,
    ) -> Result<KeycloakUser, KeycloakError> {
        let username = format!("test-{kind}-{}", Uuid::new_v4().simple());
        let email = format!("{username}@carebook.test");
        let created = self
            .http
            .post(format!("{}/users", self.admin_url()))
            .bearer_auth(token)
            .json(&json!({
                "username": username, "email": email, "emailVerified": true, "enabled": true,
                "firstName": "Test", "lastName": username,
                "credentials": [{ "type": "password", "value": username, "temporary": false }],
            }));
        let response = checked("creating a user", created).await?;
        let id = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|location| location.to_str().ok())
            .and_then(|location| location.rsplit('/').next())
            .and_then(|id| id.parse().ok())
            .expect("Keycloak says where the new user is");
        for (method, roles) in [
            (reqwest::Method::POST, granted),
            (reqwest::Method::DELETE, default),
        ] {
            let request = self
                .http
                .request(
                    method,
                    format!("{}/users/{id}/role-mappings/realm", self.admin_url()),
                )
                .bearer_auth(token)
                .json(roles);
            checked("mapping roles", request).await?;
        }
        let signed_in = self
            .password_grant(CLI_CLIENT, &username, &username, None)
            .await?;
        Ok(KeycloakUser {
            id,
            token: signed_in["access_token"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            username,
            email,
        })
    }

    /// The realm roles `names` as the role-mapping endpoints take them (a JSON array).
    async fn role_representations(
        &self,
        token: &str,
        names: &[&str],
    ) -> Result<Value, KeycloakError> {
        let mut representations = Vec::new();
        for name in names {
            let request = self
                .http
                .get(format!("{}/roles/{name}", self.admin_url()))
                .bearer_auth(token);
            representations.push(json_of("reading a role", request).await?);
        }
        Ok(Value::Array(representations))
    }

    /// Signs a new person up on Keycloak's own registration page, as a browser following the
    /// web app's "Register" link does (client `carebook-web`, authorization code flow with
    /// PKCE S256), then redeems the code with the verifier. Returns the token endpoint's
    /// answer; the person's password is their username.
    ///
    /// # Panics
    /// When a page is not as Keycloak serves it or Keycloak refuses.
    pub async fn sign_up(&self, username: &str) -> Value {
        const REDIRECT: &str = "http://127.0.0.1:5173/";
        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        let verifier = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes()),
        );
        let page = browser
            .get(format!(
                "{}/protocol/openid-connect/registrations",
                self.realm_url()
            ))
            .query(&[
                ("client_id", WEB_CLIENT),
                ("response_type", "code"),
                ("scope", "openid"),
                ("redirect_uri", REDIRECT),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ])
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .expect("the registration page")
            .text()
            .await
            .expect("the registration page's HTML");
        let action = page
            .split("action=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the registration form")
            .replace("&amp;", "&");
        let email = format!("{username}@carebook.test");
        let submitted = browser
            .post(action)
            .form(&[
                ("username", username),
                ("email", &email),
                ("firstName", "Self"),
                ("lastName", "Registered"),
                ("password", username),
                ("password-confirm", username),
            ])
            .send()
            .await
            .expect("the registration form is submitted");
        let location = submitted
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|location| location.to_str().ok())
            .and_then(|location| Url::parse(location).ok())
            .unwrap_or_else(|| panic!("registration refused ({})", submitted.status()));
        let code = location
            .query_pairs()
            .find(|(name, _)| name == "code")
            .map(|(_, code)| code.into_owned())
            .expect("an authorization code in the redirect");
        self.grant(&[
            ("grant_type", "authorization_code"),
            ("client_id", WEB_CLIENT),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
        ])
        .await
        .unwrap_or_else(|error| panic!("the code is not redeemed: {error}"))
    }

    /// The user whose username is `username` (emails are usernames when onboarded), if any.
    ///
    /// # Panics
    /// When Keycloak cannot be asked.
    pub async fn user(&self, username: &str) -> Option<UserRecord> {
        let token = self.admin_token().await.expect("an administrator's token");
        let request = self
            .http
            .get(format!("{}/users", self.admin_url()))
            .query(&[("username", username), ("exact", "true")])
            .bearer_auth(token);
        let found: Value = json_of("a user search", request)
            .await
            .expect("a user search");
        found
            .as_array()
            .and_then(|users| users.first())
            .map(|user| serde_json::from_value(user.clone()).expect("a user representation"))
    }

    /// The realm roles mapped to user `id` directly (not through composites).
    ///
    /// # Panics
    /// When Keycloak cannot be asked.
    pub async fn realm_roles_of(&self, id: Uuid) -> Vec<String> {
        let token = self.admin_token().await.expect("an administrator's token");
        let request = self
            .http
            .get(format!(
                "{}/users/{id}/role-mappings/realm",
                self.admin_url()
            ))
            .bearer_auth(token);
        let roles: Value = json_of("reading role mappings", request)
            .await
            .expect("role mappings");
        let mut names: Vec<String> = roles
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|role| role["name"].as_str().map(str::to_owned))
            .collect();
        names.sort();
        names
    }

    /// A new realm of this test alone, imported from the project's realm file under a unique
    /// name: for tests that change a realm (its keys, say) under the tests beside them.
    /// Delete it with [`Keycloak::delete_realm`].
    ///
    /// # Panics
    /// When Keycloak refuses the realm.
    pub async fn new_realm(&self) -> Keycloak {
        let mut realm: Value = serde_json::from_str(crate::REALM_FILE).expect("realm.json is JSON");
        let name = format!("carebook-test-{}", Uuid::new_v4().simple());
        realm["realm"] = json!(name);
        // Not Keycloak's: localstack/keycloak/import_realm.py applies them after an import.
        if let Some(realm) = realm.as_object_mut() {
            realm.remove("carebookAdminPermissions");
        }
        // Ids are unique across realms in Keycloak's database: the copy's users get new ones.
        for user in realm["users"].as_array_mut().into_iter().flatten() {
            if let Some(user) = user.as_object_mut() {
                user.remove("id");
            }
        }
        let role_name = realm["defaultRole"]["name"].clone();
        for role in realm["roles"]["realm"].as_array_mut().into_iter().flatten() {
            if role["name"] == role_name {
                role["name"] = json!(format!("default-roles-{name}"));
            }
        }
        realm["defaultRole"]["name"] = json!(format!("default-roles-{name}"));
        let token = self.admin_token().await.expect("an administrator's token");
        let request = self
            .http
            .post(format!("{}/admin/realms", self.base))
            .bearer_auth(token)
            .json(&realm);
        checked("importing a realm", request)
            .await
            .unwrap_or_else(|error| panic!("{error}"));
        Self::realm(&self.base, &name)
    }

    /// Deletes this realm, with its users and keys.
    ///
    /// # Panics
    /// When Keycloak refuses.
    pub async fn delete_realm(self) {
        let token = self.admin_token().await.expect("an administrator's token");
        let request = self.http.delete(self.admin_url()).bearer_auth(token);
        checked("deleting a realm", request)
            .await
            .unwrap_or_else(|error| panic!("{error}"));
    }

    /// A token of the master realm's administrator (`KEYCLOAK_ADMIN_USER`,
    /// `KEYCLOAK_ADMIN_PASSWORD`, default admin/admin), reused until shortly before it expires.
    ///
    /// # Errors
    /// When the administrator cannot sign in.
    pub async fn admin_token(&self) -> Result<String, KeycloakError> {
        let mut cached = self.admin_token.lock().await;
        if let Some((token, renew_at)) = cached.as_ref()
            && Instant::now() < *renew_at
        {
            return Ok(token.clone());
        }
        let user = std::env::var("KEYCLOAK_ADMIN_USER").unwrap_or_else(|_| "admin".into());
        let password = std::env::var("KEYCLOAK_ADMIN_PASSWORD").unwrap_or_else(|_| "admin".into());
        let request = self
            .http
            .post(format!(
                "{}/realms/master/protocol/openid-connect/token",
                self.base
            ))
            .form(&[
                ("grant_type", "password"),
                ("client_id", "admin-cli"),
                ("username", &user),
                ("password", &password),
            ]);
        let answer = json_of("the administrator's token", request).await?;
        let token = answer["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let lifetime = answer["expires_in"]
            .as_u64()
            .unwrap_or(60)
            .saturating_sub(10);
        *cached = Some((
            token.clone(),
            Instant::now() + Duration::from_secs(lifetime),
        ));
        Ok(token)
    }
}

async fn checked(
    operation: &'static str,
    request: reqwest::RequestBuilder,
) -> Result<reqwest::Response, KeycloakError> {
    let response = request
        .send()
        .await
        .map_err(|source| KeycloakError::Http { operation, source })?;
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    Err(KeycloakError::Status {
        operation,
        status,
        body: response.text().await.unwrap_or_default(),
    })
}

async fn json_of(
    operation: &'static str,
    request: reqwest::RequestBuilder,
) -> Result<Value, KeycloakError> {
    checked(operation, request)
        .await?
        .json()
        .await
        .map_err(|source| KeycloakError::Http { operation, source })
}
