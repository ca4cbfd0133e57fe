//! `DELETE /doctors/{id}/time-off/{time_off_id}`: the doctor or an admin takes time off back.

carebook_http::lambda_main!(
    appointments::App::from_env(),
    appointments::api::delete_time_off
);
