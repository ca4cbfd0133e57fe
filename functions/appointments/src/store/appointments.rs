//! Appointments: booking, changes, reads, and the idempotency keys of bookings.
//!
//! An appointment's columns are named one by one, the same in every statement: `priority` and
//! `status` are text to the database and read as [`Priority`] and [`AppointmentStatus`]; `!`
//! marks as never null what the checks cannot prove is not (`display_name`, a CTE's columns).

use carebook_events::{AppointmentStatus, Envelope, Priority, Slot};
use carebook_outbox::OutboxRow;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{PgConnection, QueryBuilder};
use uuid::Uuid;

use crate::ListFilter;
use crate::domain::{Appointment, Change, NewRow};

/// The constraint a booking violates when it would take the patient past its `max_open`.
const OPEN_LIMIT: &str = "appointments_patient_open_limit";

/// Whether `error` is a booking's refusal by the limit on open appointments.
pub fn is_over_open_limit(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db)
        if db.code().as_deref() == Some("23514") && db.constraint() == Some(OPEN_LIMIT))
}

/// The constraint `check_doctor_free` named when `error` is its refusal of a slot inside time
/// off ([`super::IN_TIME_OFF`]) or a closure ([`super::IN_CLOSURE`]).
pub fn time_off_violated(error: &sqlx::Error) -> Option<&str> {
    match error {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("23514") => db
            .constraint()
            .filter(|name| [super::IN_TIME_OFF, super::IN_CLOSURE].contains(name)),
        _ => None,
    }
}

/// The `Idempotency-Key` a booking claims, with the request it stands for.
pub struct KeyClaim<'a> {
    pub caller: Uuid,
    pub key: &'a str,
    pub request: &'a serde_json::Value,
}

/// Books `row` in one statement: claims the idempotency key (if any), checks the patient's
/// open appointments against `max_open` (`None`: no limit) under a lock on the patient
/// (`check_open_appointments`), inserts the scheduled appointment and its `event` into the
/// outbox, all or nothing. Fails with `appointments_*_no_overlap` on a clash and with
/// `appointments_patient_open_limit` ([`is_over_open_limit`]) over the limit; `None` when the
/// key was claimed before (see [`claimed_key`]), which a retry of a booking that counts
/// towards the limit gets too. A concurrent request with the same key waits on the key's row
/// until this one commits or fails.
pub async fn book(
    conn: &mut PgConnection,
    row: &NewRow<'_>,
    key: Option<&KeyClaim<'_>>,
    max_open: Option<u16>,
    event: &OutboxRow,
) -> sqlx::Result<Option<Appointment>> {
    sqlx::query_as!(
        Appointment,
        r#"with claimed as (
            insert into idempotency_keys (caller, key, request, appointment_id)
            select $10, $11, $12, $1 where $11::text is not null
            on conflict do nothing
            returning appointment_id
         ),
         changed as (
            insert into appointments
                (id, patient_id, doctor_id, starts_at, ends_at, duration_minutes, reason, priority, created_by)
            select $1, $2, $3, $4, $5, $6, $7, $8, $9
            -- `case` orders the two: a replay is answered without counting.
            where case when $11::text is null or exists (select from claimed)
                       then check_open_appointments($2, $17) and check_doctor_free($3, $4, $5)
                       else false end
            returning *
         ),
         event as (
            insert into outbox (id, topic, key, payload) select $13, $14, $15, $16 from changed
         )
         select a.id as "id!", a.patient_id as "patient_id!", display_name(p) as "patient_name!",
                a.doctor_id as "doctor_id!", display_name(d) as "doctor_name!",
                a.starts_at as "starts_at!", a.ends_at as "ends_at!",
                a.duration_minutes as "duration_minutes!", a.reason as "reason!",
                a.priority as "priority!: Priority", a.status as "status!: AppointmentStatus",
                a.cancellation_reason, a.version as "version!", a.created_at as "created_at!",
                a.updated_at as "updated_at!"
         from changed a join people p on p.id = a.patient_id join people d on d.id = a.doctor_id"#,
        row.id,
        row.patient_id,
        row.doctor_id,
        row.slot.starts_at,
        row.slot.ends_at,
        i16::try_from(row.duration_minutes).unwrap_or(i16::MAX),
        row.reason,
        row.priority as Priority,
        row.created_by,
        key.map(|key| key.caller),
        key.map(|key| key.key),
        key.map(|key| Json(key.request)) as Option<Json<&serde_json::Value>>,
        event.id,
        event.topic,
        event.key.as_str(),
        &event.payload as &Json<Envelope>,
        max_open.map(i32::from),
    )
    .fetch_optional(conn)
    .await
}

