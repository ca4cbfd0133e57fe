//! The parts of the OpenAPI document every service shares: the problem schema, pages, and the
//! problem responses that each operation lists with the `type` slugs it can answer.

use std::borrow::Cow;

use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, RefOr, Response, ResponseBuilder, Schema};

use crate::Problem;

/// The media type of every error.
pub const PROBLEM_JSON: &str = "application/problem+json";

impl utoipa::PartialSchema for Problem {
    fn schema() -> RefOr<Schema> {
        let text = |description: &str| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some(description))
        };
        ObjectBuilder::new()
            .description(Some(
                "An RFC 9457 problem. `type` is `urn:carebook:problem:<slug>`, a stable \
                 identifier to match on; `errors` maps each invalid request field to what is \
                 wrong with it. Some problems add members of their own (e.g. `clashing_slot`).",
            ))
            .property(
                "type",
                text("`urn:carebook:problem:<slug>`")
                    .pattern(Some("^urn:carebook:problem:[a-z-]+$")),
            )
            .required("type")
            .property("title", text("A short summary of the kind of problem"))
            .required("title")
            .property(
                "status",
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(400))
                    .maximum(Some(599)),
            )
            .required("status")
            .property("detail", text("What happened in this occurrence"))
            .property(
                "errors",
                ObjectBuilder::new()
                    .schema_type(Type::Object)
                    .description(Some("Request field -> what is wrong with it"))
                    .additional_properties(Some(ObjectBuilder::new().schema_type(Type::String))),
            )
            .into()
    }
}

impl utoipa::ToSchema for Problem {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Problem")
    }
}

/// Declares problem responses for the OpenAPI document: each a unit struct implementing
/// `utoipa::ToResponse`, for `responses((status = 409, response = BookConflict))` and the
/// document's `components(responses(...))`.
#[macro_export]
macro_rules! problem_responses {
    ($($(#[$meta:meta])* $name:ident: $description:literal, [$($slug:literal),+ $(,)?];)+) => {
        $(
            $(#[$meta])*
            pub struct $name;

            impl<'r> utoipa::ToResponse<'r> for $name {
                fn response() -> (&'r str, utoipa::openapi::RefOr<utoipa::openapi::Response>) {
                    (
                        stringify!($name),
                        $crate::openapi::problem_response($description, &[$($slug),+]).into(),
                    )
                }
            }
        )+
    };
}

problem_responses! {
    /// 400: the request names its invalid fields in `errors`.
    Invalid: "The request is invalid: `errors` names each field and what is wrong with it",
        ["validation", "invalid-json"];
    /// 401, on every operation that needs a token.
    Unauthenticated: "No valid access token: missing, expired, or not one this API trusts",
        ["missing-token", "token-too-large", "malformed-token", "unsupported-algorithm",
         "missing-key-id", "unknown-key", "invalid-signature", "token-expired",
         "token-not-yet-valid", "wrong-issuer", "wrong-audience", "wrong-token-type",
         "invalid-claims"];
    /// 403: signed in, without the role this needs.
    Forbidden: "The caller's roles do not allow this", ["forbidden"];
    /// 404: missing, or someone else's (SPEC §3 answers 404, not 403).
    NotFound: "No such object, or not one the caller may see", ["not-found"];
    /// 413, on every operation with a body.
    BodyTooLarge: "The body is over the limit", ["body-too-large"];
    /// 415, on every operation with a body.
    UnsupportedMediaType: "The body is not `application/json`", ["unsupported-media-type"];
    /// 500, anywhere: nothing about the cause is revealed.
    Internal: "Something went wrong on our side; the cause is in the service's log", ["internal"];
    /// 503, on every operation that needs a token, while Keycloak's keys cannot be fetched.
    Unavailable: "Sign-in is unavailable: Keycloak's signing keys could not be fetched",
        ["keys-unavailable"];
}

/// A problem response: `description` says when, `slugs` are the `type`s it can carry.
pub fn problem_response(description: &str, slugs: &[&str]) -> Response {
    let kinds = slugs
        .iter()
        .map(|slug| format!("`{slug}`"))
        .collect::<Vec<_>>()
        .join(", ");
    ResponseBuilder::new()
        .description(format!("{description} (problem type: {kinds})"))
        .content(
            PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                    "Problem",
                ))))
                .build(),
        )
        .build()
}
