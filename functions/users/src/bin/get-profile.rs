//! `GET /users/me`: the caller's profile.

use lambda_http::{Error, Request, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::tracing::init_default_subscriber();
    let app = users::App::from_env()?;
    run(service_fn(|request: Request| {
        let app = &app;
        async move { Ok::<_, Error>(app.get_profile(&request).await) }
    }))
    .await
}
