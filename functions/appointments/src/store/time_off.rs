//! Doctors' time off and the clinic's closures (`time_off`, `doctor_id` null for a closure).

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::{NewTimeOff, TimeOff};

/// A scheduled appointment that recorded time off covers: moving or cancelling it stays a
/// person's decision.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Covered {
    pub appointment_id: Uuid,
    pub doctor_id: Uuid,
    pub patient_name: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// The constraint names `check_doctor_free` raises, for the 409s of bookings and moves.
pub const IN_TIME_OFF: &str = "appointments_in_time_off";
pub const IN_CLOSURE: &str = "appointments_in_closure";

/// Records `time_off` of `doctor_id` (`None`: the clinic closes), once the bookings in flight
/// for it have committed (`lock_time_off`: no booking slips in beside it), and returns the
/// scheduled appointments it covers, which stay as they are.
pub async fn record_time_off(
    conn: &mut PgConnection,
    id: Uuid,
    doctor_id: Option<Uuid>,
    time_off: &NewTimeOff,
    created_by: Uuid,
) -> sqlx::Result<Vec<Covered>> {
    sqlx::query!("select lock_time_off($1)", doctor_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "insert into time_off (id, doctor_id, starts_at, ends_at, note, created_by)
         values ($1, $2, $3, $4, $5, $6)",
        id,
        doctor_id,
        time_off.slot.starts_at,
        time_off.slot.ends_at,
        time_off.note.as_deref(),
        created_by,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query_as!(
        Covered,
        r#"select a.id as "appointment_id!", a.doctor_id as "doctor_id!",
                display_name(p) as "patient_name!", a.starts_at as "starts_at!",
                a.ends_at as "ends_at!"
         from appointments a join people p on p.id = a.patient_id
         where ($1::uuid is null or a.doctor_id = $1) and a.status = 'scheduled'
           and tstzrange(a.starts_at, a.ends_at, '[)') && tstzrange($2, $3, '[)')
         order by a.starts_at, a.id"#,
        doctor_id,
        time_off.slot.starts_at,
        time_off.slot.ends_at,
    )
    .fetch_all(conn)
    .await
}

/// How many upcoming ranges a list answers with: years of a clinic's holidays.
const LISTED: i64 = 500;

/// The time off of `doctor_id` (`None`: the clinic's closures) that is not over at `now`, in
/// order, notes included.
pub async fn time_off(
    conn: &mut PgConnection,
    doctor_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<TimeOff>> {
    sqlx::query_as!(
        TimeOff,
        "select id, doctor_id, starts_at, ends_at, note from time_off
         where doctor_id is not distinct from $1 and ends_at > $2
         order by starts_at, id limit $3",
        doctor_id,
        now,
        LISTED,
    )
    .fetch_all(conn)
    .await
}

/// Deletes time off `id` of `doctor_id` (`None`: a closure); whether there was one.
pub async fn delete_time_off(
    conn: &mut PgConnection,
    id: Uuid,
    doctor_id: Option<Uuid>,
) -> sqlx::Result<bool> {
    let deleted = sqlx::query!(
        "delete from time_off where id = $1 and doctor_id is not distinct from $2",
        id,
        doctor_id,
    )
    .execute(conn)
    .await?;
    Ok(deleted.rows_affected() > 0)
}
