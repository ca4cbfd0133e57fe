//! The part of a Keycloak realm export (`localstack/keycloak/realm.json`) the test issuer
//! serves: users with credentials and roles, clients with their grants and audience mappers.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use uuid::Uuid;

/// The realm export the project checks in; real Keycloak imports the same file.
const REALM_EXPORT: &str = include_str!("../../../localstack/keycloak/realm.json");

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Realm {
    pub realm: String,
    /// Seconds an access token lives (Keycloak's default is 300).
    #[serde(default = "default_access_token_lifespan")]
    pub access_token_lifespan: u64,
    /// Seconds a refresh token lives (Keycloak: the SSO session idle timeout).
    #[serde(default = "default_session_idle_timeout")]
    pub sso_session_idle_timeout: u64,
    #[serde(default)]
    pub roles: Roles,
    #[serde(default)]
    pub clients: Vec<Client>,
    #[serde(default)]
    pub users: Vec<User>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Roles {
    #[serde(default)]
    pub realm: Vec<RoleDefinition>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct RoleDefinition {
    pub name: String,
    pub description: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Client {
    pub client_id: String,
    #[serde(default = "enabled")]
    pub enabled: bool,
    #[serde(default)]
    pub public_client: bool,
    pub secret: Option<String>,
    #[serde(default)]
    pub direct_access_grants_enabled: bool,
    #[serde(default)]
    pub service_accounts_enabled: bool,
    #[serde(default)]
    pub protocol_mappers: Vec<ProtocolMapper>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProtocolMapper {
    pub protocol_mapper: String,
    #[serde(default)]
    pub config: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: Uuid,
    pub username: String,
    #[serde(default = "enabled")]
    pub enabled: bool,
    pub email: Option<String>,
    #[serde(default)]
    pub email_verified: bool,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    #[serde(default)]
    pub credentials: Vec<Credential>,
    #[serde(default)]
    pub realm_roles: Vec<String>,
    #[serde(default)]
    pub client_roles: BTreeMap<String, Vec<String>>,
    /// What the user must do before signing in (`UPDATE_PASSWORD` after a temporary one).
    #[serde(default)]
    pub required_actions: Vec<String>,
    /// Set on the user behind a client's service account (client_credentials grant).
    pub service_account_client_id: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Credential {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
    #[serde(default)]
    pub temporary: bool,
}

/// The realm file could not be read or is not a realm export.
#[derive(Debug, thiserror::Error)]
pub enum RealmError {
    #[error("cannot read realm file {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the realm file is not a Keycloak realm export")]
    Parse(#[from] serde_json::Error),
}

fn default_access_token_lifespan() -> u64 {
    300
}

fn default_session_idle_timeout() -> u64 {
    1800
}

fn enabled() -> bool {
    true
}

impl Realm {
    /// The project's realm, `localstack/keycloak/realm.json`, as compiled into this crate.
    pub fn carebook() -> Self {
        Self::parse(REALM_EXPORT).expect("localstack/keycloak/realm.json is a valid realm export")
    }

    pub fn parse(json: &str) -> Result<Self, RealmError> {
        Ok(serde_json::from_str(json)?)
    }

    pub fn load(path: &Path) -> Result<Self, RealmError> {
        let json = std::fs::read_to_string(path).map_err(|source| RealmError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&json)
    }

    pub fn user(&self, username: &str) -> Option<&User> {
        self.users.iter().find(|user| user.username == username)
    }

    pub fn client(&self, client_id: &str) -> Option<&Client> {
        self.clients
            .iter()
            .find(|client| client.client_id == client_id)
    }

    /// The user behind `client_id`'s service account.
    pub fn service_account(&self, client_id: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|user| user.service_account_client_id.as_deref() == Some(client_id))
    }
}

impl Client {
    /// The audiences added by `oidc-audience-mapper`s to this client's access tokens.
    pub fn mapped_audiences(&self) -> impl Iterator<Item = &str> {
        self.protocol_mappers
            .iter()
            .filter(|mapper| mapper.protocol_mapper == "oidc-audience-mapper")
            .filter(|mapper| {
                mapper
                    .config
                    .get("access.token.claim")
                    .is_none_or(|v| v == "true")
            })
            .filter_map(|mapper| mapper.config.get("included.client.audience"))
            .map(String::as_str)
    }

    /// Whether `secret` authenticates this confidential client.
    pub fn authenticates(&self, secret: Option<&str>) -> bool {
        self.public_client || (self.secret.is_some() && self.secret.as_deref() == secret)
    }
}

impl User {
    pub fn has_password(&self, password: &str) -> bool {
        self.credentials
            .iter()
            .any(|credential| credential.kind == "password" && credential.value == password)
    }

    /// "First Last", as Keycloak fills the `name` claim.
    pub fn full_name(&self) -> Option<String> {
        let parts: Vec<&str> = [&self.first_name, &self.last_name]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checked_in_realm_has_one_user_per_role_with_password_equal_to_name() {
        let realm = Realm::carebook();

        for name in ["admin", "doctor", "patient"] {
            let user = realm.user(name).unwrap_or_else(|| panic!("user {name}"));
            assert!(user.has_password(name));
            assert!(user.realm_roles.iter().any(|role| role == name));
        }
    }

    #[test]
    fn the_cli_client_is_public_allows_passwords_and_targets_the_api() {
        let realm = Realm::carebook();
        let cli = realm.client("carebook-cli").unwrap();

        assert!(cli.public_client && cli.direct_access_grants_enabled);
        assert_eq!(
            cli.mapped_audiences().collect::<Vec<_>>(),
            vec!["carebook-api"]
        );
    }
}
