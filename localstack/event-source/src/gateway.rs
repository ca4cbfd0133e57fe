//! API Gateway's part of the local stack: the HTTP API's CORS, read from `infra/template.yaml`
//! (`CorsConfiguration` of the `AWS::Serverless::HttpApi`), in front of `cargo lambda watch`,
//! whose own CORS (any origin, nothing exposed) is turned off. Like API Gateway, it answers
//! preflights itself and adds the allowed origin and exposed headers to every answer for an
//! allowed origin, so a browser sees locally what it sees deployed.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde_yaml_ng::Value;

use crate::SettingsError;

/// API Gateway's payload limit for HTTP APIs.
const BODY_LIMIT: usize = 10 * 1024 * 1024;

/// The HttpApi's `CorsConfiguration`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cors {
    pub allow_origins: Vec<String>,
    pub allow_methods: Vec<String>,
    pub allow_headers: Vec<String>,
    pub expose_headers: Vec<String>,
    pub max_age: Option<u64>,
}

impl Cors {
    /// The CORS configuration of the template's HTTP API, `!Ref`s to parameters resolved to
    /// their defaults.
    pub fn from_template(yaml: &str) -> Result<Self, SettingsError> {
        let template: Value = serde_yaml_ng::from_str(yaml)?;
        let missing = |problem: &str| SettingsError::Event {
            function: "HttpApi".to_owned(),
            event: "CorsConfiguration".to_owned(),
            problem: problem.to_owned(),
        };
        let cors = template
            .get("Resources")
            .and_then(Value::as_mapping)
            .into_iter()
            .flat_map(|resources| resources.values())
            .find(|resource| {
                resource.get("Type").and_then(Value::as_str) == Some("AWS::Serverless::HttpApi")
            })
            .and_then(|api| api.get("Properties")?.get("CorsConfiguration"))
            .ok_or_else(|| missing("the template's HttpApi has no CorsConfiguration"))?;
        let list = |name: &str| -> Vec<String> {
            cors.get(name)
                .and_then(Value::as_sequence)
                .into_iter()
                .flatten()
                .filter_map(|value| resolve(&template, value))
                .collect()
        };
        Ok(Self {
            allow_origins: list("AllowOrigins"),
            allow_methods: list("AllowMethods"),
            allow_headers: list("AllowHeaders"),
            expose_headers: list("ExposeHeaders"),
            max_age: cors.get("MaxAge").and_then(Value::as_u64),
        })
    }

    fn allows(&self, origin: &str) -> bool {
        self.allow_origins
            .iter()
            .any(|allowed| allowed == "*" || allowed == origin)
    }

    /// The answer to a preflight from `origin`: 204, with the CORS headers when it is allowed.
    pub fn preflight(&self, origin: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if !self.allows(origin) {
            return headers;
        }
        insert(&mut headers, header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        insert(
            &mut headers,
            header::ACCESS_CONTROL_ALLOW_METHODS,
            &self.allow_methods.join(","),
        );
        insert(
            &mut headers,
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            &self.allow_headers.join(","),
        );
        if let Some(max_age) = self.max_age {
            insert(
                &mut headers,
                header::ACCESS_CONTROL_MAX_AGE,
                &max_age.to_string(),
            );
        }
        headers
    }

    /// What an answer to `origin` gains: the origin, when allowed, and the exposed headers.
    pub fn actual(&self, origin: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if self.allows(origin) {
            insert(&mut headers, header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            if !self.expose_headers.is_empty() {
                insert(
                    &mut headers,
                    header::ACCESS_CONTROL_EXPOSE_HEADERS,
                    &self.expose_headers.join(","),
                );
            }
        }
        headers
    }
}

/// A string, or `!Ref Parameter` with a default.
fn resolve(template: &Value, value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Tagged(tagged) if tagged.tag == "Ref" => {
            let name = tagged.value.as_str()?;
            let parameter = template.get("Parameters")?.get(name)?;
            parameter.get("Default")?.as_str().map(str::to_owned)
        }
        _ => None,
    }
}

fn insert(headers: &mut HeaderMap, name: HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}

/// Where the gateway sends requests, and how.
#[derive(Clone)]
pub struct Gateway {
    pub upstream: String,
    pub cors: Cors,
    pub client: reqwest::Client,
}

/// Every request: a preflight answered here, anything else passed to the upstream (watch)
/// and its answer given the CORS headers of its origin.
pub async fn handle(State(gateway): State<Gateway>, request: Request) -> Response {
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let is_preflight = request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if let (true, Some(origin)) = (is_preflight, &origin) {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::NO_CONTENT;
        *response.headers_mut() = gateway.cors.preflight(origin);
        return response;
    }
    let mut response = match forward(&gateway, request).await {
        Ok(response) => response,
        Err(error) => {
            tracing::warn!(error = %error, "the upstream did not answer");
            let mut response = Response::new(Body::from(r#"{"message":"Service Unavailable"}"#));
            *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
            response
        }
    };
    if let Some(origin) = origin {
        response.headers_mut().extend(gateway.cors.actual(&origin));
    }
    response
}

async fn forward(gateway: &Gateway, request: Request) -> anyhow::Result<Response> {
    let (parts, body) = request.into_parts();
    let body: Bytes = axum::body::to_bytes(body, BODY_LIMIT).await?;
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut headers = parts.headers;
    headers.remove(header::HOST);
    let answer = gateway
        .client
        .request(parts.method, format!("{}{path}", gateway.upstream))
        .headers(headers)
        .body(body)
        .send()
        .await?;
    let mut response = Response::new(Body::empty());
    *response.status_mut() = answer.status();
    *response.headers_mut() = answer.headers().clone();
    // Watch's own CORS is off, but an upstream must not decide what the gateway promises.
    for name in [
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
    ] {
        response.headers_mut().remove(name);
    }
    *response.body_mut() = Body::from(answer.bytes().await?);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template_cors() -> Cors {
        Cors::from_template(include_str!("../../../infra/template.yaml")).unwrap()
    }

    #[test]
    fn the_template_allows_the_web_app_the_headers_and_methods_it_uses() {
        let cors = template_cors();

        assert_eq!(cors.allow_origins, ["http://127.0.0.1:5173"]);
        for header in [
            "authorization",
            "content-type",
            "if-match",
            "idempotency-key",
        ] {
            assert!(cors.allow_headers.iter().any(|h| h == header), "{header}");
        }
        for method in ["GET", "POST", "PUT", "PATCH"] {
            assert!(cors.allow_methods.iter().any(|m| m == method), "{method}");
        }
        assert!(cors.expose_headers.iter().any(|h| h == "etag"));
        assert!(cors.expose_headers.iter().any(|h| h == "location"));
        assert!(cors.max_age.is_some());
    }

    #[test]
    fn a_preflight_from_another_origin_gets_no_cors_headers() {
        let cors = template_cors();

        assert!(cors.preflight("https://evil.example").is_empty());
        assert!(cors.actual("https://evil.example").is_empty());
        assert_eq!(
            cors.preflight("http://127.0.0.1:5173")[header::ACCESS_CONTROL_ALLOW_ORIGIN],
            "http://127.0.0.1:5173"
        );
    }
}
