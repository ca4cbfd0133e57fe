//! `PUT /doctors/{id}/working-hours`: a doctor or an admin sets the doctor's week.

carebook_http::lambda_main!(
    appointments::App::from_env(),
    appointments::api::set_working_hours
);
