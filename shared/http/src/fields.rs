use std::collections::BTreeMap;

use crate::Problem;

/// A request's field errors, collected so that one 400 names every invalid field.
///
/// The first error recorded for a field is the one kept: checks run from the most basic (is it
/// a date?) to the most specific (is it after `from`?), and the first says what to fix first.
#[derive(Debug, Default)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    /// The value of `result`, or `None` with `field`'s error recorded.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }

    /// Records `message` as `field`'s error unless the field has one already.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_insert_with(|| message.into());
    }

    /// `Ok` when no field was wrong; otherwise the 400 `validation` problem naming them all.
    pub fn finish(self) -> Result<(), Problem> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Problem::validation(self.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use lambda_http::http::StatusCode;

    use super::*;

    #[test]
    fn no_errors_is_no_problem() {
        let mut errors = FieldErrors::default();

        let value = errors.check("reason", Ok::<_, String>("cough"));

        assert_eq!(value, Some("cough"));
        assert!(errors.finish().is_ok());
    }

    #[test]
    fn every_invalid_field_is_named_with_its_first_error() {
        // Arrange
        let mut errors = FieldErrors::default();

        // Act
        let starts_at = errors.check::<()>("starts_at", Err("must be a time".to_owned()));
        errors.add("starts_at", "must be in the future");
        errors.add("reason", "must not be empty");
        let problem = errors.finish().unwrap_err();

        // Assert
        assert_eq!(starts_at, None);
        assert_eq!(problem.status(), StatusCode::BAD_REQUEST);
        assert_eq!(problem.slug(), "validation");
        assert_eq!(
            problem.errors(),
            &BTreeMap::from([
                ("reason".to_owned(), "must not be empty".to_owned()),
                ("starts_at".to_owned(), "must be a time".to_owned()),
            ])
        );
    }
}
