//! Handler binaries run as Lambda runs them: each process polls a Runtime API (the one AWS
//! documents, served here on loopback) for invocations; an HTTP front turns requests into API
//! Gateway v2 events, as the HTTP API does.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};

struct Invocation {
    event: Value,
    answer: oneshot::Sender<Value>,
}

/// One function's Runtime API: the invocations waiting for a process, and those being handled.
struct Api {
    queue: tokio::sync::Mutex<mpsc::Receiver<Invocation>>,
    in_flight: Mutex<HashMap<String, oneshot::Sender<Value>>>,
    /// Signalled at every `next` call: how a cold start is seen to end.
    polled: tokio::sync::Notify,
}

async fn next(State(api): State<Arc<Api>>) -> Response {
    api.polled.notify_waiters();
    let Some(invocation) = api.queue.lock().await.recv().await else {
        return StatusCode::GONE.into_response();
    };
    let id = uuid::Uuid::new_v4().to_string();
    api.in_flight
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(id.clone(), invocation.answer);
    let deadline = chrono::Utc::now().timestamp_millis() + 30_000;
    (
        [
            ("lambda-runtime-aws-request-id", id),
            ("lambda-runtime-deadline-ms", deadline.to_string()),
            (
                "lambda-runtime-invoked-function-arn",
                "arn:aws:lambda:eu-west-1:000000000000:function:bench".to_owned(),
            ),
        ],
        axum::Json(invocation.event),
    )
        .into_response()
}

async fn respond(
    State(api): State<Arc<Api>>,
    UrlPath((id, _outcome)): UrlPath<(String, String)>,
    body: Bytes,
) -> StatusCode {
    let waiting = api
        .in_flight
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .remove(&id);
    if let Some(waiting) = waiting {
        let _ = waiting.send(serde_json::from_slice(&body).unwrap_or(Value::Null));
    }
    StatusCode::ACCEPTED
}

/// A Runtime API on a port of its own, for the processes of one function.
pub struct Function {
    pub name: String,
    address: SocketAddr,
    api: Arc<Api>,
    sender: mpsc::Sender<Invocation>,
    processes: Vec<Child>,
}

impl Function {
    pub async fn serve(name: &str) -> Result<Self> {
        let (sender, receiver) = mpsc::channel(1024);
        let api = Arc::new(Api {
            queue: tokio::sync::Mutex::new(receiver),
            in_flight: Mutex::default(),
            polled: tokio::sync::Notify::new(),
        });
        let router = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/{outcome}",
                post(respond),
            )
            .route(
                "/2018-06-01/runtime/init/error",
                post(|| async { StatusCode::ACCEPTED }),
            )
            .with_state(api.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        tokio::spawn(async move { axum::serve(listener, router).await });
        Ok(Self {
            name: name.to_owned(),
            address,
            api,
            sender,
            processes: Vec::new(),
        })
    }

    fn command(&self, binary: &Path, env: &[(String, String)]) -> Command {
        let mut command = Command::new(binary);
        command
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("AWS_LAMBDA_RUNTIME_API", self.address.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", &self.name)
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/bench")
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    }

    /// Starts `binary` and waits for its first poll: the cold start, and the process's peak
    /// RSS at that point. The process is then stopped.
    pub async fn cold_start(
        &self,
        binary: &Path,
        env: &[(String, String)],
    ) -> Result<(Duration, u64)> {
        let polled = self.api.polled.notified();
        let started = Instant::now();
        let mut process = self
            .command(binary, env)
            .spawn()
            .with_context(|| format!("start {}", binary.display()))?;
        let waited = tokio::time::timeout(Duration::from_secs(10), polled).await;
        let elapsed = started.elapsed();
        let rss = peak_rss_kib(process.id()).unwrap_or(0);
        let _ = process.kill();
        let _ = process.wait();
        if waited.is_err() {
            bail!(
                "{} did not ask for an invocation within 10 s",
                binary.display()
            );
        }
        Ok((elapsed, rss))
    }

    /// Starts `count` warm processes of `binary`, as `count` Lambda execution environments.
    pub async fn start(
        &mut self,
        binary: &Path,
        env: &[(String, String)],
        count: usize,
    ) -> Result<()> {
        for _ in 0..count {
            let polled = self.api.polled.notified();
            self.processes.push(self.command(binary, env).spawn()?);
            tokio::time::timeout(Duration::from_secs(10), polled)
                .await
                .with_context(|| format!("{} did not start", self.name))?;
        }
        Ok(())
    }

    /// The highest peak RSS among the running processes, in KiB.
    pub fn peak_rss_kib(&self) -> u64 {
        self.processes
            .iter()
            .filter_map(|p| peak_rss_kib(p.id()))
            .max()
            .unwrap_or(0)
    }

    async fn invoke(&self, event: Value) -> Result<Value> {
        let (answer, answered) = oneshot::channel();
        self.sender
            .send(Invocation { event, answer })
            .await
            .context("the Runtime API is gone")?;
        Ok(answered.await?)
    }
}

impl Drop for Function {
    fn drop(&mut self) {
        for process in &mut self.processes {
            let _ = process.kill();
            let _ = process.wait();
        }
    }
}

/// `VmHWM` of a process: the most resident memory it has had.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
}

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
    let route = format!("{method} {}", uri.path());
    let headers: serde_json::Map<String, Value> = headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), Value::from(v.to_str().ok()?))))
        .collect();
    let now = chrono::Utc::now();
    let event = json!({
        "version": "2.0", "routeKey": route, "rawPath": uri.path(),
        "rawQueryString": uri.query().unwrap_or_default(), "headers": headers,
        "requestContext": {
            "accountId": "000000000000", "apiId": "bench", "domainName": "127.0.0.1",
            "domainPrefix": "bench", "requestId": uuid::Uuid::new_v4().to_string(),
            "routeKey": route, "stage": "$default", "time": now.to_rfc2822(),
            "timeEpoch": now.timestamp_millis(),
            "http": {"method": method.as_str(), "path": uri.path(), "protocol": "HTTP/1.1",
                     "sourceIp": "127.0.0.1", "userAgent": "carebook-bench"},
        },
        "body": String::from_utf8_lossy(&body), "isBase64Encoded": false,
    });
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
