//! `POST /doctors/{id}/time-off`: the doctor or an admin records time off.

carebook_http::lambda_main!(
    appointments::App::from_env(),
    appointments::api::record_time_off
);
