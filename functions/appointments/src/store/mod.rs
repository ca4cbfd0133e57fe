//! All SQL of the appointments service. Functions take a connection so the caller decides
//! the transaction, and puts each change and its outbox event in the same one. Statements
//! assembled from shared parts are assembled once per process (`LazyLock`).

use std::sync::LazyLock;

use carebook_events::{
    AppointmentSnapshot, AppointmentStatus, Participant, Priority, Slot, UserSnapshot,
};
use carebook_outbox::OutboxRow;
use chrono::{DateTime, NaiveTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::ListFilter;
use crate::domain::{Span, WEEK, WeeklyHours};

/// An appointment as the API shows it, its doctor and patient named as the directory knows
/// them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Appointment {
    pub id: Uuid,
    pub patient_id: Uuid,
    /// The patient's full name, else their user name.
    pub patient_name: String,
    pub doctor_id: Uuid,
    /// The doctor's full name, else their user name.
    pub doctor_name: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    #[schema(minimum = 5, maximum = 240)]
    pub duration_minutes: i16,
    pub reason: String,
    pub priority: Priority,
    pub status: AppointmentStatus,
    pub cancellation_reason: Option<String>,
    /// Increases with every change; sent back as `If-Match` (also the `ETag`).
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Appointments (as `a`) with their participants' names, then `rest` (where, order, lock).
fn named(rest: &str) -> String {
    named_from("appointments", rest)
}

fn named_from(relation: &str, rest: &str) -> String {
    format!(
        "select a.*, display_name(p) as patient_name, display_name(d) as doctor_name
         from {relation} a join people p on p.id = a.patient_id join people d on d.id = a.doctor_id
         {rest}"
    )
}

/// Someone in this service's directory (from `user-events`).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Person {
    pub id: Uuid,
    pub roles: Vec<String>,
    /// `display_name(people)`: full name, else user name.
    pub name: String,
    pub email: Option<String>,
    /// Whether Keycloak verified `email`.
    pub email_verified: bool,
}

impl Person {
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    /// The person as an event names them.
    pub fn participant(&self) -> Participant {
        Participant {
            id: self.id,
            name: self.name.clone(),
            email: self.email.clone(),
            email_verified: self.email_verified,
        }
    }
}

impl Appointment {
    /// The slot it occupies.
    pub fn slot(&self) -> Slot {
        Slot {
            starts_at: self.starts_at,
            ends_at: self.ends_at,
        }
    }

    pub fn is_scheduled(&self) -> bool {
        self.status == AppointmentStatus::Scheduled
    }

    /// The appointment as events carry it, with its participants.
    pub fn snapshot(&self, patient: &Person, doctor: &Person) -> AppointmentSnapshot {
        AppointmentSnapshot {
            appointment_id: self.id,
            patient: patient.participant(),
            doctor: doctor.participant(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            duration_minutes: u16::try_from(self.duration_minutes).unwrap_or_default(),
            priority: self.priority,
            status: self.status,
            version: self.version,
        }
    }
}

/// The name of the constraint `error` violated, for exclusion and unique violations.
pub fn violated_constraint(error: &sqlx::Error) -> Option<&str> {
    match error {
        sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("23P01" | "23505")) => {
            db.constraint()
        }
        _ => None,
    }
}

/// Whether `error` is a booking's refusal by [`OPEN_LIMIT`].
pub fn is_over_open_limit(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db)
        if db.code().as_deref() == Some("23514") && db.constraint() == Some(OPEN_LIMIT))
}

