//! Serves the project's Keycloak realm (`localstack/keycloak/realm.json`) for local development:
//! `http://127.0.0.1:8080/realms/carebook`, or the address in `TEST_ISSUER_ADDR`.

use std::net::SocketAddr;

use anyhow::Context;
use carebook_testkit::{Realm, TestIssuer};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt().with_env_filter("info").init();
    let addr: SocketAddr = std::env::var("TEST_ISSUER_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:8080".into())
        .parse()
        .context("TEST_ISSUER_ADDR is not an address like 127.0.0.1:8080")?;
    let realm = match std::env::var_os("TEST_ISSUER_REALM_FILE") {
        Some(path) => Realm::load(path.as_ref())?,
        None => Realm::carebook(),
    };
    let issuer = TestIssuer::serve(realm, addr).await?;
    tracing::info!(realm_url = %issuer.realm_url(), "test issuer ready");
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    issuer.shutdown().await;
    Ok(())
}
