use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::AuthError;

/// A Carebook realm role (Keycloak `realm_access.roles`); serialised as its Keycloak name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "lowercase")
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Patient,
    Doctor,
    Admin,
}

impl Role {
    /// Every role, in the order they are listed to people.
    pub const ALL: [Role; 3] = [Role::Patient, Role::Doctor, Role::Admin];

    /// The role's name in Keycloak.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Patient => "patient",
            Role::Doctor => "doctor",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is not one of Carebook's.
#[derive(Debug, thiserror::Error)]
#[error("unknown role {0:?}; expected patient, doctor or admin")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// The verified caller of a request, read from a Keycloak access token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    subject: Uuid,
    username: Option<String>,
    email: Option<String>,
    email_verified: bool,
    given_name: Option<String>,
    family_name: Option<String>,
    client_id: Option<String>,
    realm_roles: BTreeSet<String>,
    client_roles: BTreeMap<String, BTreeSet<String>>,
}

impl Principal {
    /// The Keycloak user id (`sub`), the one identifier services key users by.
    pub fn subject(&self) -> Uuid {
        self.subject
    }

    /// The login name (`preferred_username`).
    pub fn username(&self) -> Option<&str> {
        self.username.as_deref()
    }

    pub fn email(&self) -> Option<&str> {
        self.email.as_deref()
    }

    pub fn email_verified(&self) -> bool {
        self.email_verified
    }

    pub fn given_name(&self) -> Option<&str> {
        self.given_name.as_deref()
    }

    pub fn family_name(&self) -> Option<&str> {
        self.family_name.as_deref()
    }

    /// The client the token was issued to (`azp`).
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }

    /// Every realm role in the token, Carebook's and Keycloak's own (`offline_access`, …).
    pub fn realm_roles(&self) -> impl Iterator<Item = &str> {
        self.realm_roles.iter().map(String::as_str)
    }

    /// The Carebook roles the token carries.
    pub fn roles(&self) -> impl Iterator<Item = Role> + '_ {
        Role::ALL.into_iter().filter(|role| self.has_role(*role))
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.realm_roles.contains(role.as_str())
    }

    /// Whether the token carries `role` of client `client` (`resource_access`).
    pub fn has_client_role(&self, client: &str, role: &str) -> bool {
        self.client_roles
            .get(client)
            .is_some_and(|roles| roles.contains(role))
    }

    /// Succeeds when the caller has at least one of `roles`; otherwise a 403-class error.
    pub fn require_any(&self, roles: &[Role]) -> Result<(), AuthError> {
        if roles.iter().any(|role| self.has_role(*role)) {
            Ok(())
        } else {
            Err(AuthError::Forbidden {
                required: roles.iter().map(|r| r.as_str()).collect(),
            })
        }
    }
}

/// The claims of a Keycloak 26 access token that Carebook reads. Standard claims (`iss`,
/// `aud`, `exp`, `nbf`) are checked by `jsonwebtoken` before this is built.
#[derive(Debug, Deserialize)]
pub(crate) struct AccessTokenClaims {
    sub: String,
    typ: Option<String>,
    azp: Option<String>,
    preferred_username: Option<String>,
    email: Option<String>,
    #[serde(default)]
    email_verified: bool,
    given_name: Option<String>,
    family_name: Option<String>,
    #[serde(default)]
    realm_access: Roles,
    #[serde(default)]
    resource_access: BTreeMap<String, Roles>,
}

#[derive(Debug, Default, Deserialize)]
struct Roles {
    #[serde(default)]
    roles: BTreeSet<String>,
}

impl TryFrom<AccessTokenClaims> for Principal {
    type Error = AuthError;

    fn try_from(claims: AccessTokenClaims) -> Result<Self, Self::Error> {
        // Keycloak marks access tokens `Bearer`; ID and refresh tokens of the same realm carry
        // `ID` / `Refresh` and must not open the API.
        if claims.typ.as_deref() != Some("Bearer") {
            return Err(AuthError::WrongTokenType);
        }
        let subject = Uuid::parse_str(&claims.sub)
            .map_err(|_| AuthError::InvalidClaims("sub is not a UUID".into()))?;
        Ok(Principal {
            subject,
            username: claims.preferred_username,
            email: claims.email,
            email_verified: claims.email_verified,
            given_name: claims.given_name,
            family_name: claims.family_name,
            client_id: claims.azp,
            realm_roles: claims.realm_access.roles,
            client_roles: claims
                .resource_access
                .into_iter()
                .map(|(k, v)| (k, v.roles))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn principal(claims: serde_json::Value) -> Result<Principal, AuthError> {
        Principal::try_from(serde_json::from_value::<AccessTokenClaims>(claims).unwrap())
    }

    fn access_token(roles: &[&str]) -> serde_json::Value {
        json!({
            "sub": "7b0f1a52-3d0c-4f43-9d4c-3f2b2f1f6a11",
            "typ": "Bearer",
            "azp": "carebook-cli",
            "preferred_username": "patient",
            "realm_access": { "roles": roles },
            "resource_access": { "account": { "roles": ["manage-account"] } },
        })
    }

    #[test]
    fn carebook_roles_are_read_from_realm_access() {
        let principal = principal(access_token(&["patient", "offline_access"])).unwrap();

        assert!(principal.has_role(Role::Patient));
        assert!(!principal.has_role(Role::Admin));
        assert_eq!(principal.roles().collect::<Vec<_>>(), vec![Role::Patient]);
        assert!(principal.has_client_role("account", "manage-account"));
    }

    #[test]
    fn a_caller_without_the_role_is_forbidden_and_told_which_roles_would_do() {
        let principal = principal(access_token(&["patient"])).unwrap();

        let error = principal
            .require_any(&[Role::Doctor, Role::Admin])
            .unwrap_err();

        assert_eq!(error.status(), http::StatusCode::FORBIDDEN);
        assert_eq!(
            error.to_string(),
            "this needs one of the roles: doctor, admin"
        );
    }

    #[test]
    fn an_id_token_is_not_an_access_token() {
        let mut claims = access_token(&["patient"]);
        claims["typ"] = json!("ID");

        assert!(matches!(principal(claims), Err(AuthError::WrongTokenType)));
    }

    #[test]
    fn a_subject_that_is_not_a_uuid_is_rejected() {
        let mut claims = access_token(&["patient"]);
        claims["sub"] = json!("service-account");

        assert!(matches!(
            principal(claims),
            Err(AuthError::InvalidClaims(_))
        ));
    }

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        assert!("superuser".parse::<Role>().is_err());
    }
}
