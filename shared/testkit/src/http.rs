use std::collections::HashMap;

use lambda_http::http::{Method, StatusCode, header};
use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::Value;

/// An API Gateway (HTTP API, payload v2) request as `lambda_http` hands it to a handler,
/// built the way the route would fill it in.
pub struct ApiRequest {
    method: Method,
    path: String,
    headers: Vec<(String, String)>,
    path_parameters: HashMap<String, String>,
    query: HashMap<String, String>,
    body: Body,
}

impl ApiRequest {
    pub fn new(method: Method, path: &str) -> Self {
        Self {
            method,
            path: path.to_owned(),
            headers: Vec::new(),
            path_parameters: HashMap::new(),
            query: HashMap::new(),
            body: Body::Empty,
        }
    }

    pub fn get(path: &str) -> Self {
        Self::new(Method::GET, path)
    }

    pub fn post(path: &str) -> Self {
        Self::new(Method::POST, path)
    }

    pub fn patch(path: &str) -> Self {
        Self::new(Method::PATCH, path)
    }

    pub fn put(path: &str) -> Self {
        Self::new(Method::PUT, path)
    }

    pub fn delete(path: &str) -> Self {
        Self::new(Method::DELETE, path)
    }

    /// `Authorization: Bearer <token>`, when a token is given.
    pub fn token(mut self, token: Option<&str>) -> Self {
        if let Some(token) = token {
            self.headers
                .push((header::AUTHORIZATION.to_string(), format!("Bearer {token}")));
        }
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// A JSON body with `Content-Type: application/json`.
    pub fn json(self, body: &Value) -> Self {
        self.raw_json(body.to_string())
    }

    /// `body` as is, labelled JSON: for malformed bodies.
    pub fn raw_json(mut self, body: impl Into<Body>) -> Self {
        self.headers.push((
            header::CONTENT_TYPE.to_string(),
            "application/json".to_owned(),
        ));
        self.body = body.into();
        self
    }

    pub fn path_param(mut self, name: &str, value: &str) -> Self {
        self.path_parameters
            .insert(name.to_owned(), value.to_owned());
        self
    }

    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.insert(name.to_owned(), value.to_owned());
        self
    }

    /// # Panics
    /// On a path or header that is not valid HTTP.
    pub fn build(self) -> Request {
        let mut builder = lambda_http::http::Request::builder()
            .method(self.method)
            .uri(self.path);
        for (name, value) in self.headers {
            builder = builder.header(name, value);
        }
        builder
            .body(self.body)
            .expect("a valid request")
            .with_path_parameters(self.path_parameters)
            .with_query_string_parameters(self.query)
    }
}

/// A response's status and JSON body (`Null` when it has none).
pub fn read(response: &Response<Body>) -> (StatusCode, Value) {
    let body = serde_json::from_slice(response.body().as_ref()).unwrap_or(Value::Null);
    (response.status(), body)
}
