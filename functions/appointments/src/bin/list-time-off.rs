//! `GET /doctors/{id}/time-off`: the doctor's upcoming time off, for staff.

carebook_http::lambda_main!(
    appointments::App::from_env(),
    appointments::api::list_time_off
);
