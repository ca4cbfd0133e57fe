use carebook_http::{ApiError, Problem, json, path_id, query_param};
use chrono::{NaiveDate, Utc};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::json;

use super::{caller, unexpected};
use crate::domain::free_slots;
use crate::{App, store};

/// `GET /doctors/{id}/availability?date=YYYY-MM-DD`: the doctor's free slots that day within
/// the clinic's working hours, for anyone signed in.
#[tracing::instrument(skip_all)]
pub async fn get_availability(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    caller(app, request).await?;
    let doctor_id = path_id(request, "id")?;
    let date = query_param(request, "date")
        .ok_or_else(|| Problem::invalid_field("date", "is required, as YYYY-MM-DD"))
        .and_then(|date| {
            NaiveDate::parse_from_str(&date, "%Y-%m-%d")
                .map_err(|_| Problem::invalid_field("date", "must be a date as YYYY-MM-DD"))
        })?;
    let mut conn = app.outbox.pool().acquire().await.map_err(unexpected)?;
    store::person(&mut conn, doctor_id)
        .await
        .map_err(unexpected)?
        .filter(|person| person.has_role("doctor"))
        .ok_or_else(Problem::not_found)?;
    let hours = &app.hours;
    let day = free_slots(hours, date, &[], chrono::DateTime::<Utc>::MIN_UTC);
    let (Some(first), Some(last)) = (day.first(), day.last()) else {
        return Ok(json(
            StatusCode::OK,
            &json!({ "doctor_id": doctor_id, "date": date, "slots": [] }),
        ));
    };
    let booked = store::booked(app.outbox.pool(), doctor_id, first.starts_at, last.ends_at)
        .await
        .map_err(unexpected)?;
    let slots = free_slots(hours, date, &booked, Utc::now());
    Ok(json(
        StatusCode::OK,
        &json!({
            "doctor_id": doctor_id,
            "date": date,
            "time_zone": hours.time_zone.name(),
            "slot_minutes": hours.slot.get(),
            "slots": slots,
        }),
    ))
}
