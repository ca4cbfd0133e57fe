//! Appointments: booking, changes, reads, and the idempotency keys of bookings.

use carebook_events::Slot;
use carebook_outbox::OutboxRow;
use chrono::{DateTime, Utc};
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
    sqlx::query_as(
        "with claimed as (
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
                       then check_open_appointments($2, $17) else false end
            returning *
         ),
         event as (
            insert into outbox (id, topic, key, payload) select $13, $14, $15, $16 from changed
         )
         select a.*, display_name(p) as patient_name, display_name(d) as doctor_name
         from changed a join people p on p.id = a.patient_id join people d on d.id = a.doctor_id",
    )
    .bind(row.id)
    .bind(row.patient_id)
    .bind(row.doctor_id)
    .bind(row.slot.starts_at)
    .bind(row.slot.ends_at)
    .bind(i16::try_from(row.duration_minutes).unwrap_or(i16::MAX))
    .bind(row.reason)
    .bind(row.priority)
    .bind(row.created_by)
    .bind(key.map(|key| key.caller))
    .bind(key.map(|key| key.key))
    .bind(key.map(|key| sqlx::types::Json(key.request)))
    .bind(event.id)
    .bind(event.topic)
    .bind(&event.key)
    .bind(&event.payload)
    .bind(max_open.map(i32::from))
    .fetch_optional(conn)
    .await
}

/// The request and appointment an idempotency key was claimed for.
pub async fn claimed_key(
    conn: &mut PgConnection,
    caller: Uuid,
    key: &str,
) -> sqlx::Result<Option<(serde_json::Value, Uuid)>> {
    let found: Option<(sqlx::types::Json<serde_json::Value>, Uuid)> = sqlx::query_as(
        "select request, appointment_id from idempotency_keys where caller = $1 and key = $2",
    )
    .bind(caller)
    .bind(key)
    .fetch_optional(conn)
    .await?;
    Ok(found.map(|(sqlx::types::Json(request), id)| (request, id)))
}

pub async fn find(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Appointment>> {
    sqlx::query_as(
        "select a.*, display_name(p) as patient_name, display_name(d) as doctor_name
         from appointments a join people p on p.id = a.patient_id join people d on d.id = a.doctor_id
         where a.id = $1",
    )
    .bind(id)
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
    sqlx::query_as(
        "with changed as (
            update appointments
            set starts_at = $3, ends_at = $4, duration_minutes = $5, reason = $6, status = $7,
                cancellation_reason = $8, version = version + 1, updated_at = now()
            where id = $1 and version = $2 and status = 'scheduled'
            returning *
         ),
         event as (
            insert into outbox (id, topic, key, payload)
            select $9, $10, $11, $12 from changed where $9::uuid is not null
         )
         select a.*, display_name(p) as patient_name, display_name(d) as doctor_name
         from changed a join people p on p.id = a.patient_id join people d on d.id = a.doctor_id",
    )
    .bind(id)
    .bind(version)
    .bind(change.slot.starts_at)
    .bind(change.slot.ends_at)
    .bind(i16::try_from(change.duration_minutes).unwrap_or(i16::MAX))
    .bind(&change.reason)
    .bind(change.status)
    .bind(&change.cancellation_reason)
    .bind(event.map(|event| event.id))
    .bind(event.map(|event| event.topic))
    .bind(event.map(|event| &event.key))
    .bind(event.map(|event| &event.payload))
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
    let found: Option<(DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(
        "select starts_at, ends_at from appointments
         where (case when $5 then doctor_id else patient_id end) = $1
           and status = 'scheduled' and id is distinct from $4
           and tstzrange(starts_at, ends_at, '[)') && tstzrange($2, $3, '[)')
         order by starts_at limit 1",
    )
    .bind(person_id)
    .bind(slot.starts_at)
    .bind(slot.ends_at)
    .bind(except)
    .bind(constraint.contains("doctor"))
    .fetch_optional(conn)
    .await?;
    Ok(found.map(|(starts_at, ends_at)| Slot { starts_at, ends_at }))
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

/// The slots `doctor_id` is booked for between `from` and `to`.
pub async fn booked(
    conn: &mut PgConnection,
    doctor_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<Vec<Slot>> {
    let rows: Vec<(DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(
        "select starts_at, ends_at from appointments
         where doctor_id = $1 and status = 'scheduled' and starts_at < $3 and ends_at > $2
         order by starts_at",
    )
    .bind(doctor_id)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(starts_at, ends_at)| Slot { starts_at, ends_at })
        .collect())
}