pub async fn person(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Person>> {
    sqlx::query_as(
        "select id, roles, display_name(people) as name, email, email_verified from people where id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// `insert into people` of a user's snapshot as of a time (`$8`; null: older than any
/// event), followed by what to do when the person is there already.
macro_rules! insert_person {
    ($on_conflict:literal) => {
        concat!(
            "insert into people (id, roles, username, email, email_verified, first_name, last_name, specialty, event_time)
             values ($1, $2, $3, $4, $9, $5, $6, $7, coalesce($8, '-infinity'::timestamptz)) ",
            $on_conflict
        )
    };
}

/// [`insert_person!`]'s statement `sql` with `user` and `event_time` bound.
fn person_insert<'q>(
    sql: &'q str,
    user: &'q UserSnapshot,
    event_time: Option<DateTime<Utc>>,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    let roles: Vec<&str> = user.roles.iter().map(|role| role.as_str()).collect();
    sqlx::query(sql)
        .bind(user.user_id)
        .bind(roles)
        .bind(&user.username)
        .bind(&user.email)
        .bind(&user.first_name)
        .bind(&user.last_name)
        .bind(&user.specialty)
        .bind(event_time)
        .bind(user.email_verified)
}

/// Adds `user` unless the directory knows them already, locking nothing when it does, and
/// returns them as it knows them. Their event time is `-infinity`, so any `user-events` event
/// about them wins.
pub async fn add_person_if_missing(
    conn: &mut PgConnection,
    user: &UserSnapshot,
) -> sqlx::Result<Option<Person>> {
    person_insert(insert_person!("on conflict (id) do nothing"), user, None)
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
    let sql = insert_person!(
        "on conflict (id) do update set
            roles = excluded.roles, username = excluded.username, email = excluded.email,
            email_verified = excluded.email_verified,
            first_name = excluded.first_name, last_name = excluded.last_name,
            specialty = excluded.specialty, event_time = excluded.event_time
         where people.event_time <= excluded.event_time"
    );
    let result = person_insert(sql, user, Some(event_time))
        .execute(conn)
        .await?;
    Ok(result.rows_affected() > 0)
}

/// Records that `event_id` was applied; `false` when it already was.
pub async fn mark_processed(conn: &mut PgConnection, event_id: Uuid) -> sqlx::Result<bool> {
    let result =
        sqlx::query("insert into processed_events (event_id) values ($1) on conflict do nothing")
            .bind(event_id)
            .execute(conn)
            .await?;
    Ok(result.rows_affected() > 0)
}

/// Who a booking names, as the directory knows them, with the doctor's own week (`None`:
/// the clinic's hours).
#[derive(Debug, Default)]
pub struct Parties {
    pub doctor: Option<Person>,
    pub patient: Option<Person>,
    pub doctor_hours: Option<WeeklyHours>,
}

#[derive(sqlx::FromRow)]
struct PartyRow {
    #[sqlx(flatten)]
    person: Person,
    own_hours: bool,
    #[sqlx(flatten)]
    spans: SpanColumns,
}

/// A doctor's spans as parallel arrays (`array_agg` of `working_hours`).
#[derive(sqlx::FromRow)]
struct SpanColumns {
    weekdays: Vec<i16>,
    opens: Vec<NaiveTime>,
    closes: Vec<NaiveTime>,
}

impl SpanColumns {
    fn week(&self) -> WeeklyHours {
        let spans = self
            .weekdays
            .iter()
            .zip(&self.opens)
            .zip(&self.closes)
            .filter_map(|((weekday, opens), closes)| {
                let weekday = WEEK.get(usize::try_from(weekday - 1).ok()?)?;
                Some(Span {
                    weekday: *weekday,
                    opens: *opens,
                    closes: *closes,
                })
            })
            .collect();
        WeeklyHours::new(spans)
    }
}

/// The spans of the doctor `doctor` names, as [`SpanColumns`], for a `cross join lateral`.
fn spans_of(doctor: &str) -> String {
    format!(
        "select coalesce(array_agg(w.weekday order by w.weekday, w.opens), '{{}}') as weekdays,
                coalesce(array_agg(w.opens order by w.weekday, w.opens), '{{}}') as opens,
                coalesce(array_agg(w.closes order by w.weekday, w.opens), '{{}}') as closes
         from working_hours w where w.doctor_id = {doctor}"
    )
}

/// The doctor and the patient of a booking and the doctor's week, in one round trip.
pub async fn parties(
    conn: &mut PgConnection,
    doctor_id: Uuid,
    patient_id: Uuid,
) -> sqlx::Result<Parties> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "select p.id, p.roles, display_name(p) as name, p.email, p.email_verified,
                s.doctor_id is not null as own_hours, h.*
         from people p
         left join doctor_schedules s on s.doctor_id = p.id
         cross join lateral ({}) h
         where p.id in ($1, $2)",
            spans_of("p.id")
        )
    });
    let rows: Vec<PartyRow> = sqlx::query_as(&SQL)
        .bind(doctor_id)
        .bind(patient_id)
        .fetch_all(conn)
        .await?;
    let mut parties = Parties::default();
    for row in rows {
        if row.person.id == doctor_id {
            parties.doctor_hours = row.own_hours.then(|| row.spans.week());
            parties.doctor = Some(row.person.clone());
        }
        if row.person.id == patient_id {
            parties.patient = Some(row.person);
        }
    }
    Ok(parties)
}

