//! Logs and traces for Carebook's Lambda handlers.
//!
//! - [`Telemetry::init`]: the one `tracing` subscriber of a handler: log lines in Lambda's
//!   format and level, and, when an OTLP endpoint is configured, every span exported as an
//!   OpenTelemetry span of the handler's service.
//! - [`TraceContext`]: a span's W3C Trace Context (`traceparent`, `tracestate`), as it travels
//!   in HTTP headers, in CloudEvents' distributed-tracing extension and in Kafka headers.
//! - [`Telemetry::run`]: a handler's Lambda runtime, exporting each invocation's spans once
//!   its answer is sent.
//! - [`metric`]: the CloudWatch metrics the handlers emit (Embedded Metric Format on stdout),
//!   flushed with the spans after each invocation.
//! - [`continue_trace`]: makes a span the child of a context received from elsewhere.

pub mod metric;
mod sigv4;

use std::collections::HashMap;
use std::env;
use std::str::FromStr;
use std::time::Duration;

use lambda_runtime::layers::TracingLayer;
use lambda_runtime::tower::util::AndThenLayer;
use lambda_runtime::{LambdaInvocation, Runtime, Service};
use opentelemetry::propagation::{Extractor, TextMapPropagator};
use opentelemetry::trace::{TraceContextExt, TracerProvider as _};
use opentelemetry_otlp::WithHttpConfig;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::filter::{EnvFilter, LevelFilter, filter_fn};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, Registry};

/// The span lambda_runtime opens around each invocation for its log lines' `requestId`. It is
/// not exported: a Carebook handler opens its own span per invocation, continuing the caller's
/// trace, and a root span beside it would start a second trace for every request.
const RUNTIME_SPAN: &str = "Lambda runtime invoke";

/// The W3C Trace Context header names, also the CloudEvents extension attributes
/// (<https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/extensions/distributed-tracing.md>).
pub const TRACEPARENT: &str = "traceparent";
pub const TRACESTATE: &str = "tracestate";

/// The handler's tracing and metrics; [`Telemetry::flush`] exports what its invocation
/// recorded.
#[derive(Clone)]
pub struct Telemetry {
    traces: Option<SdkTracerProvider>,
    metrics: Option<&'static metrics_cloudwatch_embedded::Collector>,
}

impl Telemetry {
    /// Installs the process's subscriber: log lines as Lambda's `AWS_LAMBDA_LOG_FORMAT` and
    /// `AWS_LAMBDA_LOG_LEVEL` ask (`RUST_LOG` otherwise, `INFO` by default), and spans exported
    /// over OTLP/HTTP as `service` when `OTEL_EXPORTER_OTLP_ENDPOINT` or
    /// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set (the OpenTelemetry SDK's own variables, read
    /// by the exporter). Without one, no span leaves the process and tracing costs nothing.
    /// Metrics are recorded as CloudWatch EMF documents (namespace [`metric::NAMESPACE`]),
    /// written to stdout after each invocation; the start itself counts as a cold start.
    pub fn init(service: &'static str) -> Self {
        let telemetry = Self {
            traces: span_exporting(service),
            metrics: metrics_cloudwatch_embedded::Builder::new()
                .cloudwatch_namespace(metric::NAMESPACE)
                .init()
                .inspect_err(|error| eprintln!("metrics are not recorded: {error}"))
                .ok(),
        };
        metric::describe_all();
        metric::COLD_STARTS.count(Some(service));
        // The log level filters log lines only: spans are exported at INFO whatever the level,
        // so a quieter log (WARN in AWS) loses no trace and no event its trace context.
        let traces = telemetry.traces.as_ref().map(|provider| {
            tracing_opentelemetry::layer()
                .with_tracer(provider.tracer(service))
                .with_filter(LevelFilter::INFO)
                .with_filter(filter_fn(|metadata| metadata.name() != RUNTIME_SPAN))
        });
        let registry = Registry::default().with(traces);
        let lines = tracing_subscriber::fmt::layer()
            .with_target(false)
            .without_time();
        // A second init (a test binary's) keeps the first subscriber; that is no failure.
        let _ = if env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
            registry
                .with(lines.json().with_filter(log_filter()))
                .try_init()
        } else {
            registry.with(lines.with_filter(log_filter())).try_init()
        };
        telemetry
    }

    /// Runs a Lambda handler's `runtime`, each invocation in lambda_runtime's span (its log
    /// lines' `requestId`), and exports the invocation's spans after its answer was sent.
    pub async fn run<S>(&self, runtime: Runtime<S>) -> Result<(), lambda_runtime::Error>
    where
        S: Service<LambdaInvocation, Response = (), Error = lambda_runtime::Error>,
    {
        // A layer added later wraps those before it: this one runs once the answer was posted.
        runtime
            .layer(TracingLayer::new())
            .layer(AndThenLayer::new(move |()| async move {
                self.flush().await;
                Ok(())
            }))
            .run()
            .await
    }

    /// Writes the metrics recorded since the last call as EMF documents, one JSON line each:
    /// to stdout in a handler, where Lambda's log stream takes them to CloudWatch.
    pub fn write_metrics(&self, writer: impl std::io::Write) -> std::io::Result<()> {
        match self.metrics {
            Some(metrics) => metrics.flush(writer),
            None => Ok(()),
        }
    }

    /// Exports the spans ended so far. Handlers call it once their answer is sent and before
    /// they ask for the next invocation, when Lambda may freeze the process: spans still queued
    /// then would be sent minutes later or never.
    pub async fn flush(&self) {
        if let Err(error) = self.write_metrics(std::io::stdout().lock()) {
            tracing::warn!(error = %error, "metrics not written");
        }
        let Some(provider) = self.traces.clone() else {
            return;
        };
        // The SDK's flush blocks until the exporter's HTTP request is answered.
        match tokio::task::spawn_blocking(move || provider.force_flush()).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(error = %error, "spans not exported"),
            Err(error) => tracing::warn!(error = %error, "span export did not finish"),
        }
    }
}