/// The request and appointment an idempotency key was claimed for.
pub async fn claimed_key(
    conn: &mut PgConnection,
    caller: Uuid,
    key: &str,
) -> sqlx::Result<Option<(serde_json::Value, Uuid)>> {
    let found = sqlx::query!(
        "select request, appointment_id from idempotency_keys where caller = $1 and key = $2",
        caller,
        key,
    )
    .fetch_optional(conn)
    .await?;
    Ok(found.map(|found| (found.request, found.appointment_id)))
}

pub async fn find(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Appointment>> {
    sqlx::query_as!(
        Appointment,
        r#"select a.id as "id!", a.patient_id as "patient_id!", display_name(p) as "patient_name!",
                a.doctor_id as "doctor_id!", display_name(d) as "doctor_name!",
                a.starts_at as "starts_at!", a.ends_at as "ends_at!",
                a.duration_minutes as "duration_minutes!", a.reason as "reason!",
                a.priority as "priority!: Priority", a.status as "status!: AppointmentStatus",
                a.cancellation_reason, a.version as "version!", a.created_at as "created_at!",
                a.updated_at as "updated_at!"
         from appointments a join people p on p.id = a.patient_id join people d on d.id = a.doctor_id
         where a.id = $1"#,
        id,
    )
    .fetch_optional(conn)
    .await
}

/// Applies `change` to the appointment `id` if it is still scheduled at `version`, and writes
/// `event` (if any) into the outbox, in one statement: a new version, or `None` when the
/// appointment changed since it was read. Fails with `appointments_*_no_overlap` on a clash.
pub async fn change(
    conn: &mut PgConnection,
    id: Uuid,
    version: i32,
    change: &Change,
    event: Option<&OutboxRow>,
) -> sqlx::Result<Option<Appointment>> {
    sqlx::query_as!(
        Appointment,
        r#"with changed as (
            update appointments
            set starts_at = $3, ends_at = $4, duration_minutes = $5, reason = $6, status = $7,
                cancellation_reason = $8, version = version + 1, updated_at = now()
            where id = $1 and version = $2 and status = 'scheduled'
              -- A move must not land in time off or a closure; any other change may.
              and ((starts_at = $3 and ends_at = $4) or check_doctor_free(doctor_id, $3, $4))
            returning *
         ),
         event as (
            insert into outbox (id, topic, key, payload)
            select $9, $10, $11, $12 from changed where $9::uuid is not null
         )
         select a.id as "id!", a.patient_id as "patient_id!", display_name(p) as "patient_name!",
                a.doctor_id as "doctor_id!", display_name(d) as "doctor_name!",
                a.starts_at as "starts_at!", a.ends_at as "ends_at!",
                a.duration_minutes as "duration_minutes!", a.reason as "reason!",
                a.priority as "priority!: Priority", a.status as "status!: AppointmentStatus",
                a.cancellation_reason, a.version as "version!", a.created_at as "created_at!",
                a.updated_at as "updated_at!"
         from changed a join people p on p.id = a.patient_id join people d on d.id = a.doctor_id"#,
        id,
        version,
        change.slot.starts_at,
        change.slot.ends_at,
        i16::try_from(change.duration_minutes).unwrap_or(i16::MAX),
        change.reason.as_str(),
        change.status as AppointmentStatus,
        change.cancellation_reason.as_deref(),
        event.map(|event| event.id),
        event.map(|event| event.topic),
        event.map(|event| event.key.as_str()),
        event.map(|event| &event.payload) as Option<&Json<Envelope>>,
    )
    .fetch_optional(conn)
    .await
}

