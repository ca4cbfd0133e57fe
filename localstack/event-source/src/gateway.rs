//! API Gateway's part of the local stack, from `infra/template.yaml`: the HttpApi's routes
//! and its `CorsConfiguration`. Each request becomes the payload format 2.0 event AWS sends
//! (binary bodies base64-encoded) and is invoked through `cargo lambda watch`'s Invoke API,
//! so watch's own HTTP front (which allows any origin, exposes no header and cannot carry a
//! body that is not UTF-8) is bypassed. Like API Gateway, it answers preflights itself and
//! adds the allowed origin and exposed headers to every answer for an allowed origin, so a
//! browser sees locally what it sees deployed. The JWT authorizer is not emulated: every
//! handler verifies the token itself.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::Utc;
use serde_json::{Value as Json, json};
use serde_yaml_ng::Value;
use uuid::Uuid;

use crate::deployment::template_functions;
use crate::{InvokeError, Invoker, SettingsError};

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
    /// The CORS configuration of the template's HTTP API: `!Ref`s to parameters resolve to
    /// their defaults, and the web distribution's origin to `web_origin`, the dev server
    /// that serves the app locally.
    pub fn from_template(yaml: &str, web_origin: &str) -> Result<Self, SettingsError> {
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
                .filter_map(|value| resolve(&template, value, web_origin))
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

/// A string, `!Ref Parameter` with a default, or `!Sub "https://${Web.DomainName}"` naming a
/// CloudFront distribution, which stands for `web_origin`.
fn resolve(template: &Value, value: &Value, web_origin: &str) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Tagged(tagged) if tagged.tag == "Ref" => {
            let name = tagged.value.as_str()?;
            let parameter = template.get("Parameters")?.get(name)?;
            parameter.get("Default")?.as_str().map(str::to_owned)
        }
        Value::Tagged(tagged) if tagged.tag == "Sub" => {
            let resource = tagged
                .value
                .as_str()?
                .strip_prefix("https://${")?
                .strip_suffix(".DomainName}")?;
            let kind = template.get("Resources")?.get(resource)?.get("Type")?;
            (kind.as_str()? == "AWS::CloudFront::Distribution").then(|| web_origin.to_owned())
        }
        _ => None,
    }
}

fn insert(headers: &mut HeaderMap, name: HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}

/// An HTTP route of the template and the function serving it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// `GET /appointments/{id}`, as API Gateway names it in `routeKey`.
    pub key: String,
    pub function: String,
    method: String,
    segments: Vec<String>,
}

impl Route {
    /// The path parameters of `path` when this route serves `method` there.
    fn matches(&self, method: &str, path: &str) -> Option<BTreeMap<String, String>> {
        if self.method != method {
            return None;
        }
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        if parts.len() != self.segments.len() {
            return None;
        }
        let mut parameters = BTreeMap::new();
        for (segment, part) in self.segments.iter().zip(parts) {
            match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) if !part.is_empty() => {
                    parameters.insert(name.to_owned(), part.to_owned());
                }
                Some(_) => return None,
                None if segment != part => return None,
                None => {}
            }
        }
        Some(parameters)
    }

    /// Literal segments first: `/users/me` wins over `/users/{id}`, as in API Gateway.
    fn specificity(&self) -> usize {
        self.segments.iter().filter(|s| !s.starts_with('{')).count()
    }
}

/// The HTTP routes of the template.
pub fn routes(yaml: &str) -> Result<Vec<Route>, SettingsError> {
    let mut routes: Vec<Route> = template_functions(yaml)?
        .into_iter()
        .flat_map(|(function, routes)| {
            routes.into_iter().map(move |(method, path)| Route {
                key: format!("{method} {path}"),
                function: function.clone(),
                segments: path
                    .trim_start_matches('/')
                    .split('/')
                    .map(str::to_owned)
                    .collect(),
                method,
            })
        })
        .collect();
    routes.sort_by_key(|route| std::cmp::Reverse(route.specificity()));
    Ok(routes)
}

/// API Gateway for the local stack: the template's routes and CORS, each request turned into
/// the payload v2 event AWS sends and invoked through watch's Invoke API.
#[derive(Clone)]
pub struct Gateway {
    pub routes: Vec<Route>,
    pub cors: Cors,
    pub invoker: Invoker,
}

/// Every request: a preflight answered here, anything else invoked as its route's function,
/// the answer given the CORS headers of its origin.
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
    let mut response = invoke(&gateway, request).await;
    if let Some(origin) = origin {
        response.headers_mut().extend(gateway.cors.actual(&origin));
    }
    response
}

/// API Gateway's own answers carry `{"message": ...}`.
fn gateway_answer(status: StatusCode, message: &str) -> Response {
    let mut response = Response::new(Body::from(json!({ "message": message }).to_string()));
    *response.status_mut() = status;
    insert(
        response.headers_mut(),
        header::CONTENT_TYPE,
        "application/json",
    );
    response
}