/// The tracer provider exporting `service`'s spans over OTLP/HTTP, if an endpoint is set;
/// requests to an AWS endpoint (X-Ray's) are signed with the function's credentials.
fn span_exporting(service: &'static str) -> Option<SdkTracerProvider> {
    let endpoint = [
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
    ]
    .iter()
    .find_map(|name| env::var(name).ok().filter(|value| !value.is_empty()))?;
    let builder = opentelemetry_otlp::SpanExporter::builder().with_http();
    let builder = match sigv4::AwsEndpoint::of(&endpoint) {
        Some(endpoint) => {
            // As the SDK builds its own client: bounded by the exporter's timeout, and not on
            // an async runtime's thread, where reqwest's blocking client may not be built.
            let timeout = export_timeout();
            let client = std::thread::spawn(move || {
                reqwest::blocking::Client::builder()
                    .timeout(timeout)
                    .build()
            })
            .join()
            .ok()?
            .inspect_err(|error| eprintln!("traces are not exported: {error}"))
            .ok()?;
            builder.with_http_client(sigv4::Signing { endpoint, client })
        }
        None => builder,
    };
    let exporter = builder
        .build()
        .inspect_err(|error| eprintln!("traces are not exported: {error}"))
        .ok()?;
    Some(
        SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(Resource::builder().with_service_name(service).build())
            .build(),
    )
}

/// The exporter's timeout, from the SDK's variables (milliseconds), or the SDK's 10 s.
fn export_timeout() -> Duration {
    [
        "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
        "OTEL_EXPORTER_OTLP_TIMEOUT",
    ]
    .iter()
    .find_map(|name| env::var(name).ok()?.parse().ok())
    .map_or(Duration::from_secs(10), Duration::from_millis)
}

fn log_filter() -> EnvFilter {
    let level = env::var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| env::var("RUST_LOG"))
        .ok()
        .and_then(|level| LevelFilter::from_str(&level).ok())
        .unwrap_or(LevelFilter::INFO);
    EnvFilter::builder()
        .with_default_directive(level.into())
        .from_env_lossy()
}

/// A span's W3C Trace Context, as `traceparent` and `tracestate` values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceContext {
    pub traceparent: String,
    pub tracestate: Option<String>,
}

