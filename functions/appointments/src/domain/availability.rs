use carebook_events::Slot;
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use super::{DayRange, DurationMinutes};

/// The clinic's opening hours, in its own time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkingHours {
    /// `CLINIC_TIME_ZONE` (IANA name), default `UTC`.
    pub time_zone: Tz,
    /// `CLINIC_OPENS`, default 09:00.
    pub opens: NaiveTime,
    /// `CLINIC_CLOSES`, default 17:00.
    pub closes: NaiveTime,
    /// `CLINIC_SLOT_MINUTES`: the length of an offered slot, default 30.
    pub slot: DurationMinutes,
}

impl Default for WorkingHours {
    fn default() -> Self {
        Self {
            time_zone: Tz::UTC,
            opens: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
            closes: NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default(),
            slot: DurationMinutes::DEFAULT,
        }
    }
}

impl WorkingHours {
    /// Reads the `CLINIC_*` variables through `lookup`; the error names the bad one.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let defaults = Self::default();
        let time = |name: &str, default: NaiveTime| match lookup(name) {
            None => Ok(default),
            Some(value) => NaiveTime::parse_from_str(&value, "%H:%M")
                .map_err(|_| format!("{name} must be a time as HH:MM, not {value:?}")),
        };
        let hours = Self {
            time_zone: match lookup("CLINIC_TIME_ZONE") {
                None => defaults.time_zone,
                Some(value) => value.parse().map_err(|_| {
                    format!("CLINIC_TIME_ZONE must be an IANA time zone, not {value:?}")
                })?,
            },
            opens: time("CLINIC_OPENS", defaults.opens)?,
            closes: time("CLINIC_CLOSES", defaults.closes)?,
            slot: match lookup("CLINIC_SLOT_MINUTES") {
                None => defaults.slot,
                Some(value) => value
                    .parse()
                    .map_err(|_| "not a number".to_owned())
                    .and_then(DurationMinutes::parse)
                    .map_err(|error| format!("CLINIC_SLOT_MINUTES {error}"))?,
            },
        };
        if hours.opens >= hours.closes {
            return Err("CLINIC_OPENS must be before CLINIC_CLOSES".to_owned());
        }
        Ok(hours)
    }

    /// The clinic's date at `now`.
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.time_zone).date_naive()
    }

    fn instant(&self, date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
        // On a daylight-saving change a local time can be missing or doubled: take the first.
        self.time_zone
            .from_local_datetime(&date.and_time(time))
            .earliest()
            .map(|local| local.with_timezone(&Utc))
    }
}

/// The days of a week, Monday first (ISO 8601).
pub const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// One span of a doctor's week: `opens` to `closes` on `weekday`, in the clinic's time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub weekday: Weekday,
    pub opens: NaiveTime,
    pub closes: NaiveTime,
}

/// When a doctor takes appointments: their own spans, or every day the clinic's hours.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeeklyHours {
    spans: Vec<Span>,
}

impl WeeklyHours {
    /// The week of `spans`, which must neither overlap nor end before they start (checked by
    /// [`super::HoursBody`] and by the database).
    pub fn new(mut spans: Vec<Span>) -> Self {
        spans.sort_by_key(|span| (span.weekday.number_from_monday(), span.opens));
        Self { spans }
    }

    /// The clinic's default: `opens` to `closes` every day.
    pub fn clinic(hours: &WorkingHours) -> Self {
        let every_day = WEEK.map(|weekday| Span {
            weekday,
            opens: hours.opens,
            closes: hours.closes,
        });
        Self::new(every_day.to_vec())
    }

    pub fn spans(&self) -> &[Span] {
        &self.spans
    }

    /// The spans of `date` as instants, in order.
    fn day(&self, clinic: &WorkingHours, date: NaiveDate) -> Vec<Slot> {
        self.spans
            .iter()
            .filter(|span| span.weekday == date.weekday())
            .filter_map(|span| {
                Some(Slot {
                    starts_at: clinic.instant(date, span.opens)?,
                    ends_at: clinic.instant(date, span.closes)?,
                })
            })
            .collect()
    }

    /// Whether `slot` lies within one span of the day it starts on.
    pub fn fits(&self, clinic: &WorkingHours, slot: Slot) -> bool {
        let date = slot.starts_at.with_timezone(&clinic.time_zone).date_naive();
        self.day(clinic, date)
            .iter()
            .any(|span| span.starts_at <= slot.starts_at && slot.ends_at <= span.ends_at)
    }