/// A scheduled appointment of `person_id` as doctor or patient overlapping `slot`, other than
/// `except`: the clash a 409 reports.
pub async fn clash(
    conn: &mut PgConnection,
    constraint: &str,
    person_id: Uuid,
    slot: Slot,
    except: Option<Uuid>,
) -> sqlx::Result<Option<Slot>> {
    let found = sqlx::query!(
        "select starts_at, ends_at from appointments
         where (case when $5 then doctor_id else patient_id end) = $1
           and status = 'scheduled' and id is distinct from $4
           and tstzrange(starts_at, ends_at, '[)') && tstzrange($2, $3, '[)')
         order by starts_at limit 1",
        person_id,
        slot.starts_at,
        slot.ends_at,
        except,
        constraint.contains("doctor"),
    )
    .fetch_optional(conn)
    .await?;
    Ok(found.map(|found| Slot {
        starts_at: found.starts_at,
        ends_at: found.ends_at,
    }))
}

/// Whose appointments a caller may list.
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    Patient(Uuid),
    Doctor(Uuid),
    Everyone,
}

/// Appointments in `scope` matching `filter`, by start then id, after the cursor `after`.
pub async fn list(
    conn: &mut PgConnection,
    scope: Scope,
    filter: &ListFilter,
    after: Option<&(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> sqlx::Result<Vec<Appointment>> {
    let (patient, doctor) = match scope {
        Scope::Patient(id) => (Some(id), filter.doctor_id),
        Scope::Doctor(id) => (filter.patient_id, Some(id)),
        Scope::Everyone => (filter.patient_id, filter.doctor_id),
    };
    // Only the filters given become conditions, so the planner sees each query's own shape
    // and can use the index on the person it is about.
    let mut query = QueryBuilder::new(
        "select a.*, display_name(p) as patient_name, display_name(d) as doctor_name
         from appointments a join people p on p.id = a.patient_id join people d on d.id = a.doctor_id
         where true",
    );
    if let Some(patient) = patient {
        query.push(" and a.patient_id = ").push_bind(patient);
    }
    if let Some(doctor) = doctor {
        query.push(" and a.doctor_id = ").push_bind(doctor);
    }
    if let Some(status) = filter.status {
        query.push(" and a.status = ").push_bind(status);
    }
    if let Some(priority) = filter.priority {
        query.push(" and a.priority = ").push_bind(priority);
    }
    if let Some(from) = filter.from {
        query.push(" and a.ends_at > ").push_bind(from);
    }
    if let Some(to) = filter.to {
        query.push(" and a.starts_at < ").push_bind(to);
    }
    if let Some((starts_at, id)) = after {
        query
            .push(" and (a.starts_at, a.id) > (")
            .push_bind(*starts_at)
            .push(", ")
            .push_bind(*id)
            .push(")");
    }
    query
        .push(" order by a.starts_at, a.id limit ")
        .push_bind(limit);
    query.build_query_as().fetch_all(conn).await
}

/// The ranges `doctor_id` cannot be booked in between `from` and `to`: their scheduled
/// appointments, their time off and the clinic's closures.
pub async fn booked(
    conn: &mut PgConnection,
    doctor_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<Vec<Slot>> {
    let rows = sqlx::query!(
        r#"select starts_at as "starts_at!", ends_at as "ends_at!" from appointments
         where doctor_id = $1 and status = 'scheduled' and starts_at < $3 and ends_at > $2
         union all
         select starts_at, ends_at from time_off
         where (doctor_id = $1 or doctor_id is null) and starts_at < $3 and ends_at > $2
         order by 1"#,
        doctor_id,
        from,
        to,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| Slot {
            starts_at: row.starts_at,
            ends_at: row.ends_at,
        })
        .collect())
}
