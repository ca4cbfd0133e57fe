use std::fmt::Debug;
use std::future::Future;

use carebook_telemetry::{Telemetry, TraceContext, continue_trace};
use lambda_http::lambda_runtime::{Diagnostic, Runtime};
use lambda_http::request::RequestContext;
use lambda_http::tower::util::AndThenLayer;
use lambda_http::{Adapter, Body, Error, IntoResponse, Request, RequestExt, Response, Service};
use tracing::Instrument;

/// What a handler's app does with the time between its answer and the next invocation.
///
/// Lambda freezes a process once it asks for the next invocation, not when it answers: work
/// done in between delays no caller and is never cut off by a freeze (AWS bills it as part of
/// the invocation). [`lambda_main!`](crate::lambda_main) calls [`AfterResponse::deferring`] once,
/// then [`AfterResponse::after_response`] after every answer has been sent.
pub trait AfterResponse: Sized {
    /// The app as a Lambda handler runs it, queueing what can wait for `after_response`.
    fn deferring(self) -> Self {
        self
    }

    /// Does what the last invocation queued.
    fn after_response(&self) -> impl Future<Output = ()> + Send {
        std::future::ready(())
    }
}

/// Answers every invocation with `handler`, then lets `app` do its [`AfterResponse`] work and
/// exports the invocation's spans before asking for the next one.
pub async fn run_with<'a, A, S, R, E>(
    app: &'a A,
    telemetry: &'a Telemetry,
    handler: S,
) -> Result<(), Error>
where
    A: AfterResponse + Sync,
    S: Service<Request, Response = R, Error = E>,
    S::Future: Send + 'a,
    R: IntoResponse,
    E: Debug + Into<Diagnostic>,
{
    let answering =
        Runtime::new(Adapter::from(handler)).layer(AndThenLayer::new(move |()| async move {
            app.after_response().await;
            Ok(())
        }));
    telemetry.run(answering).await
}

/// The answer `answer` gives `request`, in a server span of its own: the child of the caller's
/// `traceparent` if it sent one, or the root of a new trace. The span names the route, the
/// status and the appointment the path names; never a person, a body or a token.
pub async fn traced(
    request: &Request,
    answer: impl Future<Output = Response<Body>>,
) -> Response<Body> {
    // The route template API Gateway matched ("POST /appointments/{id}/cancel"), never the
    // path itself, whose ids would make every span name unique; `$default`, the catch-all
    // route, names nothing.
    let route = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context
            .route_key
            .clone()
            .filter(|route| route != "$default"),
        _ => None,
    };
    let method = request.method().as_str();
    let template = route
        .as_deref()
        .and_then(|route| route.split_once(' '))
        .map(|(_, template)| template.to_owned());
    let appointment_id = template
        .as_deref()
        .is_some_and(|template| template.starts_with("/appointments/{id}"))
        .then(|| {
            request
                .path_parameters_ref()?
                .first("id")
                .map(str::to_owned)
        })
        .flatten();
    let span = tracing::info_span!(
        "request",
        otel.name = route.as_deref().unwrap_or(method),
        otel.kind = "server",
        http.request.method = method,
        http.route = template,
        http.response.status_code = tracing::field::Empty,
        otel.status_code = tracing::field::Empty,
        appointment.id = appointment_id,
        trace_id = tracing::field::Empty,
        span_id = tracing::field::Empty,
    );
    continue_trace(
        &span,
        TraceContext::from_headers(request.headers()).as_ref(),
    );
    let response = answer.instrument(span.clone()).await;
    span.record("http.response.status_code", response.status().as_u16());
    if response.status().is_server_error() {
        span.record("otel.status_code", "ERROR");
    }
    response
}
