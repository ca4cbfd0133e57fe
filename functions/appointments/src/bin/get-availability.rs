//! `GET /doctors/{id}/availability`: a doctor's free slots on a day.

carebook_http::lambda_main!(
    appointments::App::from_env(),
    appointments::api::get_availability
);
