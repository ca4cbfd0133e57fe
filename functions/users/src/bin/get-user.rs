//! `GET /users/{id}`: a profile, for its owner or an admin.

carebook_http::lambda_main!(users::App::from_env(), users::api::get_user);
