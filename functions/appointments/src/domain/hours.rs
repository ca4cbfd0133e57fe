//! A doctor's working hours as the API reads and writes them, and the availability range.

use carebook_http::{FieldErrors, Problem};
use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc, Weekday};
use serde::{Deserialize, Serialize};

use uuid::Uuid;

use super::{Span, WeeklyHours, WorkingHours};

/// The longest range one availability request answers: a month view.
const MAX_AVAILABILITY_DAYS: u64 = 31;

/// How far ahead a doctor's next free slot is looked for: eight weeks, today included.
const NEXT_FREE_DAYS: u64 = 56;

/// The most doctors one next-free-slot request names: a page of the web app's directory. Each
/// costs two reads and up to eight weeks of slots, so a request stays a few milliseconds.
const MAX_NEXT_FREE_DOCTORS: usize = 24;

/// A day of the week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DayName {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl From<DayName> for Weekday {
    fn from(day: DayName) -> Self {
        match day {
            DayName::Monday => Weekday::Mon,
            DayName::Tuesday => Weekday::Tue,
            DayName::Wednesday => Weekday::Wed,
            DayName::Thursday => Weekday::Thu,
            DayName::Friday => Weekday::Fri,
            DayName::Saturday => Weekday::Sat,
            DayName::Sunday => Weekday::Sun,
        }
    }
}

impl From<Weekday> for DayName {
    fn from(day: Weekday) -> Self {
        match day {
            Weekday::Mon => DayName::Monday,
            Weekday::Tue => DayName::Tuesday,
            Weekday::Wed => DayName::Wednesday,
            Weekday::Thu => DayName::Thursday,
            Weekday::Fri => DayName::Friday,
            Weekday::Sat => DayName::Saturday,
            Weekday::Sun => DayName::Sunday,
        }
    }
}

/// One span of working hours, in the clinic's time zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoursSpan {
    pub weekday: DayName,
    /// `HH:MM`, 24-hour clock.
    #[schema(example = "09:00", pattern = "^[0-2][0-9]:[0-5][0-9]$")]
    pub opens: String,
    /// `HH:MM`, after `opens` on the same day.
    #[schema(example = "17:00", pattern = "^[0-2][0-9]:[0-5][0-9]$")]
    pub closes: String,
}

impl From<&Span> for HoursSpan {
    fn from(span: &Span) -> Self {
        Self {
            weekday: span.weekday.into(),
            opens: span.opens.format("%H:%M").to_string(),
            closes: span.closes.format("%H:%M").to_string(),
        }
    }
}

/// `PUT /doctors/{id}/working-hours` as sent: the whole week, replacing the one before.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoursBody {
    /// Every span of the week, any order; days without one take no bookings, and an empty
    /// list takes none at all.
    #[schema(max_items = 70)]
    pub hours: Vec<HoursSpan>,
}

const MAX_SPANS: usize = 70;

fn time(value: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(value, "%H:%M")
        .ok()
        .filter(|_| value.len() == 5)
        .ok_or_else(|| "must be a time as HH:MM".to_owned())
}

impl TryFrom<HoursBody> for WeeklyHours {
    type Error = Problem;

    /// Every span valid, none ending before it starts, none overlapping another of its day.
    fn try_from(body: HoursBody) -> Result<Self, Problem> {
        let mut errors = FieldErrors::default();
        if body.hours.len() > MAX_SPANS {
            errors.add("hours", format!("must have at most {MAX_SPANS} spans"));
        }
        let mut spans: Vec<(usize, Span)> = Vec::new();
        for (index, span) in body.hours.iter().enumerate() {
            let field = |name: &str| format!("hours[{index}].{name}");
            let opens = errors.check(&field("opens"), time(&span.opens));
            let closes = errors.check(&field("closes"), time(&span.closes));
            if let (Some(opens), Some(closes)) = (opens, closes) {
                if closes <= opens {
                    errors.add(&field("closes"), "must be after opens");
                } else {
                    let weekday = span.weekday.into();
                    spans.push((
                        index,
                        Span {
                            weekday,
                            opens,
                            closes,
                        },
                    ));
                }
            }
        }
        spans.sort_by_key(|(_, span)| (span.weekday.number_from_monday(), span.opens));
        for pair in spans.windows(2) {
            let [(_, before), (index, after)] = pair else {
                continue;
            };
            if before.weekday == after.weekday && after.opens < before.closes {
                errors.add(
                    &format!("hours[{index}]"),
                    format!(
                        "overlaps {} to {} on the same day",
                        before.opens.format("%H:%M"),
                        before.closes.format("%H:%M")
                    ),
                );
            }
        }
        errors.finish()?;
        Ok(WeeklyHours::new(
            spans.into_iter().map(|(_, span)| span).collect(),
        ))
    }
}

