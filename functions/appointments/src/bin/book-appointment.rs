//! `POST /appointments`: books a slot; 409 when it is taken.

carebook_http::lambda_main!(
    appointments::App::from_env(),
    appointments::api::book_appointment
);
