//! `GET /appointments/{id}`: one appointment, for its participants and admins.

carebook_http::lambda_main!(
    appointments::App::from_env(),
    appointments::api::get_appointment
);