/// `GET /doctors/{id}/availability` query: one `date`, or the days `from` to `to`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityQuery {
    /// One day, `YYYY-MM-DD`: the same as `from` and `to` both that day.
    #[param(value_type = Option<NaiveDate>)]
    pub date: Option<String>,
    /// The first day, `YYYY-MM-DD`.
    #[param(value_type = Option<NaiveDate>)]
    pub from: Option<String>,
    /// The last day, `YYYY-MM-DD`, at most 30 days after `from`; `from` when absent.
    #[param(value_type = Option<NaiveDate>)]
    pub to: Option<String>,
}

/// The days an availability request asks about, `from..=to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DayRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DayRange {
    /// The days a doctor's next free slot is looked for, from the clinic's today on.
    pub fn next_free(clinic: &WorkingHours, now: DateTime<Utc>) -> Self {
        let from = clinic.today(now);
        Self {
            from,
            to: from + Days::new(NEXT_FREE_DAYS - 1),
        }
    }

    pub fn days(self) -> impl Iterator<Item = NaiveDate> {
        self.from.iter_days().take_while(move |day| *day <= self.to)
    }
}

/// `GET /doctors/next-free-slots` query: the doctors asked about, in order, each once.
#[derive(Debug, PartialEq, Eq, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NextFreeQuery {
    /// The doctors, 1 to 24: the parameter repeated, or one value of ids separated by commas
    /// (as API Gateway passes a repeated parameter on).
    #[param(min_items = 1, max_items = 24)]
    pub doctor_id: Vec<Uuid>,
}

impl NextFreeQuery {
    /// From the values of the `doctor_id` parameter.
    pub fn parse<'a>(values: impl IntoIterator<Item = &'a str>) -> Result<Self, Problem> {
        let mut doctor_id = Vec::new();
        for value in values.into_iter().flat_map(|value| value.split(',')) {
            let id = Uuid::parse_str(value.trim())
                .map_err(|_| Problem::invalid_field("doctor_id", "must be doctor ids (UUIDs)"))?;
            if !doctor_id.contains(&id) {
                doctor_id.push(id);
            }
            if doctor_id.len() > MAX_NEXT_FREE_DOCTORS {
                break;
            }
        }
        if doctor_id.is_empty() || doctor_id.len() > MAX_NEXT_FREE_DOCTORS {
            return Err(Problem::invalid_field(
                "doctor_id",
                format!("name 1 to {MAX_NEXT_FREE_DOCTORS} doctors"),
            ));
        }
        Ok(Self { doctor_id })
    }
}

fn date(value: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| "must be a date as YYYY-MM-DD".to_owned())
}

impl TryFrom<AvailabilityQuery> for DayRange {
    type Error = Problem;

