/// The clinic's booking policy (SPEC §12), from the environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BookingRules {
    /// `MAX_OPEN_APPOINTMENTS_PER_PATIENT`, default 5: how many open appointments (scheduled,
    /// not yet started) a patient may hold when they book for themselves. An admin booking for
    /// a patient is exempt; what they book still counts.
    pub max_open_per_patient: u16,
}

impl Default for BookingRules {
    fn default() -> Self {
        Self {
            max_open_per_patient: 5,
        }
    }
}

impl BookingRules {
    pub const MAX_OPEN_VARIABLE: &str = "MAX_OPEN_APPOINTMENTS_PER_PATIENT";

    /// Reads the policy's variables through `lookup`; the error names the bad one.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let Some(value) = lookup(Self::MAX_OPEN_VARIABLE) else {
            return Ok(Self::default());
        };
        match value.trim().parse::<u16>() {
            // 0 would stop every patient from booking, which no clinic means by a limit.
            Ok(max) if max > 0 => Ok(Self {
                max_open_per_patient: max,
            }),
            _ => Err(format!(
                "{} must be a whole number from 1 to {}, not {value:?}",
                Self::MAX_OPEN_VARIABLE,
                u16::MAX
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_defaults_to_five_and_reads_the_variable() {
        assert_eq!(
            BookingRules::from_lookup(|_| None)
                .unwrap()
                .max_open_per_patient,
            5
        );
        let rules = BookingRules::from_lookup(|name| {
            (name == "MAX_OPEN_APPOINTMENTS_PER_PATIENT").then(|| "12".to_owned())
        })
        .unwrap();
        assert_eq!(rules.max_open_per_patient, 12);
    }

    #[test]
    fn a_limit_that_is_not_a_positive_number_names_the_variable() {
        for bad in ["0", "-1", "five", "70000"] {
            let error = BookingRules::from_lookup(|_| Some(bad.to_owned())).unwrap_err();
            assert!(
                error.contains("MAX_OPEN_APPOINTMENTS_PER_PATIENT"),
                "{bad}: {error}"
            );
        }
    }
}
