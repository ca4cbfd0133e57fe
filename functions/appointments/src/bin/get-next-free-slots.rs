//! `GET /doctors/next-free-slots?doctor_id=`: each doctor's first free slot, for the directory.

carebook_http::lambda_main!(
    appointments::App::from_env(),
    appointments::api::get_next_free_slots
);
