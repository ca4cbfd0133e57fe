//! `GET /users/me`: the caller's profile, created on first call.

carebook_http::lambda_main!(users::App::from_env(), users::api::get_profile);
