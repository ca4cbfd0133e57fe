//! `POST /appointments/{id}/cancel`: cancels a scheduled appointment.

carebook_http::lambda_main!(
    appointments::App::from_env(),
    appointments::api::cancel_appointment
);
