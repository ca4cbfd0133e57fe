//! API Gateway for the local stack (see `carebook_event_source::gateway`): listens on
//! `GATEWAY_ADDRESS` and invokes functions through watch's Invoke API at `GATEWAY_UPSTREAM`,
//! with the routes and CORS of `infra/template.yaml` (or `GATEWAY_TEMPLATE`); the web app's
//! dev server at `GATEWAY_WEB_ORIGIN` stands for its CloudFront distribution.

use std::time::Duration;

use anyhow::Context;
use carebook_event_source::Invoker;
use carebook_event_source::gateway::{Cors, Gateway, handle, routes};

/// Watch compiles a handler on its first invocation, which can take minutes.
const INVOKE_TIMEOUT: Duration = Duration::from_secs(900);

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt().with_env_filter("info").init();
    let variable = |name: &str| std::env::var(name).with_context(|| format!("{name} is not set"));
    let template_path = std::env::var("GATEWAY_TEMPLATE").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../infra/template.yaml").to_owned()
    });
    let template = std::fs::read_to_string(&template_path)
        .with_context(|| format!("reading {template_path}"))?;
    let gateway = Gateway {
        routes: routes(&template).context("the template's routes")?,
        cors: Cors::from_template(&template, &variable("GATEWAY_WEB_ORIGIN")?)
            .context("the template's CorsConfiguration")?,
        invoker: Invoker::new(&variable("GATEWAY_UPSTREAM")?, INVOKE_TIMEOUT)
            .context("building the HTTP client")?,
    };
    let address = variable("GATEWAY_ADDRESS")?;
    let listener = tokio::net::TcpListener::bind(&address)
        .await
        .with_context(|| format!("listening on {address}"))?;
    tracing::info!(%address, routes = gateway.routes.len(), origins = ?gateway.cors.allow_origins, "gateway ready");
    let app = axum::Router::new().fallback(handle).with_state(gateway);
    axum::serve(listener, app).await.context("serving")
}
