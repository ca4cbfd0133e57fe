//! The slice of Keycloak's Admin REST API that Carebook uses to onboard people: find users by
//! email or username, create a user, set a password, and map realm roles. Requests carry a
//! service-account token of this issuer holding `realm-management` roles, as in Keycloak.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::issuer::Shared;
use crate::realm::{Credential, User};

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/admin/realms/{realm}/users",
            get(find_users).post(create_user),
        )
        .route("/admin/realms/{realm}/users/{id}", get(get_user))
        .route(
            "/admin/realms/{realm}/users/{id}/reset-password",
            put(reset_password),
        )
        .route(
            "/admin/realms/{realm}/users/{id}/role-mappings/realm",
            post(add_realm_roles).get(realm_roles_of),
        )
        .route("/admin/realms/{realm}/roles/{name}", get(get_role))
}

/// Keycloak's `UserRepresentation`, the fields Carebook sends.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewUser {
    username: Option<String>,
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    #[serde(default)]
    enabled: bool,
    #[serde(default)]
    email_verified: bool,
    #[serde(default)]
    required_actions: Vec<String>,
}

#[derive(Deserialize)]
struct Search {
    email: Option<String>,
    username: Option<String>,
    exact: Option<bool>,
}

#[derive(Deserialize)]
struct NewPassword {
    #[serde(rename = "type")]
    kind: String,
    value: String,
    #[serde(default)]
    temporary: bool,
}

#[derive(Deserialize)]
struct RoleReference {
    id: Option<Uuid>,
    name: String,
}

/// What the caller may do, from its token's `realm-management` client roles.
#[derive(Clone, Copy)]
enum Access {
    View,
    Manage,
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "errorMessage": message }))).into_response()
}

/// The refusal when the caller's token is missing, invalid or lacks the role `access` needs;
/// `None` when it may go on.
fn refuse(shared: &Shared, realm: &str, headers: &HeaderMap, access: Access) -> Option<Response> {
    if realm != shared.realm.realm {
        return Some(
            (
                StatusCode::NOT_FOUND,
                Json(json!({ "error": "Realm not found." })),
            )
                .into_response(),
        );
    }
    let claims = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .and_then(|token| shared.verify_own(token));
    let Some(claims) = claims else {
        return Some(
            (
                StatusCode::UNAUTHORIZED,
                Json(json!({ "error": "HTTP 401 Unauthorized" })),
            )
                .into_response(),
        );
    };
    let roles = &claims["resource_access"]["realm-management"]["roles"];
    let has = |role: &str| {
        roles
            .as_array()
            .is_some_and(|roles| roles.iter().any(|r| r == role))
    };
    let allowed = match access {
        Access::View => has("view-users") || has("manage-users"),
        Access::Manage => has("manage-users"),
    };
    (!allowed).then(|| {
        (
            StatusCode::FORBIDDEN,
            Json(json!({ "error": "HTTP 403 Forbidden" })),
        )
            .into_response()
    })
}

fn representation(user: &User) -> Value {
    json!({
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "enabled": user.enabled,
        "emailVerified": user.email_verified,
        "requiredActions": user.required_actions,
    })
}

async fn find_users(
    State(shared): State<Arc<Shared>>,
    Path(realm): Path<String>,
    headers: HeaderMap,
    Query(search): Query<Search>,
) -> Response {
    if let Some(refusal) = refuse(&shared, &realm, &headers, Access::View) {
        return refusal;
    }
    let exact = search.exact.unwrap_or(false);
    // Keycloak keeps usernames and emails lower-case and matches them case-insensitively.
    let matches = |value: Option<&str>, wanted: &Option<String>| match wanted {
        None => true,
        Some(wanted) => value.is_some_and(|value| {
            let (value, wanted) = (value.to_lowercase(), wanted.to_lowercase());
            if exact {
                value == wanted
            } else {
                value.contains(&wanted)
            }
        }),
    };
    let users = shared.users.read().expect("user list lock");
    let found: Vec<Value> = users
        .iter()
        .filter(|user| user.service_account_client_id.is_none())
        .filter(|user| matches(user.email.as_deref(), &search.email))
        .filter(|user| matches(Some(&user.username), &search.username))
        .map(representation)
        .collect();
    Json(found).into_response()
}

async fn get_user(
    State(shared): State<Arc<Shared>>,
    Path((realm, id)): Path<(String, Uuid)>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = refuse(&shared, &realm, &headers, Access::View) {
        return refusal;
    }
    match shared.find_user(|user| user.id == id) {
        Some(user) => Json(representation(&user)).into_response(),
        None => error(StatusCode::NOT_FOUND, "User not found"),
    }
}

