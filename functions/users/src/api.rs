//! One function per endpoint: authenticate, authorise, parse, change, publish.

use anyhow::Context as _;
use carebook_auth::{Principal, Role};
use carebook_events::{CloudEvent, UserRegistered, UserUpdated};
use carebook_http::{
    ApiError, Page, Problem, authenticate, cursor, json, json_body, limit, path_id, query,
    query_param,
};
use lambda_http::http::{StatusCode, header};
use lambda_http::{Body, Request, Response};
use uuid::Uuid;

use crate::domain::{NewUserBody, PatchBody, PeopleSearch, SearchQuery, specialty_filter};
use crate::store::{self, DoctorListing, NewProfile, Specialty};
use crate::{App, KeycloakError, NewUser, Profile, ProfilePatch};

/// `GET /users/me`: the caller's profile, created from their token on the first call (which
/// publishes `user.registered`).
#[utoipa::path(
    get,
    path = "/users/me",
    tag = "users",
    responses((status = 200, description = "The caller's profile", body = Profile)),
    security(("keycloak" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn get_profile(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let principal = signed_in(app, request).await?;
    let profile = ensure_profile(app, &principal).await?;
    Ok(json(StatusCode::OK, &profile))
}

/// `PATCH /users/me`: changes the caller's names, phone, date of birth, gender, address
/// (and a doctor's specialty); publishes `user.updated`.
#[utoipa::path(
    patch,
    path = "/users/me",
    tag = "users",
    request_body(content = PatchBody, description = "A JSON merge patch: absent fields stay, `null` clears"),
    responses(
        (status = 200, description = "The changed profile", body = Profile),
        (status = 400, response = carebook_http::openapi::Invalid),
        (status = 413, response = carebook_http::openapi::BodyTooLarge),
        (status = 415, response = carebook_http::openapi::UnsupportedMediaType),
    ),
    security(("keycloak" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn update_profile(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let principal = signed_in(app, request).await?;
    let patch = ProfilePatch::try_from(json_body::<PatchBody>(request)?)?;
    if patch.specialty.is_some() && !principal.has_role(Role::Doctor) {
        return Err(Problem::invalid_field("specialty", "only doctors have a specialty").into());
    }
    ensure_profile(app, &principal).await?;
    let mut tx = app.backends.transaction().await?;
    let mut profile = store::lock(&mut tx, principal.subject())
        .await
        .context("locking the profile")?
        .ok_or_else(Problem::not_found)?;
    profile.apply(patch);
    let profile = store::save(&mut tx, &profile)
        .await
        .context("saving the profile")?;
    let event = CloudEvent::new(UserUpdated {
        user: profile.snapshot(),
    });
    app.outbox
        .commit(tx, &event)
        .await
        .context("committing the change and its event")?;
    Ok(json(StatusCode::OK, &profile))
}

/// `GET /users/{id}`: a profile, for its owner or an admin; 404 for anyone else.
#[utoipa::path(
    get,
    path = "/users/{id}",
    tag = "users",
    params(("id" = Uuid, Path, description = "The user (Keycloak's id)")),
    responses(
        (status = 200, description = "The profile", body = Profile),
        (status = 400, response = carebook_http::openapi::Invalid),
        (status = 404, response = carebook_http::openapi::NotFound),
    ),
    security(("keycloak" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn get_user(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let principal = signed_in(app, request).await?;
    let id = path_id(request, "id")?;
    if id != principal.subject() && !principal.has_role(Role::Admin) {
        return Err(Problem::not_found().into());
    }
    let mut conn = app.backends.connection().await?;
    let profile = store::find(&mut conn, id)
        .await
        .context("reading the profile")?
        .ok_or_else(Problem::not_found)?;
    Ok(json(StatusCode::OK, &profile))
}

/// `GET /doctors?specialty=&limit=&cursor=`: doctors by last name, for anyone signed in.
#[utoipa::path(
    get,
    path = "/doctors",
    tag = "users",
    params(
        ("specialty" = Option<String>, Query, description = "Only doctors of this specialty, any case"),
        carebook_http::PageQuery,
    ),
    responses(
        (status = 200, description = "A page of doctors by last name", body = Page<DoctorListing>),
        (status = 400, response = carebook_http::openapi::Invalid),
    ),
    security(("keycloak" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_doctors(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    signed_in(app, request).await?;
    let limit = limit(request)?;
    let after: Option<(String, Uuid)> = cursor(request)?;
    let specialty = specialty_filter(query_param(request, "specialty"))?;
    let doctors = store::doctors(
        &mut *app.backends.connection().await?,
        specialty.as_deref(),
        after.as_ref(),
        limit + 1,
    )
    .await
    .context("listing doctors")?;
    let page = Page::from_overfetch(doctors, limit, |doctor| {
        (doctor.last_name.clone().unwrap_or_default(), doctor.id)
    });
    Ok(json(StatusCode::OK, &page))
}

/// `GET /doctors/specialties`: every specialty a doctor has, by name, for anyone signed in.
#[utoipa::path(
    get,
    path = "/doctors/specialties",
    tag = "users",
    responses(
        (status = 200, description = "The doctors' specialties by name", body = Specialties),
    ),
    security(("keycloak" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_specialties(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    signed_in(app, request).await?;
    let items = store::specialties(&mut *app.backends.connection().await?)
        .await
        .context("listing specialties")?;
    Ok(json(StatusCode::OK, &Specialties { items }))
}

/// The doctors' specialties: a clinic has a handful, so all of them, unpaged.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Specialties {
    pub items: Vec<Specialty>,
}

/// `POST /users` (admin): creates the user in Keycloak with a password and a role, then the
/// profile, and publishes `user.registered`. 409 when the email is taken.
#[utoipa::path(
    post,
    path = "/users",
    tag = "users",
    request_body = NewUserBody,
    responses(
        (status = 201, description = "Onboarded", body = Profile, headers(("Location" = String, description = "`/users/{id}`"))),
        (status = 400, response = carebook_http::openapi::Invalid),
        (status = 403, response = carebook_http::openapi::Forbidden),
        (status = 409, response = EmailTaken),
        (status = 413, response = carebook_http::openapi::BodyTooLarge),
        (status = 415, response = carebook_http::openapi::UnsupportedMediaType),
    ),
    security(("keycloak" = []))
)]
#[tracing::instrument(skip_all, fields(user_id = tracing::field::Empty))]
pub async fn create_user(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let principal = authenticate(request, &app.verifier).await?;
    principal.require_any(&[Role::Admin])?;
    let user = NewUser::try_from(json_body::<NewUserBody>(request)?)?;
    let email_taken = || {
        Problem::new(
            StatusCode::CONFLICT,
            "email-taken",
            "A user with this email exists",
        )
        .with_detail("choose another email, or find the existing user")
    };
    if app
        .keycloak
        .email_taken(&user.email)
        .await
        .context("asking Keycloak whether the email is taken")?
    {
        return Err(email_taken().into());
    }
    let id = match app.keycloak.create_user(&user).await {
        Ok(id) => id,
        Err(KeycloakError::Conflict) => return Err(email_taken().into()),
        Err(KeycloakError::Invalid(fields)) if !fields.is_empty() => {
            return Err(Problem::validation(fields).into());
        }
        Err(error) => {
            return Err(anyhow::Error::new(error)
                .context("creating the user in Keycloak")
                .into());
        }
    };
    tracing::Span::current().record("user_id", tracing::field::display(id));
    // All or nothing: a Keycloak user without a profile would make the retry a 409.
    let profile = match record_onboarding(app, id, &user).await {
        Ok(profile) => profile,
        Err(error) => {
            app.keycloak.discard(id).await;
            return Err(error);
        }
    };
    tracing::info!("user onboarded");
    let mut response = json(StatusCode::CREATED, &profile);
    if let Ok(location) = format!("/users/{id}").parse() {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// The profile of the Keycloak user `id` just created for `user`, and its `user.registered`.
async fn record_onboarding(app: &App, id: Uuid, user: &NewUser) -> Result<Profile, ApiError> {
    let mut tx = app.backends.transaction().await?;
    let new = NewProfile {
        id,
        username: Some(&user.email),
        email: Some(&user.email),
        // Typed by an admin, not verified by its owner: their first sign-in tells (take_email).
        email_verified: false,
        first_name: Some(&user.first_name),
        last_name: Some(&user.last_name),
        roles: vec![user.role],
        specialty: user.specialty.as_deref(),
    };
    let profile = store::insert(&mut tx, &new)
        .await
        .context("inserting the profile")?
        .context("Keycloak reused the id of an existing profile")?;
    let event = CloudEvent::new(UserRegistered {
        user: profile.snapshot(),
    });
    app.outbox
        .commit(tx, &event)
        .await
        .context("committing the change and its event")?;
    Ok(profile)
}

/// `GET /users?role=&q=&limit=&cursor=` (admin): people by last name, of a role, whose email
/// or name starts with `q`. Only admins search: it shows contact details.
#[utoipa::path(
    get,
    path = "/users",
    tag = "users",
    params(SearchQuery, carebook_http::PageQuery),
    responses(
        (status = 200, description = "A page of people by last name", body = Page<Profile>),
        (status = 400, response = carebook_http::openapi::Invalid),
        (status = 403, response = carebook_http::openapi::Forbidden),
    ),
    security(("keycloak" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn search_users(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    authenticate(request, &app.verifier)
        .await?
        .require_any(&[Role::Admin])?;
    let search = PeopleSearch::try_from(query::<SearchQuery>(request)?)?;
    let limit = limit(request)?;
    let after: Option<(String, Uuid)> = cursor(request)?;
    let people = store::search(
        &mut *app.backends.connection().await?,
        search.role,
        search.prefix.as_deref(),
        after.as_ref(),
        limit + 1,
    )
    .await
    .context("searching people")?;
    let page = Page::from_overfetch(people, limit, |person| {
        (person.last_name.clone().unwrap_or_default(), person.id)
    });
    Ok(json(StatusCode::OK, &page))
}

carebook_http::problem_responses! {
    /// 409 of an onboarding.
    EmailTaken: "A user with this email exists", ["email-taken"];
}

/// This service's operations in the HTTP API's OpenAPI document (`carebook-openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        get_profile,
        update_profile,
        get_user,
        list_doctors,
        list_specialties,
        create_user,
        search_users
    ),
    components(responses(EmailTaken))
)]
pub struct ApiDoc;

/// The caller, who must hold a Carebook role.
async fn signed_in(app: &App, request: &Request) -> Result<Principal, ApiError> {
    let principal = authenticate(request, &app.verifier).await?;
    principal.require_any(&Role::ALL)?;
    Ok(principal)
}

/// The caller's profile, created from their token claims if this is their first call.
async fn ensure_profile(app: &App, principal: &Principal) -> Result<Profile, ApiError> {
    let mut tx = app.backends.transaction().await?;
    if let Some(profile) = store::find(&mut tx, principal.subject())
        .await
        .context("reading the profile")?
    {
        return take_email(app, tx, principal, profile).await;
    }
    let new = NewProfile {
        id: principal.subject(),
        username: principal.username(),
        email: principal.email(),
        email_verified: principal.email_verified(),
        first_name: principal.given_name(),
        last_name: principal.family_name(),
        roles: principal.roles().collect(),
        specialty: None,
    };
    match store::insert(&mut tx, &new)
        .await
        .context("inserting the profile")?
    {
        Some(profile) => {
            let event = CloudEvent::new(UserRegistered {
                user: profile.snapshot(),
            });
            app.outbox
                .commit(tx, &event)
                .await
                .context("committing the change and its event")?;
            tracing::info!(user_id = %profile.id, "user registered");
            Ok(profile)
        }
        // Another first call of the same user won the insert and published the event.
        None => {
            drop(tx);
            let mut conn = app.backends.connection().await?;
            Ok(store::find(&mut conn, principal.subject())
                .await
                .context("reading the profile")?
                .context("the profile vanished after a concurrent insert")?)
        }
    }
}

/// `profile` with the address and its verification as the caller's token has them, publishing
/// `user.updated` when they changed. Keycloak owns both: an address verified since the last
/// call becomes one the clinic emails, and a changed one is unverified until Keycloak says
/// otherwise. A token without an address leaves the profile's alone.
async fn take_email(
    app: &App,
    mut tx: sqlx::Transaction<'static, sqlx::Postgres>,
    principal: &Principal,
    profile: Profile,
) -> Result<Profile, ApiError> {
    let Some(email) = principal.email() else {
        return Ok(profile);
    };
    let verified = principal.email_verified();
    if profile.email.as_deref() == Some(email) && profile.email_verified == verified {
        return Ok(profile);
    }
    let Some(changed) = store::take_email(&mut tx, profile.id, email, verified)
        .await
        .context("taking the token's email")?
    else {
        // A concurrent call of the same user took it and published the event.
        return Ok(store::find(&mut tx, profile.id)
            .await
            .context("reading the profile")?
            .unwrap_or(profile));
    };
    let event = CloudEvent::new(UserUpdated {
        user: changed.snapshot(),
    });
    app.outbox
        .commit(tx, &event)
        .await
        .context("committing the change and its event")?;
    Ok(changed)
}
