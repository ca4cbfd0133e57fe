//! The directory of doctors and patients (`people`), kept from `user-events`. `roles` is
//! text to the database; the overrides read it as [`Role`]s, and `display_name` as never null.

use carebook_auth::Role;
use carebook_events::UserSnapshot;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::hours::SpanColumns;
use crate::domain::{DoctorListing, Parties, Person};

pub async fn person(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Person>> {
    sqlx::query_as!(
        Person,
        r#"select id, roles as "roles: Vec<Role>", display_name(people) as "name!", email,
                email_verified
         from people where id = $1"#,
        id,
    )
    .fetch_optional(conn)
    .await
}

/// `id` as a doctor anyone may see; `None` unless `id` is a doctor in the directory.
pub async fn doctor(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<DoctorListing>> {
    sqlx::query_as!(
        DoctorListing,
        r#"select nullif(concat_ws(' ', first_name, last_name), '') as name, specialty
         from people where id = $1 and 'doctor' = any (roles)"#,
        id,
    )
    .fetch_optional(conn)
    .await
}

/// Those of `ids` that are doctors in the directory.
pub async fn doctors_among(conn: &mut PgConnection, ids: &[Uuid]) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!(
        "select id from people where id = any ($1) and 'doctor' = any (roles)",
        ids,
    )
    .fetch_all(conn)
    .await
}

/// Adds `user` unless the directory knows them already, locking nothing when it does, and
/// returns them as it knows them. Their event time is `-infinity`, so any `user-events` event
/// about them wins.
pub async fn add_person_if_missing(
    conn: &mut PgConnection,
    user: &UserSnapshot,
) -> sqlx::Result<Option<Person>> {
    let roles: Vec<&str> = user.roles.iter().map(|role| role.as_str()).collect();
    sqlx::query!(
        "insert into people (id, roles, username, email, email_verified, first_name, last_name, specialty, event_time)
         values ($1, $2, $3, $4, $5, $6, $7, $8, '-infinity'::timestamptz)
         on conflict (id) do nothing",
        user.user_id,
        &roles as &[&str],
        user.username.as_deref(),
        user.email.as_deref(),
        user.email_verified,
        user.first_name.as_deref(),
        user.last_name.as_deref(),
        user.specialty.as_deref(),
    )
    .execute(&mut *conn)
    .await?;
    person(conn, user.user_id).await
}

/// Applies `user` as of `event_time` unless a newer event was applied. Returns whether the
/// row changed.
pub async fn upsert_person(
    conn: &mut PgConnection,
    user: &UserSnapshot,
    event_time: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let roles: Vec<&str> = user.roles.iter().map(|role| role.as_str()).collect();
    let result = sqlx::query!(
        "insert into people (id, roles, username, email, email_verified, first_name, last_name, specialty, event_time)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         on conflict (id) do update set
            roles = excluded.roles, username = excluded.username, email = excluded.email,
            email_verified = excluded.email_verified,
            first_name = excluded.first_name, last_name = excluded.last_name,
            specialty = excluded.specialty, event_time = excluded.event_time
         where people.event_time <= excluded.event_time",
        user.user_id,
        &roles as &[&str],
        user.username.as_deref(),
        user.email.as_deref(),
        user.email_verified,
        user.first_name.as_deref(),
        user.last_name.as_deref(),
        user.specialty.as_deref(),
        event_time,
    )
    .execute(conn)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Records that `event_id` was applied; `false` when it already was.
pub async fn mark_processed(conn: &mut PgConnection, event_id: Uuid) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "insert into processed_events (event_id) values ($1) on conflict do nothing",
        event_id,
    )
    .execute(conn)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// The doctor and the patient of a booking and the doctor's week, in one round trip.
pub async fn parties(
    conn: &mut PgConnection,
    doctor_id: Uuid,
    patient_id: Uuid,
) -> sqlx::Result<Parties> {
    let rows = sqlx::query!(
        r#"select p.id, p.roles as "roles: Vec<Role>", display_name(p) as "name!", p.email,
                p.email_verified, s.doctor_id is not null as "own_hours!",
                h.weekdays as "weekdays!", h.opens as "opens!", h.closes as "closes!"
         from people p
         left join doctor_schedules s on s.doctor_id = p.id
         cross join lateral (
            select coalesce(array_agg(w.weekday order by w.weekday, w.opens), '{}') as weekdays,
                   coalesce(array_agg(w.opens order by w.weekday, w.opens), '{}') as opens,
                   coalesce(array_agg(w.closes order by w.weekday, w.opens), '{}') as closes
            from working_hours w where w.doctor_id = p.id
         ) h
         where p.id in ($1, $2)"#,
        doctor_id,
        patient_id,
    )
    .fetch_all(conn)
    .await?;
    let mut parties = Parties::default();
    for row in rows {
        let person = Person {
            id: row.id,
            roles: row.roles,
            name: row.name,
            email: row.email,
            email_verified: row.email_verified,
        };
        if person.id == doctor_id {
            let spans = SpanColumns {
                weekdays: row.weekdays,
                opens: row.opens,
                closes: row.closes,
            };
            parties.doctor_hours = row.own_hours.then(|| spans.week());
            parties.doctor = Some(person.clone());
        }
        if person.id == patient_id {
            parties.patient = Some(person);
        }
    }
    Ok(parties)
}
