//! API Gateway's CORS in front of `cargo lambda watch` (see `carebook_event_source::gateway`):
//! listens on `GATEWAY_ADDRESS`, forwards to `GATEWAY_UPSTREAM`, with the CORS configuration of
//! `infra/template.yaml` (or `GATEWAY_TEMPLATE`).

use anyhow::Context;
use carebook_event_source::gateway::{Cors, Gateway, handle};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt().with_env_filter("info").init();
    let variable = |name: &str| std::env::var(name).with_context(|| format!("{name} is not set"));
    let template_path = std::env::var("GATEWAY_TEMPLATE").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../infra/template.yaml").to_owned()
    });
    let template = std::fs::read_to_string(&template_path)
        .with_context(|| format!("reading {template_path}"))?;
    let cors = Cors::from_template(&template).context("the template's CorsConfiguration")?;
    let address = variable("GATEWAY_ADDRESS")?;
    let gateway = Gateway {
        upstream: variable("GATEWAY_UPSTREAM")?,
        cors,
        client: reqwest::Client::builder()
            .build()
            .context("building the HTTP client")?,
    };
    let listener = tokio::net::TcpListener::bind(&address)
        .await
        .with_context(|| format!("listening on {address}"))?;
    tracing::info!(%address, upstream = %gateway.upstream, origins = ?gateway.cors.allow_origins, "gateway ready");
    let app = axum::Router::new().fallback(handle).with_state(gateway);
    axum::serve(listener, app).await.context("serving")
}
