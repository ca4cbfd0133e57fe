//! `GET /doctors/{id}/availability?date=` or `?from=&to=`: a doctor's free slots, day by day.

carebook_http::lambda_main!(
    appointments::App::from_env(),
    appointments::api::get_availability
);
