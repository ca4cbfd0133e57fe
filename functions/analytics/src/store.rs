//! All SQL of the analytics service.

use carebook_events::{AppointmentStatus, Priority};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::ingest::{Applicable, AppointmentChange, Change};

/// Marks `ids` as processed; returns those that were not before.
pub(crate) async fn claim_events(conn: &mut PgConnection, ids: &[Uuid]) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "insert into processed_events (event_id) select unnest($1::uuid[])
         on conflict do nothing returning event_id",
    )
    .bind(ids)
    .fetch_all(conn)
    .await
}

pub(crate) async fn apply(conn: &mut PgConnection, event: &Applicable) -> sqlx::Result<()> {
    match &event.change {
        Change::Appointment { kind, appointment } => {
            let a = appointment;
            sqlx::query(
                "insert into appointments
                    (id, doctor_id, doctor_name, patient_id, priority, status, starts_at, ends_at, version, booked_at, updated_at)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                 on conflict (id) do update set
                    doctor_id = excluded.doctor_id, doctor_name = excluded.doctor_name,
                    patient_id = excluded.patient_id, priority = excluded.priority,
                    status = excluded.status, starts_at = excluded.starts_at,
                    ends_at = excluded.ends_at, version = excluded.version,
                    booked_at = coalesce(appointments.booked_at, excluded.booked_at),
                    updated_at = excluded.updated_at
                 where appointments.version < excluded.version",
            )
            .bind(a.appointment_id)
            .bind(a.doctor.id)
            .bind(&a.doctor.name)
            .bind(a.patient.id)
            .bind(text(&a.priority))
            .bind(text(&a.status))
            .bind(a.starts_at)
            .bind(a.ends_at)
            .bind(a.version)
            .bind((*kind == AppointmentChange::Created).then_some(event.time))
            .bind(event.time)
            .execute(&mut *conn)
            .await?;
            if *kind == AppointmentChange::Created {
                // The booking may arrive after a later event of the same appointment.
                sqlx::query(
                    "update appointments set booked_at = $2 where id = $1 and booked_at is null",
                )
                .bind(a.appointment_id)
                .bind(event.time)
                .execute(&mut *conn)
                .await?;
            }
            let count = |wanted: AppointmentChange| i32::from(*kind == wanted);
            sqlx::query(
                "insert into daily_counts (day, created, rescheduled, cancelled, completed)
                 values ($1, $2, $3, $4, $5)
                 on conflict (day) do update set
                    created = daily_counts.created + excluded.created,
                    rescheduled = daily_counts.rescheduled + excluded.rescheduled,
                    cancelled = daily_counts.cancelled + excluded.cancelled,
                    completed = daily_counts.completed + excluded.completed",
            )
            .bind(event.time.date_naive())
            .bind(count(AppointmentChange::Created))
            .bind(count(AppointmentChange::Rescheduled))
            .bind(count(AppointmentChange::Cancelled))
            .bind(count(AppointmentChange::Completed))
            .execute(conn)
            .await?;
        }
        Change::Registered(user) | Change::Updated(user) => {
            let roles: Vec<&str> = user.roles.iter().map(|role| role.as_str()).collect();
            sqlx::query(
                "insert into registrations (user_id, roles, registered_at) values ($1, $2, $3)
                 on conflict (user_id) do update set roles = excluded.roles",
            )
            .bind(user.user_id)
            .bind(roles)
            .bind(event.time)
            .execute(conn)
            .await?;
        }
    }
    Ok(())
}

fn text(value: &impl Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A count per label.
#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Count {
    pub label: String,
    pub count: i64,
}

/// A doctor's load.
#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct DoctorLoad {
    pub doctor_id: Uuid,
    pub doctor_name: String,
    pub scheduled: i64,
    pub total: i64,
}

/// One of the latest bookings.
#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Latest {
    pub id: Uuid,
    pub doctor_name: String,
    #[schema(value_type = Priority)]
    pub priority: String,
    #[schema(value_type = AppointmentStatus)]
    pub status: String,
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

pub(crate) async fn summary(pool: &PgPool) -> sqlx::Result<Summary> {
    let by_status: Vec<Count> = sqlx::query_as(
        "select status as label, count(*) as count from appointments group by status order by status",
    )
    .fetch_all(pool)
    .await?;
    let by_priority = sqlx::query_as(
        "select priority as label, count(*) as count from appointments group by priority order by priority",
    )
    .fetch_all(pool)
    .await?;
    let open_emergencies = sqlx::query_scalar(
        "select count(*) from appointments where priority = 'emergency' and status = 'scheduled'",
    )
    .fetch_one(pool)
    .await?;
    let doctor_load = sqlx::query_as(
        "select doctor_id, max(doctor_name) as doctor_name,
                count(*) filter (where status = 'scheduled') as scheduled, count(*) as total
         from appointments group by doctor_id order by scheduled desc, total desc, doctor_id limit 50",
    )
    .fetch_all(pool)
    .await?;
    let registrations_by_role = sqlx::query_as(
        "select role as label, count(*) as count from registrations, unnest(roles) as role
         group by role order by role",
    )
    .fetch_all(pool)
    .await?;
    let latest = sqlx::query_as(
        "select id, doctor_name, priority, status, starts_at, booked_at from appointments
         order by booked_at desc nulls last, id limit 10",
    )
    .fetch_all(pool)
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
#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Day {
    pub date: NaiveDate,
    pub created: i32,
    pub rescheduled: i32,
    pub cancelled: i32,
    pub completed: i32,
}

pub(crate) async fn daily(pool: &PgPool, from: NaiveDate, to: NaiveDate) -> sqlx::Result<Vec<Day>> {
    sqlx::query_as(
        "select day::date as date, coalesce(created, 0) as created,
                coalesce(rescheduled, 0) as rescheduled, coalesce(cancelled, 0) as cancelled,
                coalesce(completed, 0) as completed
         from generate_series($1::date, $2::date, interval '1 day') as day
         left join daily_counts using (day)
         order by day",
    )
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await
}