/// A new appointment's row.
pub struct NewRow<'a> {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub doctor_id: Uuid,
    pub slot: Slot,
    pub duration_minutes: u16,
    pub reason: &'a str,
    pub priority: Priority,
    pub created_by: Uuid,
}

impl NewRow<'_> {
    /// The appointment this row becomes, as events carry it.
    pub fn snapshot(&self, patient: &Person, doctor: &Person) -> AppointmentSnapshot {
        AppointmentSnapshot {
            appointment_id: self.id,
            patient: patient.participant(),
            doctor: doctor.participant(),
            starts_at: self.slot.starts_at,
            ends_at: self.slot.ends_at,
            duration_minutes: self.duration_minutes,
            priority: self.priority,
            status: AppointmentStatus::Scheduled,
            version: 1,
        }
    }
}

/// The `Idempotency-Key` a booking claims, with the request it stands for.
pub struct KeyClaim<'a> {
    pub caller: Uuid,
    pub key: &'a str,
    pub request: &'a serde_json::Value,
}

/// The constraint a booking violates when it would take the patient past `max_open`.
pub const OPEN_LIMIT: &str = "appointments_patient_open_limit";

/// Books `row` in one statement: claims the idempotency key (if any), checks the patient's
/// open appointments against `max_open` (`None`: no limit) under a lock on the patient
/// (`check_open_appointments`), inserts the scheduled appointment and its `event` into the
/// outbox, all or nothing. Fails with `appointments_*_no_overlap` on a clash and with
/// [`OPEN_LIMIT`] over the limit; `None` when the key was claimed before (see
/// [`claimed_key`]), which a retry of a booking that counts towards the limit gets too. A
/// concurrent request with the same key waits on the key's row until this one commits or
/// fails.
pub async fn book(
    conn: &mut PgConnection,
    row: &NewRow<'_>,
    key: Option<&KeyClaim<'_>>,
    max_open: Option<u16>,
    event: &OutboxRow,
) -> sqlx::Result<Option<Appointment>> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
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
         {}",
        named_from("changed", "")
    )
    });
    sqlx::query_as(&SQL)
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
    static SQL: LazyLock<String> = LazyLock::new(|| named("where a.id = $1"));
    sqlx::query_as(&SQL).bind(id).fetch_optional(conn).await
}

/// What a change sets on a scheduled appointment.
#[derive(Clone, Debug)]
pub struct Change {
    pub slot: Slot,
    pub duration_minutes: u16,
    pub reason: String,
    pub status: AppointmentStatus,
    pub cancellation_reason: Option<String>,
}

