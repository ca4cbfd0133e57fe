use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

/// Invokes functions through `cargo lambda watch`'s Invoke API
/// (`POST /2015-03-31/functions/<name>/invocations`), as the AWS Lambda API does.
#[derive(Clone)]
pub struct Invoker {
    http: reqwest::Client,
    base: String,
}

/// An invocation that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum InvokeError {
    /// The function ran and failed: HTTP 500 from watch, or AWS's 200 with
    /// `X-Amz-Function-Error`.
    #[error("{function} failed ({status}): {body}")]
    Function {
        function: String,
        status: StatusCode,
        body: String,
    },
    /// No answer in time (a crashed handler can hang the request) or no connection.
    #[error("{function} could not be invoked")]
    Unreachable {
        function: String,
        #[source]
        source: reqwest::Error,
    },
}

impl Invoker {
    /// An invoker of the functions behind `base` (e.g. `http://127.0.0.1:9000`) that gives up
    /// on an invocation after `timeout`.
    pub fn new(base: &str, timeout: Duration) -> Result<Self, reqwest::Error> {
        Ok(Self {
            http: reqwest::Client::builder().timeout(timeout).build()?,
            base: base.trim_end_matches('/').to_owned(),
        })
    }

    /// Invokes `function` with `payload`; its answer when it succeeded.
    pub async fn invoke(&self, function: &str, payload: &Value) -> Result<Value, InvokeError> {
        let unreachable = |source| InvokeError::Unreachable {
            function: function.to_owned(),
            source,
        };
        let response = self
            .http
            .post(format!(
                "{}/2015-03-31/functions/{function}/invocations",
                self.base
            ))
            .json(payload)
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status();
        let function_error = response.headers().contains_key("x-amz-function-error");
        let body = response.text().await.map_err(unreachable)?;
        if !status.is_success() || function_error {
            return Err(InvokeError::Function {
                function: function.to_owned(),
                status,
                body,
            });
        }
        Ok(serde_json::from_str(&body).unwrap_or(Value::Null))
    }
}