async fn invoke(gateway: &Gateway, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let method = parts.method.as_str().to_owned();
    let Some((route, parameters)) = gateway
        .routes
        .iter()
        .find_map(|route| route.matches(&method, &path).map(|p| (route, p)))
    else {
        return gateway_answer(StatusCode::NOT_FOUND, "Not Found");
    };
    let Ok(body) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return gateway_answer(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large");
    };
    let event = event(route, &parts, parameters, &body);
    match gateway.invoker.invoke(&route.function, &event).await {
        Ok(answer) => response(&answer),
        Err(InvokeError::Function { .. }) => {
            gateway_answer(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
        }
        Err(error @ InvokeError::Unreachable { .. }) => {
            tracing::warn!(error = %error, "the function could not be invoked");
            gateway_answer(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable")
        }
    }
}

/// The payload format 2.0 event of an HTTP API request.
fn event(
    route: &Route,
    parts: &axum::http::request::Parts,
    parameters: BTreeMap<String, String>,
    body: &[u8],
) -> Json {
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    let mut cookies = Vec::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        if name == header::COOKIE {
            cookies.extend(value.split("; ").map(str::to_owned));
            continue;
        }
        headers
            .entry(name.as_str().to_owned())
            .and_modify(|joined| {
                joined.push(',');
                joined.push_str(&value);
            })
            .or_insert(value);
    }
    let raw_query = parts.uri.query().unwrap_or_default();
    let mut query: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in url::form_urlencoded::parse(raw_query.as_bytes()) {
        query
            .entry(name.into_owned())
            .and_modify(|joined| {
                joined.push(',');
                joined.push_str(&value);
            })
            .or_insert_with(|| value.into_owned());
    }
    let now = Utc::now();
    let mut event = json!({
        "version": "2.0",
        "routeKey": route.key,
        "rawPath": parts.uri.path(),
        "rawQueryString": raw_query,
        "headers": headers,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": headers.get("host").cloned().unwrap_or_default(),
            "domainPrefix": "local",
            "http": {
                "method": parts.method.as_str(),
                "path": parts.uri.path(),
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": headers.get("user-agent").cloned().unwrap_or_default(),
            },
            "requestId": Uuid::new_v4().to_string(),
            "routeKey": route.key,
            "stage": "$default",
            "time": now.format("%d/%b/%Y:%H:%M:%S %z").to_string(),
            "timeEpoch": now.timestamp_millis(),
        },
        "isBase64Encoded": false,
    });
    if !cookies.is_empty() {
        event["cookies"] = json!(cookies);
    }
    if !query.is_empty() {
        event["queryStringParameters"] = json!(query);
    }
    if !parameters.is_empty() {
        event["pathParameters"] = json!(parameters);
    }
    if !body.is_empty() {
        // Text as text; anything else base64-encoded, as API Gateway does with binary bodies.
        match std::str::from_utf8(body) {
            Ok(text) => event["body"] = json!(text),
            Err(_) => {
                event["body"] = json!(BASE64.encode(body));
                event["isBase64Encoded"] = json!(true);
            }
        }
    }
    event
}

/// The HTTP answer for a function's payload 2.0 response.
fn response(answer: &Json) -> Response {
    let status = answer["statusCode"]
        .as_u64()
        .and_then(|code| u16::try_from(code).ok())
        .and_then(|code| StatusCode::from_u16(code).ok());
    let Some(status) = status else {
        return gateway_answer(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
    };
    let text = answer["body"].as_str().unwrap_or_default();
    let body = if answer["isBase64Encoded"].as_bool() == Some(true) {
        BASE64.decode(text).unwrap_or_default()
    } else {
        text.as_bytes().to_vec()
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    for (name, value) in answer["headers"].as_object().into_iter().flatten() {
        if let (Ok(name), Some(value)) = (HeaderName::try_from(name.as_str()), value.as_str()) {
            insert(headers, name, value);
        }
    }
    for cookie in answer["cookies"].as_array().into_iter().flatten() {
        if let Some(Ok(cookie)) = cookie.as_str().map(HeaderValue::from_str) {
            headers.append(header::SET_COOKIE, cookie);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEV_SERVER: &str = "http://127.0.0.1:5173";

    fn template_cors() -> Cors {
        Cors::from_template(include_str!("../../../infra/template.yaml"), DEV_SERVER).unwrap()
    }

    #[test]
    fn the_template_allows_the_web_app_the_headers_and_methods_it_uses() {
        let cors = template_cors();

        // Deployed, the only origin is the web distribution's; locally the dev server's.
        assert_eq!(cors.allow_origins, [DEV_SERVER]);
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

    #[test]
    fn a_literal_route_wins_over_a_parameter_and_parameters_are_captured() {
        let routes = routes(include_str!("../../../infra/template.yaml")).unwrap();
        let find = |method: &str, path: &str| {
            routes.iter().find_map(|route| {
                route
                    .matches(method, path)
                    .map(|p| (route.function.clone(), p))
            })
        };

        let me = find("GET", "/users/me").unwrap();
        let other = find("GET", "/users/7d9c").unwrap();

        assert_eq!(me.0, "get-profile");
        assert_eq!(other.0, "get-user");
        assert_eq!(other.1["id"], "7d9c");
        assert_eq!(find("DELETE", "/users/me"), None);
        assert_eq!(find("GET", "/users/7d9c/extra"), None);
    }
}
