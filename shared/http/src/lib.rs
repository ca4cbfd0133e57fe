//! HTTP plumbing shared by Carebook's Lambda handlers (API Gateway HTTP API, payload v2).
//!
//! - [`Problem`]: every error as `application/problem+json` (RFC 9457).
//! - [`FieldErrors`]: a request's invalid fields, collected into one 400.
//! - [`json_body`]: the request body as a typed value, with a size limit and field errors.
//! - [`authenticate`]: the verified caller from the `Authorization: Bearer` header.
//! - [`ApiError`]: what a handler's library call fails with, mapped to a problem once.
//! - [`path_id`], [`query_param`], [`limit`], [`cursor`], [`Page`]: path and query input,
//!   keyset pagination.
//! - [`respond`]: turns a handler's `Result` into a response, logging server-side failures once.

mod body;
mod error;
mod fields;
pub mod openapi;
mod params;
mod problem;
mod reply;
mod runtime;

pub use body::{DEFAULT_BODY_LIMIT, json_body, json_body_limited};
pub use error::ApiError;
pub use fields::FieldErrors;
pub use params::{
    DEFAULT_LIMIT, MAX_LIMIT, Page, PageQuery, cursor, encode_cursor, limit, path_id, query,
    query_param,
};
pub use problem::Problem;
pub use reply::{Health, authenticate, health, json, respond, serve_health};
pub use runtime::{AfterResponse, run_with, traced};

/// Re-exported for [`lambda_main!`].
pub use carebook_telemetry::Telemetry;

/// Re-exported for [`lambda_main!`].
pub use lambda_http;

/// The `main` of an HTTP handler binary: logs and traces as the binary's service, the app built
/// once per Lambda container from `$app` (a future of `Result<App, _>`, `App: AfterResponse`),
/// then every invocation answered by `$endpoint` (`async fn(&App, &Request) -> Result<Response,
/// ApiError>`) through [`respond`] in a [`traced`] span, and the app's [`AfterResponse`] work
/// and the span export done before the next.
#[macro_export]
macro_rules! lambda_main {
    ($app:expr, $endpoint:path) => {
        #[tokio::main]
        async fn main() -> Result<(), $crate::lambda_http::Error> {
            let telemetry = $crate::Telemetry::init(env!("CARGO_BIN_NAME"));
            let app = $crate::AfterResponse::deferring($app.await?);
            $crate::run_with(
                &app,
                &telemetry,
                $crate::lambda_http::service_fn(|request: $crate::lambda_http::Request| {
                    let app = &app;
                    async move {
                        let answer = async { $crate::respond($endpoint(app, &request).await) };
                        Ok::<_, $crate::lambda_http::Error>($crate::traced(&request, answer).await)
                    }
                }),
            )
            .await
        }
    };
}
