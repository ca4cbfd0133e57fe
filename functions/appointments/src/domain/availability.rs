use carebook_events::Slot;
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::DurationMinutes;

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

    fn instant(&self, date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
        // On a daylight-saving change a local time can be missing or doubled: take the first.
        self.time_zone
            .from_local_datetime(&date.and_time(time))
            .earliest()
            .map(|local| local.with_timezone(&Utc))
    }
}

/// The slots of `date` within working hours that start after `now` and overlap none of the
/// `booked` (half-open) ranges.
pub fn free_slots(
    hours: &WorkingHours,
    date: NaiveDate,
    booked: &[Slot],
    now: DateTime<Utc>,
) -> Vec<Slot> {
    let (Some(opens), Some(closes)) = (
        hours.instant(date, hours.opens),
        hours.instant(date, hours.closes),
    ) else {
        return Vec::new();
    };
    let length = hours.slot.as_duration();
    let mut slots = Vec::new();
    let mut starts_at = opens;
    while starts_at + length <= closes {
        let ends_at = starts_at + length;
        let taken = booked
            .iter()
            .any(|b| b.starts_at < ends_at && starts_at < b.ends_at);
        if starts_at > now && !taken {
            slots.push(Slot { starts_at, ends_at });
        }
        starts_at = ends_at;
    }
    slots
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

    #[test]
    fn an_empty_day_offers_every_slot_of_working_hours() {
        let slots = free_slots(
            &WorkingHours::default(),
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

        let slots = free_slots(&hours, day(), &[], at("2030-01-01T00:00:00Z"));

        assert_eq!(slots[0].starts_at, at("2030-03-04T08:00:00Z"));
    }

    #[test]
    fn bad_clinic_settings_name_the_variable() {
        let error =
            WorkingHours::from_lookup(|name| (name == "CLINIC_OPENS").then(|| "9am".to_owned()))
                .unwrap_err();

        assert!(error.contains("CLINIC_OPENS"));
    }
}
