//! A Lambda Runtime API (the one AWS documents) on loopback, for handler binaries run as
//! Lambda runs them: each process polls it for invocations and posts its answers to it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
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
    /// How many `next` calls there were: a cold start ends at the first.
    polls: tokio::sync::watch::Sender<u64>,
    /// Answers are passed on, but the process is never told they arrived: it stays between
    /// its answer and its next poll until it is killed.
    hold_after_answer: AtomicBool,
}

async fn next(State(api): State<Arc<Api>>) -> Response {
    api.polls.send_modify(|polls| *polls += 1);
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
                "arn:aws:lambda:eu-west-1:000000000000:function:carebook".to_owned(),
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
    if api.hold_after_answer.load(Ordering::SeqCst) {
        std::future::pending::<()>().await;
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
            polls: tokio::sync::watch::Sender::new(0),
            hold_after_answer: AtomicBool::new(false),
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
            .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/carebook")
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "carebook")
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
        let seen = self.polls();
        let started = Instant::now();
        let mut process = self
            .command(binary, env)
            .spawn()
            .with_context(|| format!("start {}", binary.display()))?;
        let waited = self.polled_after(seen, Duration::from_secs(10)).await;
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
            let seen = self.polls();
            self.processes.push(
                self.command(binary, env)
                    .spawn()
                    .with_context(|| format!("start {}", binary.display()))?,
            );
            self.polled_after(seen, Duration::from_secs(10)).await?;
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

    /// From now on, a process that answered is held there (see [`Function::kill`]).
    pub fn hold_after_answer(&self) {
        self.api.hold_after_answer.store(true, Ordering::SeqCst);
    }

    /// Kills every process, as a crash would.
    pub fn kill(&mut self) {
        for process in &mut self.processes {
            let _ = process.kill();
            let _ = process.wait();
        }
        self.processes.clear();
    }

    /// How many times the processes asked for an invocation so far.
    pub fn polls(&self) -> u64 {
        *self.api.polls.borrow()
    }

    /// Waits until the processes asked for an invocation more than `seen` times.
    pub async fn polled_after(&self, seen: u64, within: Duration) -> Result<()> {
        let mut polls = self.api.polls.subscribe();
        tokio::time::timeout(within, polls.wait_for(|polls| *polls > seen))
            .await
            .with_context(|| format!("{} did not ask for another invocation", self.name))?
            .context("the Runtime API is gone")?;
        Ok(())
    }

    /// Invokes the function with `event`; its answer.
    pub async fn invoke(&self, event: Value) -> Result<Value> {
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
        self.kill();
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

/// The API Gateway HTTP API (payload 2.0) event of a request, as Lambda gets it.
pub fn api_gateway_event(method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Value {
    let route = format!("{method} {}", uri.path());
    let headers: serde_json::Map<String, Value> = headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), Value::from(v.to_str().ok()?))))
        .collect();
    let now = chrono::Utc::now();
    json!({
        "version": "2.0", "routeKey": route, "rawPath": uri.path(),
        "rawQueryString": uri.query().unwrap_or_default(), "headers": headers,
        "requestContext": {
            "accountId": "000000000000", "apiId": "carebook", "domainName": "127.0.0.1",
            "domainPrefix": "carebook", "requestId": uuid::Uuid::new_v4().to_string(),
            "routeKey": route, "stage": "$default", "time": now.to_rfc2822(),
            "timeEpoch": now.timestamp_millis(),
            "http": {"method": method.as_str(), "path": uri.path(), "protocol": "HTTP/1.1",
                     "sourceIp": "127.0.0.1", "userAgent": "carebook-testkit"},
        },
        "body": String::from_utf8_lossy(body), "isBase64Encoded": false,
    })
}