    /// The instants from the first opening to the last closing of the days `from..=to`, for
    /// looking up what is booked; `None` when the doctor works none of them.
    pub fn bounds(
        &self,
        clinic: &WorkingHours,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let spans: Vec<Slot> = from
            .iter_days()
            .take_while(|date| *date <= to)
            .flat_map(|date| self.day(clinic, date))
            .collect();
        let starts_at = spans.iter().map(|span| span.starts_at).min()?;
        let ends_at = spans.iter().map(|span| span.ends_at).max()?;
        Some((starts_at, ends_at))
    }
}

/// The clinic's slots of `date` within `week` that start after `now` and overlap none of the
/// `booked` (half-open) ranges.
pub fn free_slots(
    clinic: &WorkingHours,
    week: &WeeklyHours,
    date: NaiveDate,
    booked: &[Slot],
    now: DateTime<Utc>,
) -> Vec<Slot> {
    let length = clinic.slot.as_duration();
    let mut slots = Vec::new();
    for span in week.day(clinic, date) {
        let mut starts_at = span.starts_at;
        while starts_at + length <= span.ends_at {
            let ends_at = starts_at + length;
            let taken = booked
                .iter()
                .any(|b| b.starts_at < ends_at && starts_at < b.ends_at);
            if starts_at > now && !taken {
                slots.push(Slot { starts_at, ends_at });
            }
            starts_at = ends_at;
        }
    }
    slots
}

