//! HTTP plumbing shared by Carebook's Lambda handlers (API Gateway HTTP API, payload v2).
//!
//! - [`Problem`]: every error as `application/problem+json` (RFC 9457).
//! - [`json_body`]: the request body as a typed value, with a size limit and field errors.
//! - [`authenticate`]: the verified caller from the `Authorization: Bearer` header.
//! - [`respond`]: turns a handler's `Result` into a response, logging server-side failures once.

mod body;
mod problem;
mod reply;

pub use body::{DEFAULT_BODY_LIMIT, json_body, json_body_limited};
pub use problem::Problem;
pub use reply::{authenticate, health, json, respond, serve_health};
