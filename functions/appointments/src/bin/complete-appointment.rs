//! `POST /appointments/{id}/complete`: marks an appointment as having taken place.

carebook_http::lambda_main!(
    appointments::App::from_env(),
    appointments::api::complete_appointment
);
