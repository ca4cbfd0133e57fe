use carebook_auth::{Principal, Role};
use serde::Serialize;
use uuid::Uuid;

/// A user as the users service shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub id: Uuid,
    pub username: Option<String>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub roles: Vec<Role>,
}

impl From<&Principal> for Profile {
    fn from(principal: &Principal) -> Self {
        Self {
            id: principal.subject(),
            username: principal.username().map(str::to_owned),
            email: principal.email().map(str::to_owned),
            first_name: principal.given_name().map(str::to_owned),
            last_name: principal.family_name().map(str::to_owned),
            roles: principal.roles().collect(),
        }
    }
}
