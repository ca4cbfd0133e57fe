//! `GET /doctors`: the doctor directory.

carebook_http::lambda_main!(users::App::from_env(), users::api::list_doctors);
