//! `local-event-source`: Lambda's MSK event source mapping and schedules for the local stack,
//! read from `infra/template.yaml` and delivered through `cargo lambda watch`.
//!
//! Environment: `EVENT_SOURCE_TEMPLATE` (default `infra/template.yaml`),
//! `EVENT_SOURCE_INVOKE_URL` (default `http://127.0.0.1:9000`),
//! `EVENT_SOURCE_INVOKE_TIMEOUT_SECONDS` (default 120: watch compiles a handler on its first
//! invocation), `KAFKA_BOOTSTRAP_SERVERS` (default `127.0.0.1:9092`), `AWS_REGION`.
//! SIGTERM or Ctrl-C stops it; a batch in flight is left uncommitted and delivered again.

use std::time::Duration;

use anyhow::Context;
use carebook_backends::Publisher;
use carebook_event_source::{Invoker, Runner, Settings};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing_subscriber::EnvFilter;

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let template = env_or("EVENT_SOURCE_TEMPLATE", "infra/template.yaml");
    let invoke_url = env_or("EVENT_SOURCE_INVOKE_URL", "http://127.0.0.1:9000");
    let timeout: u64 = env_or("EVENT_SOURCE_INVOKE_TIMEOUT_SECONDS", "120")
        .parse()
        .context("EVENT_SOURCE_INVOKE_TIMEOUT_SECONDS must be a number of seconds")?;
    let bootstrap = env_or("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
    let region = env_or("AWS_REGION", "eu-west-1");

    let yaml =
        std::fs::read_to_string(&template).with_context(|| format!("cannot read {template}"))?;
    let settings = Settings::from_template(&yaml).with_context(|| format!("reading {template}"))?;
    let invoker = Invoker::new(&invoke_url, Duration::from_secs(timeout))?;
    let publisher = Publisher::new(&bootstrap, Duration::from_secs(10))?;
    let arn = format!("arn:aws:kafka:{region}:000000000000:cluster/carebook-local/local");

    let (stop, shutdown) = watch::channel(false);
    let mut tasks = JoinSet::new();
    for mapping in settings.mappings {
        let runner = Runner::new(
            mapping,
            &bootstrap,
            invoker.clone(),
            publisher.clone(),
            &arn,
        )?;
        tasks.spawn(runner.run(shutdown.clone()));
    }
    for schedule in settings.schedules {
        let invoker = invoker.clone();
        let mut shutdown = shutdown.clone();
        tasks.spawn(async move {
            let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + schedule.every, schedule.every);
            loop {
                tokio::select! {
                    _ = ticks.tick() => {}
                    _ = shutdown.wait_for(|stop| *stop) => return Ok(()),
                }
                let event = serde_json::json!({ "source": "aws.scheduler", "detail-type": "Scheduled Event", "detail": {} });
                match invoker.invoke(&schedule.function, &event).await {
                    Ok(answer) => tracing::info!(function = %schedule.function, %answer, "scheduled invocation"),
                    Err(error) => tracing::warn!(function = %schedule.function, error = %error, "scheduled invocation failed"),
                }
            }
        });
    }
    tracing::info!(invoke_url, "local event source running");

    let mut terminate = signal(SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
        Some(finished) = tasks.join_next() => {
            // A mapping only ends on its own when its consumer failed.
            finished.context("a mapping task panicked")??;
        }
    }
    let _ = stop.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(10), async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    tracing::info!("local event source stopped");
    Ok(())
}
