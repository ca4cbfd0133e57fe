//! All SQL of the users service, checked against its schema at compile time (`.sqlx/`,
//! localstack/sqlx-prepare.sh). Functions take a connection so the caller decides the
//! transaction, and puts a change and its outbox event in the same one. `gender` and `roles`
//! are text to the database; the overrides read them as [`Gender`] and [`Role`]s.

use carebook_auth::Role;
use carebook_events::UserSnapshot;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::{Gender, ProfilePatch};

/// A user's profile as the API shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Profile {
    pub id: Uuid,
    pub username: Option<String>,
    pub email: Option<String>,
    /// Whether Keycloak verified `email` (the owner's token says so on each sign-in).
    pub email_verified: bool,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub gender: Option<Gender>,
    pub address: Option<String>,
    pub roles: Vec<Role>,
    pub specialty: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A doctor as `GET /doctors` lists them: what a patient needs to choose and book.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DoctorListing {
    pub id: Uuid,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub specialty: Option<String>,
}

/// A specialty as `GET /doctors/specialties` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Specialty {
    /// As most of its doctors spell it; `GET /doctors?specialty=` matches it in any case.
    pub name: String,
    /// How many doctors have it.
    pub doctors: i64,
}

/// A profile to create.
pub(crate) struct NewProfile<'a> {
    pub id: Uuid,
    pub username: Option<&'a str>,
    pub email: Option<&'a str>,
    pub email_verified: bool,
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub roles: Vec<Role>,
    pub specialty: Option<&'a str>,
}

impl Profile {
    /// The profile as events carry it.
    pub fn snapshot(&self) -> UserSnapshot {
        UserSnapshot {
            user_id: self.id,
            username: self.username.clone(),
            email: self.email.clone(),
            email_verified: self.email_verified,
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            roles: self.roles.clone(),
            specialty: self.specialty.clone(),
        }
    }

    pub(crate) fn apply(&mut self, patch: ProfilePatch) {
        let ProfilePatch {
            first_name,
            last_name,
            phone,
            date_of_birth,
            gender,
            address,
            specialty,
        } = patch;
        if let Some(first_name) = first_name {
            self.first_name = Some(first_name);
        }
        if let Some(last_name) = last_name {
            self.last_name = Some(last_name);
        }
        if let Some(phone) = phone {
            self.phone = phone;
        }
        if let Some(date_of_birth) = date_of_birth {
            self.date_of_birth = date_of_birth;
        }
        if let Some(gender) = gender {
            self.gender = gender;
        }
        if let Some(address) = address {
            self.address = address;
        }
        if let Some(specialty) = specialty {
            self.specialty = specialty;
        }
    }
}

