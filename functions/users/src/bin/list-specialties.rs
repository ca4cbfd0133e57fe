//! `GET /doctors/specialties`: the specialties to pick from in the directory.

carebook_http::lambda_main!(users::App::from_env(), users::api::list_specialties);
