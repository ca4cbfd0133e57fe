//! All SQL of the analytics service, checked against its schema at compile time (`.sqlx/`,
//! localstack/sqlx-prepare.sh). An argument cast with `as` is bound as that type unchecked: the
//! macros map `text[]` to owned strings and `jsonb[]` to JSON values only, and the enums are
//! stored as text.

use carebook_events::{AppointmentStatus, Priority};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use sqlx::types::Json;
use uuid::Uuid;

use crate::fold::{AppointmentRow, DayCounts, Folded};

/// Marks `ids` as processed; returns those that were not before.
pub(crate) async fn claim_events(conn: &mut PgConnection, ids: &[Uuid]) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!(
        "insert into processed_events (event_id) select unnest($1::uuid[])
         on conflict do nothing returning event_id",
        ids,
    )
    .fetch_all(conn)
    .await
}

/// Writes a folded batch: one statement per table, each row once.
pub(crate) async fn apply(conn: &mut PgConnection, batch: &Folded<'_>) -> sqlx::Result<()> {
    if !batch.appointments.is_empty() {
        upsert_appointments(conn, batch).await?;
    }
    if !batch.days.is_empty() {
        let days: Vec<NaiveDate> = batch.days.keys().copied().collect();
        let column =
            |count: fn(&DayCounts) -> i32| -> Vec<i32> { batch.days.values().map(count).collect() };
        sqlx::query!(
            "insert into daily_counts (day, created, rescheduled, cancelled, completed)
             select * from unnest($1::date[], $2::int[], $3::int[], $4::int[], $5::int[])
             on conflict (day) do update set
                created = daily_counts.created + excluded.created,
                rescheduled = daily_counts.rescheduled + excluded.rescheduled,
                cancelled = daily_counts.cancelled + excluded.cancelled,
                completed = daily_counts.completed + excluded.completed",
            &days,
            &column(|day| day.created),
            &column(|day| day.rescheduled),
            &column(|day| day.cancelled),
            &column(|day| day.completed),
        )
        .execute(&mut *conn)
        .await?;
    }
    if !batch.registrations.is_empty() {
        let rows = &batch.registrations;
        let roles: Vec<Json<Vec<&str>>> = rows
            .values()
            .map(|row| Json(row.user.roles.iter().map(|role| role.as_str()).collect()))
            .collect();
        sqlx::query!(
            "insert into registrations (user_id, roles, registered_at)
             select user_id, array(select jsonb_array_elements_text(roles)), registered_at
             from unnest($1::uuid[], $2::jsonb[], $3::timestamptz[]) as r(user_id, roles, registered_at)
             on conflict (user_id) do update set roles = excluded.roles",
            &rows.keys().copied().collect::<Vec<Uuid>>(),
            &roles as &[Json<Vec<&str>>],
            &rows.values().map(|row| row.registered_at).collect::<Vec<_>>(),
        )
        .execute(conn)
        .await?;
    }
    Ok(())
}

async fn upsert_appointments(conn: &mut PgConnection, batch: &Folded<'_>) -> sqlx::Result<()> {
    let rows: Vec<&AppointmentRow> = batch.appointments.values().collect();
    let column = |value: fn(&AppointmentRow) -> Uuid| -> Vec<Uuid> {
        rows.iter().map(|row| value(row)).collect()
    };
    let ids = column(|row| row.appointment.appointment_id);
    let booked: Vec<Option<DateTime<Utc>>> = rows.iter().map(|row| row.booked_at).collect();
    let doctor_names: Vec<&str> = rows
        .iter()
        .map(|row| row.appointment.doctor.name.as_str())
        .collect();
    let priorities: Vec<Priority> = rows.iter().map(|row| row.appointment.priority).collect();
    let statuses: Vec<AppointmentStatus> = rows.iter().map(|row| row.appointment.status).collect();
    sqlx::query!(
        "insert into appointments
            (id, doctor_id, doctor_name, patient_id, priority, status, starts_at, ends_at, version, booked_at, updated_at)
         select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[],
                              $7::timestamptz[], $8::timestamptz[], $9::int[], $10::timestamptz[], $11::timestamptz[])
         on conflict (id) do update set
            doctor_id = excluded.doctor_id, doctor_name = excluded.doctor_name,
            patient_id = excluded.patient_id, priority = excluded.priority,
            status = excluded.status, starts_at = excluded.starts_at,
            ends_at = excluded.ends_at, version = excluded.version,
            booked_at = coalesce(appointments.booked_at, excluded.booked_at),
            updated_at = excluded.updated_at
         where appointments.version < excluded.version",
        &ids,
        &column(|row| row.appointment.doctor.id),
        &doctor_names as &[&str],
        &column(|row| row.appointment.patient.id),
        &priorities as &[Priority],
        &statuses as &[AppointmentStatus],
        &rows.iter().map(|row| row.appointment.starts_at).collect::<Vec<_>>(),
        &rows.iter().map(|row| row.appointment.ends_at).collect::<Vec<_>>(),
        &rows.iter().map(|row| row.appointment.version).collect::<Vec<_>>(),
        &booked as &[Option<DateTime<Utc>>],
        &rows.iter().map(|row| row.updated_at).collect::<Vec<_>>(),
    )
    .execute(&mut *conn)
    .await?;
    if booked.iter().all(Option::is_none) {
        return Ok(());
    }
    // A booking may arrive after a later event of its appointment, which the upsert keeps.
    sqlx::query!(
        "update appointments set booked_at = b.booked_at
         from unnest($1::uuid[], $2::timestamptz[]) as b(id, booked_at)
         where appointments.id = b.id and appointments.booked_at is null and b.booked_at is not null",
        &ids,
        &booked as &[Option<DateTime<Utc>>],
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A count per label.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Count {
    pub label: String,
    pub count: i64,
}

/// A doctor's load.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DoctorLoad {
    pub doctor_id: Uuid,
    pub doctor_name: String,
    pub scheduled: i64,
    pub total: i64,
}

