use chrono::{DateTime, Utc};

/// How long an appointment lasts: 5 to 240 minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DurationMinutes(u16);

impl DurationMinutes {
    pub const DEFAULT: DurationMinutes = DurationMinutes(30);
    const RANGE: std::ops::RangeInclusive<i64> = 5..=240;

    pub fn parse(minutes: i64) -> Result<Self, String> {
        if Self::RANGE.contains(&minutes) {
            u16::try_from(minutes)
                .map(Self)
                .map_err(|_| "is out of range".to_owned())
        } else {
            Err(format!(
                "must be {} to {} minutes",
                Self::RANGE.start(),
                Self::RANGE.end()
            ))
        }
    }

    pub fn get(self) -> u16 {
        self.0
    }

    pub fn as_duration(self) -> chrono::Duration {
        chrono::Duration::minutes(i64::from(self.0))
    }
}

/// Why the patient comes: 1 to 2,000 characters after trimming.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason(String);

impl Reason {
    const MAX: usize = 2000;

    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        match text.chars().count() {
            0 => Err("must not be empty".to_owned()),
            n if n > Self::MAX => Err(format!("must be at most {} characters", Self::MAX)),
            // Lines and tabs are text; NUL and the other controls are not (PostgreSQL refuses
            // NUL in text outright).
            _ if text
                .chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) =>
            {
                Err("must not contain control characters".to_owned())
            }
            _ => Ok(Self(text.to_owned())),
        }
    }
}

impl AsRef<str> for Reason {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A client's `Idempotency-Key`: 1 to 255 visible ASCII characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(key: &str) -> Result<Self, String> {
        if (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic()) {
            Ok(Self(key.to_owned()))
        } else {
            Err("must be 1 to 255 visible ASCII characters".to_owned())
        }
    }
}

impl AsRef<str> for IdempotencyKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// An RFC 3339 time.
pub(crate) fn rfc3339(value: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(value)
        .map(|time| time.with_timezone(&Utc))
        .map_err(|_| "must be an RFC 3339 time such as 2030-01-31T09:30:00Z".to_owned())
}

/// An RFC 3339 time after `now`, no more than a year ahead.
pub(crate) fn future_start(value: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let time = rfc3339(value)?;
    if time <= now {
        Err("must be in the future".to_owned())
    } else if time > now + chrono::Duration::days(366) {
        Err("must be within a year".to_owned())
    } else {
        Ok(time)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_outside_5_to_240_minutes_are_rejected() {
        for bad in [0, 4, 241, -30, i64::MAX] {
            assert!(DurationMinutes::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(DurationMinutes::parse(240).unwrap().get(), 240);
    }

    #[test]
    fn a_reason_is_trimmed_and_bounded_in_characters_not_bytes() {
        assert!(Reason::parse("  ").is_err());
        assert_eq!(Reason::parse(" cough ").unwrap().as_ref(), "cough");
        assert!(Reason::parse(&"é".repeat(2000)).is_ok());
        assert!(Reason::parse(&"é".repeat(2001)).is_err());
        assert!(Reason::parse("cough\nsince Monday").is_ok());
        assert_eq!(
            Reason::parse("cough\u{0}").unwrap_err(),
            "must not contain control characters"
        );
    }

    #[test]
    fn an_idempotency_key_is_visible_ascii() {
        assert!(IdempotencyKey::parse("7c1e-retry-1").is_ok());
        for bad in ["", "with space", "ключ", &"k".repeat(256)] {
            assert!(IdempotencyKey::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_start_must_be_rfc3339_in_the_future_and_within_a_year() {
        let now = rfc3339("2030-01-01T00:00:00Z").unwrap();

        assert!(future_start("2030-01-02T09:00:00+01:00", now).is_ok());
        assert!(future_start("2029-12-31T23:59:59Z", now).is_err());
        assert!(future_start("2030-01-02 09:00", now).is_err());
        assert!(future_start("2031-06-01T09:00:00Z", now).is_err());
    }
}
