//! `PATCH /appointments/{id}`: moves or edits a scheduled appointment.

carebook_http::lambda_main!(
    appointments::App::from_env(),
    appointments::api::reschedule_appointment
);
