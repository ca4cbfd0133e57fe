use std::collections::BTreeMap;

use lambda_http::Request;
use lambda_http::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use crate::Problem;

/// Bodies above this are refused with 413: no Carebook request needs more.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// The request body as `T`, with [`DEFAULT_BODY_LIMIT`]; see [`json_body_limited`].
pub fn json_body<T: DeserializeOwned>(request: &Request) -> Result<T, Problem> {
    json_body_limited(request, DEFAULT_BODY_LIMIT)
}

/// The request body as `T`.
///
/// Fails with 415 unless the content type is JSON, 413 above `limit` bytes, 400 `invalid-json`
/// for a body that is not JSON, and 400 `validation` naming the field for a body of the wrong
/// shape (wrong type, unknown or missing field where `T` says so).
pub fn json_body_limited<T: DeserializeOwned>(
    request: &Request,
    limit: usize,
) -> Result<T, Problem> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    if !is_json(content_type) {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "The body must be JSON",
        )
        .with_detail("send Content-Type: application/json"));
    }
    let bytes = request.body().as_ref();
    if bytes.len() > limit {
        return Err(Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            "The body is too large",
        )
        .with_detail(format!("the limit is {limit} bytes")));
    }
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let inner = error.inner();
        if inner.is_data() {
            let (field, message) = field_error(&error.path().to_string(), &inner.to_string());
            Problem::validation(BTreeMap::from([(field, message)]))
        } else {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid-json",
                "The body is not valid JSON",
            )
            .with_detail(inner.to_string())
        }
    })
}

fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The field a serde data error is about, and the message without serde's position suffix.
/// serde names missing and unknown fields in backticks; a missing field is reported at its
/// parent, an unknown one at itself.
fn field_error(path: &str, message: &str) -> (String, String) {
    let message = message
        .rsplit_once(" at line ")
        .map_or(message, |(text, _)| text);
    let named = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split_once('`'))
        .map(|(field, _)| field);
    let field = match (path, named) {
        (".", Some(field)) => field.to_owned(),
        (path, Some(field)) if path == field || path.ends_with(&format!(".{field}")) => {
            path.to_owned()
        }
        (parent, Some(field)) => format!("{parent}.{field}"),
        (path, None) => path.to_owned(),
    };
    let message = if message.starts_with("missing field") {
        "is required".to_owned()
    } else if message.starts_with("unknown field") {
        "is not a known field".to_owned()
    } else {
        message.to_owned()
    };
    (field, message)
}

#[cfg(test)]
mod tests {
    use lambda_http::Body;
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Booking {
        reason: String,
        duration_minutes: u16,
        slot: Option<Slot>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Slot {
        starts_at: String,
    }

    fn request(content_type: &str, body: &str) -> Request {
        let mut request = Request::new(Body::from(body));
        request
            .headers_mut()
            .insert(header::CONTENT_TYPE, content_type.parse().unwrap());
        request
    }

    fn problem(content_type: &str, body: &str) -> Problem {
        json_body::<Booking>(&request(content_type, body)).unwrap_err()
    }

    #[test]
    fn a_well_formed_body_parses() {
        let booking: Booking = json_body(&request(
            "application/json; charset=utf-8",
            r#"{"reason":"x","duration_minutes":30}"#,
        ))
        .unwrap();
        assert_eq!(booking.duration_minutes, 30);
    }

    #[test]
    fn a_wrong_type_names_the_field() {
        let problem = problem(
            "application/json",
            r#"{"reason":"x","duration_minutes":"long"}"#,
        );
        assert_eq!(problem.status(), StatusCode::BAD_REQUEST);
        assert!(
            problem.errors()["duration_minutes"].starts_with("invalid type"),
            "{problem:?}"
        );
    }

    #[test]
    fn a_nested_wrong_type_names_the_path() {
        let problem = problem(
            "application/json",
            r#"{"reason":"x","duration_minutes":5,"slot":{"starts_at":1}}"#,
        );
        assert!(
            problem.errors().contains_key("slot.starts_at"),
            "{problem:?}"
        );
    }

    #[test]
    fn missing_and_unknown_fields_are_named() {
        let missing = problem("application/json", r#"{"duration_minutes":30}"#);
        assert_eq!(missing.errors()["reason"], "is required");

        let unknown = problem(
            "application/json",
            r#"{"reason":"x","duration_minutes":1,"status":"done"}"#,
        );
        assert_eq!(unknown.errors()["status"], "is not a known field");
    }

    #[test]
    fn malformed_json_is_invalid_json_not_validation() {
        for body in ["{", "", "nul", "{\"reason\":\"\u{0}\"", "\u{feff}{}"] {
            let problem = problem("application/json", body);
            assert_eq!(
                (problem.status(), problem.slug()),
                (StatusCode::BAD_REQUEST, "invalid-json"),
                "{body:?}"
            );
        }
    }

    #[test]
    fn invalid_utf8_is_refused_with_400() {
        let request = {
            let mut request = Request::new(Body::from(vec![b'"', 0xff, 0xfe, b'"']));
            request
                .headers_mut()
                .insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
            request
        };
        let problem = json_body::<String>(&request).unwrap_err();
        assert_eq!(problem.status(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn deep_nesting_is_refused_without_overflowing_the_stack() {
        let body = "[".repeat(10_000);
        let problem =
            json_body::<serde_json::Value>(&request("application/json", &body)).unwrap_err();
        assert_eq!(problem.status(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn a_body_over_the_limit_is_413() {
        let body = format!(
            r#"{{"reason":"{}","duration_minutes":1}}"#,
            "x".repeat(DEFAULT_BODY_LIMIT)
        );
        assert_eq!(
            problem("application/json", &body).status(),
            StatusCode::PAYLOAD_TOO_LARGE
        );
    }

    #[test]
    fn a_non_json_content_type_is_415() {
        for content_type in ["text/plain", "application/x-www-form-urlencoded", ""] {
            let problem = problem(content_type, r#"{"reason":"x","duration_minutes":1}"#);
            assert_eq!(
                problem.status(),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "{content_type:?}"
            );
        }
        assert!(
            json_body::<serde_json::Value>(&request("application/merge-patch+json", "{}")).is_ok()
        );
    }
}
