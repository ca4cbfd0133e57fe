//! An HTTP front that turns requests into API Gateway v2 events, as the HTTP API does, for
//! handler binaries polling the testkit's Runtime API ([`Function`]).

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Result;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use carebook_testkit::{Function, api_gateway_event};

/// Routes of the HTTP front: `(method, path)` to the function serving it.
pub type Routes = Arc<HashMap<(Method, String), Arc<Function>>>;

async fn front(
    State(routes): State<Routes>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(function) = routes.get(&(method.clone(), uri.path().to_owned())) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let event = api_gateway_event(&method, &uri, &headers, &body);
    let Ok(answer) = function.invoke(event).await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let status = answer["statusCode"]
        .as_u64()
        .and_then(|code| StatusCode::from_u16(u16::try_from(code).ok()?).ok())
        .unwrap_or(StatusCode::BAD_GATEWAY);
    let body = answer["body"].as_str().unwrap_or_default().to_owned();
    (status, [("content-type", "application/json")], body).into_response()
}

/// Serves `routes` on loopback; returns the base URL.
pub async fn serve_front(routes: Routes) -> Result<String> {
    let router = Router::new().fallback(front).with_state(routes);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(format!("http://{address}"))
}
