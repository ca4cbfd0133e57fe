//! `GET /closures`: the clinic's upcoming closures.

carebook_http::lambda_main!(
    appointments::App::from_env(),
    appointments::api::list_closures
);