impl TraceContext {
    /// The context of `span`, if it is part of an exported trace.
    pub fn of(span: &Span) -> Option<Self> {
        let context = span.context();
        if !context.span().span_context().is_valid() {
            return None;
        }
        let mut fields = HashMap::new();
        TraceContextPropagator::new().inject_context(&context, &mut fields);
        Some(Self {
            traceparent: fields.remove(TRACEPARENT)?,
            tracestate: fields.remove(TRACESTATE).filter(|state| !state.is_empty()),
        })
    }

    /// The context the `traceparent` header of a request carries. A caller's `tracestate`
    /// is left out: it is vendor data of up to 32 entries that anyone on the internet could
    /// send, and would travel on in every event and Kafka record of the request.
    pub fn from_headers(headers: &http::HeaderMap) -> Option<Self> {
        let traceparent = headers.get(TRACEPARENT)?.to_str().ok();
        Self::from_fields(traceparent, None)
    }

    /// The context its two fields carry wherever it travelled (CloudEvent attributes, Kafka
    /// headers), if there is a `traceparent`.
    pub fn from_fields(traceparent: Option<&str>, tracestate: Option<&str>) -> Option<Self> {
        Some(Self {
            traceparent: traceparent?.to_owned(),
            tracestate: tracestate.map(str::to_owned),
        })
    }

    /// The context as header name and value pairs, for a Kafka record.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str)> {
        std::iter::once((TRACEPARENT, self.traceparent.as_str()))
            .chain(self.tracestate.as_deref().map(|state| (TRACESTATE, state)))
    }
}

impl Extractor for TraceContext {
    fn get(&self, key: &str) -> Option<&str> {
        match key {
            TRACEPARENT => Some(&self.traceparent),
            TRACESTATE => self.tracestate.as_deref(),
            _ => None,
        }
    }

    fn keys(&self) -> Vec<&str> {
        vec![TRACEPARENT, TRACESTATE]
    }
}

/// Makes `span` a child of the trace `context` belongs to, if it is a valid W3C context;
/// an invalid one is ignored and `span` stays where it is. Call it before `span` is entered.
/// Then records the span's own `trace_id` and `span_id` fields, if it declares them, so every
/// log line written inside it names its trace.
pub fn continue_trace(span: &Span, context: Option<&TraceContext>) {
    if let Some(context) = context {
        let parent = TraceContextPropagator::new().extract(context);
        if parent.span().span_context().is_valid() {
            // Fails only when no OpenTelemetry layer is installed: nothing to continue then.
            let _ = span.set_parent(parent);
        }
    }
    let context = span.context();
    let own = context.span().span_context().clone();
    if own.is_valid() {
        span.record("trace_id", tracing::field::display(own.trace_id()));
        span.record("span_id", tracing::field::display(own.span_id()));
    }
}

/// Marks `span` as failed (OpenTelemetry's error status), if it declares `otel.status_code`:
/// what a trace view shows in red.
pub fn mark_failed(span: &Span) {
    span.record("otel.status_code", "ERROR");
}