    fn try_from(query: AvailabilityQuery) -> Result<Self, Problem> {
        let mut errors = FieldErrors::default();
        let range = match (query.date, query.from, query.to) {
            (Some(day), None, None) => errors.check("date", date(&day)).map(|day| (day, day)),
            (Some(_), _, _) => {
                errors.add("date", "give date, or from and to, not both");
                None
            }
            (None, None, _) => {
                errors.add("date", "is required, as YYYY-MM-DD (or give from and to)");
                None
            }
            (None, Some(from), to) => {
                let from = errors.check("from", date(&from));
                let to = match to {
                    Some(to) => errors.check("to", date(&to)),
                    None => from,
                };
                from.zip(to)
            }
        };
        if let Some((from, to)) = range {
            if to < from {
                errors.add("to", "must not be before from");
            } else if from.checked_add_days(Days::new(MAX_AVAILABILITY_DAYS - 1)) < Some(to) {
                errors.add(
                    "to",
                    format!("the range is at most {MAX_AVAILABILITY_DAYS} days"),
                );
            }
        }
        errors.finish()?;
        let (from, to) = range.ok_or_else(Problem::internal)?;
        Ok(Self { from, to })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn week(hours: serde_json::Value) -> Result<WeeklyHours, Problem> {
        WeeklyHours::try_from(
            serde_json::from_value::<HoursBody>(json!({ "hours": hours })).unwrap(),
        )
    }

    fn range(query: serde_json::Value) -> Result<DayRange, Problem> {
        DayRange::try_from(serde_json::from_value::<AvailabilityQuery>(query).unwrap())
    }

    #[test]
    fn overlapping_spans_and_spans_that_end_before_they_start_are_named() {
        let problem = week(json!([
            {"weekday": "monday", "opens": "09:00", "closes": "12:00"},
            {"weekday": "monday", "opens": "11:30", "closes": "13:00"},
            {"weekday": "tuesday", "opens": "14:00", "closes": "09:00"},
            {"weekday": "friday", "opens": "9am", "closes": "17:00"},
        ]))
        .unwrap_err();

        let fields: Vec<&str> = problem.errors().keys().map(String::as_str).collect();
        assert_eq!(fields, ["hours[1]", "hours[2].closes", "hours[3].opens"]);
    }

    #[test]
    fn spans_that_touch_do_not_overlap_and_an_empty_week_is_allowed() {
        let hours = week(json!([
            {"weekday": "monday", "opens": "13:00", "closes": "17:00"},
            {"weekday": "monday", "opens": "09:00", "closes": "13:00"},
        ]))
        .unwrap();

        assert_eq!(hours.spans().len(), 2);
        assert_eq!(hours.spans()[0].opens, time("09:00").unwrap());
        assert!(week(json!([])).unwrap().spans().is_empty());
    }

    #[test]
    fn a_range_is_one_date_or_up_to_31_ordered_days() {
        let day = NaiveDate::from_ymd_opt(2030, 3, 4).unwrap();

        assert_eq!(
            range(json!({"date": "2030-03-04"})).unwrap(),
            DayRange { from: day, to: day }
        );
        assert_eq!(
            range(json!({"from": "2030-03-04", "to": "2030-04-03"}))
                .unwrap()
                .days()
                .count(),
            31
        );
        for (query, field) in [
            (json!({"from": "2030-03-04", "to": "2030-04-04"}), "to"),
            (json!({"from": "2030-03-05", "to": "2030-03-04"}), "to"),
            (json!({"from": "tomorrow"}), "from"),
            (json!({}), "date"),
            (json!({"date": "2030-03-04", "from": "2030-03-04"}), "date"),
        ] {
            let problem = range(query.clone()).unwrap_err();
            assert!(problem.errors().contains_key(field), "{query}: {problem:?}");
        }
    }

    #[test]
    fn next_free_slots_are_looked_for_over_eight_weeks_from_the_clinic_s_today() {
        let clinic = WorkingHours {
            time_zone: chrono_tz::Pacific::Auckland,
            ..WorkingHours::default()
        };
        // 20:00 on 3 March in UTC is already 4 March in Auckland.
        let now = "2030-03-03T20:00:00Z".parse().unwrap();

        let range = DayRange::next_free(&clinic, now);

        assert_eq!(range.from, NaiveDate::from_ymd_opt(2030, 3, 4).unwrap());
        assert_eq!(range.days().count(), 56);
    }

    #[test]
    fn doctor_ids_come_repeated_or_joined_by_commas_each_once() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let joined = format!("{a},{b}");

        let ids = |values: &[&str]| {
            NextFreeQuery::parse(values.iter().copied())
                .unwrap()
                .doctor_id
        };

        assert_eq!(ids(&[&joined]), [a, b]);
        assert_eq!(ids(&[&b.to_string(), &joined]), [b, a]);
    }

    #[test]
    fn doctor_ids_that_are_missing_too_many_or_not_ids_are_a_400_on_doctor_id() {
        let many: Vec<String> = (0..25).map(|n| Uuid::from_u128(n).to_string()).collect();
        let cases: [Vec<&str>; 4] = [
            vec![],
            vec![""],
            vec!["dr-who"],
            many.iter().map(String::as_str).collect(),
        ];
        for values in cases {
            let problem = NextFreeQuery::parse(values.iter().copied()).unwrap_err();
            assert!(problem.errors().contains_key("doctor_id"), "{values:?}");
        }
    }
}
