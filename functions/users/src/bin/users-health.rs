//! `GET /health/users`: the service's name, version and status, without authentication.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    carebook_http::serve_health(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION")).await
}