pub(crate) async fn find(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Profile>> {
    sqlx::query_as!(
        Profile,
        r#"select id, username, email, email_verified, first_name, last_name, phone, date_of_birth,
                gender as "gender: Gender", address, roles as "roles: Vec<Role>", specialty, version,
                created_at, updated_at
         from profiles where id = $1"#,
        id,
    )
    .fetch_optional(conn)
    .await
}

/// The profile, locked until the transaction ends.
pub(crate) async fn lock(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Profile>> {
    sqlx::query_as!(
        Profile,
        r#"select id, username, email, email_verified, first_name, last_name, phone, date_of_birth,
                gender as "gender: Gender", address, roles as "roles: Vec<Role>", specialty, version,
                created_at, updated_at
         from profiles where id = $1 for update"#,
        id,
    )
    .fetch_optional(conn)
    .await
}

/// Creates the profile; `None` when it already exists (a concurrent first sign-in).
pub(crate) async fn insert(
    conn: &mut PgConnection,
    new: &NewProfile<'_>,
) -> sqlx::Result<Option<Profile>> {
    let roles: Vec<&str> = new.roles.iter().map(|role| role.as_str()).collect();
    sqlx::query_as!(
        Profile,
        r#"insert into profiles (id, username, email, email_verified, first_name, last_name, roles, specialty)
         values ($1, $2, $3, $8, $4, $5, $6, $7)
         on conflict (id) do nothing
         returning id, username, email, email_verified, first_name, last_name, phone, date_of_birth,
                gender as "gender: Gender", address, roles as "roles: Vec<Role>", specialty, version,
                created_at, updated_at"#,
        new.id,
        new.username,
        new.email,
        new.first_name,
        new.last_name,
        &roles as &[&str],
        new.specialty,
        new.email_verified,
    )
    .fetch_optional(conn)
    .await
}

/// Sets the address and whether it is verified, as the owner's token has them, unless the
/// profile has them already; the changed profile, if it changed.
pub(crate) async fn take_email(
    conn: &mut PgConnection,
    id: Uuid,
    email: &str,
    verified: bool,
) -> sqlx::Result<Option<Profile>> {
    sqlx::query_as!(
        Profile,
        r#"update profiles set email = $2, email_verified = $3, version = version + 1, updated_at = now()
         where id = $1 and (email is distinct from $2 or email_verified <> $3)
         returning id, username, email, email_verified, first_name, last_name, phone, date_of_birth,
                gender as "gender: Gender", address, roles as "roles: Vec<Role>", specialty, version,
                created_at, updated_at"#,
        id,
        email,
        verified,
    )
    .fetch_optional(conn)
    .await
}

/// Writes the editable fields of `profile` and returns it with its new version.
pub(crate) async fn save(conn: &mut PgConnection, profile: &Profile) -> sqlx::Result<Profile> {
    sqlx::query_as!(
        Profile,
        r#"update profiles set first_name = $2, last_name = $3, phone = $4, date_of_birth = $5,
                gender = $6, address = $7, specialty = $8,
                version = version + 1, updated_at = now()
         where id = $1
         returning id, username, email, email_verified, first_name, last_name, phone, date_of_birth,
                gender as "gender: Gender", address, roles as "roles: Vec<Role>", specialty, version,
                created_at, updated_at"#,
        profile.id,
        profile.first_name.as_deref(),
        profile.last_name.as_deref(),
        profile.phone.as_deref(),
        profile.date_of_birth,
        profile.gender as Option<Gender>,
        profile.address.as_deref(),
        profile.specialty.as_deref(),
    )
    .fetch_one(conn)
    .await
}

/// Doctors by last name, then id, after the cursor `after`; `limit` rows at most.
pub(crate) async fn doctors(
    conn: &mut PgConnection,
    specialty: Option<&str>,
    after: Option<&(String, Uuid)>,
    limit: i64,
) -> sqlx::Result<Vec<DoctorListing>> {
    sqlx::query_as!(
        DoctorListing,
        "select id, first_name, last_name, specialty from profiles
         where 'doctor' = any (roles)
           and ($1::text is null or lower(specialty) = lower($1))
           and ($2::text is null or (coalesce(last_name, ''), id) > ($2, $3))
         order by coalesce(last_name, ''), id
         limit $4",
        specialty,
        after.map(|(name, _)| name.as_str()),
        after.map(|(_, id)| *id),
        limit,
    )
    .fetch_all(conn)
    .await
}

/// The doctors' specialties, told apart by case-blind name, by name. The spelling most of its
/// doctors use wins; on a tie the capitalised one ("Cardiology" before "cardiology": byte
/// order, whatever the database's collation).
pub(crate) async fn specialties(conn: &mut PgConnection) -> sqlx::Result<Vec<Specialty>> {
    sqlx::query_as!(
        Specialty,
        r#"select mode() within group (order by specialty collate "C") as "name!", count(*) as "doctors!"
         from profiles
         where 'doctor' = any (roles) and specialty is not null
         group by lower(specialty)
         order by lower(specialty)"#,
    )
    .fetch_all(conn)
    .await
}

/// People with `role` whose email, first, last or full name starts with `prefix` (lower case,
/// LIKE wildcards escaped), by last name then id, after the cursor `after`.
pub(crate) async fn search(
    conn: &mut PgConnection,
    role: Option<Role>,
    prefix: Option<&str>,
    after: Option<&(String, Uuid)>,
    limit: i64,
) -> sqlx::Result<Vec<Profile>> {
    sqlx::query_as!(
        Profile,
        r#"select id, username, email, email_verified, first_name, last_name, phone, date_of_birth,
                gender as "gender: Gender", address, roles as "roles: Vec<Role>", specialty, version,
                created_at, updated_at
         from profiles
         where ($1::text is null or $1 = any (roles))
           and ($2::text is null
                or lower(email) like $2 || '%'
                or lower(first_name) like $2 || '%'
                or lower(last_name) like $2 || '%'
                or lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) like $2 || '%')
           and ($3::text is null or (coalesce(last_name, ''), id) > ($3, $4))
         order by coalesce(last_name, ''), id
         limit $5"#,
        role.map(Role::as_str),
        prefix,
        after.map(|(name, _)| name.as_str()),
        after.map(|(_, id)| *id),
        limit,
    )
    .fetch_all(conn)
    .await
}