async fn create_user(
    State(shared): State<Arc<Shared>>,
    Path(realm): Path<String>,
    headers: HeaderMap,
    Json(new): Json<NewUser>,
) -> Response {
    if let Some(refusal) = refuse(&shared, &realm, &headers, Access::Manage) {
        return refusal;
    }
    let email = new.email.map(|email| email.to_lowercase());
    // Keycloak uses the email as the username when the realm logs in by email; we do too
    // when no username is given.
    let Some(username) = new
        .username
        .or_else(|| email.clone())
        .map(|u| u.to_lowercase())
    else {
        return error(StatusCode::BAD_REQUEST, "User name is missing");
    };
    let mut users = shared.users.write().expect("user list lock");
    if users.iter().any(|user| user.username == username) {
        return error(StatusCode::CONFLICT, "User exists with same username");
    }
    if email.is_some() && users.iter().any(|user| user.email == email) {
        return error(StatusCode::CONFLICT, "User exists with same email");
    }
    let id = Uuid::new_v4();
    users.push(User {
        id,
        username,
        enabled: new.enabled,
        email,
        email_verified: new.email_verified,
        first_name: new.first_name,
        last_name: new.last_name,
        credentials: Vec::new(),
        realm_roles: Vec::new(),
        client_roles: Default::default(),
        required_actions: new.required_actions,
        service_account_client_id: None,
    });
    let location = format!("{}/admin/realms/{realm}/users/{id}", shared.base_url());
    (StatusCode::CREATED, [(header::LOCATION, location)]).into_response()
}

async fn reset_password(
    State(shared): State<Arc<Shared>>,
    Path((realm, id)): Path<(String, Uuid)>,
    headers: HeaderMap,
    Json(password): Json<NewPassword>,
) -> Response {
    if let Some(refusal) = refuse(&shared, &realm, &headers, Access::Manage) {
        return refusal;
    }
    if password.kind != "password" || password.value.is_empty() {
        return error(StatusCode::BAD_REQUEST, "Invalid password");
    }
    let mut users = shared.users.write().expect("user list lock");
    let Some(user) = users.iter_mut().find(|user| user.id == id) else {
        return error(StatusCode::NOT_FOUND, "User not found");
    };
    user.credentials
        .retain(|credential| credential.kind != "password");
    user.credentials.push(Credential {
        kind: "password".to_owned(),
        value: password.value,
        temporary: password.temporary,
    });
    if password.temporary && !user.required_actions.iter().any(|a| a == "UPDATE_PASSWORD") {
        user.required_actions.push("UPDATE_PASSWORD".to_owned());
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn get_role(
    State(shared): State<Arc<Shared>>,
    Path((realm, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = refuse(&shared, &realm, &headers, Access::View) {
        return refusal;
    }
    match shared.role_ids.get(&name) {
        Some(id) => Json(json!({
            "id": id,
            "name": name,
            "composite": false,
            "clientRole": false,
            "containerId": shared.realm.realm,
        }))
        .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": "Could not find role" })),
        )
            .into_response(),
    }
}

async fn add_realm_roles(
    State(shared): State<Arc<Shared>>,
    Path((realm, id)): Path<(String, Uuid)>,
    headers: HeaderMap,
    Json(roles): Json<Vec<RoleReference>>,
) -> Response {
    if let Some(refusal) = refuse(&shared, &realm, &headers, Access::Manage) {
        return refusal;
    }
    // Keycloak resolves each role by id and refuses the whole request for an unknown one.
    let known = roles.iter().all(|role| {
        shared
            .role_ids
            .get(&role.name)
            .is_some_and(|id| role.id.is_none_or(|given| given == *id))
    });
    if !known {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": "Role not found" })),
        )
            .into_response();
    }
    let mut users = shared.users.write().expect("user list lock");
    let Some(user) = users.iter_mut().find(|user| user.id == id) else {
        return error(StatusCode::NOT_FOUND, "User not found");
    };
    for role in roles {
        if !user.realm_roles.contains(&role.name) {
            user.realm_roles.push(role.name);
        }
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn realm_roles_of(
    State(shared): State<Arc<Shared>>,
    Path((realm, id)): Path<(String, Uuid)>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = refuse(&shared, &realm, &headers, Access::View) {
        return refusal;
    }
    match shared.find_user(|user| user.id == id) {
        Some(user) => {
            let roles: Vec<Value> = user
                .realm_roles
                .iter()
                .filter_map(|name| {
                    shared
                        .role_ids
                        .get(name)
                        .map(|id| json!({ "id": id, "name": name }))
                })
                .collect();
            Json(roles).into_response()
        }
        None => error(StatusCode::NOT_FOUND, "User not found"),
    }
}
