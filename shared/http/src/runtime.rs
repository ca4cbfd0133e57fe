use std::fmt::Debug;
use std::future::Future;

use lambda_http::lambda_runtime::layers::TracingLayer;
use lambda_http::lambda_runtime::{Diagnostic, Runtime};
use lambda_http::tower::util::AndThenLayer;
use lambda_http::{Adapter, Error, IntoResponse, Request, Service};

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

/// Answers every invocation with `handler`, then lets `app` do its [`AfterResponse`] work
/// before asking for the next one.
pub async fn run_with<'a, A, S, R, E>(app: &'a A, handler: S) -> Result<(), Error>
where
    A: AfterResponse + Sync,
    S: Service<Request, Response = R, Error = E>,
    S::Future: Send + 'a,
    R: IntoResponse,
    E: Debug + Into<Diagnostic>,
{
    // A layer added later wraps those before it: this one runs once the answer was posted.
    Runtime::new(Adapter::from(handler))
        .layer(TracingLayer::new())
        .layer(AndThenLayer::new(move |()| async move {
            app.after_response().await;
            Ok(())
        }))
        .run()
        .await
}
