use std::collections::BTreeMap;

use carebook_auth::AuthError;
use carebook_telemetry::metric;
use lambda_http::http::{StatusCode, header};
use lambda_http::{Body, Response};
use serde::Serialize;

/// An RFC 9457 problem: what went wrong, for clients and for machines.
///
/// `type` is `urn:carebook:problem:<slug>`, a stable identifier clients can match on; `errors`
/// maps request fields to what is wrong with them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    kind: String,
    title: String,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    errors: BTreeMap<String, String>,
    /// RFC 9457 extension members, e.g. the clashing slot of a 409; boxed because few
    /// problems have any and every `Result` carrying a problem pays for its size.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    extensions: Option<Box<serde_json::Map<String, serde_json::Value>>>,
}

impl Problem {
    /// A problem of kind `slug` with a short, fixed `title`.
    pub fn new(status: StatusCode, slug: &str, title: impl Into<String>) -> Self {
        Self {
            kind: format!("urn:carebook:problem:{slug}"),
            title: title.into(),
            status: status.as_u16(),
            detail: None,
            errors: BTreeMap::new(),
            extensions: None,
        }
    }

    /// A 400 naming every invalid field of the request.
    pub fn validation(errors: BTreeMap<String, String>) -> Self {
        Self {
            errors,
            ..Self::new(
                StatusCode::BAD_REQUEST,
                "validation",
                "The request is invalid",
            )
        }
    }

    /// A 500 that reveals nothing about its cause; log the cause where it happened.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Something went wrong on our side",
        )
    }

    /// A 404: the object does not exist, or the caller may not know that it does (SPEC §3).
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "Not found")
    }

    /// A 400 about one field.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self::validation(BTreeMap::from([(field.to_owned(), message.into())]))
    }

    /// Adds a human-readable explanation of this occurrence.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Adds the extension member `name`; the standard members cannot be overwritten.
    pub fn with_extension(mut self, name: &str, value: serde_json::Value) -> Self {
        if !["type", "title", "status", "detail", "errors", "instance"].contains(&name) {
            self.extensions
                .get_or_insert_default()
                .insert(name.to_owned(), value);
        }
        self
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The slug of `type`, e.g. `validation`.
    pub fn slug(&self) -> &str {
        self.kind.trim_start_matches("urn:carebook:problem:")
    }

    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }

    pub fn errors(&self) -> &BTreeMap<String, String> {
        &self.errors
    }

    /// The response: status, `application/problem+json`, and for 401 the `WWW-Authenticate`
    /// challenge RFC 6750 asks for.
    pub fn into_response(self) -> Response<Body> {
        let mut response = Response::builder()
            .status(self.status())
            .header(header::CONTENT_TYPE, "application/problem+json");
        if self.status() == StatusCode::UNAUTHORIZED {
            response = response.header(header::WWW_AUTHENTICATE, "Bearer");
        }
        let body = serde_json::to_string(&self).unwrap_or_default();
        response
            .body(Body::from(body))
            .unwrap_or_else(|_| Response::new(Body::Empty))
    }
}

/// Every refused credential becomes a problem here, once, so this is where refusals are counted.
impl From<AuthError> for Problem {
    fn from(error: AuthError) -> Self {
        metric::TOKEN_REFUSALS.count(Some(error.code()));
        let title = match error.status() {
            StatusCode::FORBIDDEN => "Not allowed",
            StatusCode::SERVICE_UNAVAILABLE => "Sign-in is unavailable",
            _ => "Not signed in",
        };
        let problem = Problem::new(error.status(), error.code(), title);
        match error {
            // Internal details of the key fetch stay in the logs.
            AuthError::KeysUnavailable(_) => problem.with_detail("Try again shortly."),
            error => problem.with_detail(error.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(response: Response<Body>) -> serde_json::Value {
        serde_json::from_slice(response.body().as_ref()).unwrap()
    }

    #[test]
    fn a_validation_problem_lists_fields_and_omits_empty_members() {
        let errors = BTreeMap::from([("reason".to_owned(), "is required".to_owned())]);

        let response = Problem::validation(errors).into_response();

        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
        assert_eq!(
            body(response),
            serde_json::json!({
                "type": "urn:carebook:problem:validation",
                "title": "The request is invalid",
                "status": 400,
                "errors": { "reason": "is required" },
            })
        );
    }

    #[test]
    fn an_auth_failure_is_a_401_with_a_bearer_challenge() {
        let response = Problem::from(AuthError::Expired).into_response();

        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
        assert_eq!(body(response)["type"], "urn:carebook:problem:token-expired");
    }

    #[test]
    fn a_missing_role_is_a_403_naming_the_roles() {
        let problem = Problem::from(AuthError::Forbidden {
            required: vec!["admin"],
        });

        assert_eq!(problem.status(), StatusCode::FORBIDDEN);
        assert_eq!(problem.detail(), Some("this needs one of the roles: admin"));
    }

    #[test]
    fn an_internal_problem_says_nothing_about_its_cause() {
        let body = body(Problem::internal().into_response());

        assert_eq!(body["status"], 500);
        assert!(body.get("detail").is_none());
    }
}
