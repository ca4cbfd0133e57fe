//! `GET /appointments`: own appointments, a doctor's schedule, or all for admins.

carebook_http::lambda_main!(
    appointments::App::from_env(),
    appointments::api::list_appointments
);