/// One of the latest bookings.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Latest {
    pub id: Uuid,
    pub doctor_name: String,
    pub priority: Priority,
    pub status: AppointmentStatus,
    pub starts_at: DateTime<Utc>,
    pub booked_at: Option<DateTime<Utc>>,
}

/// The clinic's figures (`GET /analytics/summary`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Summary {
    pub total_appointments: i64,
    pub by_status: Vec<Count>,
    pub by_priority: Vec<Count>,
    /// Emergencies still scheduled.
    pub open_emergencies: i64,
    pub doctor_load: Vec<DoctorLoad>,
    pub registrations_by_role: Vec<Count>,
    pub latest: Vec<Latest>,
}

pub(crate) async fn summary(conn: &mut PgConnection) -> sqlx::Result<Summary> {
    let by_status = sqlx::query_as!(
        Count,
        r#"select status as label, count(*) as "count!" from appointments group by status order by status"#,
    )
    .fetch_all(&mut *conn)
    .await?;
    let by_priority = sqlx::query_as!(
        Count,
        r#"select priority as label, count(*) as "count!" from appointments group by priority order by priority"#,
    )
    .fetch_all(&mut *conn)
    .await?;
    let open_emergencies = sqlx::query_scalar!(
        r#"select count(*) as "count!" from appointments where priority = 'emergency' and status = 'scheduled'"#,
    )
    .fetch_one(&mut *conn)
    .await?;
    let doctor_load = sqlx::query_as!(
        DoctorLoad,
        r#"select doctor_id, max(doctor_name) as "doctor_name!",
                count(*) filter (where status = 'scheduled') as "scheduled!", count(*) as "total!"
         from appointments group by doctor_id order by "scheduled!" desc, "total!" desc, doctor_id limit 50"#,
    )
    .fetch_all(&mut *conn)
    .await?;
    let registrations_by_role = sqlx::query_as!(
        Count,
        r#"select role as "label!", count(*) as "count!" from registrations, unnest(roles) as role
         group by role order by role"#,
    )
    .fetch_all(&mut *conn)
    .await?;
    let latest = sqlx::query_as!(
        Latest,
        r#"select id, doctor_name, priority as "priority: Priority", status as "status: AppointmentStatus",
                starts_at, booked_at
         from appointments order by booked_at desc nulls last, id limit 10"#,
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(Summary {
        total_appointments: by_status.iter().map(|c| c.count).sum(),
        by_status,
        by_priority,
        open_emergencies,
        doctor_load,
        registrations_by_role,
        latest,
    })
}

/// One day of `GET /analytics/daily`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Day {
    pub date: NaiveDate,
    pub created: i32,
    pub rescheduled: i32,
    pub cancelled: i32,
    pub completed: i32,
}

pub(crate) async fn daily(
    conn: &mut PgConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> sqlx::Result<Vec<Day>> {
    sqlx::query_as!(
        Day,
        r#"select day::date as "date!", coalesce(created, 0) as "created!",
                coalesce(rescheduled, 0) as "rescheduled!", coalesce(cancelled, 0) as "cancelled!",
                coalesce(completed, 0) as "completed!"
         from generate_series($1::date, $2::date, interval '1 day') as day
         left join daily_counts using (day)
         order by day"#,
        from,
        to,
    )
    .fetch_all(&mut *conn)
    .await
}
