use anyhow::Context as _;
use carebook_events::Slot;
use carebook_http::{ApiError, json, path_id, query};
use chrono::{DateTime, NaiveDate, Utc};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt as _, Response};
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{caller, doctor_week, known_doctor};
use crate::domain::{AvailabilityQuery, DayRange, NextFreeQuery, first_free_slot, free_slots};
use crate::{App, WeeklyHours, WorkingHours, store};

/// A doctor's free slots, day by day.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Availability {
    pub doctor_id: Uuid,
    /// The doctor's first and last name, so a booking page opened by its address can say whom
    /// it books; null when the directory has neither.
    pub doctor_name: Option<String>,
    pub specialty: Option<String>,
    /// The clinic's IANA time zone: days and working hours are in it.
    pub time_zone: String,
    pub slot_minutes: u16,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Every day of the range, in order, each with its free slots (none on a day off).
    pub days: Vec<DaySlots>,
}

/// The free slots of one day.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DaySlots {
    pub date: NaiveDate,
    pub slots: Vec<Slot>,
}

/// Each doctor's first free slot, for a directory to show beside their names.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NextFreeSlots {
    /// The clinic's IANA time zone.
    pub time_zone: String,
    /// The last day looked at: a doctor whose `slot` is null has nothing free until then.
    pub searched_to: NaiveDate,
    /// The doctors asked for, in the order asked, but for ids that are not doctors here.
    pub items: Vec<NextFree>,
}

/// One doctor's first free slot.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NextFree {
    pub doctor_id: Uuid,
    pub slot: Option<Slot>,
}

/// `GET /doctors/{id}/availability?date=` or `?from=&to=`: the doctor's free slots on each day
/// of up to 31, within their working hours, for anyone signed in.
#[utoipa::path(
    get,
    path = "/doctors/{id}/availability",
    tag = "appointments",
    params(("id" = Uuid, Path, description = "The doctor"), AvailabilityQuery),
    responses(
        (status = 200, description = "Free slots per day in the clinic's time zone", body = Availability),
        (status = 400, response = carebook_http::openapi::Invalid),
        (status = 404, response = carebook_http::openapi::NotFound),
    ),
    security(("keycloak" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn get_availability(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    caller(app, request).await?;
    let doctor_id = path_id(request, "id")?;
    let range = DayRange::try_from(query::<AvailabilityQuery>(request)?)?;
    let mut conn = app.backends.connection().await?;
    let doctor = known_doctor(&mut conn, doctor_id).await?;
    let (_, week) = doctor_week(&mut conn, &app.hours, doctor_id).await?;
    let booked = booked_on(&mut conn, &app.hours, &week, doctor_id, range).await?;
    let now: DateTime<Utc> = Utc::now();
    let days = range
        .days()
        .map(|date| DaySlots {
            date,
            slots: free_slots(&app.hours, &week, date, &booked, now),
        })
        .collect();
    Ok(json(
        StatusCode::OK,
        &Availability {
            doctor_id,
            doctor_name: doctor.name,
            specialty: doctor.specialty,
            time_zone: app.hours.time_zone.name().to_owned(),
            slot_minutes: app.hours.slot.get(),
            from: range.from,
            to: range.to,
            days,
        },
    ))
}

/// `GET /doctors/next-free-slots?doctor_id=`: the first free slot of each of up to 24 doctors
/// within eight weeks, for anyone signed in.
#[utoipa::path(
    get,
    path = "/doctors/next-free-slots",
    tag = "appointments",
    params(NextFreeQuery),
    responses(
        (status = 200, description = "Each doctor's first free slot, or null when none is free within eight weeks", body = NextFreeSlots),
        (status = 400, response = carebook_http::openapi::Invalid),
    ),
    security(("keycloak" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn get_next_free_slots(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    caller(app, request).await?;
    let asked = NextFreeQuery::parse(
        request
            .query_string_parameters_ref()
            .and_then(|query| query.all("doctor_id"))
            .unwrap_or_default(),
    )?
    .doctor_id;
    let mut conn = app.backends.connection().await?;
    let doctors = store::doctors_among(&mut conn, &asked)
        .await
        .context("reading the directory")?;
    let now = Utc::now();
    let range = DayRange::next_free(&app.hours, now);
    let mut items = Vec::with_capacity(doctors.len());
    // One doctor at a time, two short reads each, for 24 doctors at most.
    for doctor_id in asked.into_iter().filter(|id| doctors.contains(id)) {
        let (_, week) = doctor_week(&mut conn, &app.hours, doctor_id).await?;
        let booked = booked_on(&mut conn, &app.hours, &week, doctor_id, range).await?;
        items.push(NextFree {
            doctor_id,
            slot: first_free_slot(&app.hours, &week, range, &booked, now),
        });
    }
    Ok(json(
        StatusCode::OK,
        &NextFreeSlots {
            time_zone: app.hours.time_zone.name().to_owned(),
            searched_to: range.to,
            items,
        },
    ))
}

/// The doctor's scheduled appointments that overlap their working hours on the days of `range`.
async fn booked_on(
    conn: &mut PgConnection,
    clinic: &WorkingHours,
    week: &WeeklyHours,
    doctor_id: Uuid,
    range: DayRange,
) -> Result<Vec<Slot>, ApiError> {
    Ok(match week.bounds(clinic, range.from, range.to) {
        Some((from, to)) => store::booked(conn, doctor_id, from, to)
            .await
            .context("reading booked slots")?,
        None => Vec::new(),
    })
}
