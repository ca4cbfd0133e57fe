//! `POST /closures`: an admin closes the clinic for a holiday.

carebook_http::lambda_main!(
    appointments::App::from_env(),
    appointments::api::record_closure
);
