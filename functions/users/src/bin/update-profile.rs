//! `PATCH /users/me`: changes the caller's profile.

carebook_http::lambda_main!(users::App::from_env(), users::api::update_profile);