/// The first of the clinic's free slots within `week` on the days of `range` (as
/// [`free_slots`] finds them), for a directory that shows when each doctor can next see someone.
pub fn first_free_slot(
    clinic: &WorkingHours,
    week: &WeeklyHours,
    range: DayRange,
    booked: &[Slot],
    now: DateTime<Utc>,
) -> Option<Slot> {
    range.days().find_map(|date| {
        free_slots(clinic, week, date, booked, now)
            .into_iter()
            .next()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2030, 3, 4).unwrap()
    }

    fn clinic_week() -> WeeklyHours {
        WeeklyHours::clinic(&WorkingHours::default())
    }

    fn time(text: &str) -> NaiveTime {
        NaiveTime::parse_from_str(text, "%H:%M").unwrap()
    }

    /// Mondays 08:00-12:00 and 14:00-16:00, Wednesdays 10:00-11:00.
    fn part_time() -> WeeklyHours {
        let span = |weekday, opens, closes| Span {
            weekday,
            opens: time(opens),
            closes: time(closes),
        };
        WeeklyHours::new(vec![
            span(Weekday::Wed, "10:00", "11:00"),
            span(Weekday::Mon, "14:00", "16:00"),
            span(Weekday::Mon, "08:00", "12:00"),
        ])
    }

    #[test]
    fn an_empty_day_offers_every_slot_of_working_hours() {
        let slots = free_slots(
            &WorkingHours::default(),
            &clinic_week(),
            day(),
            &[],
            at("2030-01-01T00:00:00Z"),
        );

        assert_eq!(slots.len(), 16);
        assert_eq!(slots[0].starts_at, at("2030-03-04T09:00:00Z"));
        assert_eq!(slots[15].ends_at, at("2030-03-04T17:00:00Z"));
    }

    #[test]
    fn a_booking_removes_every_slot_it_overlaps_and_only_those() {
        let booked = [Slot {
            starts_at: at("2030-03-04T09:15:00Z"),
            ends_at: at("2030-03-04T10:00:00Z"),
        }];

        let slots = free_slots(
            &WorkingHours::default(),
            &clinic_week(),
            day(),
            &booked,
            at("2030-01-01T00:00:00Z"),
        );

        assert_eq!(slots.len(), 14);
        assert_eq!(slots[0].starts_at, at("2030-03-04T10:00:00Z"));
    }

    #[test]
    fn slots_already_begun_are_not_offered() {
        let slots = free_slots(
            &WorkingHours::default(),
            &clinic_week(),
            day(),
            &[],
            at("2030-03-04T16:10:00Z"),
        );

        assert_eq!(slots.len(), 1);
        assert_eq!(slots[0].starts_at, at("2030-03-04T16:30:00Z"));
    }

    #[test]
    fn working_hours_are_in_the_clinic_time_zone() {
        let hours = WorkingHours::from_lookup(|name| {
            (name == "CLINIC_TIME_ZONE").then(|| "Europe/Berlin".to_owned())
        })
        .unwrap();

        let slots = free_slots(
            &hours,
            &WeeklyHours::clinic(&hours),
            day(),
            &[],
            at("2030-01-01T00:00:00Z"),
        );

        assert_eq!(slots[0].starts_at, at("2030-03-04T08:00:00Z"));
    }

    #[test]
    fn bad_clinic_settings_name_the_variable() {
        let error =
            WorkingHours::from_lookup(|name| (name == "CLINIC_OPENS").then(|| "9am".to_owned()))
                .unwrap_err();

        assert!(error.contains("CLINIC_OPENS"));
    }

    #[test]
    fn a_doctor_s_own_hours_replace_the_clinic_s_and_a_break_offers_nothing() {
        let clinic = WorkingHours::default();
        let monday = day();

        let slots = free_slots(
            &clinic,
            &part_time(),
            monday,
            &[],
            at("2030-01-01T00:00:00Z"),
        );
        let tuesday = free_slots(
            &clinic,
            &part_time(),
            monday + chrono::Days::new(1),
            &[],
            at("2030-01-01T00:00:00Z"),
        );

        assert_eq!(slots.len(), 12);
        assert_eq!(slots[0].starts_at, at("2030-03-04T08:00:00Z"));
        assert_eq!(slots[7].ends_at, at("2030-03-04T12:00:00Z"));
        assert_eq!(slots[8].starts_at, at("2030-03-04T14:00:00Z"));
        assert!(tuesday.is_empty());
    }

    #[test]
    fn a_booking_fits_only_within_one_span_of_its_day() {
        let clinic = WorkingHours::default();
        let slot = |from: &str, to: &str| Slot {
            starts_at: at(from),
            ends_at: at(to),
        };

        assert!(part_time().fits(
            &clinic,
            slot("2030-03-04T11:30:00Z", "2030-03-04T12:00:00Z")
        ));
        assert!(!part_time().fits(
            &clinic,
            slot("2030-03-04T11:30:00Z", "2030-03-04T12:30:00Z")
        ));
        assert!(!part_time().fits(
            &clinic,
            slot("2030-03-04T12:30:00Z", "2030-03-04T13:00:00Z")
        ));
        assert!(!part_time().fits(
            &clinic,
            slot("2030-03-05T09:00:00Z", "2030-03-05T09:30:00Z")
        ));
        assert!(clinic_week().fits(
            &clinic,
            slot("2030-03-05T09:00:00Z", "2030-03-05T09:30:00Z")
        ));
    }

    #[test]
    fn the_bounds_of_a_range_run_from_its_first_opening_to_its_last_closing() {
        let clinic = WorkingHours::default();
        let wednesday = day() + chrono::Days::new(2);

        let bounds = part_time().bounds(&clinic, day(), wednesday + chrono::Days::new(4));
        let none = part_time().bounds(
            &clinic,
            day() + chrono::Days::new(1),
            day() + chrono::Days::new(1),
        );

        assert_eq!(
            bounds,
            Some((at("2030-03-04T08:00:00Z"), at("2030-03-06T11:00:00Z")))
        );
        assert_eq!(none, None);
    }

    #[test]
    fn the_first_free_slot_skips_days_off_and_days_fully_booked() {
        let clinic = WorkingHours::default();
        // Monday 4 March 2030 is booked from 08:00 to 16:00; the next working day is Wednesday.
        let booked = [Slot {
            starts_at: at("2030-03-04T08:00:00Z"),
            ends_at: at("2030-03-04T16:00:00Z"),
        }];
        let range = DayRange {
            from: day(),
            to: NaiveDate::from_ymd_opt(2030, 3, 10).unwrap(),
        };

        let first = first_free_slot(
            &clinic,
            &part_time(),
            range,
            &booked,
            at("2030-01-01T00:00:00Z"),
        );

        assert_eq!(
            first.map(|slot| slot.starts_at),
            Some(at("2030-03-06T10:00:00Z"))
        );
    }

    #[test]
    fn no_free_slot_in_the_range_is_none() {
        let clinic = WorkingHours::default();
        let range = DayRange {
            from: day(),
            to: day(),
        };

        let after_hours = first_free_slot(
            &clinic,
            &part_time(),
            range,
            &[],
            at("2030-03-04T16:00:00Z"),
        );

        assert_eq!(after_hours, None);
    }
}
