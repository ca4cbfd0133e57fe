//! `GET /doctors/{id}/working-hours`: when a doctor takes appointments.

carebook_http::lambda_main!(
    appointments::App::from_env(),
    appointments::api::get_working_hours
);