/// Links `span` to the trace `context` belongs to, if it is a valid W3C context: for a span
/// caused by work of another trace, or by work whose context arrived more than one way.
pub fn link_to(span: &Span, context: Option<&TraceContext>) {
    let Some(context) = context else {
        return;
    };
    let linked = TraceContextPropagator::new().extract(context);
    let linked = linked.span().span_context().clone();
    if linked.is_valid() {
        span.add_link(linked);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

    use opentelemetry::trace::{SpanKind, TraceId};
    use opentelemetry_sdk::trace::InMemorySpanExporter;
    use tracing::subscriber::with_default;

    use super::*;

    const CALLER: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    /// A server span continuing [`CALLER`]'s trace, as a handler opens one per request.
    fn continuing_the_caller(tracestate: Option<&str>) -> Span {
        let span = tracing::info_span!(
            "request",
            otel.kind = ?SpanKind::Server,
            trace_id = tracing::field::Empty,
            span_id = tracing::field::Empty,
        );
        let caller = TraceContext {
            traceparent: CALLER.into(),
            tracestate: tracestate.map(str::to_owned),
        };
        continue_trace(&span, Some(&caller));
        span
    }

    fn recording() -> (
        InMemorySpanExporter,
        SdkTracerProvider,
        impl tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    ) {
        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(exporter.clone())
            .build();
        let subscriber = Registry::default()
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
        (exporter, provider, subscriber)
    }

    #[test]
    fn a_span_continuing_a_callers_traceparent_joins_its_trace() {
        let (exporter, provider, subscriber) = recording();

        let sent = with_default(subscriber, || {
            TraceContext::of(&continuing_the_caller(Some("vendor=1")))
        });
        provider.force_flush().unwrap();

        let spans = exporter.get_finished_spans().unwrap();
        assert_eq!(spans.len(), 1);
        assert_eq!(
            spans[0].span_context.trace_id(),
            TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap()
        );
        assert_eq!(
            spans[0].parent_span_id.to_string(),
            "00f067aa0ba902b7",
            "the caller's span is the parent"
        );
        let sent = sent.unwrap();
        assert!(
            sent.traceparent
                .starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-")
        );
        assert!(
            !sent.traceparent.contains("00f067aa0ba902b7"),
            "its own span id goes on"
        );
        assert_eq!(sent.tracestate.as_deref(), Some("vendor=1"));
    }

    #[test]
    fn a_span_marked_failed_is_exported_with_the_error_status() {
        let (exporter, provider, subscriber) = recording();

        with_default(subscriber, || {
            for failed in [false, true] {
                let span = tracing::info_span!(
                    "publish",
                    otel.status_code = tracing::field::Empty,
                    failed
                );
                if failed {
                    mark_failed(&span);
                }
            }
        });
        provider.force_flush().unwrap();

        let statuses: Vec<_> = exporter
            .get_finished_spans()
            .unwrap()
            .into_iter()
            .map(|span| span.status)
            .collect();
        assert_eq!(
            statuses,
            [
                opentelemetry::trace::Status::Unset,
                opentelemetry::trace::Status::error("")
            ]
        );
    }

    #[derive(Clone, Default)]
    struct Lines(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Lines {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_log_line_in_a_continued_span_names_the_callers_trace() {
        let (_, _provider, subscriber) = recording();
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = subscriber.with(
            tracing_subscriber::fmt::layer()
                .json()
                .with_writer(move || writer.clone()),
        );

        with_default(subscriber, || {
            continuing_the_caller(None).in_scope(|| tracing::info!("appointment booked"));
        });

        let output = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        let line: serde_json::Value = serde_json::from_str(output.trim()).unwrap();
        assert_eq!(line["span"]["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
        let span_id = line["span"]["span_id"].as_str().unwrap();
        assert_eq!(span_id.len(), 16);
        assert_ne!(
            span_id, "00f067aa0ba902b7",
            "the span's own id, not the caller's"
        );
    }

    #[test]
    fn a_malformed_traceparent_starts_a_new_trace() {
        let (exporter, provider, subscriber) = recording();

        with_default(subscriber, || {
            let span = tracing::info_span!("book");
            continue_trace(
                &span,
                Some(&TraceContext {
                    traceparent: "00-not-a-trace-01".into(),
                    tracestate: None,
                }),
            );
        });
        provider.force_flush().unwrap();

        let spans = exporter.get_finished_spans().unwrap();
        assert_eq!(spans.len(), 1);
        assert!(spans[0].span_context.is_valid());
        assert_eq!(
            spans[0].parent_span_id,
            opentelemetry::trace::SpanId::INVALID
        );
    }

    #[test]
    fn without_an_exporter_a_span_has_no_context_to_pass_on() {
        let span = with_default(Registry::default(), || tracing::info_span!("book"));

        assert_eq!(TraceContext::of(&span), None);
    }

    #[test]
    fn a_request_carries_its_callers_traceparent_but_not_its_tracestate() {
        let mut headers = http::HeaderMap::new();
        headers.insert(TRACEPARENT, CALLER.parse().unwrap());
        headers.insert(
            TRACESTATE,
            "vendor=anything-a-caller-sends".parse().unwrap(),
        );

        let context = TraceContext::from_headers(&headers).unwrap();

        assert_eq!(context.traceparent, CALLER);
        assert_eq!(
            context.headers().collect::<Vec<_>>(),
            vec![(TRACEPARENT, CALLER)]
        );
    }
}
