use anyhow::Context as _;
use carebook_events::Slot;
use carebook_http::{ApiError, json, path_id, query};
use chrono::{DateTime, NaiveDate, Utc};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use uuid::Uuid;

use super::{caller, doctor_week, known_doctor};
use crate::domain::{AvailabilityQuery, DayRange, free_slots};
use crate::{App, store};

/// A doctor's free slots, day by day.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Availability {
    pub doctor_id: Uuid,
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
    known_doctor(&mut conn, doctor_id).await?;
    let (_, week) = doctor_week(&mut conn, &app.hours, doctor_id).await?;
    let booked = match week.bounds(&app.hours, range.from, range.to) {
        Some((from, to)) => store::booked(&mut conn, doctor_id, from, to)
            .await
            .context("reading booked slots")?,
        None => Vec::new(),
    };
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
            time_zone: app.hours.time_zone.name().to_owned(),
            slot_minutes: app.hours.slot.get(),
            from: range.from,
            to: range.to,
            days,
        },
    ))
}
