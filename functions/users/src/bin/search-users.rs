//! `GET /users?role=&q=`: admins find people by name or email prefix.

carebook_http::lambda_main!(users::App::from_env(), users::api::search_users);
