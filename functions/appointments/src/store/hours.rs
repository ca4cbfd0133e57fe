//! Doctors' own weeks (`doctor_schedules`, `working_hours`).

use chrono::NaiveTime;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::{Span, WEEK, WeeklyHours};

/// A doctor's spans as parallel arrays (`array_agg` of `working_hours`, by weekday then
/// opening time).
pub(super) struct SpanColumns {
    pub(super) weekdays: Vec<i16>,
    pub(super) opens: Vec<NaiveTime>,
    pub(super) closes: Vec<NaiveTime>,
}

impl SpanColumns {
    pub(super) fn week(&self) -> WeeklyHours {
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

/// The week `doctor_id` set for themselves, with its version; `None` when they follow the
/// clinic's hours.
pub async fn own_hours(
    conn: &mut PgConnection,
    doctor_id: Uuid,
) -> sqlx::Result<Option<(i32, WeeklyHours)>> {
    let row = sqlx::query!(
        r#"select s.version, h.weekdays as "weekdays!", h.opens as "opens!",
                h.closes as "closes!"
         from doctor_schedules s
         cross join lateral (
            select coalesce(array_agg(w.weekday order by w.weekday, w.opens), '{}') as weekdays,
                   coalesce(array_agg(w.opens order by w.weekday, w.opens), '{}') as opens,
                   coalesce(array_agg(w.closes order by w.weekday, w.opens), '{}') as closes
            from working_hours w where w.doctor_id = s.doctor_id
         ) h
         where s.doctor_id = $1"#,
        doctor_id,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| {
        let spans = SpanColumns {
            weekdays: row.weekdays,
            opens: row.opens,
            closes: row.closes,
        };
        (row.version, spans.week())
    }))
}

/// Replaces `doctor_id`'s week with `hours`; returns its new version. Fails with
/// `working_hours_no_overlap` when spans overlap.
pub async fn set_own_hours(
    conn: &mut PgConnection,
    doctor_id: Uuid,
    hours: &WeeklyHours,
    by: Uuid,
) -> sqlx::Result<i32> {
    let version = sqlx::query_scalar!(
        "insert into doctor_schedules (doctor_id, updated_by) values ($1, $2)
         on conflict (doctor_id) do update
            set version = doctor_schedules.version + 1, updated_by = $2, updated_at = now()
         returning version",
        doctor_id,
        by,
    )
    .fetch_one(&mut *conn)
    .await?;
    let spans = hours.spans();
    let weekdays: Vec<i16> = spans
        .iter()
        .map(|span| i16::try_from(span.weekday.number_from_monday()).unwrap_or_default())
        .collect();
    let opens: Vec<NaiveTime> = spans.iter().map(|span| span.opens).collect();
    let closes: Vec<NaiveTime> = spans.iter().map(|span| span.closes).collect();
    sqlx::query!("delete from working_hours where doctor_id = $1", doctor_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "insert into working_hours (doctor_id, weekday, opens, closes)
         select $1, * from unnest($2::smallint[], $3::time[], $4::time[])",
        doctor_id,
        &weekdays,
        &opens,
        &closes,
    )
    .execute(conn)
    .await?;
    Ok(version)
}