impl Appointment {
    /// The appointment as `change` leaves it, as events carry it.
    pub fn snapshot_after(
        &self,
        change: &Change,
        patient: &Person,
        doctor: &Person,
    ) -> AppointmentSnapshot {
        AppointmentSnapshot {
            starts_at: change.slot.starts_at,
            ends_at: change.slot.ends_at,
            duration_minutes: change.duration_minutes,
            status: change.status,
            version: self.version + 1,
            ..self.snapshot(patient, doctor)
        }
    }
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
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
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
         {}",
            named_from("changed", "")
        )
    });
    sqlx::query_as(&SQL)
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
    pool: &PgPool,
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
    static SQL: LazyLock<String> = LazyLock::new(|| {
        named(
            "where ($1::uuid is null or a.patient_id = $1)
           and ($2::uuid is null or a.doctor_id = $2)
           and ($3::text is null or a.status = $3)
           and ($4::text is null or a.priority = $4)
           and ($5::timestamptz is null or a.ends_at > $5)
           and ($6::timestamptz is null or a.starts_at < $6)
           and ($7::timestamptz is null or (a.starts_at, a.id) > ($7, $8))
         order by a.starts_at, a.id
         limit $9",
        )
    });
    sqlx::query_as(&SQL)
        .bind(patient)
        .bind(doctor)
        .bind(filter.status)
        .bind(filter.priority)
        .bind(filter.from)
        .bind(filter.to)
        .bind(after.map(|(starts_at, _)| *starts_at))
        .bind(after.map(|(_, id)| *id))
        .bind(limit)
        .fetch_all(pool)
        .await
}

/// The slots `doctor_id` is booked for between `from` and `to`.
pub async fn booked(
    pool: &PgPool,
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
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(starts_at, ends_at)| Slot { starts_at, ends_at })
        .collect())
}

#[derive(sqlx::FromRow)]
struct HoursRow {
    version: i32,
    #[sqlx(flatten)]
    spans: SpanColumns,
}

/// The week `doctor_id` set for themselves, with its version; `None` when they follow the
/// clinic's hours.
pub async fn own_hours(
    conn: &mut PgConnection,
    doctor_id: Uuid,
) -> sqlx::Result<Option<(i32, WeeklyHours)>> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "select s.version, h.* from doctor_schedules s cross join lateral ({}) h
         where s.doctor_id = $1",
            spans_of("s.doctor_id")
        )
    });
    let row: Option<HoursRow> = sqlx::query_as(&SQL)
        .bind(doctor_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|row| (row.version, row.spans.week())))
}

/// Replaces `doctor_id`'s week with `hours`; returns its new version. Fails with
/// `working_hours_no_overlap` when spans overlap.
pub async fn set_own_hours(
    conn: &mut PgConnection,
    doctor_id: Uuid,
    hours: &WeeklyHours,
    by: Uuid,
) -> sqlx::Result<i32> {
    let version: i32 = sqlx::query_scalar(
        "insert into doctor_schedules (doctor_id, updated_by) values ($1, $2)
         on conflict (doctor_id) do update
            set version = doctor_schedules.version + 1, updated_by = $2, updated_at = now()
         returning version",
    )
    .bind(doctor_id)
    .bind(by)
    .fetch_one(&mut *conn)
    .await?;
    let spans = hours.spans();
    let weekdays: Vec<i16> = spans
        .iter()
        .map(|span| i16::try_from(span.weekday.number_from_monday()).unwrap_or_default())
        .collect();
    let opens: Vec<NaiveTime> = spans.iter().map(|span| span.opens).collect();
    let closes: Vec<NaiveTime> = spans.iter().map(|span| span.closes).collect();
    sqlx::query("delete from working_hours where doctor_id = $1")
        .bind(doctor_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "insert into working_hours (doctor_id, weekday, opens, closes)
         select $1, * from unnest($2::smallint[], $3::time[], $4::time[])",
    )
    .bind(doctor_id)
    .bind(weekdays)
    .bind(opens)
    .bind(closes)
    .execute(conn)
    .await?;
    Ok(version)
}
